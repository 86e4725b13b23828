"""What a committed transaction writes: the journal entry's fields, lines, tenders and payload, assembled from
the pending decision and its approvals (inside the commit's write transaction), and the case helpers ``record``
uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_returns.storage import store as st
from pos_returns.domain.case import Case, case_to_json, decision_json, read_case
from pos_returns.domain.model import Decision, Request, Sale
from pos_returns.domain.policy import Policy
from pos_returns.services.records import Grant, Pending


def journal_entry(c, policy: Policy, register: str, pending: Pending, grants: tuple[Grant, ...],
                  now: datetime | None = None) \
        -> tuple[str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The journal entry of a pending transaction and its checked approvals: its kind, fields, lines, refund
    tenders and tender draws (the payload keeps the case, the decision, the approvals and the staff names).

    ``now`` is the commit time: the entry, its receipt and slips carry it (the decision's own time, when the
    screen last recalculated, stays in the payload's case); each approval keeps the time it was given. The
    payload also keeps the customer's paperwork language (reprints use it) and, when the customer pays the
    balance of an exchange, the tender they pay with."""
    case, decision = pending.case, pending.decision
    now = case.now if now is None else now
    kind = "no_receipt" if case.sale is None else case.request.type
    lines = [{"line": d.line, "sku": d.sku, "qty": d.qty, "outcome": d.outcome, "refund": st.minor(d.refund),
              "fee": st.minor(d.fee), **_line_labels(case, d.line)} for d in decision.lines]
    tenders = [{"type": t.type, "amount": st.minor(t.amount), "last4": t.last4}
               for t in decision.refund_tenders]
    draws = [{"source_seq": i + 1, "amount": st.minor(m)} for i, m in decision.tender_draws]
    payload = {
        "store": {"id": case.request.store or policy.store.id, "name": policy.store.name,
                  "locale": policy.store.locale},
        "case": case_to_json(case, policy.store.id),
        "decision": decision_json(decision, policy.store.language, policy.store.locale),
        "approvals": [{"id": g.id, "manager": g.manager, "rules": list(g.rules),
                       "reason_code": g.reason_code, "amount": g.amount.plain(), **({"at": g.at} if g.at else {}),
                       **({"stated_prices": dict(g.stated_prices)} if g.stated_prices else {})}
                      for g in grants],
        "journal_lines": lines, "journal_tenders": tenders, "journal_draws": draws,
        "staff": _staff_names(c, [pending.cashier, *(g.manager for g in grants)]),
        "texts": decision_texts(decision, policy.store.locale),
    }
    if pending.paper_lang:
        payload["paper_lang"] = pending.paper_lang
    if pending.payment and decision.balance_due > decision.balance_due * 0:
        payload["customer_payment"] = {"type": pending.payment, "amount": st.minor(decision.balance_due)}
    fields = {
        "store_id": case.request.store or policy.store.id, "register": register, "txno": None, "kind": kind,
        "at": st.iso(now), "cashier": pending.cashier,
        "receipt": case.sale.receipt if case.sale else None,
        "corrects": None, "customer_key": pending.customer_key, "training": int(pending.training),
        "policy_sha256": decision.policy_sha256, "currency": policy.currency,  # the version that decided
        "refund_total": st.minor(decision.refund_total), "exchange_total": st.minor(decision.exchange_total),
        "balance_due": st.minor(decision.balance_due), "payload": st.canonical(payload),
    }
    return kind, fields, lines, tenders, draws


def decision_texts(decision: Decision, locale: str | None) -> dict[str, dict[str, Any]]:
    """The decision's sentences in every language of the counter, kept with the entry: paperwork in the
    customer's language then says why in that language (the decision itself keeps the policy's language)."""
    from pos_returns.i18n import LANGUAGES
    return {lang: {"lines": [[t.render(lang, locale) for t in d.reasons] for d in decision.lines],
                   "approvals": [a.reason.render(lang, locale) for a in decision.approvals],
                   "reasons": [t.render(lang, locale) for t in decision.reasons]}
            for lang in LANGUAGES}


def _money_terms(decision: Decision) -> tuple:
    """What a decision pays, to whom and on which terms (two decisions equal here record the same money)."""
    return (decision.outcome,
            tuple((d.line, d.qty, d.outcome, d.item, d.fee, d.tax, d.takeback, d.refund) for d in decision.lines),
            decision.refund_total, decision.exchange_total, decision.balance_due, decision.rounding,
            tuple((t.type, t.amount, t.last4) for t in decision.refund_tenders),
            tuple(a.rule for a in decision.approvals), tuple(decision.tender_draws))


def _stated_prices(pending: Pending) -> tuple[tuple[str, str], ...]:
    """(SKU, price) of each no-receipt item priced by a manager's statement rather than the store's sales."""
    return tuple((i.sku, i.lowest_price.plain()) for i in pending.case.request.no_receipt_items if i.price_stated)


def _staff_names(c, staff_ids) -> dict[str, str]:
    """The names of the staff on an entry as they are today, recorded in its payload: the paperwork prints these,
    so a reprint after a rename still shows the name of the day (services.paperwork reads them)."""
    names = {}
    for staff_id in dict.fromkeys(staff_ids):
        row = st.staff_row(c, staff_id)
        if row is not None:
            names[staff_id] = row["name"]
    return names


def _line_labels(case: Case, number: int) -> dict[str, str | None]:
    """Category and reason of a decided line, kept on the journal line so reports aggregate in SQL."""
    request = case.request
    if case.sale is not None:
        sale_line = case.sale.line(number)
        asked = next((rl for rl in request.lines if rl.line == number), None)
        return {"category": sale_line.category if sale_line else None, "reason": asked.reason if asked else None}
    items = request.no_receipt_items
    item = items[number - 1] if 0 < number <= len(items) else None
    return {"category": item.category if item else None,
            "reason": (item.reason or "no_receipt") if item else None}


def request_from_json(policy: Policy, data: dict[str, Any], sale: Sale | None, now: datetime,
                      source: str = "case") -> Request:
    """Read only the request part of a case against a known sale (used by ``record``)."""
    case_json = {"now": now.isoformat(), "sale": _sale_json(sale) if sale else None,
                 "request": data.get("request")}
    if isinstance(data, dict) and data.get("store") is not None:
        case_json["store"] = data["store"]
    return read_case(case_json, policy, source).request


def _sale_json(sale: Sale) -> dict[str, Any]:
    return case_to_json(Case(now=sale.sold_at, sale=sale, request=Request("return"), history=()))["sale"]

