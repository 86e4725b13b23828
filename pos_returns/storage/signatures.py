"""The signed journal: every entry signed by its register's Ed25519 key, the registers' keys and their changes.

A signature is written inside the same transaction as the entry it signs (:func:`sign_entry`, called by
``journal.append_entry``): the register's next gapless signature counter, the statement of
:class:`pos_returns.signing.Statement` (store, register, txno, time, refund total, currency, signer, counter,
entry hash) and its signature. The first key a register signs with is recorded (``register_keys`` and an event
``signing_key``); a different key afterwards is refused until a manager approves it (:func:`add_key`), signed
by the old key when that is still there. Both tables are append-only (triggers, like the journal's).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pos_returns import keys, signing
from pos_returns.i18n import N_
from pos_returns.storage.db import Database, StoreError
from pos_returns.storage.values import canonical

_SIGNING_SCHEMA = """
CREATE TABLE signatures (
    signer TEXT NOT NULL, counter INTEGER NOT NULL CHECK (counter > 0), register TEXT NOT NULL,
    seq INTEGER NOT NULL, txno TEXT NOT NULL UNIQUE, store TEXT NOT NULL, at TEXT NOT NULL, total INTEGER NOT NULL,
    currency TEXT NOT NULL, hash TEXT NOT NULL, fingerprint TEXT NOT NULL, signature TEXT NOT NULL,
    PRIMARY KEY (signer, counter));
CREATE TABLE register_keys (
    signer TEXT NOT NULL, from_counter INTEGER NOT NULL, public_key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    at TEXT NOT NULL, approved_by TEXT, reason TEXT, previous TEXT, old_key_signature TEXT,
    new_key_signature TEXT, PRIMARY KEY (signer, from_counter, fingerprint));
ALTER TABLE staff ADD COLUMN seal TEXT;
"""


class KeyNotKnown(StoreError):
    """This register's key file holds a key the journal does not know: a manager must approve it first."""


def migrate_v8(db: Any, statements: Any, triggers: str) -> None:
    """Schema 8 (see db._schema_v8). Entries already in the file stay unsigned: the first signed entry of each
    register covers them through the hash chain. How far each register had got is recorded (event
    ``signing_began``), so verify can tell those entries from one written later without the key."""
    for statement in statements(_SIGNING_SCHEMA + triggers):
        db.execute(statement)
    from pos_returns.storage.staff import staff_seal
    rows = db.execute("SELECT id, role, pin_hash, active FROM staff").fetchall()
    if rows:
        secret = keys.store_secret()
        for staff_id, role, pin_hash, active in rows:
            db.execute("UPDATE staff SET seal = ? WHERE id = ?",
                       (staff_seal(secret, staff_id, role, pin_hash, active), staff_id))
    heads = dict(db.execute("SELECT register, MAX(seq) FROM journal GROUP BY register").fetchall())
    if heads:
        db.execute("INSERT INTO events (at, kind, actor, txno, detail) VALUES ("
                   "(SELECT MAX(at) FROM journal), 'signing_began', NULL, NULL, ?)", (canonical({"heads": heads}),))


def _event(conn: sqlite3.Connection, at: str, kind: str, actor: str | None, **detail: Any) -> None:
    conn.execute("INSERT INTO events (at, kind, actor, txno, detail) VALUES (?, ?, ?, NULL, ?)",
                 (at, kind, actor, canonical(detail)))


def current_key(conn: sqlite3.Connection, signer: str) -> tuple[int, str, str] | None:
    """(from_counter, public key text, fingerprint) of the register's key in force, or None."""
    row = conn.execute("SELECT from_counter, public_key, fingerprint FROM register_keys WHERE signer = ? "
                       "ORDER BY from_counter DESC, rowid DESC LIMIT 1", (signer,)).fetchone()
    return tuple(row) if row else None


def next_counter(conn: sqlite3.Connection, signer: str) -> int:
    row = conn.execute("SELECT MAX(counter) FROM signatures WHERE signer = ?", (signer,)).fetchone()
    return (row[0] or 0) + 1


