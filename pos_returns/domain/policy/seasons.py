"""Seasonal rules' dates: one season with dates of one year, or a season that recurs every year.

A recurring season is written with days of every year (``bought_from = "10-27"``, ``bought_to = "12-31"``,
``returnable_until = "01-14"``): bought in any year's season, returnable until the first such
``returnable_until`` on or after the season's last buying day (so a January deadline falls in the next
year). The buying period may itself wrap over the new year (``"11-15"`` to ``"01-05"``).
"""

from __future__ import annotations

from datetime import date, timedelta

from pos_returns.domain.policy.model import MonthDay, SeasonalRule
from pos_returns.domain.policy.values import PolicyChecker, _season_day

_KEYS = ("bought_from", "bought_to", "returnable_until")


def season_dates(c: PolicyChecker, t: dict, p: tuple) -> tuple | None:
    """The three dates of a ``[[seasonal]]`` table, checked; None after recording a problem."""
    values = [c.get(t, p, key, _season_day, required=True) for key in _KEYS]
    if any(v is None for v in values):
        return None
    start, end, until = values
    kinds = [isinstance(v, MonthDay) for v in values]
    if len(set(kinds)) > 1:
        odd = _KEYS[kinds.index(not kinds[0])] if kinds.count(kinds[0]) > 1 else _KEYS[0]
        c.error(p + (odd,), "write all three dates the same way: dates of one year (2026-10-27, no quotes) "
                            "or days of every year (\"10-27\", in quotes)")
        return None
    if not kinds[0]:
        if start > end:
            c.error(p + ("bought_to",), f"the period ends ({end}) before it starts ({start})")
            return None
        if until < end:
            c.error(p + ("returnable_until",), f"{until} is before the end of the buying period ({end})")
            return None
        return start, end, until
    if _inside(until, start, end) and until != end:
        c.error(p + ("returnable_until",), f"{until} falls inside the buying period {start}..{end}; the returns "
                                           f"of a season end on or after its last buying day")
        return None
    return start, end, until


def _inside(day: MonthDay, start: MonthDay, end: MonthDay) -> bool:
    """Whether a day of the year lies in start..end, which may wrap over the new year."""
    if start.key() <= end.key():
        return start.key() <= day.key() <= end.key()
    return day.key() >= start.key() or day.key() <= end.key()


def seasons_overlap(a: SeasonalRule, b: SeasonalRule) -> bool:
    """Whether some day falls in the buying periods of both rules."""
    if not a.recurring and not b.recurring:
        return a.bought_from <= b.bought_to and b.bought_from <= a.bought_to  # type: ignore[operator]
    fixed = a if not a.recurring else b if not b.recurring else None
    if fixed is None:  # two recurring seasons: compare over two years (a season may wrap)
        first, days = date(2001, 1, 1), 730
    else:  # a season of one year against a recurring one: a year and a bit of the dated one is enough
        first = fixed.bought_from  # type: ignore[assignment]
        days = min((fixed.bought_to - fixed.bought_from).days, 400)  # type: ignore[operator]
    return any(a.period_of(first + timedelta(days=i)) and b.period_of(first + timedelta(days=i))
               for i in range(days + 1))
