"""Use-cases of the counter app's session: open the database, its settings, the demo store, background work.

The ui/ layer holds the open database only as an opaque handle (:data:`Database`) and reaches it through these
functions, so it never imports storage.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, TypeVar

from pos_returns.domain.policy import Policy
from pos_returns.i18n import N_, UserError
from pos_returns.storage import store as st

T = TypeVar("T")

Database = st.Database  #: the open database, as the ui holds it
DatabaseError = st.StoreError


class BadRegister(UserError):
    pass


def resolve_db_path(arg: str | None) -> Path:
    """``--db``, else ``POS_RETURNS_DB``, else the user's data folder."""
    return st.resolve_db_path(arg)


def open_database(path: str | Path, *, create: bool = True) -> Database:
    return st.open_store(path, create=create)


def db_path(db: Database) -> Path:
    return Path(db.path)


def is_demo(db: Database) -> bool:
    return db.is_demo()


def demo_finished(db: Database) -> bool:
    """A demo database built to its end (so a start does not build it again). One built before the end was
    marked has no mark at all: it is finished when its staff are in (the demo adds them after every sale)."""
    if not db.is_demo():
        return False
    mark = db.setting(st.DEMO_COMPLETE_SETTING)
    return mark == "1" if mark is not None else st.count(db, "sales") > 0 and st.count(db, "staff") > 0


def start_demo_over(db: Database) -> Database:
    """A demo store whose build was stopped half-way (the app closed or killed on its first start) holds part of
    the demo and no staff to sign in with: its file is removed and an empty one opened, to build again. Only a
    file marked demo and not finished is ever removed (it holds nothing but demo data)."""
    if not db.is_demo() or demo_finished(db):
        raise ValueError("start_demo_over is only for an unfinished demo database")
    path = Path(db.path)
    db.close()
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        (path.parent / name).unlink(missing_ok=True)
    return st.open_store(path)


def build_demo(path: str | Path, policy: Policy, today: date, progress: Callable[[int, int], None] | None = None,
               batch: int = 500) -> None:
    """Fill the database at ``path`` with the demo store, on a connection of its own (for a background thread)."""
    from pos_returns.services import demo
    with st.open_store(path) as db:
        demo.build_demo(db, policy, today=today, progress=progress, batch=batch)


def on_own_connection(path: str | Path, fn: Callable[[Database], T]) -> T:
    """``fn(db)`` on a connection of its own to an existing database (for long work off the interface thread)."""
    with st.open_store(path, create=False) as db:
        return fn(db)


# -- settings (kept in the database, so every till on it agrees) -------------------------

def setting(db: Database, key: str, default: str | None = None) -> str | None:
    return db.setting(key, default)


def set_setting(db: Database, key: str, value: str) -> None:
    db.set_setting(key, value)


#: a transaction number of our own paperwork: STORE-REGISTER-SEQ, or STORE-REGISTER-TRAIN-SEQ for training
#: (storage numbers entries so: training has its own chain per register)
TXNO_RE = re.compile(r"^[0-9A-Za-z]+-[0-9A-Za-z]+(?:-TRAIN)?-\d{6}$")


def is_transaction_number(code: str) -> bool:
    """Whether a scanned code is one of our transaction numbers (a reprint) rather than a sale's receipt."""
    return bool(TXNO_RE.match(code.strip()))


def check_register(text: str) -> str:
    """The register id as typed, checked: letters and digits (e.g. R1). Raises :class:`BadRegister`."""
    register = text.strip()
    if not register or not register.isalnum():
        raise BadRegister(N_("The register id is letters and digits, e.g. R1."))
    return register
