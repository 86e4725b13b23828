"""The tender step: how a payout goes back to the customer.

In order: gift receipts and returns without a receipt get store credit; otherwise the payout is drawn from
the sale's tenders in the policy's refund order (an uncleared check becomes store credit); then a mailed
check replaces large cash refunds, the cash limit asks for a manager or moves the excess to store credit,
and cash is rounded to the store's increment. Each step returns the new list of parts.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Sequence

from pos_returns.i18n import N_, Text
from pos_returns.domain.model import TenderAmount
from pos_returns.domain.money import Money, total
from pos_returns.domain.engine.amounts import tax_of
from pos_returns.domain.engine.context import Evaluation
from pos_returns.domain.engine.remedies import credit_only_part, with_credit


def exchange_total(ev: Evaluation) -> Money:
    total = ev.zero
    for item in ev.request.exchange_items:
        amount = (item.unit_price * item.qty).rounded()
        total = total + amount + (ev.zero if ev.incl else tax_of(amount, item.tax_rate, False))
    return total


def refund_tenders(ev: Evaluation, payout: Money) -> tuple[list[TenderAmount], Money]:
    """Split a payout over refund tenders; returns (tenders, cash rounding)."""
    policy = ev.policy
    if payout <= ev.zero:
        return [], ev.zero
    sale = ev.sale
    if sale is None:
        return [TenderAmount("store_credit", payout)], ev.zero
    if sale.gift_receipt and policy.gift_receipt.refund_to == "store_credit":
        ev.note(policy.gift_receipt.id, Text(N_("Gift receipt: the refund is given as store credit.")))
        return [TenderAmount("store_credit", payout)], ev.zero
    credit = credit_only_part(ev, payout)
    if credit == payout:
        return [TenderAmount("store_credit", payout)], ev.zero
    drawn = payout - credit
    parts, cash_sources, check_part = _draw(ev, drawn)
    parts = _mailed_check(ev, parts, drawn, check_part)
    parts, cash = _cash_limit(ev, parts)
    parts, rounding = _cash_rounding(ev, parts, cash, cash_sources)
    return _merge(with_credit(parts, credit), policy.tenders.refund_order), rounding


def _draw(ev: Evaluation, payout: Money) -> tuple[list[TenderAmount], list[int], Money]:
    """Take the payout from the sale's tenders in refund order, recording each draw on the evaluation.

    Returns the parts, the sale's tenders whose part is handed back in cash, and what came from checks."""
    sale, rule = ev.sale, ev.policy.tenders
    parts: list[TenderAmount] = []
    remaining = payout
    check_part = ev.zero
    cash_sources: list[int] = []
    tenders = sale.tenders
    if len(tenders) == 1:
        ranked = ((0, tenders[0]),)
    else:
        order = ev.memo.refund_rank if ev.memo is not None else {t: i for i, t in enumerate(rule.refund_order)}
        ranked = sorted(enumerate(tenders), key=lambda it: order.get(it[1].type, len(order)))
    zero = ev.zero
    for index, tender in ranked:
        if remaining.is_zero():
            break
        take = remaining.min(tender.available().max(zero))
        if take.is_zero():
            continue
        remaining = remaining - take
        ev.draws.append((index, take))
        if tender.type == "check":
            check_part = check_part + take
            cleared = sale.sold_at.date() + timedelta(days=rule.check_clear_days)
            if ev.today < cleared:
                ev.note(rule.id + ".uncleared_check", Text(N_(
                    "Paid by check on {sold}, not cleared until {cleared}: that part is refunded as store "
                    "credit."), {"sold": sale.sold_at.date(), "cleared": cleared}))
                parts.append(TenderAmount("store_credit", take))
            else:
                parts.append(TenderAmount("cash", take))
                cash_sources.append(index)
        else:
            parts.append(TenderAmount(tender.type, take, tender.last4))
            if tender.type == "cash":
                cash_sources.append(index)
    if not remaining.is_zero():
        increment = ev.policy.store.cash_rounding
        if increment and remaining.amount < increment and any(p.type == "cash" for p in parts):
            # the till rounded the cash it took; the refund rounds the same way below
            parts.append(TenderAmount("cash", remaining))
        else:
            parts.append(TenderAmount("store_credit", remaining))
    return parts, cash_sources, check_part


def _mailed_check(ev: Evaluation, parts: list[TenderAmount], payout: Money,
                  check_part: Money) -> list[TenderAmount]:
    """Large refunds of check purchases, and large cash refunds, go out as a check from head office."""
    mailed = ev.policy.mailed_check
    if mailed.check_purchase_over is not None and not check_part.is_zero() and \
            ev.over(payout, mailed.check_purchase_over):
        limit = ev.money(mailed.check_purchase_over)
        if any(p.type == "cash" for p in parts):
            parts = _to_mailed(ev, parts, ("cash",))
            ev.note(mailed.id, Text(N_("Refunds of check purchases over {limit} are paid by a check mailed "
                                       "from head office."), {"limit": limit}))
    if mailed.cash_over is not None and ev.over(_total(parts, "cash", ev.zero), mailed.cash_over):
        parts = _to_mailed(ev, parts, ("cash",))
        ev.note(mailed.id, Text(N_("Cash refunds over {limit} are paid by a check mailed from head office."),
                                {"limit": ev.money(mailed.cash_over)}))
    return _mailed_over(ev, parts, payout)


