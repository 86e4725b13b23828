"""The policy's model: immutable rules, each with a stable id, a scope and whether a manager may override it.

Built only by :mod:`pos_returns.domain.policy.build` from a file that validated whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from pos_returns.domain.money import Money

CONDITIONS = ("unopened", "opened", "damaged", "defective")
TENDERS = ("cash", "check", "credit", "debit", "gift_card", "store_credit")
REMEDIES = ("refund", "exchange_same", "refund_or_exchange_same")
MAX_DAYS = 3650
APPLIES_TO_EARLIER = ("no", "when_more_generous")


@dataclass(frozen=True)
class Scope:
    """Where a rule applies. Empty lists mean 'any'. ``exclude_regions`` waives the rule there;
    ``exclude_categories`` / ``exclude_tags`` leave out items of those categories or with one of those tags."""

    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    tenders: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    exclude_regions: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()

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
        if category is not None and category in self.exclude_categories:
            return False
        if self.exclude_tags & set(tags):
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
    unlimited: bool = False  # ``days = "unlimited"``: returnable at any time (``days`` is then 0, unused)


@dataclass(frozen=True)
class MonthDay:
    """A day of every year (``"12-24"``): a recurring season's dates are written without a year."""

    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def key(self) -> tuple[int, int]:
        return (self.month, self.day)

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)


@dataclass(frozen=True)
class SeasonalRule(PolicyRule):
    bought_from: date | MonthDay
    bought_to: date | MonthDay
    returnable_until: date | MonthDay
    # "store_credit": what the season alone makes returnable (after the item's own window) is store credit
    refund_to: str = "original_tender"

    @property
    def recurring(self) -> bool:
        return isinstance(self.bought_from, MonthDay)

    def period_of(self, sold: date) -> tuple[date, date, date] | None:
        """(first buying day, last buying day, returnable until) of the season containing ``sold``, or None.

        A recurring season may wrap over the new year (``11-15`` to ``01-05``); its ``returnable_until`` is
        the first such day on or after the season's last buying day."""
        if not self.recurring:
            if self.bought_from <= sold <= self.bought_to:  # type: ignore[operator]
                return self.bought_from, self.bought_to, self.returnable_until  # type: ignore[return-value]
            return None
        start, end, until = self.bought_from, self.bought_to, self.returnable_until
        wraps = end.key() < start.key()  # type: ignore[union-attr]
        for first_year in (sold.year - 1, sold.year):
            first = start.in_year(first_year)  # type: ignore[union-attr]
            last = end.in_year(first_year + 1 if wraps else first_year)  # type: ignore[union-attr]
            if first <= sold <= last:
                deadline = until.in_year(last.year)  # type: ignore[union-attr]
                if deadline < last:
                    deadline = until.in_year(last.year + 1)  # type: ignore[union-attr]
                return first, last, deadline
        return None


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
    amount: Decimal | None = None  # a flat fee per unit returned, instead of ``percent``
    # only for items returned from_day .. to_day days after the sale (as windows count), and only for a
    # "return" or an "exchange" when ``request`` says so
    from_day: int | None = None
    to_day: int | None = None
    request: str | None = None

    def applies(self, request_type: str, age: int | None) -> bool:
        """Whether this fee is for this kind of request and this many days after the sale (None: no sale date)."""
        if self.request is not None and request_type != self.request:
            return False
        if self.from_day is None and self.to_day is None:
            return True
        return age is not None and (self.from_day or 0) <= age and (self.to_day is None or age <= self.to_day)


@dataclass(frozen=True)
class WarrantyRule(PolicyRule):
    days: int
    remedy: str


@dataclass(frozen=True)
class ExchangeOnlyRule(PolicyRule):
    """Items in ``conditions`` may only be exchanged for the identical item (same SKU), never refunded."""

    conditions: frozenset[str]


@dataclass(frozen=True)
class StoreCreditOnlyRule(PolicyRule):
    """Items refunded only as store credit, even with a receipt (``conditions`` empty: any condition)."""

    conditions: frozenset[str]


