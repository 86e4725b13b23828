"""Shared helpers for the local-store tests (test_store, test_journal, test_services, test_import, test_store_cli).

A base database is built once per test process (staff c1/c2 cashiers, m1/m2 managers, hashed at the suite's
low scrypt cost (tests/conftest.py), plus a handful of our own sales, a few days old, so return windows are
open) and copied for each test that needs one.

Run as a script it is the child process of the multi-process tests:

    python tests/storehelpers.py race DB REGISTER SYNCDIR RECEIPT...   two tills returning the same lines
    python tests/storehelpers.py loop DB REGISTER RECEIPT              commits until killed, printing each txno
    python tests/storehelpers.py pin DB STAFF PIN SYNCDIR NAME         one PIN check, started on SYNCDIR/go
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time as _time
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pos_returns.storage import store as st  # noqa: E402
from pos_returns.domain.engine import sale_total  # noqa: E402
from pos_returns.services.importer import import_file  # noqa: E402
from pos_returns.domain.model import (Customer, ExchangeItem, NoReceiptItem, Request, RequestLine, Sale,  # noqa: E402
                               SaleLine)
from pos_returns.domain.money import Money  # noqa: E402
from pos_returns.domain.policy import Policy, load_policy  # noqa: E402
from pos_returns.services.counter import Counter  # noqa: E402

POLICY_PATH = ROOT / "policies.toml"
PY = sys.executable
TODAY = date.today()
NOW = datetime.combine(TODAY, time(12, 0))  # the injected clock of in-process counters
SOLD = datetime.combine(TODAY - timedelta(days=3), time(10, 30))
TAX = "0.0725"

# staff of the base database: id -> (name, role, PIN)
STAFF = {"c1": ("Alice Nguyen", "cashier", "1111"), "c2": ("Bao Tran", "cashier", "2222"),
         "m1": ("Marta Novakova", "manager", "9999"), "m2": ("Chen Wei-Ling", "manager", "8888")}
PIN = {k: v[2] for k, v in STAFF.items()}
REASON = "customer_satisfaction"

# our own receipts: receipt -> [(sku, name, category, qty, unit price)]
JEANS = "0001-800001"       # one pair of jeans: a simple return
BIG = "0001-800002"         # 6 rain jackets: returning 2 or more needs a manager (refund over 250.00)
BULK = "0001-800003"        # 1500 T-shirts: many small returns from one receipt
SHIRT = "0001-800004"       # one T-shirt: exchanges
RACE = [f"0001-81000{i}" for i in range(1, 4)]  # single-item receipts for the two-till race
SALES: dict[str, list[tuple[str, str, str, int, str]]] = {
    JEANS: [("JEANS", "Slim jeans", "apparel", 1, "49.99")],
    BIG: [("JACKET", "Rain jacket", "apparel", 6, "200.00")],  # tax 14.50 each: no rounding cents
    BULK: [("TSHIRT", "Cotton T-shirt", "apparel", 1500, "14.99")],
    SHIRT: [("TSHIRT", "Cotton T-shirt", "apparel", 1, "14.99"), ("JEANS", "Slim jeans", "apparel", 1, "49.99")],
    **{r: [("JEANS", "Slim jeans", "apparel", 1, "49.99")] for r in RACE},
}
PRODUCTS = [
    {"sku": "TSHIRT", "name": "Cotton T-shirt", "category": "apparel", "price": "14.99", "tax_rate": TAX},
    {"sku": "JEANS", "name": "Slim jeans", "category": "apparel", "price": "49.99", "tax_rate": TAX},
    {"sku": "JACKET", "name": "Rain jacket", "category": "apparel", "price": "129.00", "tax_rate": TAX},
    {"sku": "TOWEL", "name": "Bath towel", "category": "home", "price": "19.99", "tax_rate": TAX},
]
CARD_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9]{13,19}(?![0-9A-Za-z])")


@lru_cache(maxsize=None)
def policy() -> Policy:
    return load_policy(POLICY_PATH)


# ----------------------------------------------------------------------------- sales files

def sale_json(receipt: str, lines: list[tuple[str, str, str, int, str]], *, sold_at: datetime = SOLD,
              tender: str = "credit", last4: str | None = "4242", store_id: str = "0001") -> dict[str, Any]:
    """One sale as the importer reads it, with a tender that pays exactly the sale's total."""
    pol = policy()
    model = Sale(receipt=receipt, sold_at=sold_at, tenders=(), lines=tuple(
        SaleLine(line=n, sku=sku, name=name, category=cat, qty=qty, unit_price=Money.parse(price, pol.currency),
                 discount=Money.zero(pol.currency), tax_rate=Decimal(TAX))
        for n, (sku, name, cat, qty, price) in enumerate(lines, 1)))
    total = sale_total(model, pol.store.prices_include_tax)
    tender_json: dict[str, Any] = {"type": tender, "amount": total.plain()}
    if last4 is not None and tender in ("credit", "debit"):
        tender_json["last4"] = last4
    return {"receipt": receipt, "store": store_id, "register": "R9", "sold_at": sold_at.isoformat(),
            "lines": [{"line": n, "sku": sku, "name": name, "category": cat, "qty": qty, "unit_price": price,
                       "tax_rate": TAX} for n, (sku, name, cat, qty, price) in enumerate(lines, 1)],
            "tenders": [tender_json]}


