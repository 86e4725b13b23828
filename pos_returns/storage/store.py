"""The local database: schema and upgrades, sales, the append-only journal, staff, approvals, events.

The only module that writes SQL. SQLite through sqlite-utils, WAL with ``synchronous=FULL``; every write
runs in ``BEGIN IMMEDIATE`` with a busy timeout, so two tills on one file are serialised. Money is stored
as integer minor units. The schema version lives in ``PRAGMA user_version``; upgrades run in order, in one
transaction; a file written by a newer version is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlite_utils

from pos_returns import keys
from pos_returns.i18n import N_, UserError
from pos_returns.domain.model import Promotion, Sale, SaleLine, Tender
from pos_returns.domain.money import Money

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 5000
APP_DIR_NAME = "pos-returns"


class StoreError(UserError):
    """A problem with the database a user can act on; the message says what and where."""


class NewerDatabase(StoreError):
    pass


class DatabaseBusy(StoreError):
    pass


class StorageFull(StoreError):
    pass


class ReadOnlyDatabase(StoreError):
    pass


class NotFound(StoreError):
    pass


class DayClosed(StoreError):
    pass


class Conflict(StoreError):
    """The write was refused because of what another till did first (e.g. the line was just returned)."""


# ----------------------------------------------------------------------------- location

def default_db_path(environ: dict[str, str] | None = None) -> Path:
    """``POS_RETURNS_DB``, else the user's data folder (platformdirs: ~/.local/share/pos-returns on Linux)."""
    env = os.environ if environ is None else environ
    if env.get("POS_RETURNS_DB"):
        return Path(env["POS_RETURNS_DB"])
    return keys.data_dir() / "pos-returns.db"


def resolve_db_path(arg: str | None, environ: dict[str, str] | None = None) -> Path:
    return Path(arg) if arg else default_db_path(environ)


# ----------------------------------------------------------------------------- schema

_SCHEMA_V1 = """
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE products (
    sku TEXT PRIMARY KEY, barcode TEXT, name TEXT NOT NULL, category TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]', price INTEGER NOT NULL, tax_rate TEXT NOT NULL DEFAULT '0');
CREATE INDEX products_barcode ON products(barcode);
CREATE TABLE price_history (sku TEXT NOT NULL, at TEXT NOT NULL, price INTEGER NOT NULL);
CREATE INDEX price_history_sku_at ON price_history(sku, at);

CREATE TABLE customers (
    id TEXT PRIMARY KEY, name TEXT, tier TEXT, id_hash TEXT, id_last4 TEXT);
CREATE INDEX customers_id_hash ON customers(id_hash);

CREATE TABLE sales (
    receipt TEXT PRIMARY KEY, store_id TEXT NOT NULL, register TEXT, sold_at TEXT NOT NULL,
    currency TEXT NOT NULL, gift_receipt INTEGER NOT NULL DEFAULT 0, discount INTEGER NOT NULL DEFAULT 0,
    customer_id TEXT, barcode TEXT, import_id INTEGER);
CREATE INDEX sales_barcode ON sales(barcode);
CREATE INDEX sales_sold_at ON sales(sold_at);
CREATE TABLE sale_lines (
    receipt TEXT NOT NULL, line INTEGER NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty > 0), unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0), tax_rate TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]', serial TEXT, PRIMARY KEY (receipt, line)) WITHOUT ROWID;
CREATE TABLE sale_tenders (
    receipt TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, amount INTEGER NOT NULL,
    last4 TEXT CHECK (last4 IS NULL OR (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*')),
    PRIMARY KEY (receipt, seq)) WITHOUT ROWID;
CREATE TABLE sale_promotions (
    receipt TEXT NOT NULL, promo_id TEXT NOT NULL, lines TEXT NOT NULL, discount INTEGER NOT NULL,
    PRIMARY KEY (receipt, promo_id)) WITHOUT ROWID;
CREATE TABLE imports (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, name TEXT NOT NULL, at TEXT NOT NULL,
    sales INTEGER NOT NULL);

CREATE TABLE staff (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_hash TEXT NOT NULL, failed INTEGER NOT NULL DEFAULT 0, locked_until TEXT, active INTEGER NOT NULL DEFAULT 1);

CREATE TABLE approvals (
    id TEXT PRIMARY KEY, pending TEXT NOT NULL, manager TEXT NOT NULL, cashier TEXT NOT NULL,
    rules TEXT NOT NULL, reason_code TEXT NOT NULL, amount INTEGER NOT NULL, at TEXT NOT NULL,
    used_by TEXT);

-- the journal: append-only
CREATE TABLE journal (
    register TEXT NOT NULL, seq INTEGER NOT NULL, txno TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    at TEXT NOT NULL, cashier TEXT NOT NULL, receipt TEXT, corrects TEXT, customer_key TEXT,
    training INTEGER NOT NULL DEFAULT 0, policy_sha256 TEXT NOT NULL, currency TEXT NOT NULL,
    refund_total INTEGER NOT NULL, exchange_total INTEGER NOT NULL, balance_due INTEGER NOT NULL,
    payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (register, seq));
CREATE INDEX journal_receipt ON journal(receipt);
CREATE INDEX journal_at ON journal(at);
CREATE INDEX journal_customer ON journal(customer_key);
CREATE TABLE journal_lines (
    txno TEXT NOT NULL, receipt TEXT, line INTEGER NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL,
    outcome TEXT NOT NULL, refund INTEGER NOT NULL, training INTEGER NOT NULL DEFAULT 0,
    fee INTEGER NOT NULL DEFAULT 0, category TEXT, reason TEXT);
CREATE INDEX journal_lines_receipt ON journal_lines(receipt, line);
CREATE INDEX journal_lines_txno ON journal_lines(txno);
CREATE TABLE journal_tenders (
    txno TEXT NOT NULL, receipt TEXT, type TEXT NOT NULL, amount INTEGER NOT NULL,
    last4 TEXT CHECK (last4 IS NULL OR (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*')),
    training INTEGER NOT NULL DEFAULT 0);
CREATE INDEX journal_tenders_txno ON journal_tenders(txno);
-- what each refund took from each tender of the original sale (so no tender gets back more than it paid)
CREATE TABLE journal_draws (
    txno TEXT NOT NULL, receipt TEXT NOT NULL, source_seq INTEGER NOT NULL, amount INTEGER NOT NULL,
    training INTEGER NOT NULL DEFAULT 0);
CREATE INDEX journal_draws_receipt ON journal_draws(receipt);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT,
    txno TEXT, detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX events_kind_at ON events(kind, at);
"""

