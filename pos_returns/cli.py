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


# ----------------------------------------------------------------------------- database commands

def _open_store(args: argparse.Namespace, create: bool = False):
    from . import store as st
    return st.open_store(st.resolve_db_path(getattr(args, "db", None)), create=create)


def cmd_db_init(args: argparse.Namespace) -> int:
    from . import store as st
    path = st.resolve_db_path(args.db)
    existed = path.exists()
    with st.open_store(path, create=True) as store:
        version = store.one("PRAGMA user_version")["user_version"]
    print(f"{path}: {'already a' if existed else 'created a'} pos-returns database (schema {version})")
    return EXIT_OK


def cmd_demo_data(args: argparse.Namespace) -> int:
    from datetime import date
    from . import demo, store as st
    policy = _load(args.policy or _default_policy())
    if policy is None:
        return EXIT_USAGE
    path = st.resolve_db_path(args.db)
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise UsageError(f"--today {args.today}: not a date like 2026-11-23") from None

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} receipts", end="", file=sys.stderr, flush=True)

    with st.open_store(path, create=True) as store:
        result = demo.build_demo(store, policy, today=today, receipts=args.receipts, seed=args.seed,
                                 progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{path}: demo store with {result.receipts} receipts, {result.lines} sale lines, "
          f"{result.returns} earlier returns; staff c1/c2 (cashiers, PIN 1111/2222), m1/m2 (managers, 9999/8888)")
    return EXIT_OK


def cmd_import_sales(args: argparse.Namespace) -> int:
    from . import store as st
    from .importer import ImportError_, import_file
    from .services import system_clock
    policy = _load(args.policy or _default_policy())
    if policy is None:
        return EXIT_USAGE
    with _open_store(args, create=True) as store:
        try:
            result = import_file(store, policy, args.file, system_clock())
        except ImportError_ as err:
            for problem in err.problems:
                print(problem, file=sys.stderr)
            print(f"{args.file}: not imported (nothing was added)", file=sys.stderr)
            return EXIT_USAGE
    if result.already_imported:
        print(f"{args.file}: this file was imported before; nothing added")
    else:
        print(f"{args.file}: {result.added} sales added, {result.skipped} already present")
    return EXIT_OK


def _read_pin(prompt: str) -> str:
    import getpass
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"{prompt.strip()} expected on standard input")
    return line.strip()


