"""The customer's ID at the counter: when a typed ID number is needed, and how far back the customer's
earlier returns are read for the policy's limits.

The number itself never reaches the journal: :meth:`Counter.prepare <pos_returns.services.counter.Counter.prepare>`
keeps its keyed hash (HMAC under the store's secret) as the customer's key and only ``****`` + its last 4 in
the case; the engine counts the customer's earlier returns (``[no_receipt]`` limits, ``[customer_limits]`` for
returns with a receipt) from the journal entries with that key.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from pos_returns.i18n import N_
from pos_returns.domain.engine import evaluate
from pos_returns.domain.model import Request, Sale
from pos_returns.domain.policy import Policy
from pos_returns.services.entry import _money_terms
from pos_returns.services.records import DecisionChanged, Pending, ServiceError
from pos_returns.storage import store as st


def counts_by_id(policy: Policy, sale: Sale | None) -> bool:
    """Whether the policy identifies the customer of this kind of return by their ID number."""
    if sale is None:
        return policy.no_receipt.allowed and policy.no_receipt.id_required
    return policy.photo_id.active or policy.customer_limits.active


def require_id_number(policy: Policy, sale: Sale | None, request: Request) -> None:
    """An ID marked as checked needs its number typed when the policy records it or counts returns by it."""
    customer = request.customer
    if not customer.id_verified or (customer.id or "").strip():
        return
    if sale is None and request.no_receipt_items and counts_by_id(policy, None):
        raise ServiceError(N_("Type the customer's ID number: a return without a receipt counts against "
                              "the customer's limits."))
    if sale is not None and counts_by_id(policy, sale):
        raise ServiceError(N_("Type the number of the customer's photo ID: the store records it (masked) and "
                              "counts the customer's returns by it."))


def history_days(policy: Policy) -> int:
    """How many days of the customer's earlier returns the limits look at."""
    days = [policy.no_receipt.limit_days]
    if policy.customer_limits.active:
        days.append(policy.customer_limits.limit_days)
    return max(max(days), 1)


class CustomerChanged(DecisionChanged):
    """The same customer's return was recorded at another till between this decision and its commit, and that
    changed this decision (their limits). Nothing was written; ``pending`` is the request decided again."""

    def __init__(self, pending: Pending):
        self.pending = pending
        self.decision = pending.decision
        st.Conflict.__init__(self, N_("This customer's return was recorded at another till a moment ago, so this "
                                      "decision changed (the refund is now {refund}); check the new decision and "
                                      "finish again."), refund=pending.payout)


def recheck_customer(counter, pending: Pending) -> None:
    """Inside the commit's write transaction: count the customer's earlier returns again (another till may have
    recorded one since the decision); when that changes the decision, refuse with the new one."""
    if not pending.customer_key:
        return
    case = pending.case
    history = counter.customer_history(pending.customer_key)
    if sorted(history, key=_key) == sorted(case.history, key=_key):
        return
    again = evaluate(counter.policy, case.sale, case.request, history, case.now)
    if _money_terms(again) == _money_terms(pending.decision):
        return
    raise CustomerChanged(replace(pending, id=uuid.uuid4().hex, case=replace(case, history=history),
                                  decision=again))


def _key(h) -> tuple:
    return (h.at, h.amount.amount, h.no_receipt)
