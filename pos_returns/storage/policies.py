"""Every policy version the store loaded (table ``policy_versions``; rows are only ever added): its text, hash, version
name, first day, and when, by whom and how it was loaded. The services rebuild the versions from the text
to decide a return under the one in force on the sale date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pos_returns.storage.db import Database
from pos_returns.storage.values import iso


def add_policy_version(store: Database, *, sha256: str, version: str | None, effective_from: date | None,
                       applies_to_earlier_sales: str, text: str, path: str, at: datetime, by: str | None,
                       how: str) -> bool:
    """Keep this version (once per text: the same hash again adds nothing); True when it was new."""
    with store.write() as c:
        cur = c.execute(
            "INSERT OR IGNORE INTO policy_versions (sha256, version, effective_from, applies_to_earlier_sales, "
            "text, path, loaded_at, loaded_by, how) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sha256, version, effective_from.isoformat() if effective_from else None, applies_to_earlier_sales,
             text, path, iso(at), by, how))
        return cur.rowcount == 1


def policy_versions(store: Database, *, with_text: bool = True) -> list[dict[str, Any]]:
    """The versions kept, in the order they were loaded."""
    columns = "*" if with_text else ("id, sha256, version, effective_from, applies_to_earlier_sales, path, "
                                     "loaded_at, loaded_by, how")
    return [dict(r) for r in store.query(f"SELECT {columns} FROM policy_versions ORDER BY id")]


def policy_version_names(store: Database) -> dict[str, tuple[str | None, str | None]]:
    """sha256 -> (version name, effective_from) of every version kept (for reports naming a decision's version)."""
    return {r["sha256"]: (r["version"], r["effective_from"])
            for r in store.query("SELECT sha256, version, effective_from FROM policy_versions")}