@dataclass(frozen=True)
class PhotoIdRule:
    """A photo ID checked for every return (``always``) or for refunds above ``over``."""

    id: str = "id.photo"
    always: bool = False
    over: Decimal | None = None
    overridable: bool = False

    @property
    def active(self) -> bool:
        return self.always or self.over is not None


@dataclass(frozen=True)
class CustomerLimitRule:
    """Per-customer limits for returns with a receipt, counted by the customer's (hashed) ID number."""

    id: str = "limit.customer"
    limit_count: int | None = None
    limit_value: Decimal | None = None
    limit_days: int = 90
    over_limit: str = "deny"  # "deny" | "approval"
    overridable: bool = False

    @property
    def active(self) -> bool:
        return self.limit_count is not None or self.limit_value is not None


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
    refund_over: Decimal | None = None  # any refund above this, whatever the tender, is mailed


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
class TierProfile:
    """What a customer tier adds on every rule (``[tiers.NAME]``)."""

    name: str
    extra_days: int  # added to every limited return window (not to a window that names the tier itself)
    line: int


@dataclass(frozen=True)
class OfflineRule:
    """``[chain] offline``: what a till may do while the central database cannot be reached."""

    own_store_only: bool = True  # only this store's receipts (another store's cannot be checked offline)
    max_refund: Decimal | None = None  # a transaction refunding more waits for the network
    no_receipt: bool = True  # returns without a receipt (the chain-wide limits cannot be counted offline)


@dataclass(frozen=True)
class ChainProfile:
    """``[chain]``: the policy serves these stores of a chain (none listed: any store of it)."""

    id: str
    name: str | None
    stores: tuple[str, ...]  # store ids; empty: any store
    store_regions: tuple[tuple[str, str], ...]  # (store id, region) where the policy says a store's region
    regions: tuple[str, ...]  # every region the chain's rules may name (empty: not checked)
    offline: OfflineRule = OfflineRule()

    def serves(self, store_id: str) -> bool:
        return not self.stores or store_id in self.stores

    def region_of(self, store_id: str) -> str | None:
        return dict(self.store_regions).get(store_id)


@dataclass(frozen=True)
class PolicyVersion:
    """The ``[policy]`` table: which version of the store's policy this file is and from when it applies.

    ``effective_from`` None: an undated policy (one version only, decided as before versions existed)."""

    label: str | None = None
    effective_from: date | None = None
    applies_to_earlier_sales: str = "no"  # "no" | "when_more_generous"


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
    exchange_only: tuple[ExchangeOnlyRule, ...] = ()
    store_credit_only: tuple[StoreCreditOnlyRule, ...] = ()
    photo_id: PhotoIdRule = PhotoIdRule()
    customer_limits: CustomerLimitRule = CustomerLimitRule()
    chain: ChainProfile | None = None
    tier_profiles: tuple[TierProfile, ...] = ()

    def serves_store(self, store_id: str) -> bool:
        """Whether a case or a till of store ``store_id`` may be decided under this policy."""
        return store_id == self.store.id or (self.chain is not None and self.chain.serves(store_id))

    def region_of(self, store_id: str | None) -> str | None:
        """The region the policy gives store ``store_id`` (the chain's table, else ``[store] region``)."""
        if store_id is not None and self.chain is not None and self.chain.region_of(store_id):
            return self.chain.region_of(store_id)
        return self.store.region if store_id in (None, self.store.id) else None

    def extra_days(self, tier: str | None) -> int:
        return next((t.extra_days for t in self.tier_profiles if t.name == tier), 0)

    version: PolicyVersion = PolicyVersion()
    source: str = field(default="", repr=False, compare=False)  # the file's text, kept with each stored version

    @property
    def version_id(self) -> str:
        """The version's name: the ``[policy] version`` label, else the start of the file's hash."""
        return self.version.label or self.sha256[:12]

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
                                  self.fees, self.warranties, self.exchange_only, self.store_credit_only)
                for r in group]
        ids += [self.gift_receipt.id, self.no_receipt.id, self.tenders.id, self.mailed_check.id,
                self.approval.id, self.promotions.id, self.serial.id, self.quantity_rule_id]
        ids += [rule.id for rule in (self.photo_id, self.customer_limits) if rule.active]
        return ids

