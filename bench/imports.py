"""The import benchmark: a till's sales file of 60,000 sale lines (20,000 sales of three lines) imported into
a new database through ``services.importer.import_file`` (every check, one all-or-nothing transaction); the
floor is the same rows written with plain ``executemany`` in one transaction, nothing checked."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pos_returns.domain.engine import sale_total
from pos_returns.domain.model import Sale, SaleLine
from pos_returns.domain.money import Money

ITEMS = (("JEANS", "Slim jeans", "apparel", "49.99"), ("TSHIRT", "Cotton T-shirt", "apparel", "14.99"),
         ("TOWEL", "Bath towel", "home", "19.99"), ("JACKET", "Rain jacket", "apparel", "129.00"))
TAX = "0.0725"


def write_file(path: Path, policy, sales: int = 20_000, lines: int = 3, start: datetime | None = None) -> int:
    """A JSON import file; returns its number of sale lines."""
    start = start or datetime(2026, 6, 1, 9)
    cur = policy.currency
    out = []
    for n in range(sales):
        picked = [ITEMS[(n + i) % len(ITEMS)] for i in range(lines)]
        model = Sale(receipt="x", sold_at=start, tenders=(), lines=tuple(
            SaleLine(line=i + 1, sku=sku, name=name, category=cat, qty=1, unit_price=Money.parse(price, cur),
                     discount=Money.zero(cur), tax_rate=Decimal(TAX)) for i, (sku, name, cat, price) in enumerate(picked)))
        total = sale_total(model, policy.store.prices_include_tax)
        out.append({"receipt": f"{policy.store.id}-9{n:06d}", "store": policy.store.id, "register": "R9",
                    "sold_at": (start + timedelta(seconds=7 * n)).isoformat(),
                    "lines": [{"line": i + 1, "sku": sku, "name": name, "category": cat, "qty": 1, "unit_price": price,
                               "tax_rate": TAX} for i, (sku, name, cat, price) in enumerate(picked)],
                    "tenders": [{"type": "credit", "amount": total.plain(), "last4": "4242"}]})
    path.write_text(json.dumps({"sales": out}), encoding="utf-8")
    return sales * lines


def floor_once(db: Path, file: Path) -> float:
    """Seconds to read the file and write its rows with plain executemany into the same tables."""
    t = time.perf_counter()
    data = json.loads(file.read_text(encoding="utf-8"))["sales"]
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO sales (receipt, store_id, register, sold_at, currency) VALUES (?, ?, ?, ?, 'USD')",
                     ((s["receipt"], s["store"], s["register"], s["sold_at"]) for s in data))
    conn.executemany("INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, tax_rate) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     ((s["receipt"], ln["line"], ln["sku"], ln["name"], ln["category"], ln["qty"],
                       int(Decimal(ln["unit_price"]) * 100), ln["tax_rate"]) for s in data for ln in s["lines"]))
    conn.executemany("INSERT INTO sale_tenders (receipt, seq, type, amount, last4) VALUES (?, 1, ?, ?, ?)",
                     ((s["receipt"], t["type"], int(Decimal(t["amount"]) * 100), t["last4"])
                      for s in data for t in s["tenders"]))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t


def bench_import(work_dir: Path, policy, runs: int) -> tuple[list[float], list[float], int]:
    """import_file of the 60,000-line file into a new database per run, and the floor beside it (ms each)."""
    from dataset import _remove
    from pos_returns.services import importer
    from pos_returns.storage import store as st
    file = work_dir / "import.json"
    lines = write_file(file, policy)
    samples, floor = [], []
    now = datetime(2026, 6, 30, 12)
    try:
        for i in range(runs):
            db = work_dir / f"import-{i}.db"
            st.open_store(db).close()
            t = time.perf_counter()
            with st.open_store(db, create=False) as store:
                result = importer.import_file(store, policy, file, now)
            samples.append((time.perf_counter() - t) * 1000)
            if result.added != 20_000:
                raise RuntimeError(f"import added {result.added} sales, not 20,000")
            _remove(db)
            db = work_dir / f"import-floor-{i}.db"
            st.open_store(db).close()
            floor.append(floor_once(db, file) * 1000)
            _remove(db)
    finally:
        file.unlink()
    return samples, floor, lines
