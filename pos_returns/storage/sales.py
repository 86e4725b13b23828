"""Sales from the till: a sale as the engine sees it, prices and SKU facts, and the bulk inserts of an import."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_returns.domain.model import Promotion, Sale, SaleLine, Tender
from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.storage.db import Database, NotFound, StoreError, utils_of
from pos_returns.storage.values import iso


def load_sale(store: Database, receipt: str, currency: str, *, include_training: bool = False) -> Sale:
    """A sale with what each line has had returned and what each tender has had refunded."""
    head = _sale_head(store, receipt, currency)
    receipt = head["receipt"]
    training = "" if include_training else " AND training = 0"
    discount = Money.from_minor(head["discount"], currency) if head["discount"] else None
    return Sale(receipt=receipt, sold_at=datetime.fromisoformat(head["sold_at"]),
                lines=_sale_lines(store, receipt, currency),
                tenders=_sale_tenders(store, receipt, currency, _refunded(store, receipt, training)),
                gift_receipt=bool(head["gift_receipt"]), returned=_returned(store, receipt, training),
                discount=discount, promotions=_sale_promotions(store, receipt, currency), store_id=head["store_id"])


def _sale_head(store: Database, receipt: str, currency: str) -> dict[str, Any]:
    """The sale's row, by receipt number or by the barcode printed on the receipt."""
    head = store.one("SELECT * FROM sales WHERE receipt = ?", (receipt,))
    if head is None:
        head = store.one("SELECT * FROM sales WHERE barcode = ?", (receipt,))
    if head is None:
        raise NotFound(N_("Receipt {receipt} is not in this store's sales."), receipt=receipt)
    if head["currency"] != currency:
        raise StoreError(N_("Receipt {receipt} is in {currency}, but this store's policy is in {policy_currency}."),
                         receipt=head["receipt"], currency=head["currency"], policy_currency=currency)
    return head


def _returned(store: Database, receipt: str, training: str) -> dict[int, int]:
    """Units returned so far per line (denied lines not counted; corrections count negative)."""
    return {r["line"]: r["qty"] for r in store.query(
        f"SELECT line, SUM(qty) AS qty FROM journal_lines WHERE receipt = ? AND outcome != 'denied'{training} "
        "GROUP BY line", (receipt,))}


def _refunded(store: Database, receipt: str, training: str) -> dict[int, int]:
    """Minor units refunded so far per tender of the sale (by its seq)."""
    return {r["source_seq"]: r["amount"] for r in store.query(
        f"SELECT source_seq, SUM(amount) AS amount FROM journal_draws WHERE receipt = ?{training} "
        "GROUP BY source_seq", (receipt,))}


def _sale_lines(store: Database, receipt: str, currency: str) -> tuple[SaleLine, ...]:
    return tuple(
        SaleLine(line=r["line"], sku=r["sku"], name=r["name"], category=r["category"], qty=r["qty"],
                 unit_price=Money.from_minor(r["unit_price"], currency),
                 discount=Money.from_minor(r["discount"], currency), tax_rate=Decimal(r["tax_rate"]),
                 tags=frozenset(json.loads(r["tags"])), serial=r["serial"])
        for r in store.query("SELECT * FROM sale_lines WHERE receipt = ? ORDER BY line", (receipt,)))


def _sale_tenders(store: Database, receipt: str, currency: str, refunded: dict[int, int]) -> tuple[Tender, ...]:
    return tuple(
        Tender(type=r["type"], amount=Money.from_minor(r["amount"], currency), last4=r["last4"],
               refunded=Money.from_minor(refunded.get(r["seq"], 0), currency))
        for r in store.query("SELECT * FROM sale_tenders WHERE receipt = ? ORDER BY seq", (receipt,)))


def _sale_promotions(store: Database, receipt: str, currency: str) -> tuple[Promotion, ...]:
    return tuple(
        Promotion(r["promo_id"], tuple(json.loads(r["lines"])), Money.from_minor(r["discount"], currency))
        for r in store.query("SELECT * FROM sale_promotions WHERE receipt = ? ORDER BY promo_id", (receipt,)))


def sale_customer(store: Database, receipt: str) -> dict[str, Any] | None:
    return store.one("SELECT c.* FROM sales s JOIN customers c ON c.id = s.customer_id WHERE s.receipt = ?",
                     (receipt,))


def lowest_price(store: Database, sku: str, since: datetime, until: datetime) -> int | None:
    """Lowest selling price of a SKU in minor units over a period, from the store's own data: the unit prices
    it was sold at (sale lines of sales in the period), its price history in the period and the price in force
    when the period began; else its current catalog price. None: the store has no price for it."""
    row = store.one("SELECT MIN(price) AS low FROM price_history WHERE sku = ? AND at >= ? AND at <= ?",
                    (sku, iso(since), iso(until)))
    before = store.one("SELECT price FROM price_history WHERE sku = ? AND at < ? ORDER BY at DESC LIMIT 1",
                       (sku, iso(since)))
    # a range scan of index sale_lines_sku_sold (sku, sold_at, unit_price): that SKU's lines in the period only
    sold = store.one("SELECT MIN(unit_price) AS low FROM sale_lines WHERE sku = ? AND sold_at >= ? AND sold_at <= ?",
                     (sku, iso(since), iso(until)))
    candidates = [v for v in ((row or {}).get("low"), (before or {}).get("price"), (sold or {}).get("low"))
                  if v is not None]
    if not candidates:
        product = store.one("SELECT price FROM products WHERE sku = ?", (sku,))
        return product["price"] if product else None
    return min(candidates)


