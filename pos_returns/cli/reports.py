"""The manager's commands: ``report`` (or ``--exceptions``), ``whatif --policy NEW.toml``, ``close-day`` and
``complaint add`` / ``complaint list``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

from pos_returns.cli.common import (EXIT_OK, UsageError, central_of, money_plain, output_language, parse_date, period,
                                    read_policy, read_pin, signed, subcommands, with_central, with_db, with_period,
                                    with_policy)
from pos_returns.services import admin


def cmd_report(args: argparse.Namespace) -> int:
    from pos_returns.manager import reports as manager
    loaded = read_policy(args.policy)
    start, end = period(args)
    if args.chain:
        from pos_returns.cli.chain import print_chain_report
        return print_chain_report(args, loaded, start, end)
    with admin.Office.open(args.db) as office:
        if args.exceptions:
            figures = office.exception_report(loaded, start, end)
            for f in figures:
                flag = "  <-- " + "; ".join(t.render(output_language()) for t in f.flags) if f.flags else ""
                print(f"{f.role:8} {f.staff:8} {f.transactions:5} tx  {money_plain(f.refund, loaded)} refunded  "
                      f"{f.no_receipt} no-receipt  {f.overrides} overrides  {f.reprints} reprints  "
                      f"{f.wrong_pins} wrong PINs  {f.lockouts} lockouts  {f.near_threshold} near limit{flag}")
            for c in office.chain_conflicts():  # what sync found against the chain's central database
                if start.isoformat() <= c["at"][:10] <= end.isoformat():
                    print(f"chain conflict {c['at'][:16]} {c['kind']}: {c['detail']}"
                          + (f" ({c['txno']})" if c.get("txno") else ""))
            return EXIT_OK
        report = office.report(loaded, start, end)
    text = manager.report_csv(report)
    from pos_returns.files import write_output
    if args.csv:
        write_output(args.csv, text)
        print(f"{args.csv}: written")
    if args.pdf:
        from pos_returns.documents.reports_pdf import report_pdf
        write_output(args.pdf, report_pdf(report, loaded, args.lang or loaded.store.language))
        print(f"{args.pdf}: written")
    if not args.csv and not args.pdf:
        print(text, end="")
    return EXIT_OK


def _progress_on_stderr(tty: bool):
    """progress(done, total) for a replay: one line rewritten in place on a terminal, else a line per percent."""
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent == shown[0] and done < total:
            return
        shown[0] = percent
        end = "\n" if done >= total or not tty else ""
        sys.stderr.write(f"{chr(13) if tty else ''}replaying: {done} of {total} returns ({percent} %){end}")
        sys.stderr.flush()
    return progress


def cmd_whatif(args: argparse.Namespace) -> int:
    new = read_policy(args.new_policy)
    tty = sys.stderr.isatty()
    progress = _progress_on_stderr(tty) if args.progress or tty else None
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError(f"--workers: {workers} is not a number of processes (1 or more)")
    with admin.Office.open(args.db) as office:
        result = office.what_if(new, parse_date(args.start), parse_date(args.end), source=args.new_policy,
                                progress=progress, workers=workers)
    if args.details:  # one line per changed or unreplayed return, only when asked for
        for change in result.changed:
            print(f"{change.txno} {change.at}: {change.old_outcome} {change.old_refund} -> {change.new_outcome} "
                  f"{change.new_refund}  {change.note}  [decided under {change.old_version}]")
        for problem in result.unreadable:
            print(f"not replayed: {problem}")
    print(f"{result.replayed} returns replayed, {len(result.changed)} decisions change, refunds "
          f"{money_plain(result.old_total, new)} -> {money_plain(result.new_total, new)} "
          f"({signed(result.difference, new)} {new.currency})")
    for old, now, count, difference in result.transitions()[:5]:
        print(f"  {count} {old} -> {now} ({signed(difference, new)} {new.currency})")
    print(f"{result.not_replayed} returns not replayed" + (" (the new policy cannot read them):" if
                                                            result.not_replayed else ""))
    for reason, count in result.reasons.most_common(3):
        print(f"  {count} x {reason}")
    print_versions(result, new)
    if (result.changed or result.unreadable) and not args.details:
        print("(--details lists each one)")
    return EXIT_OK


def print_versions(result, new: Policy) -> None:
    """The new version's name and dates, and the versions that made the decisions it would change."""
    from pos_returns.manager.versions import version_summary
    v = version_summary(result, new)
    if v.effective_from is None:
        print(f"new policy {v.new_version} (undated: no [policy] effective_from)")
    else:
        earlier = ("earlier sales keep the version they were sold under" if v.applies_to_earlier_sales == "no"
                   else "applies to earlier sales where it is more generous")
        print(f"new policy version {v.new_version}, in force from {v.effective_from} ({earlier})")
    if v.by_old_version:
        print("changed decisions by the version that made them: "
              + ", ".join(f"{name}: {count}" for name, count in v.by_old_version))
    if v.earlier_sales:
        keep = ("at the counter they keep their decision" if v.applies_to_earlier_sales == "no"
                else "at the counter only those where it is more generous on every line change")
        print(f"  {v.earlier_sales} of the changes are of sales before {v.effective_from}: {keep}")


