"""The live policy as readable rules: id, kind, scope and a plain explanation, in any interface language."""

from __future__ import annotations

from dataclasses import dataclass

from pos_returns.i18n import N_, NP_, Percent, Text, render
from pos_returns.domain.money import Money
from pos_returns.domain.engine import CONDITION_TEXT
from pos_returns.domain.policy import (CONDITIONS, ConditionRule, FeeRule, NotReturnableRule, Policy, PolicyRule, Scope,
                                       SeasonalRule, WarrantyRule, WindowRule)

KIND = {
    WindowRule: N_("Return window"), SeasonalRule: N_("Seasonal extension"), NotReturnableRule: N_("Not returnable"),
    ConditionRule: N_("Accepted conditions"), FeeRule: N_("Restocking fee"),
    WarrantyRule: N_("Warranty for defective items"),
}
REASON_TEXT = {
    "changed_mind": N_("Changed mind"), "wrong_size": N_("Wrong size"), "defective": N_("Defective"),
    "not_as_described": N_("Not as described"), "damaged_in_transit": N_("Damaged in transit"),
    "unwanted_gift": N_("Unwanted gift"), "no_receipt": N_("No receipt"), "better_price": N_("Found a better price"), "other": N_("Other"),
}
APPROVAL_CODE_TEXT = {
    "customer_satisfaction": N_("Customer satisfaction"), "defect_confirmed": N_("Defect confirmed"),
    "pricing_error": N_("Pricing error"), "loyal_customer": N_("Loyal customer"),
    "policy_exception": N_("Policy exception"), "other": N_("Other"),
}


def code_label(code: str, lang: str, table: dict[str, str] | None = None) -> str:
    """A reason or approval code in words (codes the policy adds itself are shown as written)."""
    for mapping in ((table,) if table else (REASON_TEXT, APPROVAL_CODE_TEXT)):
        if code in mapping:
            return render(Text(mapping[code]), lang)
    return code.replace("_", " ")


REMEDY = {"refund": N_("refund"), "exchange_same": N_("exchange for the same item only"),
          "refund_or_exchange_same": N_("refund or exchange for the same item")}


@dataclass(frozen=True)
class RuleRow:
    id: str
    kind: str
    scope: str
    explanation: str
    overridable: bool


def _scope(scope: Scope, lang: str, policy: Policy | None = None) -> str:
    def named(values, kind: str) -> list[str]:
        if kind == "tenders":
            from pos_returns.domain.labels import TENDER_LABELS
            return sorted(render(Text(TENDER_LABELS[v]), lang) if v in TENDER_LABELS else v for v in values)
        if kind in ("skus", "regions") or policy is None:
            return sorted(values)
        return sorted(policy.label(v, lang) or v for v in values)  # the policy's own names, per language

    parts = []
    for label, values, kind in ((N_("categories"), scope.categories, "categories"), (N_("tags"), scope.tags, "tags"),
                                (N_("SKUs"), scope.skus, "skus"), (N_("customer tiers"), scope.tiers, "tiers"),
                                (N_("tenders"), scope.tenders, "tenders"), (N_("regions"), scope.regions, "regions")):
        if values:
            parts.append(f"{render(Text(label), lang)}: {', '.join(named(values, kind))}")
    if scope.exclude_regions:
        parts.append(render(Text(N_("not in {regions}"), {"regions": ", ".join(sorted(scope.exclude_regions))}), lang))
    if scope.exclude_categories:
        parts.append(render(Text(N_("except categories {categories}"),
                                 {"categories": ", ".join(sorted(scope.exclude_categories))}), lang))
    if scope.exclude_tags:
        parts.append(render(Text(N_("except items tagged {tags}"), {"tags": ", ".join(sorted(scope.exclude_tags))}), lang))
    return "; ".join(parts) or render(Text(N_("everything")), lang)


def _conditions(conditions) -> list[Text]:
    return [Text(CONDITION_TEXT[c]) for c in CONDITIONS if c in conditions]


