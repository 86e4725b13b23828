"""``journal verify``: every edited, removed or inserted entry named, the details and the tenders checked,
and a file verified read-only without creating, upgrading or writing anything."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.storage import db as _db
from pos_returns.storage.db import SCHEMA_VERSION, Database, NewerDatabase, NotFound, StoreError, count
from pos_returns.storage.journal import DAY_REGISTER, GENESIS, day_figures, entry_hash
from pos_returns.storage.verify_signatures import verify_signatures


@dataclass(frozen=True)
class VerifyProblem:
    register: str
    seq: int | None
    txno: str | None
    kind: str  # edited | removed | gap | inserted | mismatch | unsigned | signature | untrusted_key
    message: str

    def __str__(self) -> str:
        return self.message


def verify_journal(store: Database, *, public_keys: list[bytes] | None = None,
                   report: list[str] | None = None) -> list[VerifyProblem]:
    """Every edited, removed, inserted, out-of-sequence or unsigned entry, each named; [] when the journal is
    intact. Signatures are checked against ``public_keys`` (the auditor's) or, without them, against the keys
    the database names (which proves less); the key periods and that note go to ``report``."""
    by_register: dict[str, list[dict[str, Any]]] = {}
    for row in store.query("SELECT * FROM journal ORDER BY register, seq"):
        by_register.setdefault(row["register"], []).append(row)
    problems = [p for register, entries in by_register.items() for p in _verify_chain(register, entries)]
    edited = {p.txno for p in problems if p.kind == "edited"}
    problems.extend(p for p in _verify_details(store) if not (p.kind == "mismatch" and p.txno in edited))
    problems.extend(_verify_events(store, by_register))
    named = {p.txno for p in problems if p.kind in ("edited", "removed") and p.txno}  # named once is enough
    problems.extend(p for p in verify_signatures(store, by_register, VerifyProblem, public_keys, report)
                    if p.txno not in named)
    return problems


def _verify_chain(register: str, entries: list[dict[str, Any]]) -> list[VerifyProblem]:
    """One register's entries, in seq order: gapless from #1, each hash recomputed, each linked to the one before."""
    problems: list[VerifyProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    for row in entries:
        seq = row["seq"]
        if seq > expected_seq:
            missing = f"#{expected_seq}" if seq == expected_seq + 1 else f"#{expected_seq}..#{seq - 1}"
            problems.append(VerifyProblem(register, expected_seq, None, "removed",
                                          f"register {register}: entry {missing} is missing (removed); "
                                          f"the sequence jumps to #{seq} ({row['txno']})"))
        recomputed = entry_hash(row, row["prev_hash"])
        if recomputed != row["hash"]:
            problems.append(VerifyProblem(register, seq, row["txno"], "edited",
                                          f"register {register} #{seq} {row['txno']}: the entry was edited "
                                          f"(its content no longer matches its hash)"))
        elif row["prev_hash"] != prev_hash and seq == expected_seq:
            problems.append(VerifyProblem(register, seq, row["txno"], "inserted",
                                          f"register {register} #{seq} {row['txno']}: does not follow the "
                                          f"previous entry (inserted or replaced)"))
        prev_hash = row["hash"]
        expected_seq = seq + 1
    return problems


def _verify_events(store: Database, by_register: dict[str, list[dict[str, Any]]]) -> list[VerifyProblem]:
    """Events are numbered by AUTOINCREMENT and never deleted: a missing number means rows were removed.

    Removing the journal's last entries together with every trace of them is only visible this way (or
    against an export or a printed receipt's hash): the events that recorded them leave a hole."""
    ids = [r["id"] for r in store.query("SELECT id FROM events ORDER BY id")]
    row = store.one("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
    highest = max([row["seq"] if row else 0] + ids)
    missing = sorted(set(range(1, highest + 1)) - set(ids))
    if not missing:
        return []
    spans, start = [], missing[0]
    for a, b in zip(missing, missing[1:] + [None]):
        if b != a + 1:
            spans.append(f"#{start}" if start == a else f"#{start}..#{a}")
            start = b
    problems = [VerifyProblem("events", missing[0], None, "removed",
                              f"events {', '.join(spans)} were removed; the journal entries they recorded may be "
                              f"gone too")]
    if missing[-1] > (ids[-1] if ids else 0):
        for register, entries in sorted(by_register.items()):
            last = entries[-1]["seq"]
            problems.append(VerifyProblem(register, last + 1, None, "removed",
                                          f"register {register}: the last events were removed; entry #{last + 1} "
                                          f"and later (after {entries[-1]['txno']}) may have been removed"))
    return problems


def _verify_details(store: Database) -> list[VerifyProblem]:
    """The line and tender tables must say what each entry's (hashed) payload says."""
    problems = []
    details = _details_by_txno(store)
    known = set()
    logged = {r["txno"] for r in store.query("SELECT DISTINCT txno FROM events WHERE txno IS NOT NULL")}
    for row in store.query("SELECT register, seq, txno, kind, refund_total, payload FROM journal"):
        known.add(row["txno"])
        if row["txno"] not in logged:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "inserted",
                                          f"register {row['register']} #{row['seq']} {row['txno']}: no event records "
                                          f"this entry being written (inserted outside the app)"))
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            continue  # the hash check already names it
        problems.extend(_verify_entry_details(row, payload, details))
    for txno in sorted(set().union(*details) - known):
        problems.append(VerifyProblem("?", None, txno, "inserted",
                                      f"{txno}: lines or tenders without a journal entry (inserted)"))
    problems.extend(_verify_day_closings(store))
    for r in store.query("SELECT txno, at FROM events WHERE kind = 'transaction' AND txno IS NOT NULL"):
        if r["txno"] not in known:
            problems.append(VerifyProblem("?", None, r["txno"], "removed",
                                          f"{r['txno']}: recorded at {r['at']} but no longer in the journal (removed)"))
    problems.extend(_verify_refunds(store))
    return problems


_Details = tuple[dict[str, list[tuple]], dict[str, list[tuple]], dict[str, list[tuple]]]


def _details_by_txno(store: Database) -> _Details:
    """The journal's lines, tenders and draws as stored, per transaction, in the order they were written."""
    lines: dict[str, list[tuple]] = {}
    for r in store.query("SELECT txno, line, qty, refund, outcome, fee, category, reason FROM journal_lines "
                         "ORDER BY rowid"):
        lines.setdefault(r["txno"], []).append((r["line"], r["qty"], r["refund"], r["outcome"], r["fee"],
                                                r["category"], r["reason"]))
    tenders: dict[str, list[tuple]] = {}
    for r in store.query("SELECT txno, type, amount, last4 FROM journal_tenders ORDER BY rowid"):
        tenders.setdefault(r["txno"], []).append((r["type"], r["amount"], r["last4"]))
    draws: dict[str, list[tuple]] = {}
    for r in store.query("SELECT txno, source_seq, amount FROM journal_draws ORDER BY rowid"):
        draws.setdefault(r["txno"], []).append((r["source_seq"], r["amount"]))
    return lines, tenders, draws


def _verify_entry_details(row: dict[str, Any], payload: dict[str, Any], details: _Details) -> list[VerifyProblem]:
    """One entry's stored lines, tenders and draws against what its payload states."""
    lines, tenders, draws = details
    problems = []

    def mismatch(message: str) -> None:
        problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "mismatch", message))

    if row["kind"] != "day_close" and \
            sum(x["refund"] for x in payload.get("journal_lines", [])) != row["refund_total"]:
        mismatch(f"{row['txno']}: its refund total does not match its lines")
    want_lines = [(x["line"], x["qty"], x["refund"], x["outcome"], x.get("fee", 0), x.get("category"),
                   x.get("reason")) for x in payload.get("journal_lines", [])]
    want_tenders = [(x["type"], x["amount"], x.get("last4")) for x in payload.get("journal_tenders", [])]
    if lines.get(row["txno"], []) != want_lines:
        mismatch(f"{row['txno']}: its returned lines were changed, added or removed")
    if tenders.get(row["txno"], []) != want_tenders:
        mismatch(f"{row['txno']}: its refund tenders were changed, added or removed")
    want_draws = [(x["source_seq"], x["amount"]) for x in payload.get("journal_draws", [])]
    if draws.get(row["txno"], []) != want_draws:
        mismatch(f"{row['txno']}: what it drew from the sale's tenders was changed")
    return problems