def sku_facts(store: Database, sku: str) -> dict[str, Any] | None:
    """What the store itself knows of a SKU (name, category, tags, tax_rate): its catalog entry, else the
    line it was last sold on. None: the store has never listed or sold it."""
    row = store.one("SELECT name, category, tags, tax_rate FROM products WHERE sku = ?", (sku,))
    if row is None:
        row = store.one("SELECT name, category, tags, tax_rate FROM sale_lines WHERE sku = ? "
                        "ORDER BY sold_at DESC LIMIT 1", (sku,))
    return row


def find_product(store: Database, code: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM products WHERE sku = ? OR barcode = ? LIMIT 1", (code, code))


# ----------------------------------------------------------------------------- bulk writes (import, demo)

# Catalog writes go through sqlite-utils' insert_all (multi-row INSERTs in batches sized to SQLite's variable
# limit) inside the caller's write transaction. Rows are projected onto the table's columns first, so a caller's
# extra keys (an import's raw ID number, say) can never reach the file.

_PRODUCT_COLUMNS = ("sku", "barcode", "name", "category", "tags", "price", "tax_rate")
_CUSTOMER_COLUMNS = ("id", "name", "tier", "id_hash", "id_last4")


def insert_products(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Catalog entries; one already listed is replaced."""
    utils_of(conn)["products"].insert_all(({k: r[k] for k in _PRODUCT_COLUMNS} for r in rows), replace=True)


def insert_price_history(conn: sqlite3.Connection, rows: list[tuple[str, str, int]]) -> None:
    """(sku, at, price in minor units) rows."""
    utils_of(conn)["price_history"].insert_all({"sku": sku, "at": at, "price": price} for sku, at, price in rows)


def insert_customers(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Customers (their ID number only as a keyed hash and its last 4); one already known is replaced."""
    utils_of(conn)["customers"].insert_all(({k: r[k] for k in _CUSTOMER_COLUMNS} for r in rows), replace=True)


def existing_receipts(conn: sqlite3.Connection, receipts: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(receipts), 500):
        chunk = receipts[i:i + 500]
        found.update(r for (r,) in conn.execute(
            f"SELECT receipt FROM sales WHERE receipt IN ({', '.join('?' * len(chunk))})", chunk))
    return found


# Sales, their lines, tenders and promotions (the hot path of an import: 60,000 lines) go in with executemany of
# one prepared INSERT per table instead of sqlite-utils' insert_all: insert_all builds multi-row INSERT text per
# batch and, in sqlite-utils 4, inspects the table per call, which doubled a 60,000-line import (1.5 s -> 3.2 s).
# The columns are named here, so only they reach the file, as with the projection above.

_SALE_SQL = ("INSERT INTO sales (receipt, store_id, register, sold_at, currency, gift_receipt, discount, customer_id, "
             "barcode, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_LINE_SQL = ("INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, discount, tax_rate, tags, "
             "serial, sold_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_TENDER_SQL = "INSERT INTO sale_tenders (receipt, seq, type, amount, last4) VALUES (?, ?, ?, ?, ?)"
_PROMOTION_SQL = "INSERT INTO sale_promotions (receipt, promo_id, lines, discount) VALUES (?, ?, ?, ?)"


def insert_sales(conn: sqlite3.Connection, sales: list[dict[str, Any]], import_id: int | None = None) -> None:
    """Sales already validated and in minor units: {receipt, store_id, register, sold_at, currency,
    gift_receipt, discount, customer_id, barcode, lines: [...], tenders: [...], promotions: [...]}.
    Inside the caller's write transaction: a failure leaves nothing of the batch once the caller rolls back."""
    conn.executemany(_SALE_SQL, (
        (s["receipt"], s["store_id"], s.get("register"), s["sold_at"], s["currency"], int(s["gift_receipt"]),
         s["discount"], s.get("customer_id"), s.get("barcode"), import_id) for s in sales))
    conn.executemany(_LINE_SQL, (
        (s["receipt"], ln["line"], ln["sku"], ln["name"], ln["category"], ln["qty"], ln["unit_price"],
         ln["discount"], ln["tax_rate"], ln["tags"], ln.get("serial"), s["sold_at"])
        for s in sales for ln in s["lines"]))
    conn.executemany(_TENDER_SQL, (
        (s["receipt"], i + 1, t["type"], t["amount"], t.get("last4"))
        for s in sales for i, t in enumerate(s["tenders"])))
    conn.executemany(_PROMOTION_SQL, (
        (s["receipt"], p["id"], json.dumps(p["lines"]), p["discount"])
        for s in sales for p in s.get("promotions", [])))


def find_import(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT id, name, at, sales FROM imports WHERE sha256 = ?", (sha256,))
    row = cur.fetchone()
    return dict(zip(("id", "name", "at", "sales"), row)) if row else None


def insert_import(conn: sqlite3.Connection, sha256: str, name: str, at: str, count: int) -> int:
    cur = conn.execute("INSERT INTO imports (sha256, name, at, sales) VALUES (?, ?, ?, ?)", (sha256, name, at, count))
    return int(cur.lastrowid)


def any_sale_currency(store: Database) -> str | None:
    row = store.one("SELECT currency FROM sales LIMIT 1")
    return row["currency"] if row else None


def department_counts(store: Database) -> list[dict[str, Any]]:
    """How many sale lines each (category, tags) pair has: the departments and marks the till really sells."""
    return store.query("SELECT category, tags, COUNT(*) AS n FROM sale_lines GROUP BY category, tags")
