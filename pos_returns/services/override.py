"""A manager's override of a rule that denied a line ("Denied - a manager may override").

The engine already knows overrides: a request names the rule ids a manager is asked to override
(``Request.overrides``), and a failed overridable rule named there no longer denies the line; it asks for a
manager instead (an approval "Manager override of rule ...", approved and sealed like every other approval,
bound to the transaction, recorded in the journal and printed on the override slip).

This module turns "override this line" into that request: which rules to name, and the decision with them.
The approval itself is :meth:`Counter.approve <pos_returns.services.counter.Counter.approve>`, unchanged.
"""

from __future__ import annotations

from dataclasses import replace

from pos_returns.domain.model import Decision, LineDecision, Request, Sale
from pos_returns.i18n import N_
from pos_returns.services.records import Pending, ServiceError, Session


class NotOverridable(ServiceError):
    pass


def overridable_lines(decision: Decision | None) -> tuple[LineDecision, ...]:
    """The lines of ``decision`` that a rule denied and a manager may override."""
    if decision is None:
        return ()
    return tuple(d for d in decision.lines if d.outcome == "denied" and d.overridable)


def override_target(decision: Decision | None, line: int | None) -> LineDecision | None:
    """The line an override is about: ``line`` when it is overridable, else the first overridable line."""
    lines = overridable_lines(decision)
    chosen = next((d for d in lines if d.line == line), None)
    return chosen or (lines[0] if lines else None)


def prepare_override(counter, cashier: Session, sale: Sale | None, request: Request, line: int) -> Pending:
    """The same request decided again with the rules that denied ``line`` named as overrides.

    Only the rules that really denied the line are named (a rule the line passed is not an override, and
    the reports count overrides). The returned Pending's decision asks a manager for each of them; give it to
    :meth:`Counter.approve`, then commit that Pending with the grant."""
    first = counter.prepare(cashier, sale, request)
    target = next((d for d in first.decision.lines if d.line == line), None)
    if target is None or target.outcome != "denied" or not target.overridable:
        raise NotOverridable(N_("Line {line} was not denied by a rule a manager may override."), line=line)
    asked = frozenset(request.overrides) | frozenset(target.rules)
    trial = counter.prepare(cashier, sale, replace(request, overrides=asked))
    approved = {a.rule for a in trial.decision.approvals}
    needed = frozenset(request.overrides) | frozenset(r for r in target.rules if r in approved)
    if needed != asked:
        trial = counter.prepare(cashier, sale, replace(request, overrides=needed))
    lines = {d.line: d for d in trial.decision.lines}
    if lines.get(line) is None or lines[line].outcome == "denied":
        raise NotOverridable(N_("Line {line} was not denied by a rule a manager may override."), line=line)
    return trial