def _mailed_over(ev: Evaluation, parts: list[TenderAmount], payout: Money) -> list[TenderAmount]:
    """Every refund above ``refund_over`` is paid by a mailed check, whatever the tender (store credit stays)."""
    mailed = ev.policy.mailed_check
    if mailed.refund_over is None or not ev.over(payout, mailed.refund_over):
        return parts
    moving = tuple({p.type for p in parts} - {"store_credit", "mailed_check"})
    if moving:
        parts = _to_mailed(ev, parts, moving)
        ev.note(mailed.id, Text(N_("Refunds over {limit} are paid by a check mailed from head office, whatever "
                                   "the tender."), {"limit": ev.money(mailed.refund_over)}))
    return parts


def _cash_limit(ev: Evaluation, parts: list[TenderAmount]) -> tuple[list[TenderAmount], Money]:
    """Cash over the limit needs a manager, or its excess becomes store credit; returns (parts, cash)."""
    rule = ev.policy.tenders
    cash = _total(parts, "cash", ev.zero)
    if rule.cash_limit is None or not ev.over(cash, rule.cash_limit):
        return parts, cash
    limit = ev.money(rule.cash_limit)
    if rule.cash_over_limit == "approval":
        ev.approval(rule.id + ".cash_limit", Text(N_("Cash refunds over {limit} need a manager."), {"limit": limit}))
        return parts, cash
    excess = cash - limit
    parts = [p for p in parts if p.type != "cash"] + [TenderAmount("cash", limit), TenderAmount("store_credit", excess)]
    ev.note(rule.id + ".cash_limit", Text(N_(
        "Cash refunds are limited to {limit}; the rest, {excess}, is given as store credit."),
        {"limit": limit, "excess": excess}))
    return parts, limit


def _cash_rounding(ev: Evaluation, parts: list[TenderAmount], cash: Money,
                   cash_sources: list[int]) -> tuple[list[TenderAmount], Money]:
    increment = ev.policy.store.cash_rounding
    if not increment or cash.is_zero():
        return parts, ev.zero
    rounded, rounding, down = _round_cash(ev, cash, Decimal(increment), cash_sources)
    if rounding.is_zero():
        return parts, rounding
    parts = [p for p in parts if p.type != "cash"] + [TenderAmount("cash", rounded)]
    if down:
        ev.note("store.cash_rounding", Text(N_(
            "Cash rounded down to a multiple of {increment}: the cash paid cannot give back more than "
            "it took."), {"increment": ev.money(increment)}))
    else:
        ev.note("store.cash_rounding", Text(N_("Cash rounded to the nearest {increment}."),
                                            {"increment": ev.money(increment)}))
    return parts, rounding


def _round_cash(ev: Evaluation, cash: Money, increment: Decimal, sources: list[int]) -> tuple[Money, Money, bool]:
    """Round the cash handed back to the increment, never beyond what the cash tenders can still give back.

    Rounds to the nearest increment, or down when that would exceed the cash tenders (what they took minus
    what they already gave back). What the cash tenders are charged with follows the cash actually handed
    back, so several returns of one cash sale never give back more than it took, however each one rounds."""
    tenders = ev.sale.tenders
    drawn = {i: m for i, m in ev.draws}
    backed = total([drawn[i] for i in sources], ev.zero)  # what the cash tenders pay of this refund
    capacity = total([tenders[i].available().max(ev.zero) for i in sources], ev.zero)
    base = cash.min(backed)  # the cash that the tenders' draws already stand for
    limit = base + capacity - backed
    rounded = cash.cash_rounded(increment)
    down = rounded > limit
    if down:
        rounded = cash.min(limit).max(ev.zero).cash_rounded(increment, down=True)
    change = rounded - base
    if not change.is_zero():
        order = sources if change > ev.zero else list(reversed(sources))
        for i in order:
            if change.is_zero():
                break
            if change > ev.zero:
                step = change.min(tenders[i].available() - drawn[i])
            else:
                step = -((-change).min(drawn[i]))
            drawn[i] = drawn[i] + step
            change = change - step
        ev.draws = [(i, drawn[i]) for i, _ in ev.draws if not drawn[i].is_zero()]
    return rounded, rounded - cash, down


def _to_mailed(ev: Evaluation, parts: list[TenderAmount], types: tuple[str, ...]) -> list[TenderAmount]:
    moved = total([p.amount for p in parts if p.type in types], ev.zero)
    kept = [p for p in parts if p.type not in types]
    return kept + ([TenderAmount("mailed_check", moved)] if not moved.is_zero() else [])


def uncleared_wait(ev: Evaluation) -> Text | None:
    """Why the whole return must wait, when the policy waits for a check to clear and it has not."""
    sale = ev.sale
    rule = ev.policy.tenders
    if sale is None or rule.uncleared_check != "wait" or "check" not in ev.tender_types:
        return None
    cleared = sale.sold_at.date() + timedelta(days=rule.check_clear_days)
    if ev.today >= cleared:
        return None
    return Text(N_("Paid by check on {sold}, not cleared until {cleared}: the return must wait until then."),
                {"sold": sale.sold_at.date(), "cleared": cleared})


def _total(parts: list[TenderAmount], kind: str, zero: Money) -> Money:
    return total([p.amount for p in parts if p.type == kind], zero)


def _merge(parts: list[TenderAmount], order: Sequence[str]) -> list[TenderAmount]:
    """One entry per tender type and card; in the policy's refund order, mailed checks last."""
    if len(parts) == 1:  # one part: itself, unless it is nothing
        return [] if parts[0].amount.is_zero() else parts
    merged: dict[tuple[str, str | None], Money] = {}
    for p in parts:
        key = (p.type, p.last4)
        merged[key] = merged[key] + p.amount if key in merged else p.amount
    rank = {t: i for i, t in enumerate(order)}
    keys = sorted(merged, key=lambda k: (rank.get(k[0], len(rank)), k[1] or ""))
    return [TenderAmount(k[0], merged[k], k[1]) for k in keys if not merged[k].is_zero()]
