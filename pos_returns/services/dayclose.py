"""Day close as the manager screen does it: the totals to confirm first, then a manager's PIN, then the close.

The journal's business-day model (``storage.journal.business_day_of``): each entry records its business day, its
calendar date or, once that day was closed, the next day; so a close at noon never blocks the returns (or
training) of the afternoon; they belong to the next business day, which is the day the screen suggests next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.services import manager_view as mv
from pos_returns.services.records import ApprovalRefused
from pos_returns.storage import store as st


@dataclass(frozen=True)
class DayFigures:
    """What closing a business day would state (the same figures its closing entry will carry)."""

    day: date
    count: int
    period_total: Money
    perpetual_total: Money
    refunds_by_tender: tuple[tuple[str, Money], ...]


def business_day(db: st.Database, now: datetime) -> date:
    """The business day an entry made ``now`` belongs to (the day after the last closed one, if later)."""
    return date.fromisoformat(st.current_business_day(db.conn, now))


def preview(db: st.Database, policy, day: date) -> DayFigures:
    """The totals of business day ``day`` as they stand: what the manager confirms before closing it."""
    figures = st.day_figures(db.conn, day.isoformat())
    cur = policy.currency
    return DayFigures(day=day, count=figures["count"], period_total=Money.from_minor(figures["period_total"], cur),
                      perpetual_total=Money.from_minor(figures["perpetual_total"], cur),
                      refunds_by_tender=tuple((k, Money.from_minor(v, cur))
                                              for k, v in figures["refunds_by_tender"].items()))


def close_with_pin(counter, day: date, manager_id: str, pin: str) -> mv.DayClosed:
    """Close business day ``day`` once a manager's PIN is checked (wrong PINs count towards the lockout)."""
    member = counter.check_pin(manager_id.strip(), pin, "day_close_pin")
    if not member.is_manager:
        raise ApprovalRefused(N_("{staff_id} is not a manager and cannot close the day."), staff_id=member.id)
    return mv.close_day(counter.store, counter.policy, day, member.id, counter.clock(), register=counter.register)
