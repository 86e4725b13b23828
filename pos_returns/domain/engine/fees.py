"""A restocking fee's amount: a percent of the item's paid amount (with a minimum and maximum per unit) or a
flat amount per unit; never more than the item refunds, and the reason says when the cap made it less."""

from __future__ import annotations

from pos_returns.i18n import N_, Percent, Text
from pos_returns.domain.money import Money
from pos_returns.domain.policy import FeeRule
from pos_returns.domain.engine.context import Evaluation, LineWork, text


def restocking(ev: Evaluation, work: LineWork, rule: FeeRule) -> tuple[Money, Text]:
    """(fee, the sentence for the cashier) of ``work``'s units under ``rule``."""
    if rule.amount is not None:
        charged = ev.money(rule.amount) * work.qty
    else:
        charged = (work.item * rule.percent / 100).rounded()
        if rule.minimum is not None:
            charged = charged.max(ev.money(rule.minimum) * work.qty)
        if rule.maximum is not None:
            charged = charged.min(ev.money(rule.maximum) * work.qty)
    fee = charged.min(work.item).max(ev.zero)
    params = {"percent": Percent(rule.percent), "fee": fee, "charged": charged, "item": work.item,
              "amount": ev.money(rule.amount if rule.amount is not None else 0)}
    if fee < charged:
        if rule.amount is not None:
            return fee, text(N_("Restocking fee of {amount} per item would be {charged}, more than the item's "
                                "price; the fee is capped at the price, {fee}."), params)
        return fee, text(N_("Restocking fee of {percent} would be {charged}, more than the item's price; the fee "
                            "is capped at the price, {fee}."), params)
    if rule.amount is not None:
        return fee, text(N_("Restocking fee of {amount} per item: {fee}."), params)
    return fee, text(N_("Restocking fee of {percent} for an opened item: {fee}."), params)