APPEND_ONLY_TABLES = ("journal", "journal_lines", "journal_tenders", "journal_draws", "events")


def _append_only_triggers() -> str:
    out = []
    for table in APPEND_ONLY_TABLES:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only: write a correction instead'); END;")
    return "\n".join(out)


_SCHEMA_V2 = """
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, logged_by TEXT NOT NULL, txno TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'compliment')), category TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5), text TEXT NOT NULL,
    resolution TEXT, follow_up TEXT, closed_at TEXT);
CREATE INDEX complaints_at ON complaints(at);
CREATE INDEX journal_kind ON journal(kind);
CREATE INDEX journal_corrects ON journal(corrects);
CREATE INDEX journal_customer_at ON journal(customer_key, at);
DROP INDEX journal_customer;
"""

# an approval is bound to one transaction (receipt, register, lines and quantities) and sealed with the store's
# secret (services), so a row written into the file by hand is refused at commit
_SCHEMA_V3 = """
ALTER TABLE approvals ADD COLUMN receipt TEXT;
ALTER TABLE approvals ADD COLUMN register TEXT;
ALTER TABLE approvals ADD COLUMN lines TEXT;
ALTER TABLE approvals ADD COLUMN seal TEXT;
"""

# a return without a receipt is priced from the store's own sales of that SKU over the look-back
_SCHEMA_V4 = """
CREATE INDEX sale_lines_sku ON sale_lines(sku);
"""

# MIGRATIONS[i] upgrades schema version i to i + 1, in one transaction with the version bump
MIGRATIONS: list[str] = [_SCHEMA_V1 + _append_only_triggers(), _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4]


# ----------------------------------------------------------------------------- connection

def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusy(N_("{path}: the database is busy (another till is writing); try again."), path=str(path))
    if "full" in text:
        return StorageFull(N_("{path}: the disk or database is full; nothing was written. Free space and try "
                              "again."), path=str(path))
    if "readonly" in text or "read-only" in text or "attempt to write" in text:
        return ReadOnlyDatabase(N_("{path}: the database is read-only; nothing was written. Check the file's "
                                   "permissions."), path=str(path))
    if "not a database" in text or "malformed" in text:
        return StoreError(N_("{path}: this is not a pos-returns database, or it is damaged ({error})."),
                          path=str(path), error=str(exc))
    if "unable to open" in text:
        return StoreError(N_("{path}: cannot open the database file ({error})."), path=str(path), error=str(exc))
    return StoreError(N_("{path}: database error: {error}"), path=str(path), error=str(exc))


class Store:
    """An open database. Use :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _translate(exc, self.path) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            cur = self.conn.execute(sql, params)
            cols = [c[0] for c in cur.description or ()]
            return [dict(zip(cols, row)) for row in cur.fetchall()]  # type: ignore[misc]
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    # -- settings
    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as c:
            c.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def is_demo(self) -> bool:
        """A database built by ``demo-data`` or the app's first start: demo sales and staff with known PINs."""
        return self.setting(DEMO_SETTING) == "1"

    def legacy_id_salt(self) -> bytes | None:
        """The random salt that files written before the keyed hash kept in ``settings`` (read only, never made).

        Journal entries of such a file carry ``sha256(salt + ID)`` customer keys; they can only be matched, not
        converted (the ID numbers are not known). New entries use :func:`hash_customer_id` with the store's
        secret kept outside the database."""
        value = self.setting("id_salt")
        return bytes.fromhex(value) if value else None


DEMO_SETTING = "demo"