def _verify_day_closings(store: Database) -> list[VerifyProblem]:
    """Each day closing still states what the journal gives for its day."""
    problems = []
    for row in store.query("SELECT register, seq, txno, payload FROM journal WHERE register = ? ORDER BY seq",
                           (DAY_REGISTER,)):
        try:
            stated = json.loads(row["payload"])
        except ValueError:
            continue
        keys = ("date", "count", "refunds_by_tender", "period_total", "perpetual_total")
        actual = day_figures(store.conn, stated.get("date", ""))
        if {k: stated.get(k) for k in keys} != actual:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "day_close",
                                          f"{row['txno']}: the closing of {stated.get('date')} no longer matches the "
                                          f"journal (it states {stated.get('count')} entries, "
                                          f"{stated.get('period_total')} paid out; the journal now gives "
                                          f"{actual['count']} and {actual['period_total']})"))
    return problems


_CARD_TENDERS = ("credit", "debit", "gift_card")  # refunded to the same card, never to another kind


def _verify_refunds(store: Database) -> list[VerifyProblem]:
    """No tender of any sale got back more than it paid (corrections counted; training apart from real).

    Checked twice: what the entries drew from each of the sale's tenders, and what they paid back to each
    card (a card refund only ever goes back to the card of the sale)."""
    problems: list[VerifyProblem] = []
    seen: set[tuple[str, str, str | None, int]] = set()
    txnos: dict[tuple[str, int], list[str]] = {}
    for r in store.query("SELECT receipt, training, txno FROM journal WHERE receipt IS NOT NULL ORDER BY at, txno"):
        txnos.setdefault((r["receipt"], r["training"]), []).append(r["txno"])

    def report(receipt: str, training: int, kind: str, last4: str | None, paid: int, back: int,
               currency: str) -> None:
        key = (receipt, kind, last4, training)
        if key in seen:
            return
        seen.add(key)
        tender = kind + (f" ****{last4}" if last4 else "")
        entries = txnos.get((receipt, training), [])
        named = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
        problems.append(VerifyProblem("?", None, entries[-1] if entries else None, "over_refund",
                                      f"receipt {receipt}: its {tender} tender paid "
                                      f"{Money.from_minor(paid, currency)} but got back "
                                      f"{Money.from_minor(back, currency)}{' in training' if training else ''} "
                                      f"(entries {named or 'none'})"))

    for r in store.query(
            "SELECT d.receipt, d.training, d.source_seq, SUM(d.amount) AS back, t.amount AS paid, t.type, t.last4, "
            "s.currency FROM journal_draws d JOIN sale_tenders t ON t.receipt = d.receipt AND t.seq = d.source_seq "
            "JOIN sales s ON s.receipt = d.receipt GROUP BY d.receipt, d.training, d.source_seq "
            "HAVING SUM(d.amount) > t.amount ORDER BY d.receipt, d.source_seq"):
        report(r["receipt"], r["training"], r["type"], r["last4"], r["paid"], r["back"], r["currency"])
    marks = ", ".join("?" * len(_CARD_TENDERS))
    for r in store.query(
            f"SELECT j.receipt, j.training, j.type, j.last4, SUM(j.amount) AS back, s.currency, "
            f"(SELECT COALESCE(SUM(t.amount), 0) FROM sale_tenders t WHERE t.receipt = j.receipt AND t.type = j.type "
            f"AND t.last4 IS j.last4) AS paid FROM journal_tenders j JOIN sales s ON s.receipt = j.receipt "
            f"WHERE j.type IN ({marks}) GROUP BY j.receipt, j.training, j.type, j.last4 "
            f"HAVING SUM(j.amount) > paid ORDER BY j.receipt, j.type", _CARD_TENDERS):
        report(r["receipt"], r["training"], r["type"], r["last4"], r["paid"], r["back"], r["currency"])
    return problems


