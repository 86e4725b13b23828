"""``python -m pos_returns``: the command line of DESIGN.md.

Exit codes: 0 success, 1 a check found a problem, 2 bad input or usage. A user's mistake gets a
message that says what and where, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from . import i18n
from .case import CaseError, decision_json, load_json, read_case
from .engine import evaluate
from .policy import Policy, PolicyError, load_policy
from .scenarios import run_scenarios

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
DEFAULT_POLICY = "policies.toml"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage and exits 2; keep that, add our prefix
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _default_policy() -> str:
    return os.environ.get("POS_RETURNS_POLICY", DEFAULT_POLICY)


def _lang() -> str:
    return os.environ.get("POS_RETURNS_LANG", "en")


def _print_policy_errors(err: PolicyError) -> None:
    for problem in err.problems:
        print(problem, file=sys.stderr)


def cmd_policy_check(args: argparse.Namespace) -> int:
    path = args.policy or _default_policy()
    try:
        policy = load_policy(path)
    except PolicyError as err:
        _print_policy_errors(err)
        count = len(err.problems)
        print(f"{path}: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_USAGE
    rules = len(policy.rule_ids())
    print(f"{path}: OK ({rules} rules, store {policy.store.id}, {policy.currency}, sha256 {policy.sha256[:12]})")
    return EXIT_OK


def cmd_policy_test(args: argparse.Namespace) -> int:
    items = list(args.items)
    if items and items[0].endswith(".toml"):
        policy_path = items.pop(0)
    else:
        policy_path = _default_policy()
    if not items:
        raise UsageError("name at least one scenario file or folder")
    policy = _load(policy_path)
    if policy is None:
        return EXIT_USAGE
    report = run_scenarios(policy, [Path(i) for i in items], lang=args.locale)
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


def _load(path: str) -> Policy | None:
    try:
        return load_policy(path)
    except PolicyError as err:
        _print_policy_errors(err)
        return None


def cmd_evaluate(args: argparse.Namespace) -> int:
    policy = _load(args.policy or _default_policy())
    if policy is None:
        return EXIT_USAGE
    lang = args.locale or policy.store.language
    try:
        lang = i18n.normalize_language(lang)
    except i18n.UnknownLanguage:
        raise UsageError(f"--locale {lang}: not a supported language ({', '.join(i18n.LANGUAGES)})") from None
    try:
        case = read_case(load_json(args.case), policy, args.case)
    except CaseError as err:
        for problem in err.problems:
            print(f"{err.source}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    decision = evaluate(policy, case.sale, case.request, case.history, case.now)
    out = decision_json(decision, lang, policy.store.locale)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pos_returns", description="pos-returns: store returns and exchanges")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True

    policy = sub.add_parser("policy", help="check or test a policy file")
    psub = policy.add_subparsers(dest="policy_command", parser_class=_Parser)
    psub.required = True
    check = psub.add_parser("check", help="validate a policy file; every error as FILE:LINE: key.path: message")
    check.add_argument("policy", nargs="?", help=f"policy file (default: $POS_RETURNS_POLICY or {DEFAULT_POLICY})")
    check.set_defaults(func=cmd_policy_check)
    test = psub.add_parser("test", help="run scenario files against a policy")
    test.add_argument("items", nargs="+", metavar="[POLICY] SCENARIO",
                      help="an optional policy file (.toml), then scenario files or folders")
    test.add_argument("--locale", default=None, help="language of the reasons (default: the policy's)")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing scenarios too")
    test.set_defaults(func=cmd_policy_test)

    ev = sub.add_parser("evaluate", help="print the decision for one case (touches no database)")
    ev.add_argument("--policy", default=None, help=f"policy file (default: {DEFAULT_POLICY})")
    ev.add_argument("--locale", default=None, help="language of the reasons: en, vi, cs, zh_Hant")
    ev.add_argument("case", help="case JSON file")
    ev.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    sys.exit(main())


