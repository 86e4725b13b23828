"""The central schema, created or upgraded by ``central init`` (idempotent; a newer schema is refused).

Tables: ``meta`` (schema version, the chain's secret check), ``sales`` and ``sale_lines`` (what was sold at
every store), ``journal`` (every till's entries, keyed by store, register and seq, hash-chained as on the
till), ``events`` (keyed by till and the till's event id), ``claims`` and ``draws`` (the units and tender
amounts each transaction takes from a receipt: a reservation at commit, replaced by the journal's own lines
when the entry arrives), ``marks`` (how far each till's outbox has arrived, written in the same transaction
as what arrived), ``conflicts`` (what sync found: the exception report's chain section), ``signatures``
(each arrived entry's signature), ``register_keys`` (each register's keys: the first pinned, later ones handed
over by the old key or waiting for head office) and ``heads`` (each register's last seq, hash and signature
counter: the anchor ``journal verify --central`` checks a till against).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from pos_returns.i18n import N_
from pos_returns.storage.db import StoreError

CENTRAL_SCHEMA_VERSION = 1
CONNECT_TIMEOUT_S = 3


class CentralError(StoreError):
    """A problem with the central database the user can act on."""


class CentralUnreachable(CentralError):
    """The central database cannot be reached (network down, server stopped): the till works offline."""


class NewerCentral(CentralError):
    pass


_SCHEMA_V1 = [
    """CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sales (
        receipt text PRIMARY KEY, store_id text NOT NULL, register text, sold_at text NOT NULL,
        currency text NOT NULL, gift_receipt boolean NOT NULL DEFAULT false, discount bigint NOT NULL DEFAULT 0,
        barcode text, tenders jsonb NOT NULL, promotions jsonb NOT NULL DEFAULT '[]',
        from_till text NOT NULL, arrived_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE INDEX IF NOT EXISTS sales_barcode ON sales (barcode) WHERE barcode IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS sale_lines (
        receipt text NOT NULL, line integer NOT NULL, sku text NOT NULL, name text NOT NULL,
        category text NOT NULL, qty integer NOT NULL CHECK (qty > 0), unit_price bigint NOT NULL,
        discount bigint NOT NULL DEFAULT 0, tax_rate text NOT NULL, tags text NOT NULL DEFAULT '[]', serial text,
        PRIMARY KEY (receipt, line))""",
    """CREATE TABLE IF NOT EXISTS journal (
        store_id text NOT NULL, register text NOT NULL, seq integer NOT NULL, txno text NOT NULL,
        kind text NOT NULL, at text NOT NULL, cashier text NOT NULL, receipt text, corrects text,
        customer_key text, training integer NOT NULL, policy_sha256 text NOT NULL, currency text NOT NULL,
        refund_total bigint NOT NULL, exchange_total bigint NOT NULL, balance_due bigint NOT NULL,
        payload text NOT NULL, business_day text, prev_hash text NOT NULL, hash text NOT NULL, till text NOT NULL,
        offline boolean NOT NULL DEFAULT false, arrived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, register, seq))""",
    """CREATE INDEX IF NOT EXISTS journal_receipt ON journal (receipt)""",
    """CREATE INDEX IF NOT EXISTS journal_customer_at ON journal (customer_key, at) WHERE customer_key IS NOT NULL""",
    """CREATE INDEX IF NOT EXISTS journal_at ON journal (at)""",
    """CREATE TABLE IF NOT EXISTS events (
        till text NOT NULL, id bigint NOT NULL, store_id text NOT NULL, at text NOT NULL, kind text NOT NULL,
        actor text, txno text, detail text NOT NULL, PRIMARY KEY (till, id))""",
    """CREATE TABLE IF NOT EXISTS claims (
        txno text NOT NULL, receipt text NOT NULL, line integer NOT NULL, qty integer NOT NULL,
        sold integer NOT NULL, state text NOT NULL CHECK (state IN ('reserved', 'journal')),
        PRIMARY KEY (txno, receipt, line))""",
    """CREATE INDEX IF NOT EXISTS claims_receipt ON claims (receipt, line)""",
    """CREATE TABLE IF NOT EXISTS draws (
        txno text NOT NULL, receipt text NOT NULL, source_seq integer NOT NULL, amount bigint NOT NULL,
        paid bigint NOT NULL, state text NOT NULL CHECK (state IN ('reserved', 'journal')),
        PRIMARY KEY (txno, receipt, source_seq))""",
    """CREATE INDEX IF NOT EXISTS draws_receipt ON draws (receipt, source_seq)""",
    """CREATE TABLE IF NOT EXISTS receipt_locks (receipt text PRIMARY KEY)""",
    """CREATE TABLE IF NOT EXISTS marks (
        till text NOT NULL, stream text NOT NULL, upto bigint NOT NULL, PRIMARY KEY (till, stream))""",
    """CREATE TABLE IF NOT EXISTS tills (
        till text PRIMARY KEY, store_id text NOT NULL, first_seen timestamptz NOT NULL DEFAULT now(),
        last_sync timestamptz)""",
    """CREATE TABLE IF NOT EXISTS conflicts (
        id bigserial PRIMARY KEY, found_at timestamptz NOT NULL DEFAULT now(), store_id text NOT NULL,
        register text, txno text, receipt text, kind text NOT NULL, detail text NOT NULL,
        UNIQUE (kind, txno, receipt, detail))""",
    # the signed journal (issue 14) at the central database: each entry's signature, the registers' keys as
    # the central database trusts them, and each register's head (the anchor a rolled-back till is caught by)
    """CREATE TABLE IF NOT EXISTS signatures (
        store_id text NOT NULL, signer text NOT NULL, counter integer NOT NULL, register text NOT NULL,
        seq integer NOT NULL, txno text NOT NULL, store text NOT NULL, at text NOT NULL, total bigint NOT NULL,
        currency text NOT NULL, hash text NOT NULL, fingerprint text NOT NULL, signature text NOT NULL,
        PRIMARY KEY (store_id, signer, counter))""",
    """CREATE TABLE IF NOT EXISTS register_keys (
        store_id text NOT NULL, signer text NOT NULL, from_counter integer NOT NULL, public_key text NOT NULL,
        fingerprint text NOT NULL, at text NOT NULL, approved_by text, reason text, previous text,
        old_key_signature text, new_key_signature text, till text NOT NULL,
        status text NOT NULL CHECK (status IN ('pinned', 'handed_over', 'unconfirmed', 'confirmed')),
        confirmed_by text, arrived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, signer, from_counter, fingerprint))""",
    """CREATE TABLE IF NOT EXISTS heads (
        store_id text NOT NULL, register text NOT NULL, seq integer NOT NULL, hash text NOT NULL,
        signer text, counter integer, till text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, register))""",
]

#: CENTRAL_MIGRATIONS[i] upgrades central schema version i to i + 1 (statements, run in one transaction)
CENTRAL_MIGRATIONS: list[list[str]] = [_SCHEMA_V1]


def connect(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the central database; CentralUnreachable when it cannot be reached."""
    import psycopg
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise CentralUnreachable(N_("The central database cannot be reached ({error}); this till works "
                                    "offline."), error=_first_line(exc)) from None
    except psycopg.ProgrammingError as exc:  # a malformed connection string
        raise CentralError(N_("The central database address is not valid ({error})."),
                           error=_first_line(exc)) from None


