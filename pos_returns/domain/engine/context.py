"""The working state of one evaluation, shared by its steps (items, receipt, no receipt, tenders).

:class:`Evaluation` holds the inputs and what the transaction as a whole has gathered so far (rule ids,
reasons, approvals, tender draws); :class:`LineWork` what one line has. Steps are functions of the
evaluation in the modules beside this one; none of them reads anything but these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Sequence, TypeVar

from pos_returns.i18n import N_, Text
from pos_returns.domain.model import Approval, PastReturn, Request, Sale, record_builder
from pos_returns.domain.engine.amounts import paid_by_line
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy, PolicyRule

if TYPE_CHECKING:
    from pos_returns.domain.engine.memo import RuleMemo

R = TypeVar("R", bound=PolicyRule)

CONDITION_TEXT = {
    "unopened": N_("unopened"),
    "opened": N_("opened"),
    "damaged": N_("damaged"),
    "defective": N_("defective"),
}


def ordered_conditions(conditions: Iterable[str]) -> list[str]:
    order = list(CONDITION_TEXT)
    return sorted(conditions, key=order.index)


def most_specific(rules: Iterable[R], longest=None) -> R | None:
    candidates = list(rules)
    if not candidates:
        return None
    key = (lambda r: (r.scope.specificity, longest(r))) if longest else (lambda r: r.scope.specificity)
    best = max(key(r) for r in candidates)
    return next(r for r in candidates if key(r) == best)


_new_text = record_builder(Text)  # Text(msgid, params, literal, plural, count), every field given


def text(msgid: str, params: dict) -> Text:
    """``Text(msgid, params)``, made without the frozen ``__setattr__`` per field (the engine's common ones)."""
    return _new_text(msgid, params, False, None, None)


def counted(forms: tuple[str, str], count: str, params: dict) -> Text:
    """``Text.counted(forms, count, params)``, made as :func:`text` is."""
    return _new_text(forms[0], params, False, forms[1], count)


def explained(rule: PolicyRule, default: Text) -> Text:
    if rule.explain:
        return _new_text(rule.explain, dict(default.params), True, None, None)
    return default


class LineWork:
    """Working state of one line being decided (a plain class with slots: an evaluation makes one per line)."""

    __slots__ = ("number", "sku", "qty", "rules", "reasons", "failures", "overridden", "item", "fee", "tax",
                 "takeback", "refund")

    def __init__(self, number: int, sku: str, qty: int):
        self.number = number
        self.sku = sku
        self.qty = qty
        self.rules: list[str] = []
        self.reasons: list[Text] = []
        self.failures: list[tuple[str, bool]] = []  # (rule id, overridable)
        self.overridden: list[str] = []
        self.item: Money | None = None
        self.fee: Money | None = None
        self.tax: Money | None = None
        self.takeback: Money | None = None
        self.refund: Money | None = None  # what it refunds, once its amounts are final (identity works it out)

    def ok(self, rule_id: str, reason: Text | None = None) -> None:
        if rule_id not in self.rules:
            self.rules.append(rule_id)
        if reason is not None:
            self.reasons.append(reason)

    def fail(self, rule_id: str, overridable: bool, reason: Text, overrides: frozenset[str]) -> None:
        self.ok(rule_id, reason)
        if overridable and rule_id in overrides:
            self.overridden.append(rule_id)
        else:
            self.failures.append((rule_id, overridable))

    @property
    def outcome(self) -> str:
        if self.failures:
            return "denied"
        if self.overridden:
            return "needs_approval"
        return "approved"


class Evaluation:
    """The inputs of one decision and what the transaction has gathered so far."""

    def __init__(self, policy: Policy, sale: Sale | None, request: Request, history: Sequence[PastReturn],
                 now: datetime, memo: "RuleMemo | None" = None):
        self.policy = policy
        self.memo = memo if memo is not None and memo.policy is policy else None
        self.sale = sale
        self.request = request
        self.history = tuple(history)
        self.now = now
        self.today = now.date()
        self.currency = policy.currency
        self.zero = memo.zero if self.memo is not None else Money.zero(self.currency)
        self.incl = policy.store.prices_include_tax
        self.region = request.region or (self.memo.region_of(request.store) if self.memo is not None
                                         else policy.region_of(request.store))
        self.tier = request.customer.tier
        self.overrides = request.overrides
        self.rules: list[str] = []
        self.reasons: list[Text] = []
        self.approvals: list[Approval] = []
        self.draws: list[tuple[int, Money]] = []
        self.tender_types = tuple([t.type for t in sale.tenders]) if sale else ()
        self.even_exchange: set[int] = set()  # lines exchanged for the identical item ([[exchange_only]])
        self.credit_lines: dict[int, str] = {}  # line -> its [[store_credit_only]] rule id
        self.credit_only = self.zero  # what those lines refund (set once the lines are decided)
        # the policy's departments and tags (sets a replay's memo keeps; the policy's tuples otherwise)
        self.known_categories = memo.categories if self.memo is not None else policy.categories
        self.known_tags = memo.tags if self.memo is not None else policy.tags
        self._paid: dict[int, tuple[Money, Money]] | None = None  # paid_by_line of the sale, once asked
        self._item: tuple | None = None  # (sku, category, tags, the memo's rule lists of that item)

    def paid(self, number: int) -> tuple[Money, Money]:
        """Sale line ``number``'s entry of :func:`~pos_returns.domain.engine.amounts.paid_by_line`: what it was
        paid and its tax, worked out once (a line alone when the sale has no sale-level discount)."""
        sale = self.sale
        if self.memo is not None and (sale.discount is None or sale.discount.is_zero()):
            line = sale.line(number)
            if line is not None:
                return self.memo.paid(line, self.incl)
        if self._paid is None:
            self._paid = paid_by_line(sale, self.incl)
        return self._paid[number]

    def money(self, amount) -> Money:
        if type(amount) is Decimal and amount.is_finite():  # the policy's own amounts; the currency is checked
            return Money._new(amount, self.currency)
        return Money(amount, self.currency)

    def over(self, amount: Money, limit) -> bool:
        """``amount > self.money(limit)``: compared on the Decimal for the policy's own amounts."""
        if type(limit) is Decimal and type(amount) is Money and amount.currency == self.currency \
                and limit.is_finite():
            return amount.amount > limit
        return amount > self.money(limit)

    # -- transaction-level notes
    def note(self, rule_id: str, reason: Text | None = None) -> None:
        if rule_id not in self.rules:
            self.rules.append(rule_id)
        if reason is not None:
            self.reasons.append(reason)

    def approval(self, rule_id: str, reason: Text) -> None:
        if all(a.rule != rule_id for a in self.approvals):
            self.approvals.append(Approval(rule_id, reason))

    def most_specific(self, rules: Iterable[R], longest=None) -> R | None:
        """:func:`most_specific`; of rules :meth:`scoped` gave from the memo, found once per policy."""
        if self.memo is not None and type(rules) is tuple:
            return self.memo.most_specific(rules, longest)
        return most_specific(rules, longest)

    def scoped_item(self, category: str, tags: Iterable[str], sku: str) -> dict:
        """The memo's entry of an item for this customer, sale and region (:meth:`RuleMemo.item`); only with a
        memo. A line asks for a dozen of the policy's rule lists about one item: the entry is found once."""
        item = self._item
        if item is None or item[0] != sku or item[1] != category or (item[2] is not tags and item[2] != tags):
            item = self._item = (sku, category, tags, self.memo.item(category, tags, sku, self.tier,  # type: ignore
                                                                      self.tender_types, self.region))
        return item[3]

    def scoped(self, rules: Iterable[R], *, category: str, tags: Iterable[str], sku: str) -> list[R]:
        memo = self.memo
        if memo is not None and type(rules) is tuple:
            found = self.scoped_item(category, tags, sku).get(id(rules))
            return found if found is not None else memo.scoped(rules, category, tags, sku, self.tier,
                                                               self.tender_types, self.region)
        return [r for r in rules if r.scope.matches(category=category, tags=tags, sku=sku, tier=self.tier,
                                                     tenders=self.tender_types, region=self.region)]
