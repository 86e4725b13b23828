"""``sync``: send a till's outbox -- its sales, journal entries and events not yet at the central database.

What has arrived is known by the central database itself, in the same transaction as what arrived: journal
entries by the last (store, register, seq) it holds, sales and events by a mark per till. A till killed in the
middle of a sync therefore loses nothing (the next sync starts where the last committed batch ended) and
duplicates nothing (every row is keyed; a resent one is ignored). Each entry's hash chain is checked on
arrival (:func:`check_arrival`), and its signature against the register's key the central database holds
(:mod:`pos_returns.storage.central.signed`: trust on first use, key changes handed over by the old key or
confirmed by head office); an entry that does not chain or is not validly signed, a register that another till
already uses, or one that went back behind the head the central database holds (a till rolled back to an older
copy) stops that register's sync and is recorded as a conflict for the exception report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from pos_returns.i18n import N_
from pos_returns.storage.central import signed
from pos_returns.storage.central.schema import CentralError, connect, require_schema
from pos_returns.storage import signatures as sg
from pos_returns.storage.db import Database
from pos_returns.storage.journal import _HASHED, DAY_REGISTER, GENESIS, entry_hash

TILL_SETTING = "central_till"
BATCH = 500


@dataclass
class SyncResult:
    sales: int = 0
    entries: int = 0
    events: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # new conflicts this sync found
    stopped: list[str] = field(default_factory=list)  # registers whose entries could not be sent


def till_id(db: Database) -> str:
    """This till file's id at the central database (made on its first sync, kept in its settings)."""
    value = db.setting(TILL_SETTING)
    if not value:
        value = uuid.uuid4().hex
        db.set_setting(TILL_SETTING, value)
    return value


def check_arrival(entry: dict[str, Any], prev_hash: str) -> list[str]:
    """Why an arriving journal entry cannot follow ``prev_hash`` (the hash of the entry before it at the central
    database, or GENESIS): empty when it chains and its hash is its content's. The one place an arriving entry is
    checked for its chain; its signature is checked next to it (:func:`pos_returns.storage.central.signed.
    check_signature`, called by the same loop)."""
    problems = []
    if entry["prev_hash"] != prev_hash:
        problems.append(f"{entry['txno']}: does not follow the entry before it (prev_hash "
                        f"{entry['prev_hash'][:12]}, expected {prev_hash[:12]})")
    if entry_hash(entry, entry["prev_hash"]) != entry["hash"]:
        problems.append(f"{entry['txno']}: its hash does not match its content (edited after it was written)")
    return problems


def central_register(register: str, till: str) -> str:
    """Day closings are per till file; at the central database their register names the till."""
    return f"{DAY_REGISTER}:{till}" if register == DAY_REGISTER else register


def sync_till(db: Database, url: str, store_id: str, secret_check: str,
              progress: Callable[[str, int], None] | None = None, batch: int = BATCH) -> SyncResult:
    """Send everything of this till the central database does not have yet (see the module's note), ``batch``
    rows of each kind per central transaction."""
    till = till_id(db)
    result = SyncResult()
    batch = max(int(batch), 1)
    with connect(url) as conn:
        require_schema(conn)
        _check_secret(conn, secret_check)
        conn.execute("INSERT INTO tills (till, store_id, last_sync) VALUES (%s, %s, now()) ON CONFLICT (till) "
                     "DO UPDATE SET last_sync = now()", (till, store_id))
        conn.commit()
        result.sales = _send_sales(db, conn, till, progress, batch)
        keys = signed.send_keys(db, conn, till, store_id, lambda signer, kind, detail: _conflict(
            conn, result, store_id, signer, None, None, kind, detail))
        conn.commit()
        for (register,) in db.conn.execute("SELECT DISTINCT register FROM journal ORDER BY register").fetchall():
            _send_register(db, conn, till, store_id, register, result, batch, keys)
        result.events = _send_events(db, conn, till, store_id, batch)
    return result


def _check_secret(conn: Any, secret_check: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('secret_check', %s) ON CONFLICT (key) DO NOTHING",
                 (secret_check,))
    row = conn.execute("SELECT value FROM meta WHERE key = 'secret_check'").fetchone()
    conn.commit()
    if row[0] != secret_check:
        raise CentralError(N_("This till's secret is not the chain's (customers would not be recognised across "
                              "stores); install the chain's secret (POS_RETURNS_SECRET or the config folder) "
                              "before syncing."))


