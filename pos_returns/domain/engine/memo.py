"""What one policy decides the same for every case: which of its rules apply to an item.

A replay evaluates a year of returns under one policy; most of them are of a few hundred SKUs, so the same
(category, tags, SKU, tier, tenders, region) is matched against the same rule lists again and again.
:class:`RuleMemo` keeps, for one policy, the rules of each list that apply to each such item. It is the
caller's (``evaluate(..., memo=RuleMemo(policy))``), lives as long as the caller keeps it, and changes no
result: the rules kept are exactly those :meth:`Scope.matches` selects, in policy order.
"""

from __future__ import annotations

from typing import Iterable

from pos_returns.domain.policy import Policy


class RuleMemo:
    def __init__(self, policy: Policy):
        self.policy = policy
        self._scoped: dict[tuple, tuple] = {}
        self._best: dict[tuple, tuple] = {}  # (id of a tuple scoped() made, longest) -> (that tuple, its best)

    def scoped(self, rules: tuple, category: str, tags: Iterable[str], sku: str, tier: str | None,
               tenders: tuple[str, ...], region: str | None) -> tuple:
        # id(rules): one of the policy's own rule tuples, alive as long as self.policy
        key = (id(rules), category, tags if isinstance(tags, frozenset) else frozenset(tags), sku, tier, tenders,
               region)
        found = self._scoped.get(key)
        if found is None:
            found = self._scoped[key] = tuple(r for r in rules if r.scope.matches(
                category=category, tags=tags, sku=sku, tier=tier, tenders=tenders, region=region))
        return found

    def most_specific(self, rules: tuple, longest=None):
        """``context.most_specific(rules, longest)`` of a tuple :meth:`scoped` returned, found once."""
        key = (id(rules), longest)
        hit = self._best.get(key)
        if hit is None or hit[0] is not rules:  # the tuple itself is kept with it: an id is never reused here
            from pos_returns.domain.engine.context import most_specific
            hit = self._best[key] = (rules, most_specific(rules, longest))
        return hit[1]
