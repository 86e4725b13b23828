"""The customer's ID at the counter: when a typed ID number is needed, and how far back the customer's
earlier returns are read for the policy's limits.

The number itself never reaches the journal: :meth:`Counter.prepare <pos_returns.services.counter.Counter.prepare>`
keeps its keyed hash (HMAC under the store's secret) as the customer's key and only ``****`` + its last 4 in
the case; the engine counts the customer's earlier returns (``[no_receipt]`` limits, ``[customer_limits]`` for
returns with a receipt) from the journal entries with that key.
"""

from __future__ import annotations

from pos_returns.i18n import N_
from pos_returns.domain.engine.identity import line_refund, photo_id_needed  # noqa: F401 - for the screens
from pos_returns.domain.model import Request, Sale
from pos_returns.domain.policy import Policy
from pos_returns.services.records import ServiceError


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