def _explain(rule: PolicyRule, policy: Policy) -> Text:
    money = lambda v: Money(v, policy.currency)  # noqa: E731
    if isinstance(rule, WindowRule):
        if rule.unlimited:
            return Text(N_("Returnable at any time (no time limit)."))
        return Text(N_("Returnable within {days} days of the sale (the last day counts)."), {"days": rule.days})
    if isinstance(rule, SeasonalRule):
        params = {"start": rule.bought_from, "end": rule.bought_to, "until": rule.returnable_until}
        if rule.refund_to == "store_credit":
            if rule.recurring:
                return Text(N_("Every year, bought from {start} to {end}: returnable until {until} (of the next "
                               "year when that comes first); after the item's own return period, as store credit "
                               "only."), params)
            return Text(N_("Bought from {start} to {end}: returnable until {until}; after the item's own return "
                           "period, as store credit only."), params)
        if rule.recurring:
            return Text(N_("Every year, bought from {start} to {end}: returnable until {until} (of the next year "
                           "when that comes first)."), params)
        return Text(N_("Bought from {start} to {end}: returnable until {until}."), params)
    if isinstance(rule, NotReturnableRule):
        text = N_("Not returnable unless defective.") if rule.unless_defective else N_("Not returnable.")
        if rule.conditions:
            text = N_("Not returnable when {conditions}, unless defective.") if rule.unless_defective else \
                N_("Not returnable when {conditions}.")
        return Text(text, {"conditions": _conditions(rule.conditions)})
    if isinstance(rule, ConditionRule):
        return Text(N_("Accepted conditions: {conditions}."), {"conditions": _conditions(rule.accepted)})
    if isinstance(rule, FeeRule):
        params = {"percent": Percent(rule.percent), "conditions": _conditions(rule.conditions),
                  "amount": money(rule.amount if rule.amount is not None else 0)}
        text = Text(N_("Restocking fee of {percent} of the price paid, for items that are: {conditions}."), params)
        if rule.amount is not None:
            text = Text(N_("Restocking fee of {amount} per item, never more than its price, for items that are: "
                           "{conditions}."), params)
        extra = []
        if rule.minimum is not None:
            extra.append(Text(N_("at least {amount} per item"), {"amount": money(rule.minimum)}))
        if rule.maximum is not None:
            extra.append(Text(N_("at most {amount} per item"), {"amount": money(rule.maximum)}))
        if rule.waived_for_tiers:
            extra.append(Text(N_("waived for {tiers}"), {"tiers": ", ".join(sorted(rule.waived_for_tiers))}))
        if rule.from_day is not None or rule.to_day is not None:
            days = {"from": rule.from_day or 0, "to": rule.to_day}
            extra.append(Text(N_("from day {from} after the sale"), days) if rule.to_day is None else
                         Text(N_("up to day {to} after the sale"), days) if rule.from_day is None else
                         Text(N_("days {from} to {to} after the sale"), days))
        if rule.request is not None:
            extra.append(Text(N_("on returns only") if rule.request == "return" else N_("on exchanges only")))
        if extra:
            return Text("{main} ({extra})", {"main": text, "extra": extra}, literal=True)
        return text
    if isinstance(rule, WarrantyRule):
        return Text(N_("Defective items within {days} days of the sale: {remedy}."),
                    {"days": rule.days, "remedy": Text(REMEDY[rule.remedy])})
    return Text(rule.id, literal=True)


def chain_rows(policy: Policy, lang: str) -> list[RuleRow]:
    """The chain the policy serves and what each tier adds on every window."""
    rows = []
    everything = render(Text(N_("everything")), lang)
    chain = policy.chain
    if chain is not None:
        regions = dict(chain.store_regions)
        stores = [f"{s} ({regions[s]})" if s in regions else s for s in chain.stores]
        text = Text(N_("Serves the stores {stores} of chain {chain}."), {"stores": ", ".join(stores),
                                                                          "chain": chain.name or chain.id}) \
            if stores else Text(N_("Serves any store of chain {chain}."), {"chain": chain.name or chain.id})
        if chain.regions:
            text = Text("{main} {extra}", {"main": text, "extra": Text(N_("Regions: {regions}."), {
                "regions": ", ".join(chain.regions)})}, literal=True)
        rows.append(RuleRow("chain." + chain.id, render(Text(N_("Chain")), lang), everything,
                            render(text, lang, policy.store.locale), False))
    for tier in policy.tier_profiles:
        rows.append(RuleRow("tiers." + tier.name, render(Text(N_("Customer tier")), lang),
                            _scope(Scope(tiers=frozenset({tier.name})), lang),
                            render(Text.counted(NP_("{extra} more day on every return window that does not name "
                                                    "a tier.", "{extra} more days on every return window that "
                                                    "does not name a tier."), "extra", {"extra": tier.extra_days}),
                                   lang, policy.store.locale), False))
    return rows