def cmd_record(args: argparse.Namespace) -> int:
    from . import services
    from .case import CaseError, load_json
    policy = _load(args.policy or _default_policy())
    if policy is None:
        return EXIT_USAGE
    try:
        data = load_json(args.case)
    except CaseError as err:
        for problem in err.problems:
            print(f"{err.source}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(data, dict) or "request" not in data:
        raise UsageError(f"{args.case}: a case needs a \"request\"")
    with _open_store(args) as store:
        counter = services.Counter(store, policy, register=args.register, training=args.training)
        sale = None
        raw_sale = data.get("sale")
        if raw_sale is not None:
            receipt = raw_sale.get("receipt") if isinstance(raw_sale, dict) else None
            if not isinstance(receipt, str):
                raise UsageError(f"{args.case}: sale.receipt: give the receipt number to look up")
            sale = counter.lookup(receipt)
        request = services.request_from_json(policy, data, sale, counter.clock(), args.case)
        cashier = counter.sign_in(args.cashier, _read_pin(f"PIN for {args.cashier}: "))
        pending = counter.prepare(cashier.id, sale, request)
        grants = []
        if pending.decision.approvals:
            if not args.approver:
                needed = ", ".join(a.rule for a in pending.decision.approvals)
                print(f"needs a manager's approval ({needed}); give --approver ID", file=sys.stderr)
                return EXIT_PROBLEM
            code = args.reason_code or policy.approval.reason_codes[0]
            grants.append(counter.approve(pending, args.approver, _read_pin(f"PIN for {args.approver}: "), code))
        tx = counter.commit(pending, grants)
    d = tx.decision
    print(f"{tx.txno} {d.outcome} refund {d.refund_total.plain()} {d.currency} hash {tx.short_hash}")
    return EXIT_OK


def cmd_journal_verify(args: argparse.Namespace) -> int:
    from . import services, store as st
    with _open_store(args) as store:
        problems = st.verify_journal(store)
        entries = st.count(store, "journal")
        if problems:
            try:
                st.record_event(store, services.system_clock(), "integrity_failure", None,
                                problems=[str(p) for p in problems][:50])
            except st.StoreError:
                pass
    for problem in problems:
        print(problem)
    if problems:
        print(f"journal verify: {len(problems)} problem(s) in {entries} entries")
        return EXIT_PROBLEM
    print(f"journal verify: {entries} entries intact")
    return EXIT_OK


def cmd_journal_export(args: argparse.Namespace) -> int:
    from .export import export_journal
    from .services import system_clock
    with _open_store(args) as store:
        manifest = export_journal(store, Path(args.out), system_clock())
    print(f"{args.out}: {manifest['entries']} entries, {manifest['events']} events; check with "
          f"'sha256sum -c SHA256SUMS' in that folder")
    return EXIT_OK


def cmd_staff_add(args: argparse.Namespace) -> int:
    from . import services
    policy = _load(args.policy or _default_policy())
    if policy is None:
        return EXIT_USAGE
    with _open_store(args, create=True) as store:
        counter = services.Counter(store, policy)
        pin = _read_pin(f"new PIN for {args.id}: ")
        counter.add_staff(args.id, args.name, args.role, pin)
    print(f"added {args.role} {args.id} ({args.name})")
    return EXIT_OK


def cmd_staff_list(args: argparse.Namespace) -> int:
    from . import store as st
    with _open_store(args) as store:
        for row in st.list_staff(store):
            lock = f" locked until {row['locked_until']}" if row["locked_until"] else ""
            print(f"{row['id']:8} {row['role']:8} {row['name']}{lock}")
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

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=None, help="database file (default: $POS_RETURNS_DB or the user's data folder)")
        return p

    def with_policy(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--policy", default=None, help=f"policy file (default: {DEFAULT_POLICY})")
        return p

    db = sub.add_parser("db", help="database")
    dsub = db.add_subparsers(dest="db_command", parser_class=_Parser)
    dsub.required = True
    with_db(dsub.add_parser("init", help="create (or upgrade) a database")).set_defaults(func=cmd_db_init)

    demo = with_policy(with_db(sub.add_parser("demo-data", help="fill a new database with a demo store")))
    demo.add_argument("--receipts", type=int, default=3000, help="number of receipts (default 3000)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--today", default=None, help="last day of the demo year (default: today)")
    demo.set_defaults(func=cmd_demo_data)

    imp = with_policy(with_db(sub.add_parser("import-sales", help="import sales from the till (CSV or JSON)")))
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import_sales)

    rec = with_policy(with_db(sub.add_parser("record", help="evaluate and record one return or exchange")))
    rec.add_argument("case", help="case JSON (the sale is looked up by its receipt number)")
    rec.add_argument("--cashier", required=True)
    rec.add_argument("--approver", default=None, help="manager approving what needs approval")
    rec.add_argument("--reason-code", default=None, help="approval reason code (default: the policy's first)")
    rec.add_argument("--register", default="R1")
    rec.add_argument("--training", action="store_true", help="record as a training transaction")
    rec.set_defaults(func=cmd_record)

    journal = sub.add_parser("journal", help="verify or export the journal")
    jsub = journal.add_subparsers(dest="journal_command", parser_class=_Parser)
    jsub.required = True
    with_db(jsub.add_parser("verify", help="prove the journal intact")).set_defaults(func=cmd_journal_verify)
    exp = with_db(jsub.add_parser("export", help="export the journal with a manifest"))
    exp.add_argument("--out", required=True, help="folder to write")
    exp.set_defaults(func=cmd_journal_export)

    staff = sub.add_parser("staff", help="cashiers and managers")
    ssub = staff.add_subparsers(dest="staff_command", parser_class=_Parser)
    ssub.required = True
    add = with_policy(with_db(ssub.add_parser("add", help="add a cashier or manager (PIN read from stdin)")))
    add.add_argument("id")
    add.add_argument("name")
    add.add_argument("--role", choices=("cashier", "manager"), default="cashier")
    add.set_defaults(func=cmd_staff_add)
    with_db(ssub.add_parser("list", help="list staff")).set_defaults(func=cmd_staff_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except CaseError as err:
        for problem in err.problems:
            print(f"{err.source}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except _user_errors() as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _user_errors() -> tuple[type[BaseException], ...]:
    from .services import ServiceError
    from .store import StoreError
    return (ServiceError, StoreError)


def run() -> None:
    sys.exit(main())


