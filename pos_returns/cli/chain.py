"""``central init``, ``sync`` and ``report --chain``: the chain's central PostgreSQL (``--central URL`` or
``POS_RETURNS_CENTRAL``, a libpq connection string), through services.chain."""

from __future__ import annotations

import argparse
from datetime import date

from pos_returns.cli.common import (EXIT_OK, EXIT_PROBLEM, UsageError, central_of, money_plain, read_policy,
                                    subcommands, with_central, with_db, with_policy)
from pos_returns.domain.policy import Policy
from pos_returns.services import admin


def _url(args: argparse.Namespace) -> str:
    url = central_of(args)
    if not url:
        raise UsageError("no central database: give --central URL or set POS_RETURNS_CENTRAL")
    return url


def cmd_central_init(args: argparse.Namespace) -> int:
    from pos_returns.services import chain
    before, now = chain.init_central(_url(args))
    if before == now:
        print(f"central database already at schema {now}; nothing to do")
    else:
        print(f"central database {'created' if before == 0 else 'upgraded'}: schema {before} -> {now}")
    return EXIT_OK


def cmd_central_confirm_key(args: argparse.Namespace) -> int:
    from pos_returns.services import chain
    n = chain.confirm_key(_url(args), args.store, args.register, args.fingerprint, args.by)
    if not n:
        print(f"store {args.store} register {args.register}: no unconfirmed key {args.fingerprint} at the central "
              f"database")
        return EXIT_PROBLEM
    print(f"store {args.store} register {args.register}: key {args.fingerprint} confirmed by {args.by}; the "
          f"till's next sync sends what it signed")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    with admin.Office.open(args.db, central=_url(args)) as office:
        result = office.sync(loaded, args.batch)
    print(f"sent {result.sales} sales, {result.entries} journal entries, {result.events} events")
    for c in result.conflicts:
        print(f"conflict: {c['kind']}: {c['detail']}" + (f" ({c['txno']})" if c.get("txno") else ""))
    for register in result.stopped:
        print(f"register {register}: not sent past the conflict above; see the exception report")
    return EXIT_PROBLEM if result.conflicts or result.stopped else EXIT_OK


def print_chain_report(args: argparse.Namespace, policy: Policy, start: date, end: date) -> int:
    from pos_returns.services import chain
    url = _url(args)
    rows = chain.chain_report(url, start, end)
    print(f"chain report {start} .. {end}")
    total = {"transactions": 0, "refund_total": 0, "exchange_total": 0, "no_receipt": 0, "offline": 0,
             "conflicts": 0}
    tenders: dict[str, int] = {}
    for r in rows:
        print(f"store {r['store_id']:8} {r['transactions']:5} tx  {money_plain(r['refund_total'], policy)} refunded  "
              f"{money_plain(r['exchange_total'], policy)} exchanged  {r['no_receipt']} no-receipt  "
              f"{r['offline']} offline  {r['tills']} tills  {r['conflicts']} conflicts  "
              + " ".join(f"{k} {money_plain(v, policy)}" for k, v in r["refunds_by_tender"].items()))
        for k in total:
            total[k] += r[k]
        for k, v in r["refunds_by_tender"].items():
            tenders[k] = tenders.get(k, 0) + v
    print(f"chain ({len(rows)} stores) {total['transactions']:5} tx  {money_plain(total['refund_total'], policy)} "
          f"refunded  {money_plain(total['exchange_total'], policy)} exchanged  {total['no_receipt']} no-receipt  "
          f"{total['offline']} offline  {total['conflicts']} conflicts  "
          + " ".join(f"{k} {money_plain(v, policy)}" for k, v in sorted(tenders.items())))
    for c in chain.chain_conflicts(url):
        print(f"conflict store {c['store_id']} {c['kind']}: {c['detail']}" + (f" ({c['txno']})" if c["txno"] else ""))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    cen = sub.add_parser("central", help="the chain's central PostgreSQL")
    csub = subcommands(cen, "central_command")
    init = with_central(csub.add_parser("init", help="create or upgrade the central schema (idempotent)"))
    init.set_defaults(func=cmd_central_init)
    conf = with_central(csub.add_parser("confirm-key", help="head office confirms a register's new signing key "
                                                            "that the old key did not sign (a key_changed conflict)"))
    conf.add_argument("--store", required=True)
    conf.add_argument("--register", required=True)
    conf.add_argument("--fingerprint", required=True, help="the new key's fingerprint, as the conflict names it")
    conf.add_argument("--by", required=True, help="who at head office confirms it")
    conf.set_defaults(func=cmd_central_confirm_key)
    sy = with_central(with_policy(with_db(sub.add_parser(
        "sync", help="send this till's unsent sales, journal entries and events to the central database"))))
    sy.add_argument("--batch", type=int, default=None, help="rows of each kind per central transaction (500)")
    sy.set_defaults(func=cmd_sync)
