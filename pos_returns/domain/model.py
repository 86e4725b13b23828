"""Immutable records the engine reads (sale, request, history) and writes (decision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Mapping

from pos_returns.i18n import Text
from pos_returns.domain.money import Money

OUTCOMES = ("approved", "needs_approval", "denied", "partial")


@dataclass(frozen=True)
class SaleLine:
    line: int
    sku: str
    name: str
    category: str
    qty: int
    unit_price: Money
    discount: Money  # the line's total discount
    tax_rate: Decimal
    tags: frozenset[str] = frozenset()
    serial: str | None = None


@dataclass(frozen=True)
class Tender:
    type: str
    amount: Money
    last4: str | None = None
    refunded: Money | None = None  # already refunded to this tender by earlier returns

    def available(self) -> Money:
        return self.amount - (self.refunded or Money.zero(self.amount.currency))


@dataclass(frozen=True)
class Promotion:
    id: str
    lines: tuple[int, ...]
    discount: Money


@dataclass(frozen=True)
class Sale:
    receipt: str
    sold_at: datetime
    lines: tuple[SaleLine, ...]
    tenders: tuple[Tender, ...]
    gift_receipt: bool = False
    returned: Mapping[int, int] = field(default_factory=dict)
    discount: Money | None = None  # sale-level discount
    promotions: tuple[Promotion, ...] = ()
    store_id: str | None = None

    def line(self, number: int) -> SaleLine | None:
        for line in self.lines:
            if line.line == number:
                return line
        return None


@dataclass(frozen=True)
class RequestLine:
    line: int
    qty: int
    condition: str
    reason: str
    serial: str | None = None


@dataclass(frozen=True)
class NoReceiptItem:
    sku: str
    category: str
    qty: int
    lowest_price: Money
    tax_rate: Decimal
    tags: frozenset[str] = frozenset()
    condition: str = "unopened"
    reason: str | None = None
    name: str | None = None
    price_stated: bool = False  # the store has no price for it; a manager stated lowest_price (needs approval)


@dataclass(frozen=True)
class ExchangeItem:
    sku: str
    category: str
    qty: int
    unit_price: Money
    tax_rate: Decimal
    name: str | None = None


@dataclass(frozen=True)
class PastReturn:
    at: datetime
    amount: Money
    no_receipt: bool


@dataclass(frozen=True)
class Customer:
    id_verified: bool = False
    tier: str | None = None
    id: str | None = None
    id_checked_by: str | None = None  # the signed-in cashier who checked the ID (set by the services)


@dataclass(frozen=True)
class Request:
    type: str  # "return" | "exchange"
    lines: tuple[RequestLine, ...] = ()
    no_receipt_items: tuple[NoReceiptItem, ...] = ()
    exchange_items: tuple[ExchangeItem, ...] = ()
    customer: Customer = Customer()
    overrides: frozenset[str] = frozenset()  # rule ids a manager is asked to override
    region: str | None = None  # the store's region when it differs from the policy's
    store: str | None = None  # the store (of a chain) where the return is made, when the case or till says


# ----------------------------------------------------------------------------- decision

@dataclass(frozen=True)
class LineDecision:
    line: int
    sku: str
    qty: int
    outcome: str
    overridable: bool
    item: Money
    fee: Money
    tax: Money
    takeback: Money
    refund: Money
    rules: tuple[str, ...]
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class TenderAmount:
    type: str
    amount: Money
    last4: str | None = None


@dataclass(frozen=True)
class Approval:
    rule: str
    reason: Text


def payout(refund_total: Money, exchange_total: Money) -> Money:
    """The payout rule, defined once: what the store hands back is the refund less the new items of an
    exchange, never below zero (when the new items cost more, the customer pays the balance)."""
    return (refund_total - exchange_total).max(Money.zero(refund_total.currency))


@dataclass(frozen=True)
class VersionRef:
    """The policy version a decision was made under (named in the Decision JSON, the journal and paperwork)."""

    id: str
    sha256: str
    effective_from: date | None = None


@dataclass(frozen=True)
class Decision:
    outcome: str
    currency: str
    lines: tuple[LineDecision, ...]
    refund_total: Money
    exchange_total: Money
    balance_due: Money
    refund_tenders: tuple[TenderAmount, ...]
    approvals: tuple[Approval, ...]
    rounding: Money
    rules: tuple[str, ...]  # transaction-level rules (tenders, approvals, receipts)
    reasons: tuple[Text, ...]
    policy_sha256: str
    # how much of the payout is drawn from each of the sale's tenders (index into sale.tenders), so later
    # returns never refund a tender more than it paid
    tender_draws: tuple[tuple[int, Money], ...] = ()
    policy_version: VersionRef | None = None

    @property
    def payout(self) -> Money:
        return payout(self.refund_total, self.exchange_total)


def _plain_frozen(cls) -> bool:
    """A frozen dataclass with a __dict__ and nothing to run after its fields are set."""
    return cls.__dataclass_params__.frozen and "__slots__" not in cls.__dict__ and not hasattr(cls, "__post_init__")


def record_builder(cls):
    """A constructor of the frozen record ``cls`` taking every field positionally, in field order, that makes
    exactly what ``cls(...)`` makes (the same fields in the same order; no ``__post_init__`` to run) without
    the frozen ``__setattr__`` detour per field. For the engine's own results: an evaluation makes a dozen.
    :func:`record_maker` is the same by field name, for readers that have the fields in a dict."""
    from dataclasses import fields
    if not _plain_frozen(cls):
        raise TypeError(f"{cls.__name__} is not a plain frozen record")
    names = [f.name for f in fields(cls)]
    body = "".join(f"    d[{n!r}] = {n}\n" for n in names)
    source = f"def build({', '.join(names)}):\n    o = _new(cls)\n    d = o.__dict__\n{body}    return o\n"
    scope = {"_new": object.__new__, "cls": cls}
    exec(source, scope)  # noqa: S102 - generated from the dataclass's own field names
    build = scope["build"]
    build.__doc__ = f"{cls.__name__}(...) with every field given in order."
    return build


def record_maker(cls):
    """``cls(**fields)`` for a frozen record given every field in a dict, without its __init__'s
    ``object.__setattr__`` per field (four times quicker; the what-if's trusted reader builds a sale, a request
    and a case per return): the same object, equal and hashing alike. A class that is not a plain frozen record
    (slots, a __post_init__) is built by its own __init__."""
    if not _plain_frozen(cls):
        return lambda values: cls(**values)
    new = object.__new__

    def make(values: dict):
        obj = new(cls)
        obj.__dict__.update(values)
        return obj
    return make


new_line_decision = record_builder(LineDecision)
new_decision = record_builder(Decision)
new_tender_amount = record_builder(TenderAmount)