def cmd_close_day(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    day = parse_date(args.date, date.today())
    with admin.Office.open(args.db) as office:
        member = office.check_pin(loaded, args.manager, read_pin(f"PIN for {args.manager}: "), "close_day",
                                  register=args.register)
        if not member.is_manager:
            raise UsageError(f"{args.manager} is not a manager")
        entry = office.close_day(loaded, day, member)
    payload = json.loads(entry.payload)
    print(f"{entry.txno}: closed {payload['date']}: {payload['count']} transactions, "
          f"{money_plain(payload['period_total'], loaded)} paid out, perpetual "
          f"{money_plain(payload['perpetual_total'], loaded)} {loaded.currency}")
    return EXIT_OK


def cmd_complaint_add(args: argparse.Namespace) -> int:
    with admin.Office.open(args.db) as office:
        cid = office.log_complaint(logged_by=args.by, kind=args.kind, category=args.category, severity=args.severity,
                                   text=args.text, txno=args.txno, resolution=args.resolution,
                                   follow_up=parse_date(args.follow_up))
    print(f"{args.kind} #{cid} logged")
    return EXIT_OK


def cmd_complaint_list(args: argparse.Namespace) -> int:
    start, end = period(args)
    with admin.Office.open(args.db) as office:
        rows = office.complaints(start, end)
    for r in rows:
        print(f"#{r['id']} {r['at']} {r['kind']} sev {r['severity']} {r['category']} "
              f"{r['txno'] or '-'} by {r['logged_by']}: {r['text']}"
              + (f" | resolution: {r['resolution']}" if r["resolution"] else "")
              + (f" | follow up {r['follow_up']}" if r["follow_up"] else ""))
    print(f"{len(rows)} logged")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    rep = with_period(with_policy(with_db(sub.add_parser("report", help="returns report (or --exceptions)"))))
    rep.add_argument("--exceptions", action="store_true", help="the loss-prevention exception report")
    rep.add_argument("--csv", default=None, help="write the report as CSV")
    rep.add_argument("--pdf", default=None, help="write the report as an A4 PDF")
    rep.add_argument("--lang", default=None, help="language of the PDF")
    rep.add_argument("--chain", action="store_true", help="every store of the chain (the central database), by store")
    with_central(rep)
    rep.set_defaults(func=cmd_report)

    wi = with_db(sub.add_parser("whatif", help="replay past returns under a new policy"))
    wi.add_argument("--policy", dest="new_policy", required=True, help="the new policy file")
    wi.add_argument("--from", dest="start", default=None)
    wi.add_argument("--to", dest="end", default=None)
    wi.add_argument("--details", action="store_true", help="list each changed return (and each not replayed)")
    wi.add_argument("--progress", action="store_true",
                    help="show progress on stderr (shown anyway when stderr is a terminal)")
    wi.add_argument("--workers", type=int, default=None,
                    help="processes for a large journal (default: one per core)")
    wi.set_defaults(func=cmd_whatif)

    close = with_policy(with_db(sub.add_parser("close-day", help="close a day (manager PIN from stdin)")))
    close.add_argument("--date", default=None, help="the day to close (default today)")
    close.add_argument("--manager", required=True)
    close.add_argument("--register", default="R1", help="the register it is closed at (its key signs the close)")
    close.set_defaults(func=cmd_close_day)

    comp = sub.add_parser("complaint", help="log and list customer complaints and compliments")
    csub = subcommands(comp, "complaint_command")
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
