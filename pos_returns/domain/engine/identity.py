"""The customer's photo ID (``[photo_id]``: every return, or above an amount) and the per-customer limits of
returns with a receipt (``[customer_limits]``), counted from the customer's earlier returns (the history the
services read from the journal by the keyed hash of the ID number)."""

from __future__ import annotations

from datetime import timedelta

from pos_returns.i18n import N_, Text
from pos_returns.domain.money import Money, net_refund, total
from pos_returns.domain.engine.context import Evaluation, LineWork


def line_refund(ev: Evaluation, work: LineWork) -> Money:
    item, fee, tax, back = (v if v is not None else ev.zero for v in (work.item, work.fee, work.tax, work.takeback))
    return net_refund(item, fee, back, ev.zero if ev.incl else tax)


def photo_id_needed(ev: Evaluation, amount: Money) -> bool:
    rule = ev.policy.photo_id
    return rule.always or (rule.over is not None and ev.over(amount, rule.over))


def identity(ev: Evaluation, lines: list[LineWork]) -> None:
    live = [w for w in lines if w.outcome != "denied"]
    if not live:
        return
    for w in live:  # the amounts are final here; the line's decision refunds this too
        w.refund = line_refund(ev, w)
    amount = total([w.refund for w in live], ev.zero)
    _photo_id(ev, live, amount)
    if ev.sale is not None:
        _limits(ev, live, amount)


def _photo_id(ev: Evaluation, live: list[LineWork], amount: Money) -> None:
    rule = ev.policy.photo_id
    if not rule.active or not photo_id_needed(ev, amount):
        return
    if rule.always:
        why = {"why": Text(N_("for every return"))}
    else:
        why = {"why": Text(N_("for refunds over {limit}"), {"limit": ev.money(rule.over)})}
    if ev.request.customer.id_verified:
        ev.note(rule.id, Text(N_("The customer's photo ID was checked, as the store asks {why}."), why))
        return
    text = Text(N_("The store asks the customer's photo ID {why}: check it and type its number."), why)
    for work in live:
        work.fail(rule.id, rule.overridable, text, ev.overrides)


def _limits(ev: Evaluation, live: list[LineWork], amount: Money) -> None:
    rule = ev.policy.customer_limits
    if not rule.active:
        return
    since = ev.now - timedelta(days=rule.limit_days)
    past = [h for h in ev.history if not h.no_receipt and since <= h.at <= ev.now]
    value = sum((h.amount for h in past), ev.zero)
    if rule.limit_count is not None and len(past) + 1 > rule.limit_count:
        text = Text(N_("This customer already made {count} returns with a receipt in {days} days; the limit is "
                       "{limit}."), {"count": len(past), "days": rule.limit_days, "limit": rule.limit_count})
    elif rule.limit_value is not None and value + amount > ev.money(rule.limit_value):
        text = Text(N_("This customer's returns with a receipt would reach {total} in {days} days; the limit is "
                       "{limit}."), {"total": value + amount, "days": rule.limit_days,
                                     "limit": ev.money(rule.limit_value)})
    else:
        return
    if rule.over_limit == "approval":
        ev.approval(rule.id, text)
        return
    for work in live:
        work.fail(rule.id, rule.overridable, text, ev.overrides)