@contextmanager
def using(target: Any) -> Iterator[Any]:
    """A connection for one unit of work: ``target`` is a connection string (connected, committed and closed
    here) or a connection the caller keeps open (committed here, rolled back on an error). A connection lost
    on the way is CentralUnreachable, like one that cannot be made."""
    import psycopg
    try:
        if isinstance(target, str):
            with connect(target) as conn:
                yield conn
            return
        try:
            yield target
            target.commit()
        except BaseException:
            if not target.closed:
                try:
                    target.rollback()
                except psycopg.Error:
                    pass
            raise
    except psycopg.OperationalError as exc:
        raise CentralUnreachable(N_("The central database cannot be reached ({error}); this till works "
                                    "offline."), error=_first_line(exc)) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def central_version(conn: Any) -> int:
    row = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    got = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(got[0]) if got else 0


def init_central(url: str) -> tuple[int, int]:
    """Create or upgrade the central schema; (version before, version now). A newer one is refused."""
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(615015)")  # two `central init` at once: one after the other
        before = central_version(conn)
        if before > CENTRAL_SCHEMA_VERSION:
            raise NewerCentral(N_("The central database has schema {version}, newer than this pos-returns knows "
                                  "({known}); update the app. Nothing was changed."),
                               version=before, known=CENTRAL_SCHEMA_VERSION)
        for target in range(before, CENTRAL_SCHEMA_VERSION):
            for statement in CENTRAL_MIGRATIONS[target]:
                conn.execute(statement)
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (str(target + 1),))
        conn.commit()
    return before, CENTRAL_SCHEMA_VERSION


def require_schema(conn: Any) -> None:
    """Refuse to work on a central database this version did not make (older: run central init; newer: update)."""
    version = central_version(conn)
    if version == CENTRAL_SCHEMA_VERSION:
        return
    if version > CENTRAL_SCHEMA_VERSION:
        raise NewerCentral(N_("The central database has schema {version}, newer than this pos-returns knows "
                              "({known}); update the app. Nothing was changed."),
                           version=version, known=CENTRAL_SCHEMA_VERSION)
    raise CentralError(N_("The central database is not set up (schema {version}); run central init first."),
                       version=version)