def mark_demo(conn: sqlite3.Connection) -> None:
    """Mark the database as a demo store (inside the caller's write transaction)."""
    conn.execute("INSERT INTO settings(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = '1'",
                 (DEMO_SETTING,))


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (and create or upgrade) the database at ``path``."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise NotFound(N_("{path}: no database here; create one with 'db init' or 'demo-data'."), path=str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(N_("{path}: cannot create the folder ({error})."), path=str(path.parent),
                             error=exc.strerror) from None
    try:
        conn = _connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        foreign = _not_our_schema(conn, version)
    except sqlite3.Error as exc:
        raise _translate(exc, path) from None
    if foreign:
        conn.close()
        raise StoreError(N_("{path}: this is not a pos-returns database, or it is damaged ({error})."),
                         path=str(path), error=foreign)
    if version > SCHEMA_VERSION:
        conn.close()
        raise NewerDatabase(
            N_("{path}: this database was written by a newer pos-returns (schema {version}; this version knows up "
               "to {known}). Update the app; the file was not changed."), path=str(path), version=version,
            known=SCHEMA_VERSION)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise _translate(exc, path) from None
    store = Store(conn, path)
    store.wal = (mode or "").lower() == "wal"
    if version < SCHEMA_VERSION:
        _upgrade(store, version)
    return store


#: tables every schema version from 1 on has (the upgrades only ever add)
_CORE_TABLES = ("settings", "sales", "sale_lines", "sale_tenders", "staff", "journal", "events")


def _not_our_schema(conn: sqlite3.Connection, version: int) -> str | None:
    """Why a file is not a pos-returns database of the schema version it states, or None (read only)."""
    if version < 0:
        return f"schema version {version} is not one pos-returns ever wrote"
    if version == 0 or version > SCHEMA_VERSION:
        return None  # a new file is created; a newer one is refused by its own message
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in _CORE_TABLES if t not in tables]
    if missing:
        return f"schema version {version} but no table {', '.join(missing)}"
    return None


def _upgrade(store: Store, version: int) -> None:
    with store.write() as c:
        current = c.execute("PRAGMA user_version").fetchone()[0]  # another process may have upgraded
        if current > SCHEMA_VERSION:
            raise NewerDatabase(N_("{path}: this database was written by a newer pos-returns (schema {version}; "
                                   "this version knows up to {known}). Update the app; the file was not changed."),
                                path=str(store.path), version=current, known=SCHEMA_VERSION)
        for target in range(current, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[target]):
                c.execute(statement)
            c.execute(f"PRAGMA user_version = {target + 1}")


def _statements(script: str) -> list[str]:
    out, buf = [], ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


# ----------------------------------------------------------------------------- helpers

