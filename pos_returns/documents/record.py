"""The records documents are made from: plain, immutable data, assembled by services from the journal.

A :class:`TxRecord` holds everything the paperwork of one recorded transaction shows, with staff names
as the journal entry recorded them (a reprint years later shows the name of that day, not today's);
a :class:`DayReport` holds one day's transactions. Nothing here reads a database or a clock:
``pos_returns.services.paperwork`` builds these from ``storage`` and hands them to the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pos_returns.domain.model import TenderAmount as TxTender  # a refund tender as the journal recorded it
from pos_returns.domain.engine.amounts import tax_of
from pos_returns.domain.model import payout
from pos_returns.domain.money import Money
from pos_returns.i18n import UserError

__all__ = ["PaperworkError", "TxLine", "TxNewItem", "TxApproval", "TxRecord", "TxTender", "DayReport", "last4",
           "masked_id"]


class PaperworkError(UserError):
    """A document that cannot be made for this transaction (wrong kind, nothing to show)."""


@dataclass(frozen=True)
class TxLine:
    line: int
    sku: str
    name: str
    qty: int
    outcome: str
    item: Money
    fee: Money
    tax: Money
    takeback: Money
    refund: Money
    rules: tuple[str, ...]
    reasons: tuple[str, ...]  # as recorded, in the store's language
    condition: str | None = None
    reason: str | None = None
    serial: str | None = None
    lowest_price: Money | None = None  # no-receipt returns

    @property
    def tax_included(self) -> bool:
        return (self.item - self.fee - self.takeback) == self.refund and not self.tax.is_zero()


@dataclass(frozen=True)
class TxNewItem:
    sku: str
    name: str
    qty: int
    unit_price: Money
    tax_rate: Decimal
    tax_included: bool = False  # the store's prices include tax: ``tax`` is then the part of ``amount`` that is tax

    @property
    def amount(self) -> Money:
        return (self.unit_price * self.qty).rounded()

    @property
    def tax(self) -> Money:
        """The tax on this new item, computed as the engine prices it (added on top, or the part included)."""
        return tax_of(self.amount, self.tax_rate, self.tax_included)


@dataclass(frozen=True)
class TxApproval:
    manager: str
    manager_name: str | None
    rules: tuple[str, ...]
    reason_code: str
    amount: Money | None
    reasons: tuple[str, ...] = ()  # what the decision asked approval for, in the store's language
    at: datetime | None = None  # when the manager approved (before the transaction was committed)


@dataclass(frozen=True)
class TxRecord:
    """Everything the paperwork of one recorded transaction shows, as its journal entry recorded it."""

    txno: str
    kind: str  # return | exchange | no_receipt | correction
    at: datetime
    register: str
    store_id: str
    store_name: str
    currency: str
    locale: str  # the store's locale: how its money is written
    cashier: str
    cashier_name: str | None
    receipt: str | None
    sold_at: datetime | None
    gift_receipt: bool
    lines: tuple[TxLine, ...]
    new_items: tuple[TxNewItem, ...]
    refund_total: Money
    exchange_total: Money
    balance_due: Money
    rounding: Money
    tenders: tuple[TxTender, ...]
    approvals: tuple[TxApproval, ...]
    rules: tuple[str, ...]  # transaction-level rules
    customer_id_masked: str | None
    customer_id_verified: bool
    training: bool
    hash: str
    policy_sha256: str
    corrects: str | None = None
    correction_reason: str | None = None
    policy_version: str | None = None  # the version that decided ([policy] version, else the hash's start)
    policy_from: date | None = None  # its effective_from (None: an undated policy)
    qr: str | None = None  # the signed statement for the receipt's QR code (pos_returns.signing)
    paper_lang: str | None = None  # the customer's language the paperwork was first printed in
    payment: TxTender | None = None  # the tender the customer paid an exchange's balance with

    @property
    def mailed(self) -> Money:
        """What head office mails as a check: never money paid at the till."""
        return sum((t.amount for t in self.tenders if t.type == "mailed_check"), Money.zero(self.currency))

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    @property
    def payout(self) -> Money:
        return payout(self.refund_total, self.exchange_total)

    @property
    def all_rules(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for ln in self.lines:
            for r in ln.rules:
                seen.setdefault(r, None)
        for r in self.rules:
            seen.setdefault(r, None)
        for a in self.approvals:
            for r in a.rules:
                seen.setdefault(r, None)
        return tuple(seen)

    @property
    def managers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.manager for a in self.approvals))


@dataclass(frozen=True)
class DayReport:
    day: date
    store_id: str
    store_name: str
    currency: str
    locale: str
    transactions: tuple[TxRecord, ...]  # real ones
    training: tuple[TxRecord, ...]
    by_tender: dict[str, Money]
    closed_by: str | None  # txno of the day's closing entry, if closed
    keys: tuple[tuple[str, str, str], ...] = ()  # the registers' signing keys: (register, fingerprint, public key)


def last4(value: Any) -> str | None:
    """Card data: the last 4 digits at most, whatever the payload holds."""
    if not value:
        return None
    digits = re.sub(r"\D", "", str(value))
    return digits[-4:] or None


def masked_id(value: Any) -> str | None:
    """A customer ID as stars and its last 4 characters, whatever the payload holds."""
    if not value:
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value))
    return "****" + text[-4:] if text else None
