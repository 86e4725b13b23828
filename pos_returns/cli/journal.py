"""``journal verify`` (exit 1 naming each problem) and ``journal export --out DIR`` (with a manifest)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pos_returns.cli.common import EXIT_OK, EXIT_PROBLEM, subcommands, with_db
from pos_returns.services import admin


def cmd_journal_verify(args: argparse.Namespace) -> int:
    entries, problems = admin.verify_journal(args.db)  # read-only: never writes to what it checks
    for problem in problems:
        print(problem)
    if problems:
        print(f"journal verify: {len(problems)} problem(s) in {entries} entries")
        return EXIT_PROBLEM
    print(f"journal verify: {entries} entries intact")
    return EXIT_OK


def cmd_journal_export(args: argparse.Namespace) -> int:
    with admin.Office.open(args.db) as office:
        manifest = office.export_journal(Path(args.out))
    print(f"{args.out}: {manifest['entries']} entries, {manifest['events']} events; check with "
          f"'sha256sum -c SHA256SUMS' in that folder")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    journal = sub.add_parser("journal", help="verify or export the journal")
    jsub = subcommands(journal, "journal_command")
    with_db(jsub.add_parser("verify", help="prove the journal intact")).set_defaults(func=cmd_journal_verify)
    exp = with_db(jsub.add_parser("export", help="export the journal with a manifest"))
    exp.add_argument("--out", required=True, help="folder to write")
    exp.set_defaults(func=cmd_journal_export)