def _mark(conn: Any, till: str, stream: str) -> int:
    row = conn.execute("SELECT upto FROM marks WHERE till = %s AND stream = %s", (till, stream)).fetchone()
    return row[0] if row else 0


def _set_mark(conn: Any, till: str, stream: str, upto: int) -> None:
    conn.execute("INSERT INTO marks (till, stream, upto) VALUES (%s, %s, %s) ON CONFLICT (till, stream) "
                 "DO UPDATE SET upto = excluded.upto", (till, stream, upto))


def _rows(db: Database, sql: str, params: tuple) -> list[dict[str, Any]]:
    cur = db.conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _send_sales(db: Database, conn: Any, till: str, progress: Callable[[str, int], None] | None,
                batch: int) -> int:
    sent = 0
    upto = _mark(conn, till, "sales")
    while True:
        heads = _rows(db, "SELECT rowid AS rid, * FROM sales WHERE rowid > ? ORDER BY rowid LIMIT ?",
                      (upto, batch))
        if not heads:
            return sent
        receipts = [h["receipt"] for h in heads]
        marks = ", ".join("?" * len(receipts))
        lines = _rows(db, f"SELECT * FROM sale_lines WHERE receipt IN ({marks})", tuple(receipts))
        tenders: dict[str, list] = {}
        for t in _rows(db, f"SELECT * FROM sale_tenders WHERE receipt IN ({marks}) ORDER BY receipt, seq",
                       tuple(receipts)):
            tenders.setdefault(t["receipt"], []).append({"type": t["type"], "amount": t["amount"],
                                                         "last4": t["last4"]})
        promos: dict[str, list] = {}
        for p in _rows(db, f"SELECT * FROM sale_promotions WHERE receipt IN ({marks})", tuple(receipts)):
            promos.setdefault(p["receipt"], []).append({"id": p["promo_id"], "lines": p["lines"],
                                                        "discount": p["discount"]})
        from psycopg.types.json import Jsonb
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sales (receipt, store_id, register, sold_at, currency, gift_receipt, discount, barcode, "
                "tenders, promotions, from_till) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (receipt) DO NOTHING",
                [(h["receipt"], h["store_id"], h["register"], h["sold_at"], h["currency"], bool(h["gift_receipt"]),
                  h["discount"], h["barcode"], Jsonb(tenders.get(h["receipt"], [])),
                  Jsonb(promos.get(h["receipt"], [])), till) for h in heads])
            cur.executemany(
                "INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, discount, tax_rate, "
                "tags, serial) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(r["receipt"], r["line"], r["sku"], r["name"], r["category"], r["qty"], r["unit_price"],
                  r["discount"], r["tax_rate"], r["tags"], r["serial"]) for r in lines])
        upto = heads[-1]["rid"]
        _set_mark(conn, till, "sales", upto)
        conn.commit()
        sent += len(heads)
        if progress:
            progress("sales", sent)


_ENTRY_COLS = list(_HASHED) + ["business_day", "prev_hash", "hash"]  # the hash covers the business day