def _record_key(conn: sqlite3.Connection, signer: str, from_counter: int, public: bytes, at: str,
                approved_by: str | None = None, reason: str | None = None, previous: str | None = None,
                old_sig: bytes | None = None, new_sig: bytes | None = None) -> None:
    text, fp = signing.public_text(public), signing.fingerprint(public)
    conn.execute("INSERT INTO register_keys (signer, from_counter, public_key, fingerprint, at, approved_by, reason, "
                 "previous, old_key_signature, new_key_signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (signer, from_counter, text, fp, at, approved_by, reason, previous,
                  signing.b64url(old_sig) if old_sig else None, signing.b64url(new_sig) if new_sig else None))
    detail = {"register": signer, "public_key": text, "fingerprint": fp, "from_counter": from_counter}
    if previous:
        detail.update(previous=previous, old_key_signed=old_sig is not None, reason=reason)
    _event(conn, at, "signing_key" if previous is None else "key_change", approved_by, **detail)


def sign_entry(conn: sqlite3.Connection, fields: dict[str, Any], store_id: str, signer_register: str) -> dict:
    """Sign one entry just appended (inside the append's transaction); the signature row written."""
    signer = signing.register_signer(signer_register)
    counter = next_counter(conn, signer_register)
    known = current_key(conn, signer_register)
    if known is None:
        _record_key(conn, signer_register, counter, signer.public, fields["at"])
    elif known[1] != signer.public_text:
        raise KeyNotKnown(N_("Register {register} signs with key {new}, but the journal knows its key as {old}; "
                             "nothing was recorded. A manager must approve the new key first: in the manager area "
                             "(F5), Signing key, or with 'journal new-key --register {register} --manager ID'."),
                          register=signer_register, new=signer.fingerprint, old=known[2])
    statement = signing.Statement(store_id, fields["register"], fields["txno"], fields["at"][:19],
                                  fields["refund_total"], fields["currency"], signer_register, counter, fields["hash"])
    row = {"signer": signer_register, "counter": counter, "register": fields["register"], "seq": fields["seq"],
           "txno": fields["txno"], "store": store_id, "at": statement.at, "total": statement.total,
           "currency": statement.currency, "hash": fields["hash"], "fingerprint": signer.fingerprint,
           "signature": signing.b64url(signer.sign(statement.message()))}
    conn.execute("INSERT INTO signatures (signer, counter, register, seq, txno, store, at, total, currency, hash, "
                 "fingerprint, signature) VALUES (:signer, :counter, :register, :seq, :txno, :store, :at, :total, "
                 ":currency, :hash, :fingerprint, :signature)", row)
    return row


def add_key(conn: sqlite3.Connection, signer_register: str, new_public: bytes, at: str, manager: str,
            reason: str, old: signing.Signer | None, new: signing.Signer) -> int:
    """Record a manager-approved new key for a register from its next signature on; signed by the new key
    (it holds it) and by the old one when it is still there. The counter the new key starts at."""
    counter = next_counter(conn, signer_register)
    known = current_key(conn, signer_register)
    if known is not None and known[1] == signing.public_text(new_public):
        raise StoreError(N_("Register {register} already signs with key {fingerprint}."), register=signer_register,
                         fingerprint=known[2])
    message = signing.key_message(signer_register, new_public, counter)
    old_sig = None
    if old is not None and known is not None and old.public_text == known[1]:
        old_sig = old.sign(message)
    _record_key(conn, signer_register, counter, new_public, at, manager, reason, known[2] if known else "-",
                old_sig, new.sign(message))
    return counter


def signature_of(store: Database, txno: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM signatures WHERE txno = ?", (txno,))


def key_rows(store: Database) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM register_keys ORDER BY signer, from_counter, rowid")


def all_signatures(store: Database) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM signatures ORDER BY signer, counter")


def has_signature_tables(store: Database) -> bool:
    return store.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'signatures'") is not None


def signing_began(store: Database) -> dict[str, int]:
    """Each register's last entry from before the file signed its journal (the schema 6 upgrade)."""
    import json
    row = store.one("SELECT detail FROM events WHERE kind = 'signing_began' ORDER BY id LIMIT 1")
    return json.loads(row["detail"]).get("heads", {}) if row else {}
