"""Corrections: a recorded transaction reversed by a new, linked counter-entry (the original never changes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pos_returns.i18n import N_
from pos_returns.services.entry import _staff_names
from pos_returns.services.location import till_location
from pos_returns.services.records import ApprovalRefused, ServiceError, Session
from pos_returns.storage import store as st

if TYPE_CHECKING:
    from pos_returns.services.counter import Counter


def correct(counter: "Counter", txno: str, manager: Session, reason: str) -> st.JournalEntry:
    """Reverse a recorded transaction with a new, linked counter-entry (the original is never changed).

    ``manager`` is a signed-in manager (a :class:`Session`) who neither recorded nor approved the original.
    Its lines, refund tenders and tender draws are the original's with opposite signs, so the receipt's
    lines become returnable again and the totals net to zero."""
    manager = counter._signed_in(manager)
    if not manager.is_manager:
        raise ApprovalRefused(N_("{staff_id} is not a manager and cannot approve."), staff_id=manager.id)
    if not reason.strip():
        raise ServiceError(N_("Say why the transaction is corrected."))
    original = st.get_entry(counter.store, txno)
    if original.kind in ("correction", "day_close"):
        raise ServiceError(N_("{txno} is a {kind} entry; only returns and exchanges can be corrected."),
                           txno=txno, kind=original.kind)
    now = counter.clock()
    with counter.store.write() as c:
        if manager.id == original.cashier:
            raise ApprovalRefused(N_("{staff_id} recorded {txno}; its correction needs another manager."),
                                  staff_id=manager.id, txno=txno)
        approvers = st.approval_managers(c, txno) | {
            a.get("manager") for a in json.loads(original.payload).get("approvals", [])}
        if manager.id in approvers:
            raise ApprovalRefused(N_("{staff_id} approved {txno}; its correction needs a manager who neither "
                                     "recorded nor approved it."), staff_id=manager.id, txno=txno)
        if st.corrected_by(c, txno) is not None:
            raise st.Conflict(N_("{txno} was already corrected by {other}."), txno=txno,
                              other=st.corrected_by(c, txno))
        payload = json.loads(original.payload)
        lines = [dict(x, qty=-x["qty"], refund=-x["refund"]) for x in payload["journal_lines"]]
        tenders = [dict(x, amount=-x["amount"]) for x in payload["journal_tenders"]]
        draws = [dict(x, amount=-x["amount"]) for x in payload["journal_draws"]]
        body = {"corrects": txno, "reason": reason.strip(), "manager": manager.id,
                "journal_lines": lines, "journal_tenders": tenders, "journal_draws": draws,
                "staff": _staff_names(c, [manager.id])}
        fields = {
            "store_id": till_location(counter.store, counter.policy).store_id, "register": counter.register,
            "txno": None, "kind": "correction",
            "at": st.iso(now), "cashier": manager.id, "receipt": original.receipt, "corrects": txno,
            "customer_key": original.customer_key, "training": original.training,
            "policy_sha256": counter.policy.sha256, "currency": original.currency,
            "refund_total": -original.refund_total, "exchange_total": -original.exchange_total,
            "balance_due": -original.balance_due, "payload": st.canonical(body),
        }
        entry = st.append_entry(c, fields, lines, tenders, draws)
        st.log_event(c, now, "correction", manager.id, entry.txno, corrects=txno, reason=reason.strip())
    return entry
