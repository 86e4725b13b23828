"""Staff, their PIN state and the managers' approvals."""

from __future__ import annotations

import hmac
import sqlite3
from typing import Any

from pos_returns import keys
from pos_returns.i18n import N_
from pos_returns.storage.db import Conflict, Database
from pos_returns.storage.values import canonical


# ----------------------------------------------------------------------------- staff and approvals

def get_staff(store: Database, staff_id: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM staff WHERE id = ?", (staff_id,))


def staff_seal(secret: bytes, staff_id: str, role: str, pin_hash: str, active: int) -> str:
    """A staff row's seal: the keyed hash (store secret, kept outside the file) of who it is, its role, PIN hash
    and whether it is active, so a PIN hash or role written into the file by hand no longer matches."""
    return keys.keyed_hash(secret, "staff", canonical([staff_id, role, pin_hash, int(active)]))


def seal_matches(row: dict[str, Any], secret: bytes | None = None) -> bool:
    """True when the staff row's seal is the one the app wrote for its id, role, PIN hash and state."""
    secret = keys.store_secret() if secret is None else secret
    want = staff_seal(secret, row["id"], row["role"], row["pin_hash"], row["active"])
    return bool(row.get("seal")) and hmac.compare_digest(row["seal"], want)


def insert_staff(conn: sqlite3.Connection, staff_id: str, name: str, role: str, pin_hash: str) -> None:
    seal = staff_seal(keys.store_secret(), staff_id, role, pin_hash, 1)
    try:
        conn.execute("INSERT INTO staff (id, name, role, pin_hash, seal) VALUES (?, ?, ?, ?, ?)",
                     (staff_id, name, role, pin_hash, seal))
    except sqlite3.IntegrityError:
        raise Conflict(N_("Staff id {staff_id} already exists."), staff_id=staff_id) from None


def set_pin_state(conn: sqlite3.Connection, staff_id: str, failed: int, locked_until: str | None) -> None:
    conn.execute("UPDATE staff SET failed = ?, locked_until = ? WHERE id = ?", (failed, locked_until, staff_id))


def list_staff(store: Database) -> list[dict[str, Any]]:
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


def pin_state(conn: sqlite3.Connection, staff_id: str) -> tuple[int, str | None]:
    row = conn.execute("SELECT failed, locked_until FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return (row[0], row[1]) if row else (0, None)
