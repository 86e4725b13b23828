"""The item steps that depend on nothing but the item, its condition and the request's kind, done once per policy
and item for a replay and then repeated.

Not returnable, accepted condition, exchange only, store credit only and the notes for unnamed departments and
tags decide a line from what the item is (department, tags, SKU, with the customer's tier, the sale's tenders and
the region), its condition, the overrides asked for, whether the request exchanges it for the identical item and
whether there is a sale: never from dates or amounts. With a :class:`~pos_returns.domain.engine.memo.RuleMemo`
(a replay decides a year of returns under one policy) the first line of such an item is decided by the steps
themselves on a line that notes each call made to it; every later one gets the same calls, in the same order
(``ok`` and ``fail`` of :class:`LineWork` are all these steps do to a line), and the same marks on the
evaluation (exchanged for the identical item, refunded as store credit only). The rule memo's own comment says
why this changes no result; tests/test_whatif_fast.py compares every journaled decision with and without it.
"""

from __future__ import annotations

from typing import Callable

from pos_returns.i18n import Text
from pos_returns.domain.engine.context import Evaluation, LineWork


class _Noted(LineWork):
    """A line that notes the calls the steps make to it (and keeps nothing else: the steps never read it)."""

    def __init__(self, number: int, sku: str, qty: int):
        super().__init__(number, sku, qty)
        self.calls: list[tuple[str, bool | None, Text | None]] = []

    def ok(self, rule_id: str, reason: Text | None = None) -> None:
        self.calls.append((rule_id, None, reason))

    def fail(self, rule_id: str, overridable: bool, reason: Text, overrides: frozenset[str]) -> None:
        self.calls.append((rule_id, overridable, reason))


def fixed_steps(ev: Evaluation, work: LineWork, scope: dict, condition: str,
                steps: Callable[[Evaluation, LineWork, dict, str], None], item: dict | None = None) -> None:
    """``steps(ev, work, scope, condition)``, or with the evaluation's memo what it did to the first such line
    (``item``: the memo's entry of the item, when the caller has it)."""
    if ev.memo is None or type(work) is not LineWork:
        steps(ev, work, scope, condition)
        return
    request = ev.request
    identical = request.type == "exchange" and \
        sum(x.qty for x in request.exchange_items if x.sku == work.sku) >= work.qty
    if item is None:
        item = ev.scoped_item(**scope)
    key = ("fixed steps", condition, ev.overrides, identical, ev.sale is None, work.sku)
    done = item.get(key)
    number = work.number
    if done is None:
        if number in ev.even_exchange or number in ev.credit_lines:  # not a fresh line: decided without the memo
            steps(ev, work, scope, condition)
            return
        noted = _Noted(number, work.sku, work.qty)
        steps(ev, noted, scope, condition)
        done = item[key] = (tuple(noted.calls), number in ev.even_exchange, ev.credit_lines.get(number))
        _repeat(ev, work, done, marks=False)
        return
    _repeat(ev, work, done, marks=True)


def _repeat(ev: Evaluation, work: LineWork, done: tuple, marks: bool) -> None:
    calls, even, credit = done
    for rule_id, overridable, reason in calls:
        if overridable is None:
            work.ok(rule_id, reason)
        else:
            work.fail(rule_id, overridable, reason, ev.overrides)  # type: ignore[arg-type]
    if marks:
        if even:
            ev.even_exchange.add(work.number)
        if credit is not None:
            ev.credit_lines[work.number] = credit
