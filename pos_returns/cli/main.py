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

from pos_returns import i18n
from pos_returns.domain.case import CaseError, decision_json, load_json, read_case
from pos_returns.domain.engine import evaluate
from pos_returns.domain.policy import Policy, PolicyError, load_policy
from pos_returns.domain.scenarios import run_scenarios

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
    missing = [i for i in items if not Path(i).exists()]
    if missing:
        raise UsageError(f"no such scenario file or folder: {', '.join(missing)}")
    policy = _policy(policy_path)
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


class _PolicyInvalid(Exception):
    """The policy's problems were printed; the command stops with exit 2."""


def _policy(path: str | None) -> Policy:
    """Load the policy (default: $POS_RETURNS_POLICY or policies.toml); on errors print them all and stop."""
    try:
        return load_policy(path or _default_policy())
    except PolicyError as err:
        _print_policy_errors(err)
        raise _PolicyInvalid from None


def cmd_evaluate(args: argparse.Namespace) -> int:
    policy = _policy(args.policy)
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
    from pos_returns.storage import store as st
    return st.open_store(st.resolve_db_path(getattr(args, "db", None)), create=create)


def cmd_db_init(args: argparse.Namespace) -> int:
    from pos_returns.storage import store as st
    path = st.resolve_db_path(args.db)
    existed = path.exists()
    with st.open_store(path, create=True) as store:
        version = store.one("PRAGMA user_version")["user_version"]
    print(f"{path}: {'already a' if existed else 'created a'} pos-returns database (schema {version})")
    return EXIT_OK


def cmd_demo_data(args: argparse.Namespace) -> int:
    from datetime import date
    from pos_returns.services import demo
    from pos_returns.storage import store as st
    policy = _policy(args.policy)
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
    from pos_returns.services.importer import SalesImportError, import_file
    from pos_returns.services.counter import system_clock
    policy = _policy(args.policy)
    with _open_store(args, create=True) as store:
        try:
            result = import_file(store, policy, args.file, system_clock())
        except SalesImportError as err:
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
    from pos_returns.services import counter as services
    from pos_returns.domain.case import CaseError, load_json
    policy = _policy(args.policy)
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
        stated = _stated_prices(args.price or [], policy)
        if stated and not args.approver:
            raise UsageError("--price is a manager's statement: give --approver ID too")
        cashier = counter.sign_in(args.cashier, _read_pin(f"PIN for {args.cashier}: "))
        services.note_policy(store, policy, cashier.id, counter.clock())
        try:  # the cashier signed in is the one who checked the customer's ID, if the case says it was checked
            pending = counter.prepare(cashier, sale, request, stated_prices=stated)
        except services.PriceNeeded as err:
            print(f"error: {err}", file=sys.stderr)
            print(f"give the price a manager states: --price {err.skus[0]}=AMOUNT --approver ID", file=sys.stderr)
            return EXIT_USAGE
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


def _stated_prices(given: list[str], policy: Policy) -> dict:
    from pos_returns.domain.money import Money
    out = {}
    for text in given:
        sku, sep, amount = text.partition("=")
        if not sep or not sku.strip():
            raise UsageError(f"--price {text}: write SKU=AMOUNT, e.g. --price TOWEL=16.99")
        try:
            out[sku.strip()] = Money.parse(amount.strip(), policy.currency)
        except (ValueError, ArithmeticError):
            raise UsageError(f"--price {text}: '{amount}' is not an amount in {policy.currency}") from None
    return out


def cmd_correct(args: argparse.Namespace) -> int:
    from pos_returns.services import counter as services
    policy = _policy(args.policy)
    with _open_store(args) as store:
        counter = services.Counter(store, policy, register=args.register)
        member = counter.check_pin(args.manager, _read_pin(f"PIN for {args.manager}: "), "correction_pin")
        entry = counter.correct(args.txno, member, args.reason)
    print(f"{entry.txno} corrects {args.txno} hash {entry.short_hash}")
    return EXIT_OK


def cmd_journal_verify(args: argparse.Namespace) -> int:
    from pos_returns.storage import store as st
    entries, problems = st.verify_file(st.resolve_db_path(args.db))  # read-only: never writes to what it checks
    for problem in problems:
        print(problem)
    if problems:
        print(f"journal verify: {len(problems)} problem(s) in {entries} entries")
        return EXIT_PROBLEM
    print(f"journal verify: {entries} entries intact")
    return EXIT_OK


def cmd_journal_export(args: argparse.Namespace) -> int:
    from pos_returns.manager.export import export_journal
    from pos_returns.services.counter import system_clock
    with _open_store(args) as store:
        manifest = export_journal(store, Path(args.out), system_clock())
    print(f"{args.out}: {manifest['entries']} entries, {manifest['events']} events; check with "
          f"'sha256sum -c SHA256SUMS' in that folder")
    return EXIT_OK


