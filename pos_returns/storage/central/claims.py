"""Return anywhere, once: a receipt of any store looked up at the central database, and the claims a commit
makes on its units and tender amounts.

A commit reserves (:func:`reserve_claims`) in one central transaction that locks the receipt's row in
``receipt_locks`` and adds up every claim on it -- reservations of commits at any till, and the lines of
every entry that has arrived -- so two tills anywhere cannot both take the last unit or the rest of a tender:
the second waits for the first's lock, then sees its claim. Claims are keyed by the transaction number, so a
reservation made again for the same number (a till killed between the central and the local commit reuses the
number) replaces the first, and an entry arriving by sync replaces its own reservation.

Each function takes a connection string or a connection the caller keeps open (schema.using).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from pos_returns.i18n import N_
from pos_returns.storage.central.schema import using
from pos_returns.storage.db import Conflict
from pos_returns.storage.values import iso


def central_sale(url: Any, code: str) -> dict[str, Any] | None:
    """A sale by receipt number or barcode as the till's import writes it ({receipt, store_id, ..., lines,
    tenders, promotions}, minor units), with ``returned`` {line: units} and ``refunded`` {tender seq: minor
    units} across the chain; None when no store of the chain sold it."""
    with using(url) as conn:
        cur = conn.execute("SELECT receipt, store_id, register, sold_at, currency, gift_receipt, discount, barcode, "
                           "tenders, promotions FROM sales WHERE receipt = %s", (code,))
        head = cur.fetchone()
        if head is None:
            head = conn.execute("SELECT receipt, store_id, register, sold_at, currency, gift_receipt, discount, "
                                "barcode, tenders, promotions FROM sales WHERE barcode = %s LIMIT 1",
                                (code,)).fetchone()
        if head is None:
            return None
        receipt = head[0]
        lines = conn.execute("SELECT line, sku, name, category, qty, unit_price, discount, tax_rate, tags, serial "
                             "FROM sale_lines WHERE receipt = %s ORDER BY line", (receipt,)).fetchall()
        returned = dict(conn.execute("SELECT line, SUM(qty) FROM claims WHERE receipt = %s GROUP BY line",
                                     (receipt,)).fetchall())
        refunded = dict(conn.execute("SELECT source_seq, SUM(amount) FROM draws WHERE receipt = %s "
                                     "GROUP BY source_seq", (receipt,)).fetchall())
    keys = ("line", "sku", "name", "category", "qty", "unit_price", "discount", "tax_rate", "tags", "serial")
    return {"receipt": receipt, "store_id": head[1], "register": head[2], "sold_at": head[3], "currency": head[4],
            "gift_receipt": bool(head[5]), "discount": head[6], "barcode": head[7], "customer_id": None,
            "tenders": list(head[8]),
            "promotions": [dict(p, lines=_json_list(p["lines"])) for p in head[9]],
            "lines": [dict(zip(keys, r)) for r in lines],
            "returned": {int(k): int(v) for k, v in returned.items() if v},
            "refunded": {int(k): int(v) for k, v in refunded.items() if v}}


def _json_list(value: Any) -> list:
    import json
    return json.loads(value) if isinstance(value, str) else list(value)


def reserve_claims(url: Any, txno: str, receipt: str, lines: Sequence[tuple[int, int, int]],
                   draws: Sequence[tuple[int, int, int]]) -> None:
    """Reserve ``lines`` (line, units, sold) and ``draws`` (tender seq, minor units, paid) of ``receipt`` for
    ``txno``, committed centrally; Conflict (nothing reserved) when the chain has less left than that."""
    with using(url) as conn:
        conn.execute("INSERT INTO receipt_locks (receipt) VALUES (%s) ON CONFLICT DO NOTHING", (receipt,))
        conn.execute("SELECT receipt FROM receipt_locks WHERE receipt = %s FOR UPDATE", (receipt,))
        conn.execute("DELETE FROM claims WHERE txno = %s", (txno,))
        conn.execute("DELETE FROM draws WHERE txno = %s", (txno,))
        taken = dict(conn.execute("SELECT line, SUM(qty) FROM claims WHERE receipt = %s GROUP BY line",
                                  (receipt,)).fetchall())
        paid_out = dict(conn.execute("SELECT source_seq, SUM(amount) FROM draws WHERE receipt = %s "
                                     "GROUP BY source_seq", (receipt,)).fetchall())
        over = [line for line, qty, sold in lines if qty > 0 and (taken.get(line) or 0) + qty > sold]
        if over:
            conn.rollback()
            raise Conflict(N_("Receipt {receipt}: line {lines} was already returned at another till or store; "
                              "scan the receipt again."), receipt=receipt, lines=", ".join(map(str, over)))
        short = [seq for seq, amount, paid in draws if amount > 0 and (paid_out.get(seq) or 0) + amount > paid]
        if short:
            conn.rollback()
            raise Conflict(N_("Receipt {receipt}: its tender {tenders} was already refunded at another till or "
                              "store; scan the receipt again."), receipt=receipt, tenders=", ".join(map(str, short)))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO claims (txno, receipt, line, qty, sold, state) VALUES (%s, %s, %s, %s, %s, "
                            "'reserved')", [(txno, receipt, line, qty, sold) for line, qty, sold in lines if qty])
            cur.executemany("INSERT INTO draws (txno, receipt, source_seq, amount, paid, state) VALUES (%s, %s, %s, "
                            "%s, %s, 'reserved')", [(txno, receipt, s, a, p) for s, a, p in draws if a])
        conn.commit()


def release_claims(url: Any, txno: str) -> None:
    """Undo a reservation whose local commit failed (only reservations: an arrived entry's lines stay)."""
    with using(url) as conn:
        conn.execute("DELETE FROM claims WHERE txno = %s AND state = 'reserved'", (txno,))
        conn.execute("DELETE FROM draws WHERE txno = %s AND state = 'reserved'", (txno,))
        conn.commit()


def central_customer_returns(url: Any, customer_key: str, since: datetime, not_till: str) -> list[dict[str, Any]]:
    """A customer's returns recorded at every other till of the chain since ``since`` (arrived by sync)."""
    with using(url) as conn:
        rows = conn.execute("SELECT at, refund_total, kind FROM journal WHERE customer_key = %s AND at >= %s "
                            "AND training = 0 AND till != %s AND kind IN ('return', 'exchange', 'no_receipt') "
                            "ORDER BY at", (customer_key, iso(since), not_till)).fetchall()
    return [{"at": r[0], "refund_total": r[1], "kind": r[2]} for r in rows]
