"""The item steps of a line: not returnable, condition, window (with seasonal extension and warranty), fee.

Each takes the :class:`Evaluation`, the line's :class:`LineWork` and what the item is (category, tags, SKU,
condition) and records on the line which rule decided and why.
"""

from __future__ import annotations

from datetime import date, timedelta

from pos_returns.i18n import N_, NP_, Text
from pos_returns.domain.money import Money
from pos_returns.domain.policy import PolicyRule, WarrantyRule
from pos_returns.domain.engine.context import (CONDITION_TEXT, Evaluation, LineWork, counted, explained,
                                                   most_specific, ordered_conditions, text as new_text)
from pos_returns.domain.engine.fees import restocking
from pos_returns.domain.engine.recorded import fixed_steps
from pos_returns.domain.engine.remedies import line_remedies
from pos_returns.domain.engine.windows import deadline as window_deadline, in_window_text, season_of, window_length



def item_rules(ev: Evaluation, work: LineWork, category: str, tags: frozenset[str], sku: str, condition: str,
               sold: date | None) -> None:
    scope = {"category": category, "tags": tags, "sku": sku}
    item = ev.scoped_item(category, tags, sku) if ev.memo is not None else None  # the memo's entry, found once
    fixed_steps(ev, work, scope, condition, _fixed, item)
    if sold is not None:
        window(ev, work, scope, sold, condition == "defective", item)