def cmd_staff_add(args: argparse.Namespace) -> int:
    from pos_returns.services import counter as services
    policy = _policy(args.policy)
    with _open_store(args, create=True) as store:
        counter = services.Counter(store, policy)
        pin = _read_pin(f"new PIN for {args.id}: ")
        counter.add_staff(args.id, args.name, args.role, pin)
    print(f"added {args.role} {args.id} ({args.name})")
    return EXIT_OK


def cmd_staff_list(args: argparse.Namespace) -> int:
    from pos_returns.storage import store as st
    with _open_store(args) as store:
        for row in st.list_staff(store):
            lock = f" locked until {row['locked_until']}" if row["locked_until"] else ""
            print(f"{row['id']:8} {row['role']:8} {row['name']}{lock}")
    return EXIT_OK


# ----------------------------------------------------------------------------- manager commands

def _date(text: str | None, default=None):
    from datetime import date
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text}: not a date like 2026-11-23") from None


def _period(args: argparse.Namespace):
    from datetime import date, timedelta
    today = date.today()
    if args.period == "day":
        start = end = _date(args.date, today)
    elif args.period == "week":
        end = _date(args.date, today)
        start = end - timedelta(days=6)
    elif args.period == "month":
        end = _date(args.date, today)
        start = end.replace(day=1)
    else:
        start, end = _date(args.start, today - timedelta(days=30)), _date(args.end, today)
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    return start, end


def cmd_report(args: argparse.Namespace) -> int:
    from pos_returns.manager import reports as manager
    policy = _policy(args.policy)
    start, end = _period(args)
    with _open_store(args) as store:
        if args.exceptions:
            figures = manager.exception_report(store, policy, start, end)
            for f in figures:
                flag = "  <-- " + "; ".join(t.render(_lang()) for t in f.flags) if f.flags else ""
                print(f"{f.role:8} {f.staff:8} {f.transactions:5} tx  {Money_plain(f.refund, policy)} refunded  "
                      f"{f.no_receipt} no-receipt  {f.overrides} overrides  {f.reprints} reprints  "
                      f"{f.near_threshold} near limit{flag}")
            return EXIT_OK
        report = manager.build_report(store, policy, start, end)
    text = manager.report_csv(report)
    from pos_returns.files import write_output
    if args.csv:
        write_output(args.csv, text)
        print(f"{args.csv}: written")
    if args.pdf:
        from pos_returns.documents.reports_pdf import report_pdf
        write_output(args.pdf, report_pdf(report, policy, args.lang or policy.store.language))
        print(f"{args.pdf}: written")
    if not args.csv and not args.pdf:
        print(text, end="")
    return EXIT_OK


def Money_plain(minor: int, policy: Policy) -> str:  # noqa: N802
    from pos_returns.domain.money import Money
    return Money.from_minor(minor, policy.currency).plain()


def cmd_whatif(args: argparse.Namespace) -> int:
    from pos_returns.manager import reports as manager
    from pos_returns.storage import store as st
    from pos_returns.services.counter import system_clock
    new = _policy(args.new_policy)
    with _open_store(args) as store:
        result = manager.what_if(store, new, _date(args.start), _date(args.end))
        st.record_event(store, system_clock(), "whatif", None, policy=args.new_policy, sha256=new.sha256,
                        changed=len(result.changed))
    if args.details:  # one line per changed or unreplayed return, only when asked for
        for change in result.changed:
            print(f"{change.txno} {change.at}: {change.old_outcome} {change.old_refund} -> {change.new_outcome} "
                  f"{change.new_refund}  {change.note}")
        for problem in result.unreadable:
            print(f"not replayed: {problem}")
    print(f"{result.replayed} returns replayed, {len(result.changed)} decisions change, refunds "
          f"{Money_plain(result.old_total, new)} -> {Money_plain(result.new_total, new)} "
          f"({_signed(result.difference, new)} {new.currency})")
    for old, now, count, difference in result.transitions()[:5]:
        print(f"  {count} {old} -> {now} ({_signed(difference, new)} {new.currency})")
    print(f"{result.not_replayed} returns not replayed" + (" (the new policy cannot read them):" if
                                                            result.not_replayed else ""))
    for reason, count in result.reasons.most_common(3):
        print(f"  {count} x {reason}")
    if (result.changed or result.unreadable) and not args.details:
        print("(--details lists each one)")
    return EXIT_OK


def _signed(minor: int, policy: Policy) -> str:
    return ("+" if minor >= 0 else "-") + Money_plain(abs(minor), policy)


def cmd_close_day(args: argparse.Namespace) -> int:
    from datetime import date, timedelta
    from pos_returns.manager import reports as manager
    from pos_returns.services.counter import Counter, system_clock
    policy = _policy(args.policy)
    day = _date(args.date, date.today())
    with _open_store(args) as store:
        manager_member = Counter(store, policy).check_pin(args.manager, _read_pin(f"PIN for {args.manager}: "),
                                                          "close_day")
        if not manager_member.is_manager:
            raise UsageError(f"{args.manager} is not a manager")
        entry = manager.close_day(store, policy, day, manager_member.id, system_clock())
    payload = json.loads(entry.payload)
    print(f"{entry.txno}: closed {payload['date']}: {payload['count']} transactions, "
          f"{Money_plain(payload['period_total'], policy)} paid out, perpetual "
          f"{Money_plain(payload['perpetual_total'], policy)} {policy.currency}")
    _ = timedelta
    return EXIT_OK


