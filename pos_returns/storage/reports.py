"""The queries behind the manager's reports, the day close, complaints and training (real entries only
unless said otherwise)."""

from __future__ import annotations

import sqlite3
from typing import Any

from pos_returns.storage.db import Database
from pos_returns.storage.journal import DAY_REGISTER


# ----------------------------------------------------------------------------- manager queries

def report_entries(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    """Per kind and cashier: count, refunds, exchanges, approvals and overrides of real entries in [start, end)."""
    return store.query(
        "SELECT kind, cashier, COUNT(*) AS n, SUM(refund_total) AS refund, SUM(exchange_total) AS exchange, "
        "SUM(COALESCE(json_array_length(payload, '$.approvals'), 0)) AS approvals, "
        "SUM(COALESCE(json_array_length(payload, '$.case.request.overrides'), 0)) AS overrides "
        "FROM journal WHERE at >= ? AND at < ? AND training = 0 "
        "AND kind IN ('return', 'exchange', 'no_receipt', 'correction') GROUP BY kind, cashier", (start, end))


def report_lines(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    """Accepted lines of real returns in [start, end) by reason and category: units, refunds, fees."""
    return store.query(
        "SELECT l.reason, l.category, SUM(l.qty) AS qty, SUM(l.refund) AS refund, SUM(l.fee) AS fee "
        "FROM journal j JOIN journal_lines l ON l.txno = j.txno WHERE j.at >= ? AND j.at < ? AND j.training = 0 "
        "AND j.kind IN ('return', 'exchange', 'no_receipt') AND l.outcome != 'denied' "
        "GROUP BY l.reason, l.category", (start, end))


def report_tenders(store: Database, start: str, end: str) -> dict[str, int]:
    return {r["type"]: r["amount"] for r in store.query(
        "SELECT t.type, SUM(t.amount) AS amount FROM journal j JOIN journal_tenders t ON t.txno = j.txno "
        "WHERE j.at >= ? AND j.at < ? AND j.training = 0 GROUP BY t.type", (start, end))}


def sales_total(store: Database, start: str, end: str) -> int:
    """Gross value of sale lines (before tax) sold in [start, end), minor units."""
    row = store.one("SELECT COALESCE(SUM(l.qty * l.unit_price - l.discount), 0) AS total FROM sales s "
                    "JOIN sale_lines l ON l.receipt = s.receipt WHERE s.sold_at >= ? AND s.sold_at < ?", (start, end))
    return int(row["total"])


def insert_complaint(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cur = conn.execute("INSERT INTO complaints (at, logged_by, txno, kind, category, severity, text, resolution, "
                       "follow_up) VALUES (:at, :logged_by, :txno, :kind, :category, :severity, :text, :resolution, "
                       ":follow_up)", row)
    return int(cur.lastrowid)


def list_complaints(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM complaints WHERE at >= ? AND at < ? ORDER BY at", (start, end))


def complaint_counts(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    return store.query("SELECT kind, COUNT(*) AS n FROM complaints WHERE at >= ? AND at < ? GROUP BY kind",
                       (start, end))


# ----------------------------------------------------------------------------- reads for reports, paperwork, training

REAL_KINDS = ("return", "exchange", "no_receipt", "correction")


def real_entries(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    """Real (not training) returns, exchanges, no-receipt returns and corrections in [start, end), oldest first."""
    return store.query(
        "SELECT txno, kind, at, cashier, receipt, refund_total, exchange_total, payload FROM journal "
        f"WHERE at >= ? AND at < ? AND training = 0 AND kind IN ({', '.join('?' * len(REAL_KINDS))}) ORDER BY at",
        (start, end, *REAL_KINDS))


def reprints_by_actor(store: Database, start: str, end: str) -> dict[str, int]:
    """Reprint actions per staff member: one per transaction reprinted at one moment, however many documents
    (receipt, store copy, slip) each action printed."""
    return {r["actor"]: r["n"] for r in store.query(
        "SELECT actor, COUNT(DISTINCT txno || '|' || at) AS n FROM events WHERE kind = 'reprint' AND at >= ? "
        "AND at < ? GROUP BY actor", (start, end))}


def pin_trouble_by_actor(store: Database, start: str, end: str) -> dict[str, tuple[int, int]]:
    """Wrong PINs and lockouts per staff id typed (an unknown id counts too): {id: (wrong PINs, lockouts)}."""
    out: dict[str, tuple[int, int]] = {}
    for r in store.query(
            "SELECT actor, SUM(kind = 'pin_failed') AS wrong, SUM(kind = 'lockout') AS locked FROM events "
            "WHERE kind IN ('pin_failed', 'lockout') AND at >= ? AND at < ? AND actor IS NOT NULL GROUP BY actor",
            (start, end)):
        out[r["actor"]] = (r["wrong"] or 0, r["locked"] or 0)
    return out


def no_receipt_by_cashier_customer(store: Database, start: str, end: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT cashier, customer_key, COUNT(*) AS n FROM journal WHERE kind = 'no_receipt' AND training = 0 "
        "AND customer_key IS NOT NULL AND at >= ? AND at < ? GROUP BY cashier, customer_key", (start, end))


def entries_of_day(store: Database, day: str) -> list[dict[str, Any]]:
    """Every transaction of business day ``day`` (real and training), in time order; day closings excluded."""
    return store.query("SELECT txno, kind, training, payload FROM journal "
                       "WHERE COALESCE(business_day, substr(at, 1, 10)) = ? "
                       "AND register != ? ORDER BY at, register, seq", (day, DAY_REGISTER))


def day_closings(store: Database) -> list[dict[str, Any]]:
    return store.query("SELECT txno, payload FROM journal WHERE register = ? ORDER BY seq", (DAY_REGISTER,))


def recent_real_entries(store: Database, limit: int) -> list[dict[str, Any]]:
    """The latest real returns, exchanges and no-receipt returns by time across every register, newest first."""
    return store.query("SELECT txno, payload FROM journal WHERE training = 0 AND kind IN ('return', 'exchange', "
                       "'no_receipt') ORDER BY at DESC, register, seq DESC LIMIT ?", (limit,))
