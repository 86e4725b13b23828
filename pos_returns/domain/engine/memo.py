"""What one policy decides the same for every case: which of its rules apply to an item.

A replay evaluates a year of returns under one policy; most of them are of a few hundred SKUs, so the same
(category, tags, SKU, tier, tenders, region) is matched against the same rule lists again and again.
:class:`RuleMemo` keeps, for one policy, the rules of each list that apply to each such item. It is the
caller's (``evaluate(..., memo=RuleMemo(policy))``), lives as long as the caller keeps it, and changes no
result: the rules kept are exactly those :meth:`Scope.matches` selects, in policy order.

It also keeps what follows from those rules alone: an item's window and seasonal rules (in the item's entry),
a window's deadline and season per (those rules, tier, day sold), the fee rule per (an item's fee rules,
condition, kind of request, days since the sale), and the policy's VersionRef, zero, regions and refund order.
Each is keyed by everything its step reads (tests/test_engine_fast.py and tests/test_whatif_fast.py hold them
to the decisions made without the memo).
"""

from __future__ import annotations

from typing import Iterable

from pos_returns.domain.engine.amounts import line_paid
from pos_returns.domain.model import SaleLine
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy

_KEEP = 100_000  # sale lines whose amounts are kept (a year of returns has fewer distinct ones)


class RuleMemo:
    def __init__(self, policy: Policy):
        self.policy = policy
        self._items: dict[tuple, dict[int, tuple]] = {}  # an item -> id of a rule tuple -> its rules that apply
        self.categories = frozenset(policy.categories)
        self.tags = frozenset(policy.tags)
        self._paid: dict[int, tuple] = {}  # id of a sale line -> (that line, prices include tax, what it paid)
        self._best: dict[tuple, tuple] = {}  # (id of a tuple scoped() made, longest) -> (that tuple, its best)
        from pos_returns.domain.engine.evaluation import version_ref
        self.version = version_ref(policy)  # the VersionRef every decision under the policy names
        # (ids of a window rule and its seasonal rules, tier, day sold) -> (deadline, tier, season)
        self.window_days: dict[tuple, tuple] = {}
        # (id of a fee tuple scoped() made, condition, request type, days since the sale) -> (that tuple, its fee)
        self.fee_rules: dict[tuple, tuple] = {}
        self._regions: dict[str | None, str | None] = {}  # a case's store -> policy.region_of(it)
        self.zero = Money.zero(policy.currency)
        self.refund_rank = {t: i for i, t in enumerate(policy.tenders.refund_order)}  # tender type -> its rank

    def region_of(self, store: str | None) -> str | None:
        """``policy.region_of(store)``, found once per store."""
        try:
            return self._regions[store]
        except KeyError:
            region = self._regions[store] = self.policy.region_of(store)
            return region

    def item(self, category: str, tags: Iterable[str], sku: str, tier: str | None, tenders: tuple[str, ...],
             region: str | None) -> dict[int, tuple]:
        """The rule lists already matched for one item: id of a policy rule tuple -> the rules of it that apply
        (:meth:`scoped` fills it)."""
        key = (category, tags if isinstance(tags, frozenset) else frozenset(tags), sku, tier, tenders, region)
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = {}
        return found

    def scoped(self, rules: tuple, category: str, tags: Iterable[str], sku: str, tier: str | None,
               tenders: tuple[str, ...], region: str | None) -> tuple:
        # id(rules): one of the policy's own rule tuples, alive as long as self.policy
        item = self.item(category, tags, sku, tier, tenders, region)
        found = item.get(id(rules))
        if found is None:
            found = item[id(rules)] = tuple(r for r in rules if r.scope.matches(
                category=category, tags=tags, sku=sku, tier=tier, tenders=tenders, region=region))
        return found

    def paid(self, line: SaleLine, prices_include_tax: bool) -> tuple[Money, Money]:
        """``amounts.line_paid`` of a sale line (the case reader hands out one object for a line that recurs)."""
        hit = self._paid.get(id(line))
        if hit is None or hit[0] is not line or hit[1] is not prices_include_tax:  # the line is kept with it
            if len(self._paid) >= _KEEP:
                self._paid.clear()
            hit = self._paid[id(line)] = (line, prices_include_tax, line_paid(line, prices_include_tax))
        return hit[2]

    def most_specific(self, rules: tuple, longest=None):
        """``context.most_specific(rules, longest)`` of a tuple :meth:`scoped` returned, found once."""
        key = (id(rules), longest)
        hit = self._best.get(key)
        if hit is None or hit[0] is not rules:  # the tuple itself is kept with it: an id is never reused here
            from pos_returns.domain.engine.context import most_specific
            hit = self._best[key] = (rules, most_specific(rules, longest))
        return hit[1]