def cmd_complaint_add(args: argparse.Namespace) -> int:
    from pos_returns.manager import reports as manager
    from pos_returns.services.counter import system_clock
    with _open_store(args) as store:
        cid = manager.log_complaint(store, at=system_clock(), logged_by=args.by, kind=args.kind,
                                    category=args.category, severity=args.severity, text=args.text, txno=args.txno,
                                    resolution=args.resolution, follow_up=_date(args.follow_up))
    print(f"{args.kind} #{cid} logged")
    return EXIT_OK


def cmd_complaint_list(args: argparse.Namespace) -> int:
    from pos_returns.storage import store as st
    start, end = _period(args)
    from datetime import timedelta
    with _open_store(args) as store:
        rows = st.list_complaints(store, start.isoformat(), (end + timedelta(days=1)).isoformat())
    for r in rows:
        print(f"#{r['id']} {r['at']} {r['kind']} sev {r['severity']} {r['category']} "
              f"{r['txno'] or '-'} by {r['logged_by']}: {r['text']}"
              + (f" | resolution: {r['resolution']}" if r["resolution"] else "")
              + (f" | follow up {r['follow_up']}" if r["follow_up"] else ""))
    print(f"{len(rows)} logged")
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
    rec.add_argument("--price", action="append", metavar="SKU=AMOUNT",
                     help="for a return without a receipt of a SKU the store has not sold: the price the approving "
                          "manager states (only if the policy's no_receipt.unknown_sku is \"manager_price\")")
    rec.add_argument("--training", action="store_true", help="record as a training transaction")
    rec.set_defaults(func=cmd_record)

    cor = with_policy(with_db(sub.add_parser("correct", help="reverse a recorded transaction (manager PIN on stdin)")))
    cor.add_argument("txno")
    cor.add_argument("--manager", required=True)
    cor.add_argument("--reason", required=True)
    cor.add_argument("--register", default="R1")
    cor.set_defaults(func=cmd_correct)

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

    def with_period(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--period", choices=("day", "week", "month", "range"), default="range")
        p.add_argument("--date", default=None, help="the day (or last day of the week / month); default today")
        p.add_argument("--from", dest="start", default=None, help="first day of a range")
        p.add_argument("--to", dest="end", default=None, help="last day of a range")
        return p

    rep = with_period(with_policy(with_db(sub.add_parser("report", help="returns report (or --exceptions)"))))
    rep.add_argument("--exceptions", action="store_true", help="the loss-prevention exception report")
    rep.add_argument("--csv", default=None, help="write the report as CSV")
    rep.add_argument("--pdf", default=None, help="write the report as an A4 PDF")
    rep.add_argument("--lang", default=None, help="language of the PDF")
    rep.set_defaults(func=cmd_report)

    wi = with_db(sub.add_parser("whatif", help="replay past returns under a new policy"))
    wi.add_argument("--policy", dest="new_policy", required=True, help="the new policy file")
    wi.add_argument("--from", dest="start", default=None)
    wi.add_argument("--to", dest="end", default=None)
    wi.add_argument("--details", action="store_true", help="list each changed return (and each not replayed)")
    wi.set_defaults(func=cmd_whatif)

    close = with_policy(with_db(sub.add_parser("close-day", help="close a day (manager PIN from stdin)")))
    close.add_argument("--date", default=None, help="the day to close (default today)")
    close.add_argument("--manager", required=True)
    close.set_defaults(func=cmd_close_day)

    comp = sub.add_parser("complaint", help="log and list customer complaints and compliments")
    csub = comp.add_subparsers(dest="complaint_command", parser_class=_Parser)
    csub.required = True
    cadd = with_db(csub.add_parser("add", help="log a complaint or compliment"))
    cadd.add_argument("text")
    cadd.add_argument("--by", required=True, help="staff id logging it")
    cadd.add_argument("--kind", choices=("complaint", "compliment"), default="complaint")
    cadd.add_argument("--category", default="service")
    cadd.add_argument("--severity", type=int, default=3)
    cadd.add_argument("--txno", default=None)
    cadd.add_argument("--resolution", default=None)
    cadd.add_argument("--follow-up", default=None)
    cadd.set_defaults(func=cmd_complaint_add)
    with_period(with_db(csub.add_parser("list", help="list complaints"))).set_defaults(func=cmd_complaint_list)

    from pos_returns.cli import paperwork as cli_paperwork
    cli_paperwork.register(sub, with_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except _PolicyInvalid:
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
    from pos_returns.files import WriteFailed
    from pos_returns.services.counter import ServiceError
    from pos_returns.storage.store import StoreError
    return (ServiceError, StoreError, WriteFailed)


def run() -> None:
    sys.exit(main())


