"""How long an item's window runs: its days (or no limit), a tier's extra days, a season that may recur.

:func:`window_length` ranks windows of equal specificity (an unlimited one is the longest);
:func:`deadline` is the last day of a window for this customer (None: no limit) with the tier that extended
it; :func:`season_of` the seasonal rule, and its dates, that moves a deadline later; :func:`in_window_text`
the sentence the cashier reads when the item is inside its window.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from pos_returns.i18n import NP_, Text
from pos_returns.domain.policy import MAX_DAYS, SeasonalRule, TierProfile, WindowRule
from pos_returns.domain.engine.context import Evaluation, counted


def window_length(rule: WindowRule) -> int:
    return MAX_DAYS + 1 if rule.unlimited else rule.days


def tier_extension(ev: Evaluation, rule: WindowRule) -> TierProfile | None:
    """The customer's tier's extra days for this window: every limited window that does not itself name
    tiers (a tier's own window is already that tier's)."""
    if rule.unlimited or rule.scope.tiers or ev.tier is None:
        return None
    return next((t for t in ev.policy.tier_profiles if t.name == ev.tier and t.extra_days), None)


def deadline(ev: Evaluation, rule: WindowRule, sold: date) -> tuple[date | None, TierProfile | None]:
    if rule.unlimited:
        return None, None
    tier = tier_extension(ev, rule)
    return sold + timedelta(days=rule.days + (tier.extra_days if tier else 0)), tier


def season_of(rules: Iterable[SeasonalRule], sold: date, until: date | None
              ) -> tuple[SeasonalRule, tuple[date, date, date]] | None:
    """The seasonal rule whose season holds ``sold`` and ends latest after ``until`` (None: no limit, so
    no season can extend it)."""
    best = None
    if until is None:
        return None
    for rule in rules:
        period = rule.period_of(sold)
        if period is not None and period[2] > until:
            until, best = period[2], (rule, period)
    return best


def in_window_text(ev: Evaluation, rule: WindowRule, age: int, until: date | None,
                   tier: TierProfile | None) -> Text:
    if until is None:
        return counted(NP_("Bought {age} day ago; returnable at any time (no time limit).",
                           "Bought {age} days ago; returnable at any time (no time limit)."), "age",
                       {"age": age})
    if tier is not None:
        return counted(NP_("Bought {age} day ago; returnable within {days} days plus {extra} days for "
                           "{tier} customers, until {until}.",
                           "Bought {age} days ago; returnable within {days} days plus {extra} days for "
                           "{tier} customers, until {until}."), "age",
                       {"age": age, "days": rule.days, "extra": tier.extra_days, "tier": tier.name,
                        "until": until})
    return counted(NP_("Bought {age} day ago; returnable within {days} days, until {until}.",
                       "Bought {age} days ago; returnable within {days} days, until {until}."),
                   "age", {"age": age, "days": rule.days, "until": until})
