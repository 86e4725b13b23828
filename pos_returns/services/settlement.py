"""How a decided return or exchange is settled at the till, said once for every screen.

- :func:`settlement_text`: the one sentence of what happens with money at the till: the customer pays the
  balance of an exchange, the store refunds from the till, or a check is mailed from head office and nothing is
  paid at the till (a mailed check is never shown as money from the till);
- :func:`new_items`: the new items of an exchange with their amount and tax, as the confirmation lists them;
- :func:`with_payment`: the tender the customer pays an exchange's balance with, recorded in the journal entry;
- :func:`check_payment`: the commit's rule that an exchange whose customer owes the difference is recorded only
  with the tender they pay it with (every caller: the window, the CLI, the demo builder);
- :func:`with_paper_language`: the customer's language for the paperwork, recorded in the journal entry so a
  reprint comes out in that language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Callable

from pos_returns import i18n
from pos_returns.domain.engine.amounts import tax_of
from pos_returns.domain.model import Decision
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.i18n import N_
from pos_returns.services.records import PAYMENT_TYPES, NotRecordable, Pending, ServiceError

MAILED = "mailed_check"

#: the words of a payment tender of an exchange's balance
PAYMENT_LABELS = {"cash": N_("Cash"), "card": N_("Card")}


def mailed_amount(decision: Decision) -> Money:
    """What head office mails as a check (never paid at the till)."""
    return sum((t.amount for t in decision.refund_tenders if t.type == MAILED), Money.zero(decision.currency))


def till_amount(decision: Decision) -> Money:
    """What the till itself hands back: the payout less any check mailed from head office."""
    return (decision.payout - mailed_amount(decision)).max(Money.zero(decision.currency))


def settlement_text(decision: Decision, gettext: Callable[[str], str], money: Callable[[Money], str],
                    payment: str | None = None) -> str:
    """The sentence a screen shows for what happens with money at the till."""
    zero = Money.zero(decision.currency)
    if decision.balance_due > zero:
        if payment in PAYMENT_LABELS:
            return gettext("Customer pays {amount} by {tender}").format(
                amount=money(decision.balance_due), tender=gettext(PAYMENT_LABELS[payment]))
        return gettext("Customer pays {amount}").format(amount=money(decision.balance_due))
    mailed = mailed_amount(decision)
    if mailed > zero:
        till = till_amount(decision)
        if till > zero:
            return gettext("Store refunds {amount} at the till; a check of {mailed} is mailed from head "
                           "office").format(amount=money(till), mailed=money(mailed))
        return gettext("Check of {amount} mailed from head office; nothing paid at the till").format(
            amount=money(mailed))
    return gettext("Store refunds {amount}").format(amount=money(decision.payout))


@dataclass(frozen=True)
class NewItem:
    sku: str
    name: str
    qty: int
    amount: Money  # qty x unit price, rounded
    tax: Money  # tax added on top (prices without tax) or the tax part of the amount (prices with tax)
    tax_included: bool

    @property
    def total(self) -> Money:
        return self.amount if self.tax_included else self.amount + self.tax


def new_items(pending: Pending, policy: Policy) -> tuple[NewItem, ...]:
    """The new items of an exchange with their tax, computed as the engine prices them."""
    incl = policy.store.prices_include_tax
    out = []
    for item in pending.case.request.exchange_items:
        amount = (item.unit_price * item.qty).rounded()
        out.append(NewItem(item.sku, item.name or item.sku, item.qty, amount, tax_of(amount, item.tax_rate, incl),
                           incl))
    return tuple(out)


def recorded_payment(tx) -> str | None:
    """The tender a committed :class:`Transaction` recorded for the customer's payment of its balance."""
    paid = json.loads(tx.entry.payload).get("customer_payment")
    return paid["type"] if paid else None


def needs_payment(pending: Pending) -> bool:
    """Whether the customer owes the difference of an exchange (a tender must be taken)."""
    return pending.decision.balance_due > Money.zero(pending.decision.currency)


def with_payment(pending: Pending, payment: str | None) -> Pending:
    """The pending transaction with the tender the customer pays its balance with."""
    if not needs_payment(pending):
        return replace(pending, payment=None)
    if payment not in PAYMENT_TYPES:
        raise ServiceError(N_("The customer owes {amount}: choose how they pay (cash or card)."),
                           amount=pending.decision.balance_due)
    return replace(pending, payment=payment)


class PaymentMissing(NotRecordable):
    """A commit of an exchange whose customer owes the difference, without the tender they pay it with."""

    def __init__(self, amount: Money):
        self.amount = amount
        super().__init__(N_("The customer owes {amount} for this exchange: take the payment in cash or by card "
                            "before recording it."), amount=amount)


def check_payment(pending: Pending) -> None:
    """Refuse to record an exchange whose customer owes a balance unless the tender they pay it with is given
    (the journal records that tender and the balance as its amount); a payment with nothing owed is refused too."""
    if needs_payment(pending):
        if pending.payment not in PAYMENT_TYPES:
            raise PaymentMissing(pending.decision.balance_due)
    elif pending.payment is not None:
        raise NotRecordable(N_("Nothing is owed on this transaction, so no payment can be taken."))


def with_paper_language(pending: Pending, lang: str | None) -> Pending:
    """The pending transaction with the customer's language for its paperwork."""
    return replace(pending, paper_lang=i18n.normalize_language(lang) if lang else None)
