"""``evaluate --policy POLICY [--locale LANG] CASE.json``: the Decision JSON of one case; pure, no database.

``--policy`` may be given more than once, or name a folder of policy files: they are versions of one store's
policy, each with ``[policy] effective_from``, and the case is decided under the version in force on its sale
date (see :mod:`pos_returns.domain.engine.versions`). One policy decides exactly as before versions existed.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from pos_returns.cli.common import (DEFAULT_POLICY, EXIT_OK, EXIT_USAGE, UsageError, language, read_policy,
                                    print_case_errors)
from pos_returns.domain.case import CaseError, decision_json, load_json, read_case
from pos_returns.domain.engine import evaluate_versions, version_problems
from pos_returns.domain.policy import Policy


def policy_files(given: list[str] | None) -> list[str | None]:
    """The policy files named by the ``--policy`` options (a folder: every ``*.toml`` in it)."""
    if not given:
        return [None]
    files: list[str | None] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            found = sorted(str(p) for p in path.glob("*.toml"))
            if not found:
                raise UsageError(f"--policy {item}: the folder has no policy files (*.toml)")
            files.extend(found)
        else:
            files.append(item)
    return files


def read_versions(given: list[str] | None) -> list[Policy]:
    """The policies named, checked to be usable together as versions (else a usage error saying why)."""
    versions = [read_policy(path) for path in policy_files(given)]
    problems = version_problems(versions)
    if problems:
        raise UsageError("; ".join(problems))
    return sorted(versions, key=lambda p: p.version.effective_from or date.min)


def cmd_evaluate(args: argparse.Namespace) -> int:
    versions = read_versions(args.policy)
    loaded = versions[-1]  # the newest reads the case (its catalog and currency) and names the language
    lang = language(args.locale or loaded.store.language, "--locale")
    try:
        case = read_case(load_json(args.case), loaded, args.case)
    except CaseError as err:
        print_case_errors(err)
        return EXIT_USAGE
    decision = evaluate_versions(versions, case.sale, case.request, case.history, case.now)
    out = decision_json(decision, lang, loaded.store.locale)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("evaluate", help="print the decision for one case (touches no database)")
    ev.add_argument("--policy", action="append", default=None,
                    help=f"policy file (default: {DEFAULT_POLICY}); give it again, or name a folder, for several "
                         f"versions: the one in force on the sale date decides")
    ev.add_argument("--locale", default=None, help="language of the reasons: en, vi, cs, zh_Hant")
    ev.add_argument("case", help="case JSON file")
    ev.set_defaults(func=cmd_evaluate)
