"""The tables of what a return may become and who must show an ID, built beside :mod:`.build`:

- ``[[exchange_only]]``: items (in the listed conditions) that may only be exchanged for the identical item;
- ``[[store_credit_only]]``: items refunded only as store credit, even with a receipt;
- ``[photo_id]``: a photo ID for every return, or above an amount;
- ``[customer_limits]``: per-customer limits for returns with a receipt (counted by the hashed ID number).

Each function takes the policy builder (its checker, scope reading and rule ids) and returns the rules.
"""

from __future__ import annotations

from typing import Any

from pos_returns.domain.policy.model import (CONDITIONS, CustomerLimitRule, ExchangeOnlyRule, PhotoIdRule,
                                                 StoreCreditOnlyRule)
from pos_returns.domain.policy.values import _bool, _choice, _choices, _count, _days

TABLE_KEYS = {
    "exchange_only": ("conditions",),
    "store_credit_only": ("conditions",),
    "photo_id": ("id", "always", "over", "overridable"),
    "customer_limits": ("id", "limit_count", "limit_value", "limit_days", "over_limit", "overridable"),
}
RULE_LISTS = ("exchange_only", "store_credit_only")
SINGLE_TABLES = ("photo_id", "customer_limits")


def build_all(b: Any) -> dict:
    """The keyword arguments of :class:`Policy` these tables give (problems recorded on ``b.c``)."""
    photo_id = _photo_id(b)
    return dict(exchange_only=tuple(_exchange_only(b)), store_credit_only=tuple(_store_credit_only(b)),
                photo_id=photo_id, customer_limits=_customer_limits(b, photo_id))


def _exchange_only(b: Any) -> list[ExchangeOnlyRule]:
    c = b.c
    rules = []
    for t, p in b.each("exchange_only"):
        base = b.common(t, p, "exchange_only", False)
        conditions = c.get(t, p, "conditions", _choices(CONDITIONS), required=True, default=())
        if "conditions" in t and not conditions and isinstance(t["conditions"], list):
            c.error(p + ("conditions",), "must list at least one condition (e.g. [\"opened\"])")
        if "defective" in conditions:
            c.error(p + ("conditions",), "a defective item falls under its warranty ([[warranty]] remedy = "
                                         "\"exchange_same\"); exchange_only is for items that are not defective")
        rules.append(ExchangeOnlyRule(**base, conditions=frozenset(conditions)))
    return rules


def _store_credit_only(b: Any) -> list[StoreCreditOnlyRule]:
    c = b.c
    rules = []
    for t, p in b.each("store_credit_only"):
        base = b.common(t, p, "store_credit_only", False)
        conditions = c.get(t, p, "conditions", _choices(CONDITIONS), default=())
        # "Refunds for opened products are issued on a refund card": conditions alone are a scope too.
        if not conditions and not any(getattr(base["scope"], key) for key in ("categories", "tags", "skus")):
            c.error(p, "names no categories, tags or skus (and no conditions): it would make every refund store "
                       "credit; name the items it is for, or the conditions (conditions = [\"opened\"])")
        rules.append(StoreCreditOnlyRule(**base, conditions=frozenset(conditions)))
    return rules


def _photo_id(b: Any) -> PhotoIdRule:
    c = b.c
    t, p = b.single("photo_id")
    always = c.get(t, p, "always", _bool, default=False)
    over = c.get(t, p, "over", b.money)
    if t and not always and over is None and "always" not in t and "over" not in t:
        c.error(p, "says neither always = true nor over = \"AMOUNT\": no ID would ever be asked")
    if always and over is not None:
        c.error(p + ("over",), "has no effect with always = true (an ID is asked for every return); "
                               "remove one of them")
    if over is not None and over == 0:
        c.error(p + ("over",), "must be above zero (write always = true for every return)")
    return PhotoIdRule(id=b.rule_id(t, p, "id.photo"), always=always, over=over,
                       overridable=c.get(t, p, "overridable", _bool, default=False))


def _customer_limits(b: Any, photo_id: PhotoIdRule) -> CustomerLimitRule:
    c = b.c
    t, p = b.single("customer_limits")
    count = c.get(t, p, "limit_count", _count)
    value = c.get(t, p, "limit_value", b.money)
    rule = CustomerLimitRule(
        id=b.rule_id(t, p, "limit.customer"), limit_count=count, limit_value=value,
        limit_days=c.get(t, p, "limit_days", _days, default=90),
        over_limit=c.get(t, p, "over_limit", _choice(("deny", "approval")), default="deny"),
        overridable=c.get(t, p, "overridable", _bool, default=False))
    if not t:
        return rule
    if count is None and value is None and "limit_count" not in t and "limit_value" not in t:
        c.error(p, "sets no limit: give limit_count (returns) or limit_value (amount), or both")
    if count == 0:
        c.error(p + ("limit_count",), "0 would refuse every return with a receipt; the limit is the most "
                                      "returns a customer may make in limit_days")
    if value is not None and value == 0:
        c.error(p + ("limit_value",), "must be above zero")
    if "limit_days" in t and rule.limit_days == 0:
        c.error(p + ("limit_days",), "must be at least 1 day")
    if not photo_id.active:
        c.error(p, "counts a customer's returns by their ID number, but no [photo_id] table asks for one; add "
                   "[photo_id] always = true (or over = \"AMOUNT\": returns below it are then not counted)")
    return rule
