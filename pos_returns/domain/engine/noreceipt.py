"""Lines of a return without a receipt: allowed at all, the customer's ID, rolling limits, the lowest price."""

from __future__ import annotations

from datetime import timedelta

from pos_returns.i18n import N_, Text
from pos_returns.domain.model import NoReceiptItem
from pos_returns.domain.engine.amounts import tax_of
from pos_returns.domain.engine.context import Evaluation, LineWork
from pos_returns.domain.engine.items import fee, item_rules


def no_receipt_lines(ev: Evaluation) -> list[LineWork]:
    rule = ev.policy.no_receipt
    customer = ev.request.customer
    out: list[LineWork] = []
    for number, item in enumerate(ev.request.no_receipt_items, 1):
        work = LineWork(number, item.sku, item.qty)
        if not rule.allowed:
            work.fail(rule.id, rule.overridable, Text(N_("Returns without a receipt are not accepted.")),
                      ev.overrides)
        else:
            if rule.id_required and not customer.id_verified:
                work.fail(rule.id + ".id_required", False,
                          Text(N_("A return without a receipt needs the customer's ID, checked.")),
                          ev.overrides)
            item_rules(ev, work, category=item.category, tags=item.tags, sku=item.sku,
                       condition=item.condition, sold=None)
        out.append(work)
    if rule.allowed:
        limits(ev, out)
    for work, item in zip(out, ev.request.no_receipt_items):
        if work.outcome != "denied":
            price(ev, work, item)
    return out


def price(ev: Evaluation, work: LineWork, item: NoReceiptItem) -> None:
    rule = ev.policy.no_receipt
    amount = (item.lowest_price * item.qty).rounded()
    work.item = amount
    work.tax = tax_of(amount, item.tax_rate, ev.incl)
    work.fee = fee(ev, work, category=item.category, tags=item.tags, sku=item.sku, condition=item.condition)
    if item.price_stated:
        rid = rule.id + ".stated_price"
        text = Text(N_("{sku} was not sold by this store in the last {days} days; a manager states its price, "
                       "{price} each."), {"sku": item.sku, "days": rule.lookback_days, "price": item.lowest_price})
        ev.approval(rid, text)
        work.ok(rid, text)
        return
    work.ok(rule.id, Text(N_("No receipt: store credit at the lowest price of the last {days} days, "
                             "{price} each."), {"days": rule.lookback_days, "price": item.lowest_price}))


def limits(ev: Evaluation, lines: list[LineWork]) -> None:
    rule = ev.policy.no_receipt
    since = ev.now - timedelta(days=rule.limit_days)
    past = [h for h in ev.history if h.no_receipt and since <= h.at <= ev.now]
    value = sum((h.amount for h in past), ev.zero)
    this = sum(((i.lowest_price * i.qty).rounded() for i in ev.request.no_receipt_items), ev.zero)
    rolling = rule.id + ".rolling_limit"
    if rule.limit_count is not None and len(past) + 1 > rule.limit_count:
        text = Text(N_("This customer already made {count} returns without a receipt in {days} days; the limit "
                       "is {limit}."), {"count": len(past), "days": rule.limit_days, "limit": rule.limit_count})
        for work in lines:
            work.fail(rolling, rule.overridable, text, ev.overrides)
    elif rule.limit_value is not None and value + this > ev.money(rule.limit_value):
        text = Text(N_("Returns without a receipt would reach {total} in {days} days; the limit is {limit}."),
                    {"total": value + this, "days": rule.limit_days, "limit": ev.money(rule.limit_value)})
        for work in lines:
            work.fail(rolling, rule.overridable, text, ev.overrides)
    if rule.max_per_transaction is not None and this > ev.money(rule.max_per_transaction):
        limit = ev.money(rule.max_per_transaction)
        rid = rule.id + ".max_per_transaction"
        if rule.over_max == "approval":
            ev.approval(rid, Text(N_("Returns without a receipt over {limit} need a manager."), {"limit": limit}))
        else:
            for work in lines:
                work.fail(rid, rule.overridable, Text(N_(
                    "Returns without a receipt are limited to {limit} per transaction."), {"limit": limit}),
                    ev.overrides)
