"""JSON out: the Decision JSON of a decision, a scenario's expected subset, and a case written back as Case JSON."""

from __future__ import annotations

import json
from typing import Any

from pos_returns import i18n
from pos_returns.domain.case.jsontext import _Float
from pos_returns.domain.case.read import Case
from pos_returns.domain.model import Decision


def decision_json(decision: Decision, lang: str, currency_locale: str | None = None) -> dict[str, Any]:
    def text(t: i18n.Text) -> str:
        return t.render(lang, currency_locale)

    return {
        "outcome": decision.outcome,
        "currency": decision.currency,
        "lines": [
            {"line": d.line, "sku": d.sku, "qty": d.qty, "outcome": d.outcome, "overridable": d.overridable,
             "item": d.item.plain(), "fee": d.fee.plain(), "tax": d.tax.plain(), "takeback": d.takeback.plain(),
             "refund": d.refund.plain(), "rules": list(d.rules), "reasons": [text(t) for t in d.reasons]}
            for d in decision.lines],
        "refund_total": decision.refund_total.plain(),
        "exchange_total": decision.exchange_total.plain(),
        "balance_due": decision.balance_due.plain(),
        "refund_tenders": [
            {"type": t.type, "amount": t.amount.plain(), **({"last4": t.last4} if t.last4 else {})}
            for t in decision.refund_tenders],
        "rounding": decision.rounding.plain(),
        "approvals": [{"rule": a.rule, "reason": text(a.reason)} for a in decision.approvals],
        "rules": list(decision.rules),
        "reasons": [text(t) for t in decision.reasons],
        "policy_sha256": decision.policy_sha256,
        "policy_version": version_json(decision),
    }


def version_json(decision: Decision) -> dict[str, Any]:
    """The version a decision was made under: its name, hash and first day (null for an undated policy)."""
    ref = decision.policy_version
    if ref is None:
        return {"id": decision.policy_sha256[:12], "sha256": decision.policy_sha256, "effective_from": None}
    return {"id": ref.id, "sha256": ref.sha256,
            "effective_from": ref.effective_from.isoformat() if ref.effective_from else None}


def subset_mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``expected`` is not a subset of ``actual``: dict keys given must match; lists match item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '(decision)'}: expected an object, got {json.dumps(actual)}"]
        out = []
        for key, value in expected.items():
            here = f"{where}.{key}" if where else key
            if key not in actual:
                out.append(f"{here}: missing from the decision")
            else:
                out.extend(subset_mismatches(value, actual[key], here))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} item(s) {json.dumps(expected, ensure_ascii=False)}, "
                    f"got {json.dumps(actual, ensure_ascii=False)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(subset_mismatches(e, a, f"{where}[{i}]"))
        return out
    if isinstance(expected, _Float):
        return [f"{where}: write the expected amount as a string, \"{expected}\""]
    if expected != actual:
        return [f"{where}: expected {json.dumps(expected, ensure_ascii=False)}, "
                f"got {json.dumps(actual, ensure_ascii=False)}"]
    return []


def case_to_json(case: Case, store_id: str | None = None) -> dict[str, Any]:
    """The Case JSON of a case, as ``read_case`` reads it back (kept in the journal for replays)."""
    sale = case.sale
    request = case.request
    out: dict[str, Any] = {"now": case.now.isoformat(), "sale": None}
    if sale is not None:
        sale_json: dict[str, Any] = {
            "receipt": sale.receipt,
            "sold_at": sale.sold_at.isoformat(),
            "gift_receipt": sale.gift_receipt,
            "lines": [
                {"line": line.line, "sku": line.sku, "name": line.name, "category": line.category, "qty": line.qty,
                 "unit_price": line.unit_price.plain(), "discount": line.discount.plain(),
                 "tax_rate": str(line.tax_rate), "tags": sorted(line.tags),
                 **({"serial": line.serial} if line.serial else {})}
                for line in sale.lines],
            "tenders": [
                {"type": t.type, "amount": t.amount.plain(), **({"last4": t.last4} if t.last4 else {}),
                 **({"refunded": t.refunded.plain()} if t.refunded is not None else {})}
                for t in sale.tenders],
            "returned": {str(k): v for k, v in sorted(sale.returned.items())},
        }
        if sale.discount is not None:
            sale_json["discount"] = sale.discount.plain()
        if sale.promotions:
            sale_json["promotions"] = [{"id": p.id, "lines": list(p.lines), "discount": p.discount.plain()}
                                       for p in sale.promotions]
        out["sale"] = sale_json
    customer: dict[str, Any] = {"id_verified": request.customer.id_verified, "tier": request.customer.tier,
                                "history": [{"at": h.at.isoformat(), "amount": h.amount.plain(),
                                             "no_receipt": h.no_receipt} for h in case.history]}
    if request.customer.id:
        customer["id"] = request.customer.id
    if request.customer.id_checked_by:
        customer["id_checked_by"] = request.customer.id_checked_by
    out["request"] = {
        "type": request.type,
        "lines": [{"line": rl.line, "qty": rl.qty, "condition": rl.condition, "reason": rl.reason,
                   **({"serial": rl.serial} if rl.serial else {})} for rl in request.lines],
        "no_receipt_items": [
            {"sku": i.sku, "category": i.category, "qty": i.qty, "lowest_price": i.lowest_price.plain(),
             "tax_rate": str(i.tax_rate), "tags": sorted(i.tags), "condition": i.condition,
             **({"reason": i.reason} if i.reason else {}), **({"name": i.name} if i.name else {}),
             **({"price_stated": True} if i.price_stated else {})}
            for i in request.no_receipt_items],
        "exchange_items": [
            {"sku": x.sku, "qty": x.qty, "unit_price": x.unit_price.plain(), "tax_rate": str(x.tax_rate),
             **({"category": x.category} if x.category else {}), **({"name": x.name} if x.name else {})}
            for x in request.exchange_items],
        "customer": customer,
        "overrides": sorted(request.overrides),
    }
    store_id = request.store or store_id
    if request.region or store_id:
        out["store"] = {k: v for k, v in (("id", store_id), ("region", request.region)) if v}
    return out
