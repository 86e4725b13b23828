"""The chain's reports: every store's real transactions over a period, by store and in total, and the
conflicts sync found (the exception report's chain section)."""

from __future__ import annotations

from typing import Any

from pos_returns.storage.central.schema import connect, require_schema


def chain_report(url: str, lo: str, hi: str) -> list[dict[str, Any]]:
    """Per store: transactions, refunds, exchanges, returns without a receipt and refunds by tender, from
    ``lo`` (inclusive) to ``hi`` (exclusive), ISO times; training and day closings left out."""
    with connect(url) as conn:
        require_schema(conn)
        rows = conn.execute(
            "SELECT store_id, count(*) FILTER (WHERE kind != 'correction'), SUM(refund_total), "
            "SUM(exchange_total), count(*) FILTER (WHERE kind = 'no_receipt'), "
            "count(*) FILTER (WHERE kind = 'correction'), count(*) FILTER (WHERE offline), "
            "count(DISTINCT till) FROM journal WHERE training = 0 AND kind IN ('return', 'exchange', 'no_receipt', "
            "'correction') AND at >= %s AND at < %s GROUP BY store_id ORDER BY store_id", (lo, hi)).fetchall()
        tenders = conn.execute(
            "SELECT store_id, payload FROM journal WHERE training = 0 AND kind IN ('return', 'exchange', "
            "'no_receipt', 'correction') AND at >= %s AND at < %s", (lo, hi)).fetchall()
        conflicts = dict(conn.execute("SELECT store_id, count(*) FROM conflicts GROUP BY store_id").fetchall())
    import json
    by_tender: dict[str, dict[str, int]] = {}
    for store, payload in tenders:
        for t in json.loads(payload).get("journal_tenders", []):
            mine = by_tender.setdefault(store, {})
            mine[t["type"]] = mine.get(t["type"], 0) + t["amount"]
    return [{"store_id": r[0], "transactions": r[1], "refund_total": int(r[2] or 0),
             "exchange_total": int(r[3] or 0), "no_receipt": r[4], "corrections": r[5], "offline": r[6],
             "tills": r[7], "refunds_by_tender": dict(sorted(by_tender.get(r[0], {}).items())),
             "conflicts": conflicts.get(r[0], 0)} for r in rows]


def chain_conflicts(url: str, store_id: str | None = None) -> list[dict[str, Any]]:
    """What sync found, newest first (of one store, or of every store)."""
    with connect(url) as conn:
        require_schema(conn)
        where, params = ("WHERE store_id = %s", (store_id,)) if store_id else ("", ())
        rows = conn.execute(f"SELECT found_at, store_id, register, txno, receipt, kind, detail FROM conflicts "
                            f"{where} ORDER BY id DESC", params).fetchall()
    keys = ("found_at", "store_id", "register", "txno", "receipt", "kind", "detail")
    return [dict(zip(keys, r)) for r in rows]