def write_sales_json(path: Path, sales: dict[str, list] = SALES, *, sold_at: datetime = SOLD,
                     products: list[dict] | None = None, customers: list[dict] | None = None) -> Path:
    doc: dict[str, Any] = {"sales": [sale_json(r, lines, sold_at=sold_at) for r, lines in sales.items()]}
    if products is not None:
        doc["products"] = products
    if customers is not None:
        doc["customers"] = customers
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- databases

def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(source) + suffix)
        if extra.exists():
            shutil.copyfile(extra, Path(str(target) + suffix))
    return target


def checkpoint(store: st.Database) -> None:
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def build_db(path: Path, *, staff: bool = True) -> Path:
    store = st.open_store(path)
    try:
        counter = Counter(store, policy(), clock=lambda: NOW - timedelta(days=3))
        if staff:
            for staff_id, (name, role, pin) in STAFF.items():
                counter.add_staff(staff_id, name, role, pin)
        sales_file = write_sales_json(path.parent / "base-sales.json", products=PRODUCTS)
        result = import_file(store, policy(), sales_file, SOLD + timedelta(hours=8))
        assert result.added == len(SALES), result
        checkpoint(store)
    finally:
        store.close()
    return path


_BASE: dict[str, Path] = {}


def base_db() -> Path:
    """The base database, built once per test process."""
    if "path" not in _BASE:
        folder = Path(tempfile.mkdtemp(prefix="pos-returns-base-"))
        atexit.register(shutil.rmtree, folder, True)
        _BASE["path"] = build_db(folder / "base.db")
    return _BASE["path"]


def fresh_db(folder: Path, name: str = "store.db") -> Path:
    return copy_db(base_db(), folder / name)


def counter(store: st.Database, register: str = "R1", clock=None) -> Counter:
    return Counter(store, policy(), register=register, clock=clock or (lambda: NOW))


_SESSIONS: dict[tuple[str, str, str], Any] = {}


def signed_in(c: Counter, staff_id: str = "c1", pin: str | None = None):
    """``staff_id`` signed in on ``c``'s register with their PIN (through Counter.sign_in).

    A PIN check costs about half a second, so the session is kept for the tests that follow: it stays valid on
    every copy of the same database (it is bound to the member's PIN hash and the register)."""
    row = st.get_staff(c.store, staff_id)
    key = (c.register, staff_id, row["pin_hash"] if row else "")
    if key not in _SESSIONS:
        _SESSIONS[key] = c.sign_in(staff_id, pin or PIN[staff_id])
    return _SESSIONS[key]


def return_request(line: int = 1, qty: int = 1, *, reason: str = "changed_mind",
                   condition: str = "unopened") -> Request:
    return Request(type="return", lines=(RequestLine(line=line, qty=qty, condition=condition, reason=reason),))


def no_receipt_request(document: str, sku: str = "TOWEL", price: str = "19.99") -> Request:
    pol = policy()
    item = NoReceiptItem(sku=sku, category="home", qty=1, lowest_price=Money.parse(price, pol.currency),
                         tax_rate=Decimal(TAX), tags=frozenset(), name="Bath towel")
    return Request(type="return", no_receipt_items=(item,), customer=Customer(id_verified=True, id=document))


def exchange_request(line: int = 1) -> Request:
    pol = policy()
    item = ExchangeItem(sku="TSHIRT", category="apparel", qty=1, unit_price=Money.parse("14.99", pol.currency),
                        tax_rate=Decimal(TAX), name="Cotton T-shirt")
    return Request(type="exchange", lines=(RequestLine(line=line, qty=1, condition="unopened",
                                                       reason="wrong_size"),), exchange_items=(item,))


def record_returns(path: Path, n: int, *, receipt: str = BULK, register: str = "R1") -> list[str]:
    """Commit ``n`` one-item returns from ``receipt``; the txnos in order."""
    out = []
    store = st.open_store(path)
    try:
        c = counter(store, register)
        for _ in range(n):
            pending = c.prepare(signed_in(c), c.lookup(receipt), return_request())
            assert pending.decision.outcome == "approved", pending.decision
            out.append(c.commit(pending).txno)
        checkpoint(store)
    finally:
        store.close()
    return out


# ----------------------------------------------------------------------------- raw access