def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def minor(money: Money) -> int:
    return money.rounded().minor()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _normal_id(document: str) -> str:
    """An ID number as typed, without spaces or punctuation, in upper case (fullwidth forms folded)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", document).upper() if ch.isalnum())


def id_last4(document: str) -> str:
    """The last 4 characters of an ID number, for display only (masked IDs on screen and paperwork)."""
    return _normal_id(document)[-4:]


def hash_customer_id(key: bytes, document: str) -> tuple[str, str]:
    """A customer's ID number as a keyed hash plus its last 4 characters (never the number itself).

    ``key`` is the store's secret kept outside the database (``keys.store_secret()``), so a copy of the
    database file alone does not let anyone try ID numbers against the stored hashes."""
    normal = _normal_id(document)
    return keys.keyed_hash(key, "customer-id", normal), normal[-4:]


def legacy_customer_key(salt: bytes, document: str) -> str:
    """The customer key a file written before the keyed hash recorded: ``id:`` + sha256(salt + ID)."""
    normal = "".join(ch for ch in document.upper() if ch.isalnum())  # the normalisation of those files
    return "id:" + hashlib.sha256(salt + normal.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- sales

def load_sale(store: Store, receipt: str, currency: str, *, include_training: bool = False) -> Sale:
    """A sale with what each line has had returned and what each tender has had refunded."""
    head = store.one("SELECT * FROM sales WHERE receipt = ?", (receipt,))
    if head is None:
        head = store.one("SELECT * FROM sales WHERE barcode = ?", (receipt,))
    if head is None:
        raise NotFound(N_("Receipt {receipt} is not in this store's sales."), receipt=receipt)
    receipt = head["receipt"]
    if head["currency"] != currency:
        raise StoreError(N_("Receipt {receipt} is in {currency}, but this store's policy is in {policy_currency}."),
                         receipt=receipt, currency=head["currency"], policy_currency=currency)
    training = "" if include_training else " AND training = 0"
    returned = {r["line"]: r["qty"] for r in store.query(
        f"SELECT line, SUM(qty) AS qty FROM journal_lines WHERE receipt = ? AND outcome != 'denied'{training} "
        "GROUP BY line", (receipt,))}
    refunded = {r["source_seq"]: r["amount"] for r in store.query(
        f"SELECT source_seq, SUM(amount) AS amount FROM journal_draws WHERE receipt = ?{training} "
        "GROUP BY source_seq", (receipt,))}
    lines = tuple(
        SaleLine(line=r["line"], sku=r["sku"], name=r["name"], category=r["category"], qty=r["qty"],
                 unit_price=Money.from_minor(r["unit_price"], currency),
                 discount=Money.from_minor(r["discount"], currency), tax_rate=Decimal(r["tax_rate"]),
                 tags=frozenset(json.loads(r["tags"])), serial=r["serial"])
        for r in store.query("SELECT * FROM sale_lines WHERE receipt = ? ORDER BY line", (receipt,)))
    tenders = tuple(
        Tender(type=r["type"], amount=Money.from_minor(r["amount"], currency), last4=r["last4"],
               refunded=Money.from_minor(refunded.get(r["seq"], 0), currency))
        for r in store.query("SELECT * FROM sale_tenders WHERE receipt = ? ORDER BY seq", (receipt,)))
    promotions = tuple(
        Promotion(r["promo_id"], tuple(json.loads(r["lines"])), Money.from_minor(r["discount"], currency))
        for r in store.query("SELECT * FROM sale_promotions WHERE receipt = ? ORDER BY promo_id", (receipt,)))
    discount = Money.from_minor(head["discount"], currency) if head["discount"] else None
    return Sale(receipt=receipt, sold_at=datetime.fromisoformat(head["sold_at"]), lines=lines, tenders=tenders,
                gift_receipt=bool(head["gift_receipt"]), returned=returned, discount=discount,
                promotions=promotions, store_id=head["store_id"])


def sale_customer(store: Store, receipt: str) -> dict[str, Any] | None:
    return store.one("SELECT c.* FROM sales s JOIN customers c ON c.id = s.customer_id WHERE s.receipt = ?",
                     (receipt,))


def lowest_price(store: Store, sku: str, since: datetime, until: datetime) -> int | None:
    """Lowest selling price of a SKU in minor units over a period, from the store's own data: the unit prices
    it was sold at (sale lines of sales in the period), its price history in the period and the price in force
    when the period began; else its current catalog price. None: the store has no price for it."""
    row = store.one("SELECT MIN(price) AS low FROM price_history WHERE sku = ? AND at >= ? AND at <= ?",
                    (sku, iso(since), iso(until)))
    before = store.one("SELECT price FROM price_history WHERE sku = ? AND at < ? ORDER BY at DESC LIMIT 1",
                       (sku, iso(since)))
    sold = store.one("SELECT MIN(l.unit_price) AS low FROM sale_lines l JOIN sales s ON s.receipt = l.receipt "
                     "WHERE l.sku = ? AND s.sold_at >= ? AND s.sold_at <= ?", (sku, iso(since), iso(until)))
    candidates = [v for v in ((row or {}).get("low"), (before or {}).get("price"), (sold or {}).get("low"))
                  if v is not None]
    if not candidates:
        product = store.one("SELECT price FROM products WHERE sku = ?", (sku,))
        return product["price"] if product else None
    return min(candidates)


def sku_facts(store: Store, sku: str) -> dict[str, Any] | None:
    """What the store itself knows of a SKU (name, category, tags, tax_rate): its catalog entry, else the
    line it was last sold on. None: the store has never listed or sold it."""
    row = store.one("SELECT name, category, tags, tax_rate FROM products WHERE sku = ?", (sku,))
    if row is None:
        row = store.one("SELECT l.name, l.category, l.tags, l.tax_rate FROM sale_lines l "
                        "JOIN sales s ON s.receipt = l.receipt WHERE l.sku = ? ORDER BY s.sold_at DESC LIMIT 1",
                        (sku,))
    return row


def find_product(store: Store, code: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM products WHERE sku = ? OR barcode = ? LIMIT 1", (code, code))


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

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


GENESIS = "0" * 64
_HASHED = ("register", "seq", "txno", "kind", "at", "cashier", "receipt", "corrects", "customer_key", "training",
           "policy_sha256", "currency", "refund_total", "exchange_total", "balance_due", "payload")


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    body = canonical({k: fields[k] for k in _HASHED})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append_entry(conn: sqlite3.Connection, fields: dict[str, Any], lines: list[dict[str, Any]],
                 tenders: list[dict[str, Any]], draws: list[dict[str, Any]] = ()) -> JournalEntry:
    """Append one entry (inside the caller's write transaction): next gapless seq, hash chained to the last."""
    register = fields["register"]
    closed = last_closed_day(conn)
    if fields["kind"] != "day_close" and closed is not None and fields["at"][:10] <= closed:
        raise DayClosed(N_("The day {day} is closed; no new entries can be dated inside it."), day=closed)
    last = conn.execute("SELECT seq, hash FROM journal WHERE register = ? ORDER BY seq DESC LIMIT 1",
                        (register,)).fetchone()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    fields = dict(fields, seq=seq, txno=fields.get("txno") or f"{fields['store_id']}-{register}-{seq:06d}")
    fields.pop("store_id", None)
    fields["hash"] = entry_hash(fields, prev)
    fields["prev_hash"] = prev
    cols = list(_HASHED) + ["prev_hash", "hash"]
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
    return JournalEntry(**{c: fields[c] for c in JournalEntry.__dataclass_fields__})


DAY_REGISTER = "DAY"  # day closings have their own gapless sequence


def last_closed_day(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT payload FROM journal WHERE register = ? ORDER BY seq DESC LIMIT 1",
                       (DAY_REGISTER,)).fetchone()
    return json.loads(row[0])["date"] if row else None


def day_figures(conn: sqlite3.Connection, day: str) -> dict[str, Any]:
    """What a day's closing entry states, recomputed from the journal (real transactions only)."""
    rows = conn.execute("SELECT txno FROM journal WHERE substr(at, 1, 10) = ? AND training = 0 "
                        "AND register != ? ORDER BY register, seq", (day, DAY_REGISTER)).fetchall()
    by_tender: dict[str, int] = {}
    for kind, amount in conn.execute(
            "SELECT t.type, SUM(t.amount) FROM journal_tenders t JOIN journal j ON j.txno = t.txno "
            "WHERE substr(j.at, 1, 10) = ? AND j.training = 0 AND j.register != ? GROUP BY t.type",
            (day, DAY_REGISTER)):
        by_tender[kind] = amount
    previous = conn.execute("SELECT payload FROM journal WHERE register = ? AND json_extract(payload, '$.date') < ? "
                            "ORDER BY seq DESC LIMIT 1", (DAY_REGISTER, day)).fetchone()
    before = json.loads(previous[0])["perpetual_total"] if previous else 0
    period = sum(by_tender.values())
    return {"date": day, "count": len(rows), "refunds_by_tender": dict(sorted(by_tender.items())),
            "period_total": period, "perpetual_total": before + period}


def get_entry(store: Store, txno: str) -> JournalEntry:
    row = store.one("SELECT * FROM journal WHERE txno = ?", (txno,))
    if row is None:
        raise NotFound(N_("Transaction {txno} is not in the journal."), txno=txno)
    return JournalEntry(**{c: row[c] for c in JournalEntry.__dataclass_fields__})


def log_event(conn: sqlite3.Connection, at: datetime, event: str, actor: str | None = None,
              txno: str | None = None, /, **detail: Any) -> None:
    """Append an event (who, when, what); ``detail`` is free-form and may use any key."""
    conn.execute("INSERT INTO events (at, kind, actor, txno, detail) VALUES (?, ?, ?, ?, ?)",
                 (iso(at), event, actor, txno, canonical(detail)))


def record_event(store: Store, at: datetime, event: str, actor: str | None = None, txno: str | None = None,
                 /, **detail: Any) -> None:
    with store.write() as c:
        log_event(c, at, event, actor, txno, **detail)


@dataclass(frozen=True)
class VerifyProblem:
    register: str
    seq: int | None
    txno: str | None
    kind: str  # edited | removed | gap | inserted | mismatch
    message: str

    def __str__(self) -> str:
        return self.message


def verify_journal(store: Store) -> list[VerifyProblem]:
    """Every edited, removed, inserted or out-of-sequence entry, each named; [] when the journal is intact."""
    problems: list[VerifyProblem] = []
    rows = store.query("SELECT * FROM journal ORDER BY register, seq")
    by_register: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_register.setdefault(row["register"], []).append(row)
    for register, entries in by_register.items():
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
    edited = {p.txno for p in problems if p.kind == "edited"}
    problems.extend(p for p in _verify_details(store) if not (p.kind == "mismatch" and p.txno in edited))
    problems.extend(_verify_events(store, by_register))
    return problems


def _verify_events(store: Store, by_register: dict[str, list[dict[str, Any]]]) -> list[VerifyProblem]:
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


def _verify_details(store: Store) -> list[VerifyProblem]:
    """The line and tender tables must say what each entry's (hashed) payload says."""
    problems = []
    lines = {}
    for r in store.query("SELECT txno, line, qty, refund, outcome, fee, category, reason FROM journal_lines "
                         "ORDER BY rowid"):
        lines.setdefault(r["txno"], []).append((r["line"], r["qty"], r["refund"], r["outcome"], r["fee"],
                                                r["category"], r["reason"]))
    tenders = {}
    for r in store.query("SELECT txno, type, amount, last4 FROM journal_tenders ORDER BY rowid"):
        tenders.setdefault(r["txno"], []).append((r["type"], r["amount"], r["last4"]))
    draws = {}
    for r in store.query("SELECT txno, source_seq, amount FROM journal_draws ORDER BY rowid"):
        draws.setdefault(r["txno"], []).append((r["source_seq"], r["amount"]))
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
        if row["kind"] != "day_close" and \
                sum(x["refund"] for x in payload.get("journal_lines", [])) != row["refund_total"]:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "mismatch",
                                          f"{row['txno']}: its refund total does not match its lines"))
        want_lines = [(x["line"], x["qty"], x["refund"], x["outcome"], x.get("fee", 0), x.get("category"),
                       x.get("reason")) for x in payload.get("journal_lines", [])]
        want_tenders = [(x["type"], x["amount"], x.get("last4")) for x in payload.get("journal_tenders", [])]
        if lines.get(row["txno"], []) != want_lines:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "mismatch",
                                          f"{row['txno']}: its returned lines were changed, added or removed"))
        if tenders.get(row["txno"], []) != want_tenders:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "mismatch",
                                          f"{row['txno']}: its refund tenders were changed, added or removed"))
        want_draws = [(x["source_seq"], x["amount"]) for x in payload.get("journal_draws", [])]
        if draws.get(row["txno"], []) != want_draws:
            problems.append(VerifyProblem(row["register"], row["seq"], row["txno"], "mismatch",
                                          f"{row['txno']}: what it drew from the sale's tenders was changed"))
    for txno in sorted((set(lines) | set(tenders) | set(draws)) - known):
        problems.append(VerifyProblem("?", None, txno, "inserted",
                                      f"{txno}: lines or tenders without a journal entry (inserted)"))
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
    for r in store.query("SELECT txno, at FROM events WHERE kind = 'transaction' AND txno IS NOT NULL"):
        if r["txno"] not in known:
            problems.append(VerifyProblem("?", None, r["txno"], "removed",
                                          f"{r['txno']}: recorded at {r['at']} but no longer in the journal (removed)"))
    problems.extend(_verify_refunds(store))
    return problems


