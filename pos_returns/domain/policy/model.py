"""The policy's model: immutable rules, each with a stable id, a scope and whether a manager may override it.

Built only by :mod:`pos_returns.domain.policy.build` from a file that validated whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from pos_returns.domain.money import Money

CONDITIONS = ("unopened", "opened", "damaged", "defective")
TENDERS = ("cash", "check", "credit", "debit", "gift_card", "store_credit")
REMEDIES = ("refund", "exchange_same", "refund_or_exchange_same")
MAX_DAYS = 3650


@dataclass(frozen=True)
class Scope:
    """Where a rule applies. Empty lists mean 'any'. ``exclude_regions`` waives the rule there."""

    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    tenders: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    exclude_regions: frozenset[str] = frozenset()

    def matches(self, *, category: str | None = None, tags: Iterable[str] = (), sku: str | None = None,
                tier: str | None = None, tenders: Iterable[str] = (), region: str | None = None) -> bool:
        if self.categories and category not in self.categories:
            return False
        if self.tags and not (self.tags & set(tags)):
            return False
        if self.skus and sku not in self.skus:
            return False
        if self.tiers and tier not in self.tiers:
            return False
        if self.tenders and not (self.tenders & set(tenders)):
            return False
        if self.regions and region not in self.regions:
            return False
        if region is not None and region in self.exclude_regions:
            return False
        return True

    @property
    def specificity(self) -> tuple[int, int]:
        """Most specific first: SKU over tag over category over everything; a tier-scoped rule over
        the same without tier."""
        item = 3 if self.skus else 2 if self.tags else 1 if self.categories else 0
        return (item, 1 if self.tiers else 0)


@dataclass(frozen=True)
class PolicyRule:
    """What the rules with a scope share (window, seasonal, not returnable, condition, fee, warranty)."""

    id: str
    scope: Scope
    overridable: bool
    explain: str | None  # the manager's own wording, shown instead of the template
    line: int


@dataclass(frozen=True)
class WindowRule(PolicyRule):
    days: int


@dataclass(frozen=True)
class SeasonalRule(PolicyRule):
    bought_from: date
    bought_to: date
    returnable_until: date


@dataclass(frozen=True)
class NotReturnableRule(PolicyRule):
    conditions: frozenset[str]  # empty: any condition
    unless_defective: bool


@dataclass(frozen=True)
class ConditionRule(PolicyRule):
    accepted: frozenset[str]


@dataclass(frozen=True)
class FeeRule(PolicyRule):
    conditions: frozenset[str]
    percent: Decimal
    minimum: Decimal | None
    maximum: Decimal | None
    waived_for_tiers: frozenset[str]


@dataclass(frozen=True)
class WarrantyRule(PolicyRule):
    days: int
    remedy: str


@dataclass(frozen=True)
class GiftReceiptRule:
    id: str
    refund_to: str


@dataclass(frozen=True)
class NoReceiptRule:
    id: str
    allowed: bool
    id_required: bool
    lookback_days: int
    max_per_transaction: Decimal | None
    over_max: str  # "approval" | "deny"
    limit_count: int | None
    limit_value: Decimal | None
    limit_days: int
    overridable: bool
    unknown_sku: str = "refuse"  # a SKU the store has no price for: "refuse" | "manager_price"


@dataclass(frozen=True)
class TenderRule:
    id: str
    refund_order: tuple[str, ...]
    cash_limit: Decimal | None
    cash_over_limit: str  # "approval" | "store_credit"
    check_clear_days: int
    uncleared_check: str  # "store_credit" | "wait"
    overridable: bool


@dataclass(frozen=True)
class MailedCheckRule:
    id: str
    cash_over: Decimal | None
    check_purchase_over: Decimal | None


@dataclass(frozen=True)
class ApprovalRule:
    id: str
    refund_over: Decimal | None
    reason_codes: tuple[str, ...]


@dataclass(frozen=True)
class PromotionRule:
    id: str
    take_back: bool


@dataclass(frozen=True)
class SerialRule:
    id: str
    tags: frozenset[str]


@dataclass(frozen=True)
class StoreProfile:
    id: str
    name: str
    region: str | None
    currency: str
    locale: str
    language: str
    prices_include_tax: bool
    cash_rounding: Decimal | None


@dataclass(frozen=True)
class Policy:
    path: str
    sha256: str
    store: StoreProfile
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    tiers: tuple[str, ...]
    reasons: tuple[str, ...]
    windows: tuple[WindowRule, ...]
    seasonal: tuple[SeasonalRule, ...]
    not_returnable: tuple[NotReturnableRule, ...]
    conditions: tuple[ConditionRule, ...]
    fees: tuple[FeeRule, ...]
    warranties: tuple[WarrantyRule, ...]
    gift_receipt: GiftReceiptRule
    no_receipt: NoReceiptRule
    tenders: TenderRule
    mailed_check: MailedCheckRule
    approval: ApprovalRule
    promotions: PromotionRule
    serial: SerialRule
    quantity_rule_id: str = "quantity.limit"
    labels: tuple[tuple[str, str, str], ...] = ()  # (language, code, display name): [labels.LANG] tables

    def label(self, code: str, lang: str) -> str | None:
        """The policy's own name of a category, tag, tier, reason or approval code in ``lang``, if it gives one."""
        for language, known, name in self.labels:
            if known == code and language == lang:
                return name
        return None

    @property
    def currency(self) -> str:
        return self.store.currency

    def money(self, value: Decimal | None) -> Money | None:
        return None if value is None else Money(value, self.store.currency)

    def rule_ids(self) -> list[str]:
        ids = [r.id for group in (self.windows, self.seasonal, self.not_returnable, self.conditions,
                                  self.fees, self.warranties) for r in group]
        ids += [self.gift_receipt.id, self.no_receipt.id, self.tenders.id, self.mailed_check.id,
                self.approval.id, self.promotions.id, self.serial.id, self.quantity_rule_id]
        return ids

