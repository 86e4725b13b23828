"""Helpers for the chain tests: till databases of the example chain's stores, their sales and cases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from casekit import ROOT, cli_in_process

CHAIN_POLICY = ROOT / "examples" / "chain" / "policies.toml"
NOW = datetime.now().replace(microsecond=0)
SOLD = (NOW - timedelta(days=3)).replace(hour=10, minute=30, second=0)
STORE_A, STORE_B = "0042", "0077"   # CA and TX in examples/chain/policies.toml
TV = "0042-000001"                  # sold at store A: two lamps at 100.00, paid by card (tax 7.25 %)


def cli(*args, stdin: str = "", central: str | None = None):
    env = {"POS_RETURNS_DB": None, "POS_RETURNS_POLICY": str(CHAIN_POLICY), "POS_RETURNS_LANG": "en",
           "POS_RETURNS_CENTRAL": central}
    return cli_in_process([str(a) for a in args], stdin=stdin, env=env)


def ok(proc) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def sale(receipt: str, store: str, qty: int = 2, price: str = "100.00", tender: str = "credit",
         register: str = "R1") -> dict:
    from decimal import Decimal
    total = (Decimal(price) * qty * Decimal("1.0725")).quantize(Decimal("0.01"))
    return {"receipt": receipt, "store": store, "register": register, "sold_at": SOLD.isoformat(),
            "lines": [{"line": 1, "sku": "LAMP", "name": "Desk lamp", "category": "home", "qty": qty,
                       "unit_price": price, "tax_rate": "0.0725"}],
            "tenders": [{"type": tender, "amount": str(total), **({"last4": "4242"} if tender == "credit" else {})}]}


def till(folder: Path, name: str, store: str, sales: list[dict] = ()) -> Path:
    """A till database of ``store`` with cashier c1 (1111) and manager m1 (9999), and ``sales`` imported."""
    db = folder / f"{name}.db"
    ok(cli("db", "init", "--db", db, "--store", store))
    ok(cli("staff", "add", "c1", "Alice Nguyen", "--role", "cashier", "--db", db, stdin="1111\n"))
    ok(cli("staff", "add", "m1", "Marta Novakova", "--role", "manager", "--db", db, stdin="9999\n"))
    if sales:
        path = folder / f"{name}-sales.json"
        path.write_text(json.dumps({"sales": list(sales)}), encoding="utf-8")
        ok(cli("import-sales", path, "--db", db))
    return db


def return_case(folder: Path, receipt: str, qty: int = 1, name: str = "case") -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"sale": {"receipt": receipt}, "request": {
        "type": "return", "lines": [{"line": 1, "qty": qty, "condition": "unopened", "reason": "changed_mind"}]}}),
        encoding="utf-8")
    return path


OFFLINE_URL = "host=/nonexistent-pos-central user=pos dbname=central connect_timeout=1"  # the network is cut


def office(db: Path, url: str | None):
    from pos_returns.services import admin
    return admin.Office.open(db, central=url)


def policy():
    from pos_returns.domain.policy import load_policy
    return load_policy(CHAIN_POLICY)


def do_return(db: Path, url: str | None, receipt: str | None, qty: int = 1, *, register: str = "R1",
              request: dict | None = None):
    """Look up, prepare and commit one return at a till (cashier c1); the Transaction."""
    from pos_returns.services import counter as services
    pol = policy()
    with office(db, url) as o:
        counter = o.counter(pol, register=register)
        sale = counter.lookup(receipt) if receipt else None
        data = {"request": request or {"type": "return", "lines": [
            {"line": 1, "qty": qty, "condition": "unopened", "reason": "changed_mind"}]}}
        req = services.request_from_json(pol, data, sale, counter.clock())
        cashier = counter.sign_in("c1", "1111")
        pending = counter.prepare(cashier, sale, req)
        return counter.commit(pending)


def sync(db: Path, url: str):
    with office(db, url) as o:
        return o.sync(policy())