def _own_wording(rule: PolicyRule, lang: str, policy: Policy) -> str:
    """A manager's ``explain`` as the policy view shows it: {days} is the rule's; what only a return knows
    ({age}, {until}, ...) reads as an ellipsis, never as a raw placeholder."""
    import string
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(rule.explain) if name}
    except ValueError:
        return rule.explain  # stray braces: as written
    params: dict = {name: "\u2026" for name in fields}
    if getattr(rule, "days", None) is not None:
        params["days"] = rule.days
    return render(Text(rule.explain, params, literal=True), lang, policy.store.locale)


def describe(policy: Policy, lang: str) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for group in (policy.windows, policy.seasonal, policy.not_returnable, policy.conditions, policy.fees,
                  policy.warranties):
        for rule in group:
            explanation = render(_explain(rule, policy), lang, policy.store.locale)
            if rule.explain:
                explanation += " \u2014 \u201c" + _own_wording(rule, lang, policy) + "\u201d"
            rows.append(RuleRow(rule.id, render(Text(KIND[type(rule)]), lang), _scope(rule.scope, lang, policy),
                                explanation, rule.overridable))
    nr = policy.no_receipt
    if nr.allowed:
        params = {"days": nr.lookback_days}
        text = render(Text(N_("Without a receipt: store credit at the lowest price of the last {days} days."), params),
                      lang, policy.store.locale)
        if nr.limit_count is not None or nr.limit_value is not None:
            text += " " + render(Text(N_("Limits per customer in {days} days: {count} returns, {value}."),
                                      {"days": nr.limit_days, "count": nr.limit_count if nr.limit_count is not None
                                       else "\u2014", "value": policy.money(nr.limit_value) or "\u2014"}),
                                 lang, policy.store.locale)
        if nr.unknown_sku == "manager_price":
            text += " " + render(Text(N_("An item the store has not sold in that time: at the price a manager "
                                         "states and approves.")), lang)
        else:
            text += " " + render(Text(N_("An item the store has not sold in that time is not taken back.")), lang)
    else:
        text = render(Text(N_("Returns without a receipt are not accepted.")), lang)
    rows.append(RuleRow(nr.id, render(Text(N_("No receipt")), lang), render(Text(N_("everything")), lang), text,
                        nr.overridable))
    t = policy.tenders
    text = render(Text(N_("Refunds go back to the original tenders in this order: {order}."),
                       {"order": ", ".join(t.refund_order)}), lang)
    if t.cash_limit is not None:
        text += " " + render(Text(N_("Cash refunds over {limit} need a manager."),
                                  {"limit": policy.money(t.cash_limit)}), lang, policy.store.locale)
    rows.append(RuleRow(t.id, render(Text(N_("Tenders")), lang), render(Text(N_("everything")), lang), text,
                        t.overridable))
    everything = render(Text(N_("everything")), lang)
    gift = N_("Gift receipt: the refund is given as store credit.") if policy.gift_receipt.refund_to == \
        "store_credit" else N_("Gift receipt: refunded to the original tenders.")
    rows.append(RuleRow(policy.gift_receipt.id, render(Text(N_("Gift receipt")), lang), everything,
                        render(Text(gift), lang), False))
    mailed = policy.mailed_check
    parts = []
    if mailed.cash_over is not None:
        parts.append(render(Text(N_("Cash refunds over {limit} are paid by a check mailed from head office."),
                                 {"limit": policy.money(mailed.cash_over)}), lang, policy.store.locale))
    if mailed.refund_over is not None:
        parts.append(render(Text(N_("Refunds over {limit} are paid by a check mailed from head office, whatever "
                                    "the tender."), {"limit": policy.money(mailed.refund_over)}),
                            lang, policy.store.locale))
    if mailed.check_purchase_over is not None:
        parts.append(render(Text(N_("Refunds of check purchases over {limit} are paid by a check mailed from "
                                    "head office."), {"limit": policy.money(mailed.check_purchase_over)}),
                            lang, policy.store.locale))
    rows.append(RuleRow(mailed.id, render(Text(N_("Mailed check")), lang), everything,
                        " ".join(parts) or "\u2014", False))
    promo = N_("Returning part of a promotion takes back the discount the kept items no longer earn.") \
        if policy.promotions.take_back else N_("Promotions: no discount is taken back on a partial return.")
    rows.append(RuleRow(policy.promotions.id, render(Text(N_("Promotions")), lang), everything,
                        render(Text(promo), lang), False))
    rows.append(RuleRow(policy.serial.id, render(Text(N_("Serial numbers")), lang),
                        _scope(Scope(tags=policy.serial.tags), lang, policy),
                        render(Text(N_("The serial number must match the one sold.")), lang), False))
    rows.extend(chain_rows(policy, lang))
    if policy.approval.refund_over is not None:
        rows.append(RuleRow(policy.approval.id, render(Text(N_("Manager approval")), lang),
                            render(Text(N_("everything")), lang),
                            render(Text(N_("Refunds over {limit} need a manager."),
                                        {"limit": policy.money(policy.approval.refund_over)}), lang,
                                   policy.store.locale), False))
    rows += remedy_rows(policy, lang)
    return rows


