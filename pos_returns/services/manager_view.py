"""Use-cases of the manager screens: reports, exceptions, complaints, what-if, day close, training cards.

Each takes the open database (a :data:`pos_returns.services.session.Database`) and the clock's "now" or the day
from the caller, so the screens never reach storage and never read the wall clock themselves.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.manager import reports as mg
from pos_returns.manager import training
from pos_returns.manager.versions import VersionSummary, version_summary  # noqa: F401 - the what-if's versions
from pos_returns.storage import store as st

Report = mg.Report
WhatIf = mg.WhatIf
StaffFigures = mg.StaffFigures
Card = training.Card
Verdict = training.Verdict

COMPLAINT_DAYS = 90  # the complaints list shows this many days back


def default_period(today: date) -> tuple[date, date]:
    """The period a report screen opens with: the last 30 days up to today."""
    return today - timedelta(days=30), today


def period(kind: str, start: date, end: date) -> tuple[date, date]:
    """The report period a picker means: the day ``end``, the week or the month up to it, or start..end."""
    if kind == "day":
        return end, end
    if kind == "week":
        return end - timedelta(days=6), end
    if kind == "month":  # the calendar month the chosen day is in, first to last day
        return month_of(end)
    return min(start, end), end


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s calendar month."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period_label(kind: str, start: date, end: date, lang: str) -> str:
    """The period a report covers, in the reader's language: "November 2026", a day, or "first - last"."""
    from babel.dates import format_date, format_skeleton
    from pos_returns import i18n
    loc = i18n.LANGUAGES[i18n.normalize_language(lang)]
    if kind == "month" and (start, end) == month_of(end):
        return format_skeleton("yMMMM", end, locale=loc)
    if start == end:
        return format_date(end, format="long", locale=loc)
    return f"{format_date(start, format='long', locale=loc)} \u2013 {format_date(end, format='long', locale=loc)}"


def report(db: st.Database, policy: Policy, start: date, end: date) -> Report:
    return mg.build_report(db, policy, start, end)


def report_csv(result: Report) -> str:
    return mg.report_csv(result)


def save_report_csv(result: Report, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(mg.report_csv(result), encoding="utf-8")
    return path


def save_report_pdf(result: Report, policy: Policy, lang: str, path: str | Path) -> Path:
    from pos_returns.documents.reports_pdf import report_pdf
    path = Path(path)
    path.write_bytes(report_pdf(result, policy, lang))
    return path


def exceptions(db: st.Database, policy: Policy, start: date, end: date) -> list[StaffFigures]:
    return mg.exception_report(db, policy, start, end)


def what_if(db: st.Database, new_policy: Policy, progress: Callable[[int, int], None] | None = None,
            workers: int | None = None) -> WhatIf:
    """The replay for the manager's what-if tab: ``progress(done, total)`` as it goes (it may raise
    ``WhatIfCancelled`` to stop); a large journal is replayed on every core (``workers``)."""
    return mg.what_if(db, new_policy, progress=progress, workers=workers or os.cpu_count() or 1)


WhatIfCancelled = mg.Cancelled


def log_complaint(db: st.Database, **fields: Any) -> int:
    return mg.log_complaint(db, **fields)


def recent_complaints(db: st.Database, today: date, days: int = COMPLAINT_DAYS) -> list[dict[str, Any]]:
    """Complaints and compliments logged from ``days`` before ``today`` up to the end of ``today``."""
    return st.list_complaints(db, (today - timedelta(days=days)).isoformat(), (today + timedelta(days=1)).isoformat())


@dataclass(frozen=True)
class DayClosed:
    txno: str
    day: str
    count: int
    period_total: Money
    perpetual_total: Money
    refunds_by_tender: tuple[tuple[str, Money], ...]


def close_day(db: st.Database, policy: Policy, day: date, manager: str, now: datetime, *,
              register: str = "R1") -> DayClosed:
    """Close ``day`` at ``register`` (whose key signs it): one journal entry with its figures; what the screen
    shows of it."""
    entry = mg.close_day(db, policy, day, manager, now, register=register)
    figures = json.loads(entry.payload)
    cur = policy.currency
    return DayClosed(txno=entry.txno, day=figures["date"], count=figures["count"],
                     period_total=Money.from_minor(figures["period_total"], cur),
                     perpetual_total=Money.from_minor(figures["perpetual_total"], cur),
                     refunds_by_tender=tuple((k, Money.from_minor(v, cur))
                                             for k, v in figures["refunds_by_tender"].items()))


# -- training ------------------------------------------------------------------------

def training_cards(db: st.Database, policy: Policy, scenarios: Path, from_journal: int = 20) -> list[Card]:
    return training.cards_from_scenarios(policy, scenarios) + training.cards_from_journal(db, policy, from_journal)


def check_answer(db: st.Database, policy: Policy, trainee: str, card: Card, outcome: str, refund: str,
                 now: datetime) -> Verdict:
    verdict = training.check(policy, card, outcome, refund)
    training.record_answer(db, trainee, card, verdict, now)
    return verdict


def score(db: st.Database, trainee: str) -> tuple[int, int]:
    """(answered, correct) for one trainee."""
    return training.scores(db).get(trainee, (0, 0))


def chain_report(url: str, start: date, end: date) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict]]:
    """The chain's report for the manager screen: per store, the chain's total, and the conflicts sync found."""
    from pos_returns.services import chain
    rows = chain.chain_report(url, start, end)
    total: dict[str, Any] = {"store_id": None, "transactions": 0, "refund_total": 0, "exchange_total": 0,
                             "no_receipt": 0, "offline": 0, "tills": 0, "conflicts": 0}
    for r in rows:
        for k in total:
            if k != "store_id":
                total[k] += r[k]
    return rows, total, chain.chain_conflicts(url)