def _send_register(db: Database, conn: Any, till: str, store_id: str, register: str, result: SyncResult,
                   batch: int, keys: dict[str, list[signed.CentralKey]] | None = None) -> None:
    creg = central_register(register, till)
    last = conn.execute("SELECT seq, hash, till FROM journal WHERE store_id = %s AND register = %s "
                        "ORDER BY seq DESC LIMIT 1", (store_id, creg)).fetchone()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    if last:
        mine = db.conn.execute("SELECT hash FROM journal WHERE register = ? AND seq = ?", (register, seq)).fetchone()
        if last[2] == till and mine is None:
            top = db.conn.execute("SELECT MAX(seq) FROM journal WHERE register = ?", (register,)).fetchone()[0]
            _conflict(conn, result, store_id, creg, None, None, "rolled_back",
                      f"register {register} of store {store_id}: the central database holds it up to #{seq} from "
                      f"this till, the till's journal ends at #{top} (rolled back to an older copy, or its newest "
                      f"entries removed)")
            conn.commit()
            result.stopped.append(register)
            return
        if last[2] == till and mine[0] != prev:
            _conflict(conn, result, store_id, creg, None, None, "chain_broken",
                      f"register {register} of store {store_id}: #{seq} differs from the copy the central database "
                      f"received from this till (rewritten after it was synced)")
            conn.commit()
            result.stopped.append(register)
            return
        if last[2] != till or mine is None or mine[0] != prev:
            _conflict(conn, result, store_id, creg, None, None, "register_clash",
                      f"register {register} of store {store_id} is used by another till too; give each till its "
                      f"own register")
            conn.commit()
            result.stopped.append(register)
            return
    legacy_upto = _legacy_upto(db, register)
    while True:
        entries = _rows(db, f"SELECT {', '.join(_ENTRY_COLS)} FROM journal WHERE register = ? AND seq > ? "
                            f"ORDER BY seq LIMIT ?", (register, seq, batch))
        if not entries:
            return
        good = []
        sigs = signed.local_signatures(db, [e["txno"] for e in entries])
        for entry in entries:
            problems = [("chain_broken", p) for p in check_arrival(entry, prev)]
            if not problems:
                bad = signed.check_signature(entry, sigs.get(entry["txno"]), store_id, keys or {},
                                             entry["seq"] <= legacy_upto)
                if bad is not None and bad[0] != "held":
                    problems.append(bad)
                elif bad is not None:  # its key's key_changed conflict already names it
                    result.stopped.append(register)
                    break
            if problems:
                for kind, p in problems:
                    _conflict(conn, result, store_id, creg, entry["txno"], entry["receipt"], kind, p)
                result.stopped.append(register)
                break
            good.append(entry)
            prev = entry["hash"]
        _insert_entries(db, conn, till, store_id, creg, good, result)
        signed.insert_signatures(conn, store_id, [sigs[e["txno"]] for e in good if e["txno"] in sigs])
        if good:
            signed.set_head(conn, store_id, creg, till, good[-1], sigs.get(good[-1]["txno"]))
        conn.commit()
        result.entries += len(good)
        if len(good) < len(entries):
            return
        seq = entries[-1]["seq"]


def _legacy_upto(db: Database, register: str) -> float:
    """Entries up to this seq are from before the till signed its journal (at or below the register's head when
    the schema upgrade ran, and before the register's first signed entry, which covers them through the chain)."""
    if not sg.has_signature_tables(db):
        return float("inf")
    began = sg.signing_began(db).get(register, 0)
    first = db.conn.execute("SELECT MIN(seq) FROM signatures WHERE register = ?", (register,)).fetchone()[0]
    return began if first is None else min(began, first - 1)


def _insert_entries(db: Database, conn: Any, till: str, store_id: str, creg: str, entries: list[dict[str, Any]],
                    result: SyncResult) -> None:
    if not entries:
        return
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO journal (store_id, {', '.join(_ENTRY_COLS)}, till, offline) VALUES "
            f"(%s, {', '.join(['%s'] * len(_ENTRY_COLS))}, %s, %s)",
            [[store_id] + [e[c] if c != "register" else creg for c in _ENTRY_COLS] + [till, False]
             for e in entries])
    settled = [e for e in entries if not e["training"] and e["receipt"]]
    # every receipt of the batch locked at once, in one order: two tills syncing batches that share receipts
    # would otherwise lock them in their own entry orders and deadlock (the chain soak found it)
    receipts = sorted({e["receipt"] for e in settled})
    if receipts:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO receipt_locks (receipt) VALUES (%s) ON CONFLICT DO NOTHING",
                            [(r,) for r in receipts])
        conn.execute("SELECT receipt FROM receipt_locks WHERE receipt = ANY(%s) ORDER BY receipt FOR UPDATE",
                     (receipts,))
    for entry in settled:
        _settle_claims(db, conn, store_id, entry, result)