# ----------------------------------------------------------------------------- verifying a file read-only

_TABLES_TO_VERIFY = ("journal", "journal_lines", "journal_tenders", "journal_draws", "events")


def _file_problem(path: Path, message: str) -> VerifyProblem:
    return VerifyProblem("file", None, None, "file", f"{path}: {message}")


def _open_verify_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` or leave anything beside it.

    Without a write-ahead log or rollback journal beside the file, everything committed is in the file itself:
    it is opened ``immutable`` (no locks, no -wal/-shm files made, works on read-only media). With one, a
    till may be writing or a write was interrupted: ``mode=ro`` reads the log as SQLite would."""
    uri = Path(path).resolve().as_uri()
    side = [Path(str(path) + s) for s in ("-wal", "-journal")]
    if any(p.exists() for p in side):
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=_db.BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {_db.BUSY_TIMEOUT_MS}")
        return conn
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False)


def _header_problem(path: Path, data: bytes, size: int) -> str | None:
    if len(data) < 100 or not data.startswith(b"SQLite format 3\x00"):
        return "this is not a SQLite database file (no SQLite header)"
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(data[28:32], "big")
    if page_size < 512 or page_size & (page_size - 1):
        return f"the database header is corrupted (page size {page_size})"
    if data[24:28] == data[92:96] and pages and size < pages * page_size:
        return (f"the file is truncated: its header says {pages} pages of {page_size} bytes "
                f"({pages * page_size} bytes) but the file has {size} bytes")
    return None


def verify_file(path: str | Path, *, public_keys: list[bytes] | None = None,
                report: list[str] | None = None, central: str | None = None) -> tuple[int, list[VerifyProblem]]:
    """``journal verify``: (entries, problems) of the database at ``path``, opened read-only.

    Never creates, upgrades or writes to the file (nor makes -wal/-shm files beside it when none are there): an
    empty, truncated or corrupted file is a problem (``PRAGMA integrity_check`` runs first), then the journal's
    chain and details. A missing file raises :class:`NotFound`, one written by a newer version
    :class:`NewerDatabase`. With ``central`` (a connection string) the journal is also checked against what the
    chain's central database holds from this till (:mod:`pos_returns.storage.central.anchor`)."""
    path = Path(path)
    bad = _file_bytes_problem(path)
    if bad:
        return 0, [_file_problem(path, bad)]
    try:
        conn = _open_verify_connection(path)
    except sqlite3.Error as exc:
        return 0, [_file_problem(path, f"cannot be opened read-only ({exc})")]
    store = Database(conn, path)
    try:
        bad_file = _schema_problems(store)
        if bad_file:
            return 0, bad_file
        try:
            problems = verify_journal(store, public_keys=public_keys, report=report)
            entries = count(store, "journal")
            if central is not None:
                from pos_returns.storage.central.anchor import check_against_central
                problems += check_against_central(store, central, VerifyProblem,
                                                  report if report is not None else [])
        except StoreError as exc:
            return 0, [_file_problem(path, f"the journal cannot be read ({exc})")]
        return entries, problems
    finally:
        store.close()


def _file_bytes_problem(path: Path) -> str | None:
    """What is wrong with the file before SQLite reads it (empty, not SQLite, truncated), or None."""
    if not path.is_file():
        raise NotFound(N_("{path}: no database here; create one with 'db init' or 'demo-data'."), path=str(path))
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise StoreError(N_("{path}: cannot open the database file ({error})."), path=str(path),
                         error=exc.strerror) from None
    if size == 0:
        return "the file is empty (0 bytes): it holds no journal"
    return _header_problem(path, head, size)


def _schema_problems(store: Database) -> list[VerifyProblem]:
    """A damaged file, or one that is not a pos-returns database (a newer one raises); [] when it can be read."""
    conn, path = store.conn, store.path
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.Error as exc:
        return [_file_problem(path, f"the file is damaged ({exc})")]
    if result != ["ok"]:
        return [_file_problem(path, f"the file is damaged (integrity check: {line})") for line in result[:50]]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise NewerDatabase(
            N_("{path}: this database was written by a newer pos-returns (schema {version}; this version knows "
               "up to {known}). Update the app; the file was not changed."), path=str(path), version=version,
            known=SCHEMA_VERSION)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in _TABLES_TO_VERIFY if t not in tables]
    if version < 1 or missing:
        return [_file_problem(path, f"not a pos-returns database (schema version {version}"
                                    + (f"; no {', '.join(missing)} table" if missing else "") + ")")]
    return []
