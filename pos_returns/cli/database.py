"""``db init``, ``demo-data`` and ``import-sales FILE``: create a database, fill it with a demo store, import
the till's sales. Through services.admin; the command line never opens the store itself."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from pos_returns.cli.common import EXIT_OK, EXIT_USAGE, UsageError, read_policy, subcommands, with_db, with_policy
from pos_returns.services import admin


def cmd_db_init(args: argparse.Namespace) -> int:
    created = admin.init_database(args.db, store=args.store, region=args.region)
    where = ""
    if created.store:
        where = f"; store {created.store}" + (f", region {created.region}" if created.region else "")
    print(f"{created.path}: {'already a' if created.existed else 'created a'} pos-returns database "
          f"(schema {created.schema}{where})")
    return EXIT_OK


def cmd_demo_data(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise UsageError(f"--today {args.today}: not a date like 2026-11-23") from None

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} receipts", end="", file=sys.stderr, flush=True)

    with admin.Office.open(args.db, create=True) as office:
        result = office.build_demo(loaded, today=today, receipts=args.receipts, seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{office.path}: demo store with {result.receipts} receipts, {result.lines} sale lines, "
          f"{result.returns} earlier returns; staff c1/c2 (cashiers, PIN 1111/2222), m1/m2 (managers, 9999/8888)")
    return EXIT_OK


def cmd_import_sales(args: argparse.Namespace) -> int:
    from pos_returns.services.importer import SalesImportError
    loaded = read_policy(args.policy)
    with admin.Office.open(args.db, create=True) as office:
        try:
            result = office.import_sales(loaded, args.file)
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


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database")
    dsub = subcommands(db, "db_command")
    init = with_db(dsub.add_parser("init", help="create (or upgrade) a database"))
    init.add_argument("--store", default=None, help="this till's store id (a store of the policy's chain)")
    init.add_argument("--region", default=None, help="this till's region (for the policy's regional rules)")
    init.set_defaults(func=cmd_db_init)

    demo = with_policy(with_db(sub.add_parser("demo-data", help="fill a new database with a demo store")))
    demo.add_argument("--receipts", type=int, default=3000, help="number of receipts (default 3000)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--today", default=None, help="last day of the demo year (default: today)")
    demo.set_defaults(func=cmd_demo_data)

    imp = with_policy(with_db(sub.add_parser("import-sales", help="import sales from the till (CSV or JSON)")))
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import_sales)