_CARD_TENDERS = ("credit", "debit", "gift_card")  # refunded to the same card, never to another kind


def _verify_refunds(store: Store) -> list[VerifyProblem]:
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
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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


def verify_file(path: str | Path) -> tuple[int, list[VerifyProblem]]:
    """``journal verify``: (entries, problems) of the database at ``path``, opened read-only.

    Never creates, upgrades or writes to the file (nor makes -wal/-shm files beside it when none are there): an
    empty, truncated or corrupted file is a problem (``PRAGMA integrity_check`` runs first), then the journal's
    chain and details. A missing file raises :class:`NotFound`, one written by a newer version
    :class:`NewerDatabase`."""
    path = Path(path)
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
        return 0, [_file_problem(path, "the file is empty (0 bytes): it holds no journal")]
    bad = _header_problem(path, head, size)
    if bad:
        return 0, [_file_problem(path, bad)]
    try:
        conn = _open_verify_connection(path)
    except sqlite3.Error as exc:
        return 0, [_file_problem(path, f"cannot be opened read-only ({exc})")]
    store = Store(conn, path)
    try:
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.Error as exc:
            return 0, [_file_problem(path, f"the file is damaged ({exc})")]
        if result != ["ok"]:
            return 0, [_file_problem(path, f"the file is damaged (integrity check: {line})") for line in result[:50]]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise NewerDatabase(
                N_("{path}: this database was written by a newer pos-returns (schema {version}; this version knows "
                   "up to {known}). Update the app; the file was not changed."), path=str(path), version=version,
                known=SCHEMA_VERSION)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in _TABLES_TO_VERIFY if t not in tables]
        if version < 1 or missing:
            return 0, [_file_problem(path, f"not a pos-returns database (schema version {version}"
                                           + (f"; no {', '.join(missing)} table" if missing else "") + ")")]
        try:
            problems = verify_journal(store)
            entries = count(store, "journal")
        except StoreError as exc:
            return 0, [_file_problem(path, f"the journal cannot be read ({exc})")]
        return entries, problems
    finally:
        store.close()


