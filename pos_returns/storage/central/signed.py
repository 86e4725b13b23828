"""The signed journal at the central database: the registers' keys (trust on first use) and each entry's signature.

The first key a till sends for a register is pinned. A later key is trusted when the key in force signed the
hand-over (:func:`pos_returns.signing.key_message`); one approved by a manager only (the old key was gone, or the
key file was replaced) is kept as ``unconfirmed``, reported as a ``key_changed`` conflict, and what it signed is
held back until head office confirms it (:func:`confirm_key`). An arriving entry must carry a signature that
states it (register, seq, time, total, currency, hash) and verifies with the key the central database holds for
its signer at that counter; otherwise it is a ``bad_signature`` conflict and its register is held back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pos_returns import signing
from pos_returns.storage.db import Database
from pos_returns.storage import signatures as sg

TRUSTED = ("pinned", "handed_over", "confirmed")
_KEY_COLS = ["signer", "from_counter", "public_key", "fingerprint", "at", "approved_by", "reason", "previous",
             "old_key_signature", "new_key_signature"]
_SIG_COLS = ["signer", "counter", "register", "seq", "txno", "store", "at", "total", "currency", "hash",
             "fingerprint", "signature"]


def _public(text: str) -> bytes:
    try:
        return signing.unb64url(str(text).split(":", 1)[-1])
    except ValueError:
        return b""


def _sig_bytes(text: Any) -> bytes:
    try:
        return signing.unb64url(str(text or ""))
    except ValueError:
        return b""


@dataclass(frozen=True)
class CentralKey:
    signer: str
    from_counter: int
    public: bytes
    fingerprint: str
    status: str


def central_keys(conn: Any, store_id: str) -> dict[str, list[CentralKey]]:
    rows = conn.execute("SELECT signer, from_counter, public_key, fingerprint, status FROM register_keys WHERE "
                        "store_id = %s ORDER BY signer, from_counter, arrived_at", (store_id,)).fetchall()
    out: dict[str, list[CentralKey]] = {}
    for signer, first, public, fp, status in rows:
        out.setdefault(signer, []).append(CentralKey(signer, first, _public(public), fp, status))
    return out


def send_keys(db: Database, conn: Any, till: str, store_id: str,
              conflict: Callable[[str, str, str], None]) -> dict[str, list[CentralKey]]:
    """Send the till's register keys not yet at the central database, each judged on arrival (see the module's
    note); ``conflict(signer, kind, detail)`` for each one head office must look at. The keys now held."""
    if not sg.has_signature_tables(db):
        return central_keys(conn, store_id)
    held = central_keys(conn, store_id)
    for row in sg.key_rows(db):
        signer = row["signer"]
        known = held.get(signer, [])
        if any(k.from_counter == row["from_counter"] and k.fingerprint == row["fingerprint"] for k in known):
            continue
        public = _public(row["public_key"])
        if not known:
            status, detail = "pinned", None
        else:
            before = known[-1]
            message = signing.key_message(signer, public, row["from_counter"])
            handed = (row["from_counter"] > before.from_counter and before.status in TRUSTED and
                      signing.check(before.public, _sig_bytes(row["old_key_signature"]), message))
            if handed:
                status, detail = "handed_over", None
            else:
                status = "unconfirmed"
                detail = (f"register {signer} of store {store_id}: new key {row['fingerprint']} from signature "
                          f"#{row['from_counter']} (approved by {row['approved_by'] or 'nobody'}), not signed by the "
                          f"key the central database holds ({before.fingerprint}); what it signs is held back "
                          f"until head office confirms it (central confirm-key)")
        conn.execute(f"INSERT INTO register_keys (store_id, {', '.join(_KEY_COLS)}, till, status) VALUES "
                     f"(%s, {', '.join(['%s'] * len(_KEY_COLS))}, %s, %s) ON CONFLICT DO NOTHING",
                     [store_id] + [row[c] for c in _KEY_COLS] + [till, status])
        held.setdefault(signer, []).append(CentralKey(signer, row["from_counter"], public, row["fingerprint"],
                                                      status))
        if detail:
            conflict(signer, "key_changed", detail)
    return held


def local_signatures(db: Database, txnos: list[str]) -> dict[str, dict[str, Any]]:
    if not txnos or not sg.has_signature_tables(db):
        return {}
    marks = ", ".join("?" * len(txnos))
    return {r["txno"]: r for r in db.query(f"SELECT * FROM signatures WHERE txno IN ({marks})", tuple(txnos))}


def check_signature(entry: dict[str, Any], sig: dict[str, Any] | None, store_id: str,
                    keys: dict[str, list[CentralKey]], legacy: bool) -> tuple[str, str] | None:
    """None when ``entry``'s signature verifies with the key held centrally; else (kind, why): kind
    ``bad_signature``, or ``held`` when it is signed by a key head office has not confirmed yet. ``legacy``: the
    entry is from before its till signed its journal (covered by the register's first signed entry)."""
    label = f"{entry['txno']}"
    if sig is None:
        if legacy:
            return None
        return "bad_signature", f"{label}: has no signature (written without the register's key)"
    stated = (sig["register"], sig["seq"], sig["hash"], sig["at"], sig["total"], sig["currency"], sig["store"])
    actual = (entry["register"], entry["seq"], entry["hash"], entry["at"][:19], entry["refund_total"],
              entry["currency"], store_id)
    if stated != actual:
        return "bad_signature", f"{label}: its signature #{sig['counter']} states another entry"
    key = next((k for k in reversed(keys.get(sig["signer"], [])) if k.from_counter <= sig["counter"]), None)
    if key is None:
        return "bad_signature", f"{label}: signed by register {sig['signer']}, whose key the central database " \
                                f"does not hold"
    statement = signing.Statement(sig["store"], sig["register"], sig["txno"], sig["at"], sig["total"],
                                  sig["currency"], sig["signer"], sig["counter"], sig["hash"])
    if not signing.check(key.public, _sig_bytes(sig["signature"]), statement.message()):
        return "bad_signature", (f"{label}: its signature #{sig['counter']} does not verify with register "
                                 f"{sig['signer']}'s key {key.fingerprint} as the central database holds it "
                                 f"(signed by an unknown key {sig['fingerprint']}, or changed)")
    if key.status not in TRUSTED:
        return "held", f"{label}: signed by key {key.fingerprint}, not yet confirmed by head office"
    return None


def insert_signatures(conn: Any, store_id: str, sigs: list[dict[str, Any]]) -> None:
    if not sigs:
        return
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO signatures (store_id, {', '.join(_SIG_COLS)}) VALUES "
                        f"(%s, {', '.join(['%s'] * len(_SIG_COLS))}) ON CONFLICT DO NOTHING",
                        [[store_id] + [s[c] for c in _SIG_COLS] for s in sigs])