def _settle_claims(db: Database, conn: Any, store_id: str, entry: dict[str, Any], result: SyncResult) -> None:
    """The entry's own lines and tender draws replace what its commit reserved; more than was sold or paid
    (a return recorded offline, say) is a conflict for the exception report."""
    txno, receipt = entry["txno"], entry["receipt"]
    conn.execute("INSERT INTO receipt_locks (receipt) VALUES (%s) ON CONFLICT DO NOTHING", (receipt,))
    conn.execute("SELECT receipt FROM receipt_locks WHERE receipt = %s FOR UPDATE", (receipt,))
    reserved = conn.execute("SELECT count(*) FROM claims WHERE txno = %s", (txno,)).fetchone()[0] + \
        conn.execute("SELECT count(*) FROM draws WHERE txno = %s", (txno,)).fetchone()[0]
    conn.execute("DELETE FROM claims WHERE txno = %s", (txno,))
    conn.execute("DELETE FROM draws WHERE txno = %s", (txno,))
    lines = db.conn.execute(
        "SELECT j.line, SUM(j.qty), COALESCE(MAX(s.qty), 0) FROM journal_lines j LEFT JOIN sale_lines s "
        "ON s.receipt = j.receipt AND s.line = j.line WHERE j.txno = ? AND j.receipt = ? AND j.outcome != 'denied' "
        "GROUP BY j.line", (txno, receipt)).fetchall()
    draws = db.conn.execute(
        "SELECT d.source_seq, SUM(d.amount), COALESCE(MAX(t.amount), 0) FROM journal_draws d LEFT JOIN "
        "sale_tenders t ON t.receipt = d.receipt AND t.seq = d.source_seq WHERE d.txno = ? AND d.receipt = ? "
        "GROUP BY d.source_seq", (txno, receipt)).fetchall()
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO claims (txno, receipt, line, qty, sold, state) VALUES (%s, %s, %s, %s, %s, "
                        "'journal')", [(txno, receipt, line, qty, sold) for line, qty, sold in lines if qty])
        cur.executemany("INSERT INTO draws (txno, receipt, source_seq, amount, paid, state) VALUES (%s, %s, %s, %s, "
                        "%s, 'journal')", [(txno, receipt, s, a, paid) for s, a, paid in draws if a])
    if not reserved and (lines or draws) and entry["kind"] != "correction":
        conn.execute("UPDATE journal SET offline = true WHERE txno = %s", (txno,))
    for line, _qty, _sold in lines:
        total, sold = conn.execute("SELECT SUM(qty), MAX(sold) FROM claims WHERE receipt = %s AND line = %s",
                                   (receipt, line)).fetchone()
        if sold and total > sold:
            _conflict(conn, result, store_id, entry["register"], txno, receipt, "unit_returned_twice",
                      f"receipt {receipt} line {line}: {total} returned across the chain, {sold} sold")
    for seq, _amount, _paid in draws:
        total, paid = conn.execute("SELECT SUM(amount), MAX(paid) FROM draws WHERE receipt = %s AND source_seq = %s",
                                   (receipt, seq)).fetchone()
        if paid and total > paid:
            _conflict(conn, result, store_id, entry["register"], txno, receipt, "tender_over_refunded",
                      f"receipt {receipt} tender {seq}: {total} refunded across the chain, {paid} paid")


def _conflict(conn: Any, result: SyncResult, store_id: str, register: str | None, txno: str | None,
              receipt: str | None, kind: str, detail: str) -> None:
    row = conn.execute("INSERT INTO conflicts (store_id, register, txno, receipt, kind, detail) VALUES "
                       "(%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                       (store_id, register, txno, receipt, kind, detail)).fetchone()
    if row:
        result.conflicts.append({"store_id": store_id, "register": register, "txno": txno, "receipt": receipt,
                                 "kind": kind, "detail": detail})


def _send_events(db: Database, conn: Any, till: str, store_id: str, batch: int) -> int:
    sent = 0
    upto = _mark(conn, till, "events")
    while True:
        rows = _rows(db, "SELECT id, at, kind, actor, txno, detail FROM events WHERE id > ? ORDER BY id LIMIT ?",
                     (upto, batch))
        if not rows:
            return sent
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO events (till, id, store_id, at, kind, actor, txno, detail) VALUES "
                            "(%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                            [(till, r["id"], store_id, r["at"], r["kind"], r["actor"], r["txno"], r["detail"])
                             for r in rows])
        upto = rows[-1]["id"]
        _set_mark(conn, till, "events", upto)
        conn.commit()
        sent += len(rows)