def remedy_rows(policy: Policy, lang: str) -> list[RuleRow]:
    """Exchange only, store credit only, photo ID and per-customer limits, as readable rules."""
    loc = policy.store.locale
    rows = []
    for rule in policy.exchange_only:
        text = render(Text(N_("When {conditions}: only an exchange for the identical item (the same product), "
                              "without a restocking fee; no refund."),
                           {"conditions": _conditions(rule.conditions)}), lang, loc)
        rows.append(_row(rule, N_("Exchange only"), text, lang))
    for rule in policy.store_credit_only:
        if rule.conditions:
            text = Text(N_("When {conditions}: refunded only as store credit, even with a receipt."),
                        {"conditions": _conditions(rule.conditions)})
        else:
            text = Text(N_("Refunded only as store credit, even with a receipt."))
        rows.append(_row(rule, N_("Store credit only"), render(text, lang, loc), lang))
    everything = render(Text(N_("everything")), lang)
    photo = policy.photo_id
    if photo.active:
        text = Text(N_("A photo ID is checked for every return.")) if photo.always else \
            Text(N_("A photo ID is checked for refunds over {limit}."), {"limit": policy.money(photo.over)})
        rows.append(RuleRow(photo.id, render(Text(N_("Photo ID")), lang), everything, render(text, lang, loc),
                            photo.overridable))
    lim = policy.customer_limits
    if lim.active:
        params = {"days": lim.limit_days, "count": lim.limit_count, "value": policy.money(lim.limit_value)}
        if lim.limit_count is not None and lim.limit_value is not None:
            msgid = N_("Returns with a receipt, per customer (by ID) in {days} days: at most {count} returns and "
                       "{value} in all.")
        elif lim.limit_count is not None:
            msgid = N_("Returns with a receipt, per customer (by ID) in {days} days: at most {count} returns.")
        else:
            msgid = N_("Returns with a receipt, per customer (by ID) in {days} days: at most {value} in all.")
        text = render(Text(msgid, params), lang, loc)
        text += " " + render(Text(N_("Over the limit a manager must approve.") if lim.over_limit == "approval"
                                  else N_("Over the limit the return is refused.")), lang)
        rows.append(RuleRow(lim.id, render(Text(N_("Customer limits")), lang), everything, text,
                            lim.overridable))
    return rows


def _row(rule: PolicyRule, kind: str, text: str, lang: str) -> RuleRow:
    if rule.explain:
        text += " \u2014 \u201c" + rule.explain + "\u201d"
    return RuleRow(rule.id, render(Text(kind), lang), _scope(rule.scope, lang), text, rule.overridable)