def _fixed(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    """The steps deciding from the item alone (recorded.fixed_steps repeats them in a replay)."""
    not_returnable(ev, work, scope, condition)
    accepted_condition(ev, work, scope, condition)
    line_remedies(ev, work, scope, condition)


def not_returnable(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    defective = condition == "defective"
    for rule in ev.scoped(ev.policy.not_returnable, **scope):
        if rule.conditions and condition not in rule.conditions:
            continue
        if rule.unless_defective and defective:
            work.ok(rule.id, explained(rule, Text(N_("Not returnable, but accepted because it is defective."))))
            continue
        if rule.conditions:
            text = Text(N_("Not returnable when {condition}."), {"condition": Text(CONDITION_TEXT[condition])})
        elif rule.unless_defective:
            text = Text(N_("Not returnable unless defective."))
        else:
            text = Text(N_("This item is not returnable."))
        work.fail(rule.id, rule.overridable, explained(rule, text), ev.overrides)


def accepted_condition(ev: Evaluation, work: LineWork, scope: dict, condition: str) -> None:
    rule = ev.most_specific(ev.scoped(ev.policy.conditions, **scope))
    if rule is not None and condition not in rule.accepted:
        accepted = [Text(CONDITION_TEXT[c]) for c in ordered_conditions(rule.accepted)]
        work.fail(rule.id, rule.overridable, explained(rule, Text(
            N_("The condition \u201c{condition}\u201d is not accepted for this item (accepted: {accepted})."),
            {"condition": Text(CONDITION_TEXT[condition]), "accepted": accepted})), ev.overrides)


def window(ev: Evaluation, work: LineWork, scope: dict, sold: date, defective: bool, item: dict | None = None
           ) -> None:
    """Within the window (or a seasonal extension): fine; after it, a defective item may fall under warranty."""
    age = (ev.today - sold).days
    memo = ev.memo
    if memo is not None:  # a replay: the same window and seasons for a sale's day, many times over a year
        if item is None:
            item = ev.scoped_item(**scope)
        rules = item.get("window")
        if rules is None:
            rules = item["window"] = _window_rules(ev, scope)
        key = (rules[2], ev.tier, sold)
        days = memo.window_days.get(key)
        if days is None:
            days = memo.window_days[key] = _window_days(ev, rules[0], rules[1], sold)
    else:
        rules = _window_rules(ev, scope)
        days = _window_days(ev, rules[0], rules[1], sold)
    rule = rules[0]
    deadline, tier, found = days
    deciding: PolicyRule = rule
    season = found[1] if found is not None else None  # (first, last buying day, returnable until)
    own_deadline = deadline
    if found is not None:
        deciding, deadline, tier = found[0], season[2], None
    if deadline is None or ev.today <= deadline:
        if season is not None:
            text = counted(NP_("Bought {age} day ago; purchases made {start} to {end} are returnable until "
                               "{until}.",
                               "Bought {age} days ago; purchases made {start} to {end} are returnable until "
                               "{until}."), "age",
                           {"age": age, "start": season[0], "end": season[1], "until": deadline})
        else:
            text = in_window_text(ev, rule, age, deadline, tier)
        work.ok(deciding.id, explained(deciding, text))
        if tier is not None:  # the tier's extra days decided too
            work.ok("tiers." + tier.name)
        if found is not None and found[0].refund_to == "store_credit" and ev.sale is not None \
                and own_deadline is not None and ev.today > own_deadline:
            ev.credit_lines[work.number] = found[0].id
            work.reasons.append(Text(N_("The return period ended on {end}; the seasonal extension refunds it as "
                                        "store credit only."), {"end": own_deadline}))
        return
    warranty = ev.most_specific(ev.scoped(ev.policy.warranties, **scope)) if defective else None
    if warranty is not None and ev.today <= sold + timedelta(days=warranty.days):
        _under_warranty(ev, work, warranty, sold, age)
        return
    text = counted(NP_("Bought {age} day ago; the return period ended on {until}.",
                       "Bought {age} days ago; the return period ended on {until}."), "age",
                   {"age": age, "until": deadline})
    work.fail(deciding.id, deciding.overridable, explained(deciding, text), ev.overrides)
    if tier is not None:
        work.ok("tiers." + tier.name)
    if warranty is not None:
        work.reasons.append(new_text(N_("The {days}-day warranty ended on {until}."),
                                     {"days": warranty.days, "until": sold + timedelta(days=warranty.days)}))


def _window_rules(ev: Evaluation, scope: dict) -> tuple:
    """(the window rule of an item, the seasonal rules that apply to it, the ids of these rules: the policy's
    own objects, alive as long as it is, so the same ids are the same rules)."""
    rule = ev.most_specific(ev.scoped(ev.policy.windows, **scope), longest=window_length)
    if rule is None:  # the validator requires a default window; this only guards direct callers
        raise ValueError("the policy has no return window for this item")
    seasonal = ev.scoped(ev.policy.seasonal, **scope)
    return rule, seasonal, (id(rule), *map(id, seasonal))


def _window_days(ev: Evaluation, rule, seasonal, sold: date) -> tuple:
    """(the window's deadline for a sale's day (None: no limit), the tier that extended it, the season that
    moves it): from the rule, the customer's tier, the seasonal rules and that day alone."""
    deadline, tier = window_deadline(ev, rule, sold)
    return deadline, tier, season_of(seasonal, sold, deadline) if seasonal else None


def _under_warranty(ev: Evaluation, work: LineWork, warranty: WarrantyRule, sold: date, age: int) -> None:
    """A defective item after the return window, within its warranty: the warranty's remedy decides."""
    until = sold + timedelta(days=warranty.days)
    params = {"days": warranty.days, "until": until, "age": age}
    if warranty.remedy == "refund":
        work.ok(warranty.id, explained(warranty, new_text(N_(
            "Defective after the return window; the {days}-day warranty (until {until}) allows a refund."),
            params)))
    elif ev.request.type == "exchange" and _exchanges_same(ev, work.sku, work.qty):
        work.ok(warranty.id, explained(warranty, new_text(N_(
            "Defective after the return window; the {days}-day warranty (until {until}) allows an "
            "exchange for the same item."), params)))
    elif warranty.remedy == "refund_or_exchange_same":
        work.ok(warranty.id, explained(warranty, new_text(N_(
            "Defective after the return window; the {days}-day warranty (until {until}) allows a refund "
            "or an exchange for the same item."), params)))
    else:
        work.fail(warranty.id, warranty.overridable, explained(warranty, new_text(N_(
            "Defective within the {days}-day warranty (until {until}): only an exchange for the same "
            "item is allowed, not a refund."), params)), ev.overrides)


def _exchanges_same(ev: Evaluation, sku: str, qty: int) -> bool:
    return sum(x.qty for x in ev.request.exchange_items if x.sku == sku) >= qty


def fee(ev: Evaluation, work: LineWork, category: str, tags: frozenset[str], sku: str, condition: str) -> Money:
    """The restocking fee of the line's item amount (``work.item``), recorded on the line."""
    age = (ev.today - ev.sale.sold_at.date()).days if ev.sale is not None else None
    scoped = ev.scoped(ev.policy.fees, category=category, tags=tags, sku=sku)
    if not scoped:
        return ev.zero
    memo = ev.memo
    if memo is not None and type(scoped) is tuple:  # a tuple the memo keeps: the same fee for the same asks
        key = (id(scoped), condition, ev.request.type, age)
        hit = memo.fee_rules.get(key)
        if hit is None or hit[0] is not scoped:
            hit = memo.fee_rules[key] = (scoped, _fee_rule(scoped, condition, ev.request.type, age))
        rule = hit[1]
    else:
        rule = _fee_rule(scoped, condition, ev.request.type, age)
    if rule is None or work.number in ev.even_exchange:
        return ev.zero
    if ev.tier is not None and ev.tier in rule.waived_for_tiers:
        work.ok(rule.id, explained(rule, new_text(N_("Restocking fee waived for {tier} customers."),
                                              {"tier": ev.tier})))
        return ev.zero
    amount, text = restocking(ev, work, rule)
    work.ok(rule.id, explained(rule, text))
    if rule.explain is None and (rule.from_day is not None or rule.to_day is not None):
        work.reasons.append(_fee_days_text(rule, age))
    return amount


def _fee_rule(rules, condition: str, request_type: str, age: int | None):
    """The most specific of an item's fee rules for this condition, kind of request and age of the sale."""
    return most_specific(r for r in rules if condition in r.conditions and r.applies(request_type, age))


def _fee_days_text(rule, age: int | None) -> Text:
    """Why this fee and not another: the days after the sale it is for."""
    params = {"age": age, "from": rule.from_day or 0, "to": rule.to_day}
    if rule.to_day is None:
        return counted(NP_("Returned {age} day after the sale: the fee from day {from} applies.",
                           "Returned {age} days after the sale: the fee from day {from} applies."), "age", params)
    if rule.from_day is None:
        return counted(NP_("Returned {age} day after the sale: the fee up to day {to} applies.",
                           "Returned {age} days after the sale: the fee up to day {to} applies."), "age", params)
    return counted(NP_("Returned {age} day after the sale: the fee for days {from} to {to} applies.",
                       "Returned {age} days after the sale: the fee for days {from} to {to} applies."),
                   "age", params)
