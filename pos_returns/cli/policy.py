"""``policy check [POLICY]``, ``policy show [POLICY...]``, ``policy keep POLICY...`` and
``policy test [POLICY...] SCENARIO...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos_returns.cli.common import (DB_HELP, DEFAULT_POLICY, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, UsageError,
                                    default_policy, language, print_policy_errors, subcommands)
from pos_returns.domain.policy import PolicyError, load_policy
from pos_returns.domain.scenarios import run_scenarios
from pos_returns.cli.evaluate import read_versions
from pos_returns.services.coverage import unnamed_departments


def cmd_policy_check(args: argparse.Namespace) -> int:
    path = args.policy or default_policy()
    try:
        loaded = load_policy(path)
    except PolicyError as err:
        print_policy_errors(err)
        count = len(err.problems)
        print(f"{path}: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_USAGE
    rules = len(loaded.rule_ids())
    print(f"{path}: OK ({rules} rules, store {loaded.store.id}, {loaded.currency}, sha256 {loaded.sha256[:12]})")
    from pos_returns.services.importer import SalesImportError
    try:
        coverage = unnamed_departments(loaded, args.sales, args.db)
    except SalesImportError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    for source, found in coverage:
        for item in found:
            print(f"{source}: warning: {item}")
        if not found:
            print(f"{source}: every category and tag sold is named by a rule")
    return EXIT_OK


def cmd_policy_test(args: argparse.Namespace) -> int:
    items = list(args.items)
    policy_paths = []
    while items and items[0].endswith(".toml"):  # several: versions of one policy, decided by sale date
        policy_paths.append(items.pop(0))
    if not items:
        raise UsageError("name at least one scenario file or folder")
    missing = [i for i in items if not Path(i).exists()]
    if missing:
        raise UsageError(f"no such scenario file or folder: {', '.join(missing)}")
    versions = read_versions(policy_paths or [default_policy()])
    report = run_scenarios(versions[-1], [Path(i) for i in items], lang=args.locale, versions=versions)
    for result in report.results:
        if result.ok and not args.verbose:
            continue
        status = "ok  " if result.ok else "FAIL"
        print(f"{status} {result.path}")
        for problem in result.problems:
            print(f"     {problem}")
    if not report.results:
        print("no scenario files (*.json) found in: " + ", ".join(items), file=sys.stderr)
        return EXIT_USAGE
    print(f"{report.passed} passed, {report.failed} failed")
    return EXIT_OK if report.failed == 0 else EXIT_PROBLEM


def cmd_policy_show(args: argparse.Namespace) -> int:
    """The policy as readable rules (what the manager's policy view shows): for each version given (oldest
    first), its name and dates, then id, kind, scope and explanation of every rule."""
    from datetime import date
    from pos_returns.domain.engine import in_force
    from pos_returns.domain.policy_text import describe
    from pos_returns.domain.version_text import describe_version
    versions = read_versions(args.policy or [default_policy()])
    today = None
    if len(versions) > 1:
        today = in_force(versions, date.today())[0].sha256  # the command line may read the clock
    for policy in versions:
        lang = language(args.lang, "--lang") if args.lang else policy.store.language
        marker = " [in force today]" if policy.sha256 == today else ""
        print(f"{policy.path}: {policy.store.name} ({policy.store.id}), sha256 {policy.sha256[:12]}{marker}")
        print(f"{describe_version(policy, lang)}\n")
        for row in describe(policy, lang):
            mark = " [overridable]" if row.overridable else ""
            print(f"{row.id}  ({row.kind}; {row.scope}){mark}\n    {row.explanation}")
    return EXIT_OK


def cmd_policy_keep(args: argparse.Namespace) -> int:
    """Keep earlier (or coming) versions in the database, so returns of sales made under them are decided by
    them; the policy in use is still the one the counter loads."""
    from pos_returns.services import admin
    versions = read_versions(args.policy)
    with admin.Office.open(args.db) as office:
        new = office.keep_versions(versions, args.by)
    for policy, added in zip(versions, new):
        start = policy.version.effective_from or "undated"
        print(f"{policy.path}: version {policy.version_id} from {start}: " + ("kept" if added else "already kept"))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("policy", help="check or test a policy file")
    psub = subcommands(group, "policy_command")
    check = psub.add_parser("check", help="validate a policy file; every error as FILE:LINE: key.path: message")
    check.add_argument("policy", nargs="?", help=f"policy file (default: $POS_RETURNS_POLICY or {DEFAULT_POLICY})")
    check.add_argument("--sales", metavar="FILE", action="append", default=[],
                       help="a till's sales file (.json or .csv, the import format): warn about the categories "
                            "and tags sold that no rule names")
    check.add_argument("--db", nargs="?", const="", default=None, metavar="PATH",
                       help="the same for every sale in a database (without PATH: the one the commands use, "
                            "$POS_RETURNS_DB or the user's data folder)")
    check.set_defaults(func=cmd_policy_check)
    show = psub.add_parser("show", help="the readable policy: its version and every rule explained")
    show.add_argument("policy", nargs="*", help="policy files or a folder of versions (default: "
                                                f"$POS_RETURNS_POLICY or {DEFAULT_POLICY})")
    show.add_argument("--lang", default=None, help="en, vi, cs or zh_Hant (default: the policy's language)")
    show.set_defaults(func=cmd_policy_show)
    keep = psub.add_parser("keep", help="keep policy versions in the database (each decides the sales made "
                                         "while it was in force)")
    keep.add_argument("policy", nargs="+", help="policy files or a folder of versions, each with [policy] "
                                                "effective_from")
    keep.add_argument("--db", default=None, help=DB_HELP)
    keep.add_argument("--by", default=None, help="who keeps them (a staff id, recorded with each version)")
    keep.set_defaults(func=cmd_policy_keep)
    test = psub.add_parser("test", help="run scenario files against a policy")
    test.add_argument("items", nargs="+", metavar="[POLICY...] SCENARIO",
                      help="optional policy files (.toml; several: versions, the one in force on the sale date "
                           "decides), then scenario files or folders")
    test.add_argument("--locale", default=None, help="language of the reasons (default: the policy's)")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing scenarios too")
    test.set_defaults(func=cmd_policy_test)