# ----------------------------------------------------------------------------- staff and approvals

def get_staff(store: Store, staff_id: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM staff WHERE id = ?", (staff_id,))


def insert_staff(conn: sqlite3.Connection, staff_id: str, name: str, role: str, pin_hash: str) -> None:
    try:
        conn.execute("INSERT INTO staff (id, name, role, pin_hash) VALUES (?, ?, ?, ?)",
                     (staff_id, name, role, pin_hash))
    except sqlite3.IntegrityError:
        raise Conflict(N_("Staff id {staff_id} already exists."), staff_id=staff_id) from None


def set_pin_state(conn: sqlite3.Connection, staff_id: str, failed: int, locked_until: str | None) -> None:
    conn.execute("UPDATE staff SET failed = ?, locked_until = ? WHERE id = ?", (failed, locked_until, staff_id))


def list_staff(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT id, name, role, active, failed, locked_until FROM staff ORDER BY id")


def insert_approval(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute("INSERT INTO approvals (id, pending, manager, cashier, rules, reason_code, amount, at, receipt, "
                 "register, lines, seal) VALUES (:id, :pending, :manager, :cashier, :rules, :reason_code, :amount, "
                 ":at, :receipt, :register, :lines, :seal)", row)


def approval_managers(conn: sqlite3.Connection, txno: str) -> set[str]:
    """The managers whose approvals a transaction used."""
    return {m for (m,) in conn.execute("SELECT manager FROM approvals WHERE used_by = ?", (txno,))}


def staff_row(conn: sqlite3.Connection, staff_id: str) -> dict[str, Any] | None:
    """The staff row as seen inside the caller's write transaction (to reserve a PIN attempt before checking it)."""
    cur = conn.execute("SELECT * FROM staff WHERE id = ?", (staff_id,))
    row = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], row)) if row else None


