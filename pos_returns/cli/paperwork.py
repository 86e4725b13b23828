"""``paperwork TXNO --doc KIND --lang LANG --out FILE.pdf`` and ``report-day --date D --lang L --out F``.

Wired into ``cli.build_parser`` with :func:`register`; exit codes as everywhere: 0 done, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from pos_returns import i18n

EXIT_OK, EXIT_USAGE = 0, 2


def _usage_error(message: str) -> Exception:
    from pos_returns.cli.main import UsageError  # main() prints it and exits 2
    return UsageError(message)


def _lang(value: str | None) -> str:
    try:
        return i18n.normalize_language(value or "en")
    except i18n.UnknownLanguage:
        raise _usage_error(f"--lang {value}: not a supported language ({', '.join(i18n.LANGUAGES)})") from None


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _policy_locale(path: str | None) -> str | None:
    """The store's locale from the policy file when one is given (else the database / currency decides)."""
    if not path:
        return None
    from pos_returns.domain.policy import PolicyError, load_policy
    try:
        return load_policy(path).store.locale
    except PolicyError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _write(out: str, data: bytes) -> None:
    from pos_returns.files import WriteFailed, write_output
    try:
        write_output(out, data)
    except WriteFailed as err:
        raise _usage_error(str(err)) from None


def cmd_paperwork(args: argparse.Namespace) -> int:
    from pos_returns.documents import printing
    from pos_returns.storage import store as st
    from pos_returns.documents.fonts import FontMissing
    from pos_returns.documents.paperwork import PaperworkError
    from pos_returns.services.counter import system_clock
    lang = _lang(args.lang)
    locale = _policy_locale(getattr(args, "policy", None))
    with st.open_store(st.resolve_db_path(args.db), create=False) as store:
        try:
            done = printing.render_document(store, args.txno, args.doc, lang, reprint=args.reprint,
                                            actor=args.actor, locale=locale, font=args.font,
                                            now=system_clock())
        except (FontMissing, PaperworkError) as err:
            return _usage(str(err))
    if args.out:
        _write(args.out, done.pdf)
    target = args.out or done.path
    print(f"{target}: {args.doc} of {args.txno} ({lang})" + (f", DUPLICATE copy {done.copy}" if done.copy > 1 else ""))
    return EXIT_OK


def cmd_report_day(args: argparse.Namespace) -> int:
    from pos_returns.documents import printing
    from pos_returns.storage import store as st
    from pos_returns.documents.fonts import FontMissing
    lang = _lang(args.lang)
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        return _usage(f"--date {args.date}: not a date like 2026-11-23")
    locale = _policy_locale(getattr(args, "policy", None))
    with st.open_store(st.resolve_db_path(args.db), create=False) as store:
        try:
            done = printing.render_day_report(store, day, lang, locale=locale, font=args.font)
        except FontMissing as err:
            return _usage(str(err))
    if args.out:
        _write(args.out, done.pdf)
    print(f"{args.out or done.path}: returns report for {day.isoformat()} ({lang})")
    return EXIT_OK


def register(sub: argparse._SubParsersAction, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]
             ) -> None:
    """Add ``paperwork`` and ``report-day`` to the command line's subcommands."""
    from pos_returns.documents.paperwork import DOC_KINDS
    pw = with_db(sub.add_parser("paperwork", help="render a document of a recorded transaction as PDF"))
    pw.add_argument("txno", help="transaction number, e.g. 0001-R1-000042")
    pw.add_argument("--doc", choices=DOC_KINDS, default="receipt", help="which document (default: receipt)")
    pw.add_argument("--lang", default="en", help="language: en, vi, cs, zh_Hant (default en)")
    pw.add_argument("--out", default=None, help="PDF file to write (a copy is always kept in the paperwork "
                                                "folder next to the database)")
    pw.add_argument("--reprint", action="store_true", help="a reprint: marked DUPLICATE and recorded")
    pw.add_argument("--actor", default=None, help="staff id recorded with a reprint")
    pw.add_argument("--policy", default=None, help="policy file, for the store's money format")
    pw.add_argument("--font", default=None, help="a TrueType font file (.ttf, or .ttc#INDEX) to use first "
                                                 "(default: $POS_RETURNS_FONT, then the system's fonts)")
    pw.set_defaults(func=cmd_paperwork)

    rd = with_db(sub.add_parser("report-day", help="the end-of-day returns report (A4 PDF)"))
    rd.add_argument("--date", default=None, help="the day, e.g. 2026-11-23 (default today)")
    rd.add_argument("--lang", default="en", help="language: en, vi, cs, zh_Hant (default en)")
    rd.add_argument("--out", default=None, help="PDF file to write")
    rd.add_argument("--policy", default=None, help="policy file, for the store's money format")
    rd.add_argument("--font", default=None, help="a TrueType font file to use first")
    rd.set_defaults(func=cmd_report_day)
