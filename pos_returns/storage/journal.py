"""The append-only journal: entries chained by hash in a gapless sequence per register, day closings, events."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pos_returns.i18n import N_
from pos_returns.storage import signatures
from pos_returns.storage.db import Database, DayClosed, NotFound
from pos_returns.storage.values import canonical, iso


# ----------------------------------------------------------------------------- journal

@dataclass(frozen=True)
class JournalEntry:
    register: str
    seq: int
    txno: str
    kind: str
    at: str
    cashier: str
    receipt: str | None
    corrects: str | None
    customer_key: str | None
    training: int
    policy_sha256: str
    currency: str
    refund_total: int
    exchange_total: int
    balance_due: int
    payload: str
    prev_hash: str
    hash: str
    business_day: str | None = None  # the day this entry's figures are closed with (None: its calendar date)

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


GENESIS = "0" * 64
_HASHED = ("register", "seq", "txno", "kind", "at", "cashier", "receipt", "corrects", "customer_key", "training",
           "policy_sha256", "currency", "refund_total", "exchange_total", "balance_due", "payload")


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    body = {k: fields[k] for k in _HASHED}
    try:
        business_day = fields["business_day"]
    except (KeyError, IndexError):
        business_day = None
    if business_day is not None:  # entries from before business days were recorded hash without it
        body["business_day"] = business_day
    body = canonical(body)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


TRAINING_CHAIN = "-TRAIN"  # appended to the register: a register id is letters and digits, so never a real one


def chain_of(register: str, training: bool | int) -> str:
    """The numbering an entry takes: its register's, or for training the register's own training chain, so
    training never consumes a real sequence number (and its numbers say TRAIN: 0001-R1-TRAIN-000001)."""
    return f"{register}{TRAINING_CHAIN}" if training and not register.endswith(TRAINING_CHAIN) else register


def append_entry(conn: sqlite3.Connection, fields: dict[str, Any], lines: list[dict[str, Any]],
                 tenders: list[dict[str, Any]], draws: list[dict[str, Any]] = (), *,
                 signer: str | None = None) -> JournalEntry:
    """Append one entry (inside the caller's write transaction): next gapless seq, hash chained to the last,
    signed by the key of register ``signer`` (default: the entry's register, also for its training chain; a day
    close names the register that closes the day) with that register's next signature counter
    (storage.signatures). Its business day: see :func:`business_day_of` (a closed day never refuses it)."""
    signer = signer or fields["register"]
    register = chain_of(fields["register"], fields.get("training"))
    fields = dict(fields, business_day=business_day_of(conn, fields))
    last = conn.execute("SELECT seq, hash FROM journal WHERE register = ? ORDER BY seq DESC LIMIT 1",
                        (register,)).fetchone()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    fields = dict(fields, register=register, seq=seq,
                  txno=fields.get("txno") or f"{fields['store_id']}-{register}-{seq:06d}")
    store_id = fields.pop("store_id", None) or fields["txno"].split("-")[0]
    fields["hash"] = entry_hash(fields, prev)
    fields["prev_hash"] = prev
    cols = list(_HASHED) + ["business_day", "prev_hash", "hash"]
    conn.execute(f"INSERT INTO journal ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [fields[c] for c in cols])
    for line in lines:
        conn.execute("INSERT INTO journal_lines (txno, receipt, line, sku, qty, outcome, refund, training, fee, "
                     "category, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (fields["txno"], fields["receipt"], line["line"], line["sku"], line["qty"], line["outcome"],
                      line["refund"], fields["training"], line.get("fee", 0), line.get("category"),
                      line.get("reason")))
    for tender in tenders:
        conn.execute("INSERT INTO journal_tenders (txno, receipt, type, amount, last4, training) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (fields["txno"], fields["receipt"], tender["type"], tender["amount"], tender.get("last4"),
                      fields["training"]))
    for draw in draws:
        conn.execute("INSERT INTO journal_draws (txno, receipt, source_seq, amount, training) VALUES (?, ?, ?, ?, ?)",
                     (fields["txno"], fields["receipt"], draw["source_seq"], draw["amount"], fields["training"]))
    signatures.sign_entry(conn, fields, store_id, signer)
    return JournalEntry(**{c: fields[c] for c in JournalEntry.__dataclass_fields__})


DAY_REGISTER = "DAY"  # day closings have their own gapless sequence


def business_day_of(conn: sqlite3.Connection, fields: dict[str, Any]) -> str:
    """The business day of a new entry: a day closing's own day; else the entry's calendar date, or the day after
    the last closed day when that is later (a close at noon moves the rest of that day to the next day)."""
    if fields["kind"] == "day_close":
        return json.loads(fields["payload"])["date"]
    day = fields["at"][:10]
    closed = last_closed_day(conn)
    if closed is not None and day <= closed:
        day = (date.fromisoformat(closed) + timedelta(days=1)).isoformat()
    return day


def current_business_day(conn: sqlite3.Connection, now: datetime) -> str:
    """The business day an entry made ``now`` belongs to."""
    return business_day_of(conn, {"kind": "return", "at": iso(now)})


BUSINESS_DAY = "COALESCE(business_day, substr(at, 1, 10))"


def last_closed_day(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT payload FROM journal WHERE register = ? ORDER BY seq DESC LIMIT 1",
                       (DAY_REGISTER,)).fetchone()
    return json.loads(row[0])["date"] if row else None


def day_figures(conn: sqlite3.Connection, day: str) -> dict[str, Any]:
    """What a day's closing entry states, recomputed from the journal (real transactions only)."""
    rows = conn.execute(f"SELECT txno FROM journal WHERE {BUSINESS_DAY} = ? AND training = 0 "
                        "AND register != ? ORDER BY register, seq", (day, DAY_REGISTER)).fetchall()
    by_tender: dict[str, int] = {}
    for kind, amount in conn.execute(
            "SELECT t.type, SUM(t.amount) FROM journal_tenders t JOIN journal j ON j.txno = t.txno "
            "WHERE COALESCE(j.business_day, substr(j.at, 1, 10)) = ? AND j.training = 0 AND j.register != ? "
            "GROUP BY t.type",
            (day, DAY_REGISTER)):
        by_tender[kind] = amount
    previous = conn.execute("SELECT payload FROM journal WHERE register = ? AND json_extract(payload, '$.date') < ? "
                            "ORDER BY seq DESC LIMIT 1", (DAY_REGISTER, day)).fetchone()
    before = json.loads(previous[0])["perpetual_total"] if previous else 0
    period = sum(by_tender.values())
    return {"date": day, "count": len(rows), "refunds_by_tender": dict(sorted(by_tender.items())),
            "period_total": period, "perpetual_total": before + period}


def get_entry(store: Database, txno: str) -> JournalEntry:
    row = store.one("SELECT * FROM journal WHERE txno = ?", (txno,))
    if row is None:
        raise NotFound(N_("Transaction {txno} is not in the journal."), txno=txno)
    return JournalEntry(**{c: row[c] for c in JournalEntry.__dataclass_fields__})


def log_event(conn: sqlite3.Connection, at: datetime, event: str, actor: str | None = None,
              txno: str | None = None, /, **detail: Any) -> None:
    """Append an event (who, when, what); ``detail`` is free-form and may use any key."""
    conn.execute("INSERT INTO events (at, kind, actor, txno, detail) VALUES (?, ?, ?, ?, ?)",
                 (iso(at), event, actor, txno, canonical(detail)))


def record_event(store: Database, at: datetime, event: str, actor: str | None = None, txno: str | None = None,
                 /, **detail: Any) -> None:
    with store.write() as c:
        log_event(c, at, event, actor, txno, **detail)


def corrected_by(conn: sqlite3.Connection, txno: str) -> str | None:
    row = conn.execute("SELECT txno FROM journal WHERE corrects = ? LIMIT 1", (txno,)).fetchone()
    return row[0] if row else None


def returned_quantities(conn: sqlite3.Connection, receipt: str, training: bool) -> dict[int, int]:
    extra = "" if training else " AND training = 0"
    return {line: qty for line, qty in conn.execute(
        f"SELECT line, SUM(qty) FROM journal_lines WHERE receipt = ? AND outcome != 'denied'{extra} GROUP BY line",
        (receipt,)) if qty}


def refunded_by_tender(conn: sqlite3.Connection, receipt: str, training: bool) -> dict[int, int]:
    """What each tender of a sale (by its seq) has had refunded so far, in minor units, corrections counted."""
    extra = "" if training else " AND training = 0"
    return {seq: amount for seq, amount in conn.execute(
        f"SELECT source_seq, SUM(amount) FROM journal_draws WHERE receipt = ?{extra} GROUP BY source_seq",
        (receipt,)) if amount}


def customer_returns(store: Database, customer_key: str, since: datetime) -> list[dict[str, Any]]:
    return store.query("SELECT at, refund_total, kind FROM journal WHERE customer_key = ? AND at >= ? "
                       "AND training = 0 AND kind IN ('return', 'exchange', 'no_receipt') ORDER BY at",
                       (customer_key, iso(since)))


def last_event(store: Database, event: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", (event,))


def events_of(store: Database, event: str, txno: str | None = None) -> list[dict[str, Any]]:
    """Events of one kind (optionally of one transaction), oldest first."""
    if txno is None:
        return store.query("SELECT * FROM events WHERE kind = ? ORDER BY id", (event,))
    return store.query("SELECT * FROM events WHERE kind = ? AND txno = ? ORDER BY id", (event, txno))


def all_journal(store: Database) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM journal ORDER BY register, seq")


def all_events(store: Database) -> list[dict[str, Any]]:
    return store.query("SELECT id, at, kind, actor, txno, detail FROM events ORDER BY id")
