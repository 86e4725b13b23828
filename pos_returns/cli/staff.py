"""``staff add ID NAME [--role R]`` (the PIN from the terminal or standard input) and ``staff list``."""

from __future__ import annotations

import argparse

from pos_returns.cli.common import EXIT_OK, read_policy, read_pin, subcommands, with_db, with_policy
from pos_returns.services import admin


def cmd_staff_add(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    with admin.Office.open(args.db, create=True) as office:
        pin = read_pin(f"new PIN for {args.id}: ")
        office.add_staff(loaded, args.id, args.name, args.role, pin)
    print(f"added {args.role} {args.id} ({args.name})")
    return EXIT_OK


def cmd_staff_list(args: argparse.Namespace) -> int:
    with admin.Office.open(args.db) as office:
        for row in office.staff():
            lock = f" locked until {row['locked_until']}" if row["locked_until"] else ""
            print(f"{row['id']:8} {row['role']:8} {row['name']}{lock}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="cashiers and managers")
    ssub = subcommands(staff, "staff_command")
    add = with_policy(with_db(ssub.add_parser("add", help="add a cashier or manager (PIN read from stdin)")))
    add.add_argument("id")
    add.add_argument("name")
    add.add_argument("--role", choices=("cashier", "manager"), default="cashier")
    add.set_defaults(func=cmd_staff_add)
    with_db(ssub.add_parser("list", help="list staff")).set_defaults(func=cmd_staff_list)
