"""The policy version in force when the item was sold decides the return (DESIGN 21).

``evaluate_versions(versions, sale, request, history, now)`` picks, among the versions a store has loaded,
the one in force on the sale date -- the latest whose ``effective_from`` is on or before that day -- and
decides under it: what the customer was told when they bought. A sale from before every version is
decided under the earliest one, with a note; a return without a receipt (no sale date) under the version
in force today. Versions that start after today are not in force yet.

A newer version (in force today) that says ``applies_to_earlier_sales = "when_more_generous"`` decides
instead when it is *more generous* for this return: line by line, it gives every line an outcome at
least as good (approved > needs a manager > denied) and, where the outcome is the same, a refund at least
as large; and it is better on at least one line (a better outcome, or more money back). A version that
is better on one line but worse on another does not apply: the customer keeps what they were told.
Of several such versions, the one refunding the most decides (the newest on a tie).

Pure, like :func:`evaluate`: both versions are passed in, nothing is read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Sequence

from pos_returns.i18n import N_, Text
from pos_returns.domain.engine.evaluation import evaluate
from pos_returns.domain.model import Decision, PastReturn, Request, Sale
from pos_returns.domain.policy import Policy

RANK = {"denied": 0, "needs_approval": 1, "approved": 2}


def version_problems(versions: Sequence[Policy]) -> list[str]:
    """Why these policies cannot be used together as versions of one store's policy (empty: they can)."""
    if len(versions) < 2:
        return []
    problems = []
    for p in versions:
        if p.version.effective_from is None:
            problems.append(f"{p.path}: a policy given with other versions needs [policy] effective_from")
    seen: dict[date, Policy] = {}
    for p in versions:
        day = p.version.effective_from
        if day is not None and day in seen and seen[day].sha256 != p.sha256:
            problems.append(f"{p.path}: effective_from {day} is also the start of {seen[day].path}")
        elif day is not None:
            seen[day] = p
    currencies = sorted({p.currency for p in versions})
    if len(currencies) > 1:
        problems.append("the versions use different currencies: " + ", ".join(currencies))
    return problems


def dated(versions: Sequence[Policy]) -> list[Policy]:
    """The versions oldest first, each once (by hash); undated ones are left out."""
    unique = {p.sha256: p for p in versions if p.version.effective_from is not None}
    return sorted(unique.values(), key=lambda p: p.version.effective_from)


def in_force(versions: Sequence[Policy], day: date) -> tuple[Policy, bool]:
    """(the version in force on ``day``, True when ``day`` is before every version: then the earliest)."""
    ordered = dated(versions)
    chosen = [p for p in ordered if p.version.effective_from <= day]
    return (chosen[-1], False) if chosen else (ordered[0], True)


def more_generous(new: Decision, old: Decision) -> bool:
    """``new`` is at least as good as ``old`` on every line and better on one (see the module's text)."""
    if len(new.lines) != len(old.lines) or not new.lines:
        return False
    better = False
    for n, o in zip(new.lines, old.lines):
        if (n.line, n.sku) != (o.line, o.sku):
            return False
        rn, ro = RANK[n.outcome], RANK[o.outcome]
        if rn < ro or (rn == ro and n.refund < o.refund):
            return False
        if rn > ro or n.refund > o.refund:
            better = True
    return better


def _named(p: Policy) -> dict:
    return {"version": p.version_id, "from": p.version.effective_from}


def evaluate_versions(versions: Sequence[Policy], sale: Sale | None, request: Request,
                      history: Sequence[PastReturn], now: datetime) -> Decision:
    """Decide under the version in force on the sale date (see the module's text). With fewer than two dated
    versions this is :func:`evaluate` under the one given (the newest), exactly as without versions."""
    ordered = dated(versions)
    if len(ordered) < 2:
        return evaluate(versions[-1] if not ordered else ordered[0], sale, request, history, now)
    today = now.date()
    if sale is None:
        chosen, early = in_force(ordered, today)
        if early:
            note = Text(N_("No receipt, and no policy version is in force yet today: decided under the earliest, "
                           "version {version} (from {from})."), _named(chosen))
        else:
            note = Text(N_("No receipt: decided under the policy in force today, version {version} "
                           "(from {from})."), _named(chosen))
        return _noted(evaluate(chosen, sale, request, history, now), note, early)
    sold = sale.sold_at.date()
    chosen, early = in_force(ordered, sold)
    decision = evaluate(chosen, sale, request, history, now)
    if early:
        note = Text(N_("Sold on {sold}, before the earliest policy version: decided under version {version} "
                       "(from {from})."), {"sold": sold, **_named(chosen)})
    else:
        note = Text(N_("Sold on {sold}: decided under the policy in force then, version {version} (from {from})."),
                    {"sold": sold, **_named(chosen)})
    best = None
    for newer in ordered:
        if newer.version.effective_from <= chosen.version.effective_from or newer.version.effective_from > today:
            continue
        if newer.version.applies_to_earlier_sales != "when_more_generous":
            continue
        candidate = evaluate(newer, sale, request, history, now)
        if more_generous(candidate, decision) and (best is None or candidate.refund_total >= best[1].refund_total):
            best = (newer, candidate)
    if best is not None:
        newer, candidate = best
        note = Text(N_("Sold on {sold} under version {old}; version {version} (from {from}) applies to earlier "
                       "sales where it is more generous, and it is here."),
                    {"sold": sold, "old": chosen.version_id, **_named(newer)})
        return _noted(candidate, note, False)
    return _noted(decision, note, early)


def _noted(decision: Decision, note: Text, early: bool) -> Decision:
    rule = "policy.version.earliest" if early else "policy.version"
    return replace(decision, reasons=decision.reasons + (note,), rules=decision.rules + (rule,))
