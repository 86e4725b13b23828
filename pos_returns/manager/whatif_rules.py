"""What-if: the rules that change how a return is paid or who may make it without changing its outcome or its
refund total (store credit only, exchange only, photo ID, per-customer limits). A replayed return that a rule
of these newly decides counts as changed, and the change names the rule."""

from __future__ import annotations

from pos_returns.domain.model import Decision
from pos_returns.domain.policy import Policy


def watched_rules(policy: Policy) -> frozenset[str]:
    ids = [r.id for r in policy.store_credit_only + policy.exchange_only]
    ids += [r.id for r in (policy.photo_id, policy.customer_limits) if r.active]
    return frozenset(ids)


def newly_decided(decision: Decision, old_lines: list[dict], watched: frozenset[str]) -> bool:
    """Whether a watched rule decides a line of ``decision`` that it did not decide before."""
    if not watched:
        return False
    # line rules only: the transaction's notes (e.g. "photo ID checked") do not change what the return gives
    new = {r for line in decision.lines for r in line.rules if r in watched}
    return bool(new - {r for line in old_lines for r in line.get("rules", ())})
