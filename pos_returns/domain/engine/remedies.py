"""What a line may become beyond a refund to the original tender: exchange only for the identical item
(``[[exchange_only]]``), or store credit only (``[[store_credit_only]]``); and the notes for departments and
tags the policy does not name (their items fall under the default rules)."""

from __future__ import annotations

from pos_returns.i18n import N_, Text
from pos_returns.domain.money import Money, total
from pos_returns.domain.model import LineDecision, TenderAmount
from pos_returns.domain.engine.context import CONDITION_TEXT, Evaluation, LineWork, explained, most_specific

UNNAMED_RULE = "catalog.unnamed"


def line_remedies(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    unnamed(ev, work, scope["category"], scope["tags"])
    exchange_only(ev, work, scope, condition)
    store_credit_only(ev, work, scope, condition)


def unnamed(ev: Evaluation, work: LineWork, category: str, tags: frozenset[str]) -> None:
    """A department or tag the policy does not name is not refused: the default rules decide, and the line says
    so (a real till has hundreds of departments)."""
    if category and category not in ev.known_categories:
        work.ok(UNNAMED_RULE, Text(N_("Department \u201c{category}\u201d is not named in the policy: its default "
                                      "rules apply."), {"category": category}))
    unknown = sorted(t for t in tags if t not in ev.known_tags) if tags else ()
    if unknown:
        work.ok(UNNAMED_RULE, Text(N_("Tag {tags} is not known to the policy: no rule applies to it."),
                                   {"tags": ", ".join(unknown)}))


def exchange_only(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    """Items of an ``[[exchange_only]]`` rule in one of its conditions: an exchange for the same SKU is
    approved without a restocking fee; a refund (or an exchange for something else) is refused."""
    rules = ev.scoped(ev.policy.exchange_only, **scope)
    rule = most_specific(r for r in rules if condition in r.conditions) if rules else None
    if rule is None:
        return
    params = {"condition": Text(CONDITION_TEXT[condition])}
    same = sum(x.qty for x in ev.request.exchange_items if x.sku == work.sku) >= work.qty
    if ev.request.type == "exchange" and same:
        ev.even_exchange.add(work.number)
        work.ok(rule.id, explained(rule, Text(N_(
            "Exchanged for the identical item, as the policy allows for {condition} items of this kind: no "
            "restocking fee."), params)))
    else:
        work.fail(rule.id, rule.overridable, explained(rule, Text(N_(
            "When {condition}, this item can only be exchanged for the identical item (the same product); it "
            "cannot be refunded."), params)), ev.overrides)


def store_credit_only(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    """Items of a ``[[store_credit_only]]`` rule are refunded as store credit even with a receipt."""
    if ev.sale is None:  # a return without a receipt is store credit anyway
        return
    rules = ev.scoped(ev.policy.store_credit_only, **scope)
    rule = most_specific(r for r in rules if not r.conditions or condition in r.conditions) if rules else None
    if rule is None:
        return
    ev.credit_lines[work.number] = rule.id
    work.ok(rule.id, explained(rule, Text(N_("This item is refunded only as store credit, even with a receipt."))))


def credit_only_total(ev: Evaluation, decided: list[LineDecision]) -> Money:
    """What the store-credit-only lines refund (the part of the payout that is never drawn from the tenders)."""
    credit = ev.credit_lines
    return total([d.refund for d in decided if d.line in credit and d.outcome != "denied"], ev.zero)


def credit_only_part(ev: Evaluation, payout: Money) -> Money:
    """The part of ``payout`` paid as store credit because of store-credit-only lines, with the note."""
    credit = ev.credit_only.min(payout)
    if credit > ev.zero:
        rule_id = sorted(set(ev.credit_lines.values()))[0]
        ev.note(rule_id, Text(N_("{amount} is given as store credit: some items are refunded only as store "
                                 "credit."), {"amount": credit}))
    return credit


def with_credit(parts: list[TenderAmount], credit: Money) -> list[TenderAmount]:
    return parts + [TenderAmount("store_credit", credit)] if not credit.is_zero() else parts
