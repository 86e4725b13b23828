"""``record CASE.json --cashier ID [--approver ID] [--pay cash|card]`` and ``correct TXNO --manager ID --reason TEXT``: a return or
exchange committed to the journal, and its reversal. PINs come from the terminal or standard input."""

from __future__ import annotations

import argparse
import sys

from pos_returns.cli.common import (EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, UsageError, central_of, read_policy,
                                    print_case_errors, read_pin, with_central, with_db, with_policy)
from pos_returns.domain.policy import Policy
from pos_returns.services import admin


def cmd_record(args: argparse.Namespace) -> int:
    from pos_returns.domain.case import CaseError, load_json
    from pos_returns.services import counter as services
    loaded = read_policy(args.policy)
    try:
        data = load_json(args.case)
    except CaseError as err:
        print_case_errors(err)
        return EXIT_USAGE
    if not isinstance(data, dict) or "request" not in data:
        raise UsageError(f"{args.case}: a case needs a \"request\"")
    with admin.Office.open(args.db, central=central_of(args)) as office:
        counter = office.counter(loaded, register=args.register, training=args.training)
        sale = None
        raw_sale = data.get("sale")
        if raw_sale is not None:
            receipt = raw_sale.get("receipt") if isinstance(raw_sale, dict) else None
            if not isinstance(receipt, str):
                raise UsageError(f"{args.case}: sale.receipt: give the receipt number to look up")
            sale = counter.lookup(receipt)
        request = services.request_from_json(loaded, data, sale, counter.clock(), args.case)
        stated = stated_prices(args.price or [], loaded)
        if stated and not args.approver:
            raise UsageError("--price is a manager's statement: give --approver ID too")
        cashier = counter.sign_in(args.cashier, read_pin(f"PIN for {args.cashier}: "))
        office.note_policy(loaded, cashier.id)
        try:  # the cashier signed in is the one who checked the customer's ID, if the case says it was checked
            pending = counter.prepare(cashier, sale, request, stated_prices=stated)
        except services.PriceNeeded as err:
            print(f"error: {err}", file=sys.stderr)
            print(f"give the price a manager states: --price {err.skus[0]}=AMOUNT --approver ID", file=sys.stderr)
            return EXIT_USAGE
        pending = customer_pays(pending, args.pay)
        grants = []
        if pending.decision.approvals:
            if not args.approver:
                needed = ", ".join(a.rule for a in pending.decision.approvals)
                print(f"needs a manager's approval ({needed}); give --approver ID", file=sys.stderr)
                return EXIT_PROBLEM
            code = args.reason_code or loaded.approval.reason_codes[0]
            grants.append(counter.approve(pending, args.approver, read_pin(f"PIN for {args.approver}: "), code))
        tx = counter.commit(pending, grants)
    d = tx.decision
    paid = f" customer paid {d.balance_due.plain()} {d.currency} by {pending.payment}" if pending.payment else ""
    print(f"{tx.txno} {d.outcome} refund {d.refund_total.plain()} {d.currency} hash {tx.short_hash}{paid}")
    return EXIT_OK


def customer_pays(pending, pay: str | None):
    """``--pay cash|card``: the tender the customer pays an exchange's balance with; required when they owe one,
    refused when nothing is owed (the commit refuses an owed balance without it too)."""
    from pos_returns.services import settlement
    d = pending.decision
    if settlement.needs_payment(pending):
        if pay is None:
            raise UsageError(f"the customer owes {d.balance_due.plain()} {d.currency} for this exchange: "
                             "give --pay cash or --pay card (how they pay it)")
    elif pay is not None:
        raise UsageError(f"--pay {pay}: nothing is owed on this transaction (the store refunds "
                         f"{d.payout.plain()} {d.currency}); leave --pay out")
    return settlement.with_payment(pending, pay)


def stated_prices(given: list[str], policy: Policy) -> dict:
    """``--price SKU=AMOUNT`` options as {sku: Money}."""
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
    loaded = read_policy(args.policy)
    with admin.Office.open(args.db) as office:
        counter = office.counter(loaded, register=args.register)
        member = counter.check_pin(args.manager, read_pin(f"PIN for {args.manager}: "), "correction_pin")
        entry = counter.correct(args.txno, member, args.reason)
    print(f"{entry.txno} corrects {args.txno} hash {entry.short_hash}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    rec = with_central(with_policy(with_db(sub.add_parser("record", help="evaluate and record one return or exchange"))))
    rec.add_argument("case", help="case JSON (the sale is looked up by its receipt number)")
    rec.add_argument("--cashier", required=True)
    rec.add_argument("--approver", default=None, help="manager approving what needs approval")
    rec.add_argument("--reason-code", default=None, help="approval reason code (default: the policy's first)")
    rec.add_argument("--register", default="R1")
    rec.add_argument("--price", action="append", metavar="SKU=AMOUNT",
                     help="for a return without a receipt of a SKU the store has not sold: the price the approving "
                          "manager states (only if the policy's no_receipt.unknown_sku is \"manager_price\")")
    rec.add_argument("--training", action="store_true", help="record as a training transaction")
    rec.add_argument("--pay", choices=("cash", "card"), default=None,
                     help="an exchange whose new items cost more: how the customer pays the difference "
                          "(required then, refused otherwise)")
    rec.set_defaults(func=cmd_record)

    cor = with_policy(with_db(sub.add_parser("correct", help="reverse a recorded transaction (manager PIN on stdin)")))
    cor.add_argument("txno")
    cor.add_argument("--manager", required=True)
    cor.add_argument("--reason", required=True)
    cor.add_argument("--register", default="R1")
    cor.set_defaults(func=cmd_correct)
