"""One truth on screen: the outcome the headline and each line show, given the approvals already given.

The engine decides each line on its own (a line within every rule is "approved") and the transaction as a
whole ("needs_approval" when, say, the refund total is over the cashier's limit). Shown side by side that
reads "Approved" under "! Needs manager", and after the manager signed, the headline still asked for one.
So the screens show:

- while a manager's approval is still missing, every line that would go through shows "needs_approval" (it
  cannot be recorded without the manager), and the headline does too;
- once the grants cover every approval asked for, what needed a manager shows "approved".

Denied lines stay denied, and a transaction with a denied line stays "partial".
"""

from __future__ import annotations

from typing import Iterable

from pos_returns.domain.model import Decision
from pos_returns.services.records import Grant
from pos_returns.services.returns import covered

__all__ = ["covered", "shown_outcomes"]


def shown_outcomes(decision: Decision | None, grants: Iterable[Grant]) -> tuple[str | None, dict[int, str]]:
    """(headline outcome, {line number: outcome}) as the screen shows them; (None, {}) without a decision."""
    if decision is None:
        return None, {}
    grants = list(grants)
    asks = bool(decision.approvals) or any(d.outcome == "needs_approval" for d in decision.lines)
    done = asks and covered(decision, grants)
    lines: dict[int, str] = {}
    for d in decision.lines:
        if d.outcome == "denied":
            lines[d.line] = "denied"
        elif asks and not done:
            lines[d.line] = "needs_approval"
        else:
            lines[d.line] = "approved"
    headline = decision.outcome
    if headline == "needs_approval" and done:
        headline = "approved"
    return headline, lines
