"""The database file: where it lives, its schema and upgrades, the connection and its write transactions.

SQLite through sqlite-utils, WAL with ``synchronous=FULL``; every write runs in ``BEGIN IMMEDIATE`` with a
busy timeout, so two tills on one file are serialised. Money is stored as integer minor units. The schema
version lives in ``PRAGMA user_version``; upgrades run in order, in one transaction; a file written by a
newer version is refused.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, Union

from pos_returns import keys
from pos_returns.i18n import N_, UserError

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 8
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
SIGNATURE_TABLES = ("signatures", "register_keys")  # append-only too (schema 6)


def _append_only_triggers(tables: Sequence[str] = APPEND_ONLY_TABLES) -> str:
    out = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only: write a correction instead'); END;")
    return "\n".join(out)


# Upgrades after the first: sqlite-utils for what it says plainly (indexes, added columns); raw SQL where a
# table needs what its create() cannot say (CHECK constraints, AUTOINCREMENT). None of them needs
# ``transform`` (no column changes type or constraint); the journal's tables must never be rebuilt by it:
# copying and dropping them would drop their append-only triggers.

def _schema_v2(db: sqlite_utils.Database) -> None:
    """Complaints; the journal indexed by kind, by what a correction corrects, by customer and time."""
    db.execute("""CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, logged_by TEXT NOT NULL, txno TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'compliment')), category TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5), text TEXT NOT NULL,
    resolution TEXT, follow_up TEXT, closed_at TEXT)""")
    db["complaints"].create_index(["at"], index_name="complaints_at")
    db["journal"].create_index(["kind"], index_name="journal_kind")
    db["journal"].create_index(["corrects"], index_name="journal_corrects")
    db["journal"].create_index(["customer_key", "at"], index_name="journal_customer_at")
    db.execute("DROP INDEX journal_customer")  # journal_customer_at serves its queries


def _schema_v3(db: sqlite_utils.Database) -> None:
    """An approval is bound to one transaction (receipt, register, lines and quantities) and sealed with the
    store's secret (services), so a row written into the file by hand is refused at commit."""
    for column in ("receipt", "register", "lines", "seal"):
        db["approvals"].add_column(column, str)


def _schema_v4(db: sqlite_utils.Database) -> None:
    """A return without a receipt is priced from the store's own sales of that SKU over the look-back."""
    db["sale_lines"].create_index(["sku"], index_name="sale_lines_sku")


_POLICY_VERSIONS = """CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL UNIQUE, version TEXT, effective_from TEXT,
    applies_to_earlier_sales TEXT NOT NULL DEFAULT 'no', text TEXT NOT NULL, path TEXT NOT NULL,
    loaded_at TEXT NOT NULL, loaded_by TEXT, how TEXT NOT NULL)"""


def _schema_v5(db: sqlite_utils.Database) -> None:
    """Every policy version the store loaded (its text, hash, first day, when, by whom and how), kept for
    good: a return is decided under the version in force on the sale date (storage/policies)."""
    db.execute(_POLICY_VERSIONS)


def _schema_v8(db: sqlite_utils.Database) -> None:
    """The signed journal (storage/signatures.py): each entry's signature with a gapless per-register counter,
    the registers' public keys and their approved changes (both append-only); staff rows sealed with the store's
    secret, so a PIN hash written into the file by hand is refused."""
    from pos_returns.storage import signatures  # it imports this module
    signatures.migrate_v8(db, _statements, _append_only_triggers(SIGNATURE_TABLES))


def _schema_v6(db: sqlite_utils.Database) -> None:
    """The lowest selling price of a SKU over the look-back comes from one index: each sale line carries its
    sale's time, and (sku, sold_at, unit_price) answers MIN(unit_price) by a range scan of that SKU's lines in
    the period alone (joining every line of the SKU to its sale took ~64 ms at 400,000 receipts, growing with
    the store's history). Existing lines get their sale's time here; the old sku index is a prefix of the new."""
    db.execute("ALTER TABLE sale_lines ADD COLUMN sold_at TEXT")
    db.execute("UPDATE sale_lines SET sold_at = (SELECT s.sold_at FROM sales s WHERE s.receipt = sale_lines.receipt)")
    db.execute("CREATE INDEX sale_lines_sku_sold ON sale_lines(sku, sold_at, unit_price)")
    db.execute("DROP INDEX sale_lines_sku")


def _schema_v7(db: sqlite_utils.Database) -> None:
    """Each journal entry records its business day: its calendar date, or the day after the last closed day when
    that day was closed before the entry was made (a day close never blocks later returns; they belong to the
    next business day). Older entries keep NULL and their calendar date counts (COALESCE in the queries)."""
    db["journal"].add_column("business_day", str)
    db["journal"].create_index(["business_day"], index_name="journal_business_day")


Migration = Union[str, Callable[["sqlite_utils.Database"], None]]

#: MIGRATIONS[i] upgrades schema version i to i + 1, in one transaction with the version bump: SQL text (run
#: statement by statement) or a function of the sqlite-utils view of the connection. The first stays SQL:
#: its CHECK constraints, WITHOUT ROWID tables, AUTOINCREMENT (verify reads sqlite_sequence) and append-only
#: triggers are beyond sqlite-utils' create(), and it is the exact text every version-1 file was made from.
MIGRATIONS: list[Migration] = [_SCHEMA_V1 + _append_only_triggers(), _schema_v2, _schema_v3, _schema_v4,
                              _schema_v5, _schema_v6, _schema_v7, _schema_v8]


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


def utils_of(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils on an open connection (inside a write transaction, its writes join that transaction)."""
    import sqlite_utils  # imported when first needed: it pulls in click, dateutil and pluggy (start-up time)
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


class Database:
    """An open database. Use :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @functools.cached_property
    def utils(self) -> "sqlite_utils.Database":
        """sqlite-utils on the same connection, made on first use."""
        return utils_of(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Database":
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
DEMO_COMPLETE_SETTING = "demo_complete"  # "0" while the demo store is being built, "1" once all of it is in


def mark_demo(conn: sqlite3.Connection, complete: bool = False) -> None:
    """Mark the database as a demo store (inside the caller's write transaction), still being built unless
    ``complete``: the demo is written in batches, so a build stopped half-way leaves a file that says so."""
    for key, value in ((DEMO_SETTING, "1"), (DEMO_COMPLETE_SETTING, "1" if complete else "0")):
        conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                     "excluded.value", (key, value))


def open_store(path: str | Path, *, create: bool = True) -> Database:
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
    store = Database(conn, path)
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


def _upgrade(store: Database, version: int) -> None:
    with store.write() as c:
        current = c.execute("PRAGMA user_version").fetchone()[0]  # another process may have upgraded
        if current > SCHEMA_VERSION:
            raise NewerDatabase(N_("{path}: this database was written by a newer pos-returns (schema {version}; "
                                   "this version knows up to {known}). Update the app; the file was not changed."),
                                path=str(store.path), version=current, known=SCHEMA_VERSION)
        for target in range(current, SCHEMA_VERSION):
            migration = MIGRATIONS[target]
            if isinstance(migration, str):
                for statement in _statements(migration):
                    c.execute(statement)
            else:
                migration(store.utils)
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


def count(store: Database, table: str) -> int:
    if table not in ("sales", "sale_lines", "journal", "events", "staff", "products", "customers"):
        raise ValueError(table)
    return store.one(f"SELECT COUNT(*) AS n FROM {table}")["n"]
