"""``evaluate --policy POLICY [--locale LANG] CASE.json``: the Decision JSON of one case; pure, no database."""

from __future__ import annotations

import argparse
import json

from pos_returns.cli.common import DEFAULT_POLICY, EXIT_OK, EXIT_USAGE, language, read_policy, print_case_errors
from pos_returns.domain.case import CaseError, decision_json, load_json, read_case
from pos_returns.domain.engine import evaluate


def cmd_evaluate(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    lang = language(args.locale or loaded.store.language, "--locale")
    try:
        case = read_case(load_json(args.case), loaded, args.case)
    except CaseError as err:
        print_case_errors(err)
        return EXIT_USAGE
    decision = evaluate(loaded, case.sale, case.request, case.history, case.now)
    out = decision_json(decision, lang, loaded.store.locale)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("evaluate", help="print the decision for one case (touches no database)")
    ev.add_argument("--policy", default=None, help=f"policy file (default: {DEFAULT_POLICY})")
    ev.add_argument("--locale", default=None, help="language of the reasons: en, vi, cs, zh_Hant")
    ev.add_argument("case", help="case JSON file")
    ev.set_defaults(func=cmd_evaluate)