def set_head(conn: Any, store_id: str, register: str, till: str, entry: dict[str, Any],
             sig: dict[str, Any] | None) -> None:
    """The register's head as the central database now holds it (never moved backwards: seq only grows)."""
    conn.execute("INSERT INTO heads (store_id, register, seq, hash, signer, counter, till) VALUES "
                 "(%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (store_id, register) DO UPDATE SET seq = excluded.seq, "
                 "hash = excluded.hash, signer = excluded.signer, counter = excluded.counter, till = excluded.till, "
                 "updated_at = now() WHERE heads.seq < excluded.seq",
                 (store_id, register, entry["seq"], entry["hash"], sig["signer"] if sig else None,
                  sig["counter"] if sig else None, till))


def confirm_key(url: str, store_id: str, signer: str, fingerprint: str, by: str) -> int:
    """Head office confirms a register's key that arrived without the old key's signature; rows confirmed."""
    from pos_returns.storage.central.schema import connect, require_schema
    with connect(url) as conn:
        require_schema(conn)
        cur = conn.execute("UPDATE register_keys SET status = 'confirmed', confirmed_by = %s WHERE store_id = %s "
                           "AND signer = %s AND fingerprint = %s AND status = 'unconfirmed'",
                           (by, store_id, signer, fingerprint))
        conn.commit()
        return cur.rowcount