class _ClosingConnection(sqlite3.Connection):
    """Closed when its ``with`` block ends. A plain sqlite3 connection is not, and (in a cycle with its
    statement cache) is closed only by a later garbage collection, at any moment: closing the file's last
    connection deletes its -wal file, so a shared database could lose it in the middle of copy_db."""

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self.close()


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection (autocommit), as an attacker or an auditor would open the file;
    ``with raw(path) as conn:`` closes it at the end of the block."""
    return sqlite3.connect(str(path), isolation_level=None, factory=_ClosingConnection)


def drop_triggers(conn: sqlite3.Connection) -> list[str]:
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    return names


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_%'")]
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def text_values(conn: sqlite3.Connection) -> Iterable[tuple[str, str, str]]:
    """(table, column, value) for every text value of every table."""
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        for col in cols:
            for (value,) in conn.execute(f'SELECT "{col}" FROM "{table}" WHERE typeof("{col}") = \'text\''):
                yield table, col, value


def db_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def open_readonly(path: Path) -> st.Database:
    """The database through a read-only connection (what a 0444 file gives a non-root user)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=5)
    return st.Database(conn, Path(path))


# ----------------------------------------------------------------------------- the command line

def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("POS_RETURNS_DB", None)
    env["POS_RETURNS_POLICY"] = str(POLICY_PATH)
    env["POS_RETURNS_LANG"] = "en"
    env.update(extra or {})
    return env


CLI_SETTINGS: dict[str, str | None] = {"POS_RETURNS_DB": None, "POS_RETURNS_POLICY": str(POLICY_PATH),
                                       "POS_RETURNS_LANG": "en"}


def run_cli(*args: str, stdin: str = "", cwd: Path | None = None, timeout: float = 300
            ) -> subprocess.CompletedProcess:
    """``python -m pos_returns ARGS`` in this process (casekit.cli_in_process) with the sample policy.

    ``timeout`` is accepted for the callers written for :func:`run_cli_process` and not used."""
    from casekit import cli_in_process  # here, not at the top: the child processes below never need it
    return cli_in_process(args, stdin=stdin, cwd=cwd or ROOT, env=CLI_SETTINGS)


def run_cli_process(*args: str, stdin: str = "", cwd: Path | None = None, timeout: float = 300
                    ) -> subprocess.CompletedProcess:
    """The same in a real ``python -m pos_returns`` process, where the process is the point."""
    return subprocess.run([PY, "-m", "pos_returns", *args], input=stdin, capture_output=True, text=True,
                          cwd=str(cwd or ROOT), env=cli_env(), timeout=timeout)


def ok(proc: subprocess.CompletedProcess) -> str:
    """A command that succeeded (exit 0, no traceback); its standard output."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def usage_error(proc: subprocess.CompletedProcess) -> str:
    """A user's mistake: exit 2 with a message on standard error, never a traceback; that message."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.strip()
    return proc.stderr


def child(*args: str, **kw: Any) -> subprocess.Popen:
    return subprocess.Popen([PY, str(Path(__file__).resolve()), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(), **kw)


def wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = _time.monotonic() + timeout
    while not path.exists():
        if _time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        _time.sleep(0.002)


# ----------------------------------------------------------------------------- child processes

def _race(db: str, register: str, syncdir: str, receipts: list[str]) -> None:
    from pos_returns.services.counter import ServiceError
    sync = Path(syncdir)
    store = st.open_store(db, create=False)
    c = counter(store, register)
    cashier = signed_in(c)
    for n, receipt in enumerate(receipts):
        pending = c.prepare(cashier, c.lookup(receipt), return_request())
        (sync / f"ready-{n}-{register}").touch()
        wait_for(sync / f"go-{n}")
        try:
            tx = c.commit(pending)
            print(f"OK {n} {tx.txno}", flush=True)
        except (st.StoreError, ServiceError) as err:
            print(f"REFUSED {n} {type(err).__name__} {err}".replace("\n", " "), flush=True)
    store.close()


def _loop(db: str, register: str, receipt: str) -> None:
    store = st.open_store(db, create=False)
    c = counter(store, register)
    cashier = signed_in(c)
    while True:
        pending = c.prepare(cashier, c.lookup(receipt), return_request())
        tx = c.commit(pending)
        sys.stdout.write(tx.txno + "\n")
        sys.stdout.flush()


def _pin(db: str, staff_id: str, pin: str, syncdir: str, name: str) -> None:
    """One till's PIN check, started together with the others (each with its own connection)."""
    from pos_returns.services.counter import AuthError
    store = st.open_store(db, create=False)
    c = counter(store)
    (Path(syncdir) / f"ready-{name}").touch()
    wait_for(Path(syncdir) / "go")
    try:
        c.check_pin(staff_id, pin)
        print("OK", flush=True)
    except AuthError as err:
        print(f"{type(err).__name__} {err}", flush=True)
    store.close()


if __name__ == "__main__":
    what, *rest = sys.argv[1:]
    if what == "pin":
        _pin(*rest)
    elif what == "race":
        _race(rest[0], rest[1], rest[2], rest[3:])
    elif what == "loop":
        _loop(rest[0], rest[1], rest[2])
    else:
        raise SystemExit(f"unknown child command {what}")