def get_approval(conn: sqlite3.Connection, approval_id: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM approvals WHERE id = ?", (approval_id,))
    row = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], row)) if row else None


def use_approval(conn: sqlite3.Connection, approval_id: str, txno: str) -> bool:
    """Mark an approval used by a transaction; False if it was already used."""
    cur = conn.execute("UPDATE approvals SET used_by = ? WHERE id = ? AND used_by IS NULL", (txno, approval_id))
    return cur.rowcount == 1


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


def customer_returns(store: Store, customer_key: str, since: datetime) -> list[dict[str, Any]]:
    return store.query("SELECT at, refund_total, kind FROM journal WHERE customer_key = ? AND at >= ? "
                       "AND training = 0 AND kind IN ('return', 'exchange', 'no_receipt') ORDER BY at",
                       (customer_key, iso(since)))


# ----------------------------------------------------------------------------- bulk writes (import, demo)

def insert_products(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    conn.executemany("INSERT OR REPLACE INTO products (sku, barcode, name, category, tags, price, tax_rate) "
                     "VALUES (:sku, :barcode, :name, :category, :tags, :price, :tax_rate)", rows)


def insert_price_history(conn: sqlite3.Connection, rows: list[tuple[str, str, int]]) -> None:
    conn.executemany("INSERT INTO price_history (sku, at, price) VALUES (?, ?, ?)", rows)


def insert_customers(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    conn.executemany("INSERT OR REPLACE INTO customers (id, name, tier, id_hash, id_last4) "
                     "VALUES (:id, :name, :tier, :id_hash, :id_last4)", rows)


def existing_receipts(conn: sqlite3.Connection, receipts: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(receipts), 500):
        chunk = receipts[i:i + 500]
        found.update(r for (r,) in conn.execute(
            f"SELECT receipt FROM sales WHERE receipt IN ({', '.join('?' * len(chunk))})", chunk))
    return found


def insert_sales(conn: sqlite3.Connection, sales: list[dict[str, Any]], import_id: int | None = None) -> None:
    """Sales already validated and in minor units: {receipt, store_id, register, sold_at, currency,
    gift_receipt, discount, customer_id, barcode, lines: [...], tenders: [...], promotions: [...]}."""
    conn.executemany(
        "INSERT INTO sales (receipt, store_id, register, sold_at, currency, gift_receipt, discount, customer_id, "
        "barcode, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(s["receipt"], s["store_id"], s.get("register"), s["sold_at"], s["currency"], int(s["gift_receipt"]),
          s["discount"], s.get("customer_id"), s.get("barcode"), import_id) for s in sales])
    conn.executemany(
        "INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, discount, tax_rate, tags, "
        "serial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(s["receipt"], ln["line"], ln["sku"], ln["name"], ln["category"], ln["qty"], ln["unit_price"],
          ln["discount"], ln["tax_rate"], ln["tags"], ln.get("serial")) for s in sales for ln in s["lines"]])
    conn.executemany(
        "INSERT INTO sale_tenders (receipt, seq, type, amount, last4) VALUES (?, ?, ?, ?, ?)",
        [(s["receipt"], i + 1, t["type"], t["amount"], t.get("last4")) for s in sales
         for i, t in enumerate(s["tenders"])])
    conn.executemany(
        "INSERT INTO sale_promotions (receipt, promo_id, lines, discount) VALUES (?, ?, ?, ?)",
        [(s["receipt"], p["id"], json.dumps(p["lines"]), p["discount"]) for s in sales
         for p in s.get("promotions", [])])


def find_import(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT id, name, at, sales FROM imports WHERE sha256 = ?", (sha256,))
    row = cur.fetchone()
    return dict(zip(("id", "name", "at", "sales"), row)) if row else None


def insert_import(conn: sqlite3.Connection, sha256: str, name: str, at: str, count: int) -> int:
    cur = conn.execute("INSERT INTO imports (sha256, name, at, sales) VALUES (?, ?, ?, ?)", (sha256, name, at, count))
    return int(cur.lastrowid)


def count(store: Store, table: str) -> int:
    if table not in ("sales", "sale_lines", "journal", "events", "staff", "products", "customers"):
        raise ValueError(table)
    return store.one(f"SELECT COUNT(*) AS n FROM {table}")["n"]


# ----------------------------------------------------------------------------- manager queries

def report_entries(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    """Per kind and cashier: count, refunds, exchanges, approvals and overrides of real entries in [start, end)."""
    return store.query(
        "SELECT kind, cashier, COUNT(*) AS n, SUM(refund_total) AS refund, SUM(exchange_total) AS exchange, "
        "SUM(COALESCE(json_array_length(payload, '$.approvals'), 0)) AS approvals, "
        "SUM(COALESCE(json_array_length(payload, '$.case.request.overrides'), 0)) AS overrides "
        "FROM journal WHERE at >= ? AND at < ? AND training = 0 "
        "AND kind IN ('return', 'exchange', 'no_receipt', 'correction') GROUP BY kind, cashier", (start, end))


def report_lines(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    """Accepted lines of real returns in [start, end) by reason and category: units, refunds, fees."""
    return store.query(
        "SELECT l.reason, l.category, SUM(l.qty) AS qty, SUM(l.refund) AS refund, SUM(l.fee) AS fee "
        "FROM journal j JOIN journal_lines l ON l.txno = j.txno WHERE j.at >= ? AND j.at < ? AND j.training = 0 "
        "AND j.kind IN ('return', 'exchange', 'no_receipt') AND l.outcome != 'denied' "
        "GROUP BY l.reason, l.category", (start, end))


def report_tenders(store: Store, start: str, end: str) -> dict[str, int]:
    return {r["type"]: r["amount"] for r in store.query(
        "SELECT t.type, SUM(t.amount) AS amount FROM journal j JOIN journal_tenders t ON t.txno = j.txno "
        "WHERE j.at >= ? AND j.at < ? AND j.training = 0 GROUP BY t.type", (start, end))}


def sales_total(store: Store, start: str, end: str) -> int:
    """Gross value of sale lines (before tax) sold in [start, end), minor units."""
    row = store.one("SELECT COALESCE(SUM(l.qty * l.unit_price - l.discount), 0) AS total FROM sales s "
                    "JOIN sale_lines l ON l.receipt = s.receipt WHERE s.sold_at >= ? AND s.sold_at < ?", (start, end))
    return int(row["total"])


def insert_complaint(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cur = conn.execute("INSERT INTO complaints (at, logged_by, txno, kind, category, severity, text, resolution, "
                       "follow_up) VALUES (:at, :logged_by, :txno, :kind, :category, :severity, :text, :resolution, "
                       ":follow_up)", row)
    return int(cur.lastrowid)


def list_complaints(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM complaints WHERE at >= ? AND at < ? ORDER BY at", (start, end))


def complaint_counts(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    return store.query("SELECT kind, COUNT(*) AS n FROM complaints WHERE at >= ? AND at < ? GROUP BY kind",
                       (start, end))


def last_event(store: Store, event: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", (event,))


# ----------------------------------------------------------------------------- reads for reports, paperwork, training

REAL_KINDS = ("return", "exchange", "no_receipt", "correction")


def real_entries(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    """Real (not training) returns, exchanges, no-receipt returns and corrections in [start, end), oldest first."""
    return store.query(
        "SELECT txno, kind, at, cashier, receipt, refund_total, exchange_total, payload FROM journal "
        f"WHERE at >= ? AND at < ? AND training = 0 AND kind IN ({', '.join('?' * len(REAL_KINDS))}) ORDER BY at",
        (start, end, *REAL_KINDS))


def reprints_by_actor(store: Store, start: str, end: str) -> dict[str, int]:
    return {r["actor"]: r["n"] for r in store.query(
        "SELECT actor, COUNT(*) AS n FROM events WHERE kind = 'reprint' AND at >= ? AND at < ? GROUP BY actor",
        (start, end))}


def no_receipt_by_cashier_customer(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT cashier, customer_key, COUNT(*) AS n FROM journal WHERE kind = 'no_receipt' AND training = 0 "
        "AND customer_key IS NOT NULL AND at >= ? AND at < ? GROUP BY cashier, customer_key", (start, end))


def entries_of_day(store: Store, day: str) -> list[dict[str, Any]]:
    """Every transaction dated on ``day`` (real and training), in time order; day closings excluded."""
    return store.query("SELECT txno, kind, training, payload FROM journal WHERE substr(at, 1, 10) = ? "
                       "AND register != ? ORDER BY at, register, seq", (day, DAY_REGISTER))


def day_closings(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT txno, payload FROM journal WHERE register = ? ORDER BY seq", (DAY_REGISTER,))


def any_sale_currency(store: Store) -> str | None:
    row = store.one("SELECT currency FROM sales LIMIT 1")
    return row["currency"] if row else None


def events_of(store: Store, event: str, txno: str | None = None) -> list[dict[str, Any]]:
    """Events of one kind (optionally of one transaction), oldest first."""
    if txno is None:
        return store.query("SELECT * FROM events WHERE kind = ? ORDER BY id", (event,))
    return store.query("SELECT * FROM events WHERE kind = ? AND txno = ? ORDER BY id", (event, txno))


def all_journal(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM journal ORDER BY register, seq")


def all_events(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT id, at, kind, actor, txno, detail FROM events ORDER BY id")


def recent_real_entries(store: Store, limit: int) -> list[dict[str, Any]]:
    """The latest real returns, exchanges and no-receipt returns by time across every register, newest first."""
    return store.query("SELECT txno, payload FROM journal WHERE training = 0 AND kind IN ('return', 'exchange', "
                       "'no_receipt') ORDER BY at DESC, register, seq DESC LIMIT ?", (limit,))


def pin_state(conn: sqlite3.Connection, staff_id: str) -> tuple[int, str | None]:
    row = conn.execute("SELECT failed, locked_until FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return (row[0], row[1]) if row else (0, None)
