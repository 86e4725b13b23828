"""Benchmark databases: the demo store at scale, then a year of returns on top, cached under bench/.cache/.

Stage 1 (``sales_db``): ``demo.build_demo`` with the given seed and receipt count (about 2.55 sale lines a
receipt: 2,000,000 receipts give about 5.1 million sale lines).
Stage 2 (``year_db``): a copy of stage 1 plus ``per_day`` returns a day over the year before ``TODAY``,
recorded through the real ``services.Counter.commit`` code (so entries, hashes, lines, tenders and draws are
exactly what the counter writes), one write transaction per day instead of one per return.

Files are keyed by seed + size + day, built under a temporary name and renamed when complete, so an
interrupted build is never reused.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pos_returns.services import demo  # noqa: E402
from pos_returns.services.settlement import with_payment  # noqa: E402
from pos_returns.storage import store as st  # noqa: E402
from pos_returns.storage.db import SCHEMA_VERSION  # noqa: E402
from pos_returns.domain.model import Customer, ExchangeItem, NoReceiptItem, Request, RequestLine  # noqa: E402
from pos_returns.domain.policy import Policy, load_policy  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
POLICY = ROOT / "policies.toml"
TODAY = date(2026, 6, 30)  # fixed, so a cached database stays valid whatever day the benchmark runs


def use_cache_config(cache: Path) -> None:
    """The store secret and the registers' signing keys the cached databases were made with live beside them
    (``cache/config``): sealed staff rows and the journal's register keys only match their own secrets."""
    os.environ["POS_RETURNS_CONFIG"] = str(cache / "config")
    for name in ("POS_RETURNS_SECRET", "POS_RETURNS_KEY"):
        os.environ.pop(name, None)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(str(path) + suffix)
        except FileNotFoundError:
            pass


def _finish(tmp: Path, final: Path) -> None:
    """Checkpoint the WAL into the main file and move it into place."""
    conn = sqlite3.connect(str(tmp))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _remove(final)
    os.replace(tmp, final)
    _remove(tmp)


def copy_db(src: Path, dst: Path) -> None:
    _remove(dst)
    shutil.copyfile(src, dst)


def sales_db(receipts: int, seed: int = 7, cache: Path = CACHE, policy: Policy | None = None) -> tuple[Path, dict]:
    """The stage-1 database, built if missing. Returns (path, info); info has build seconds when built now."""
    cache.mkdir(parents=True, exist_ok=True)
    final = cache / f"demo-s{seed}-r{receipts}-v{SCHEMA_VERSION}-{TODAY.isoformat()}.db"
    info: dict = {"path": str(final), "receipts": receipts, "seed": seed}
    sidecar = final.with_suffix(".json")
    if final.exists():
        info["cached"] = True
        if sidecar.exists():  # how long the build took when it was made
            info.update({k: v for k, v in json.loads(sidecar.read_text()).items() if k.endswith("seconds")
                         or k == "demo_returns"})
    else:
        policy = policy or load_policy(POLICY)
        tmp = final.with_suffix(".building")
        _remove(tmp)
        started = time.perf_counter()
        with st.open_store(tmp) as store:
            store.conn.execute("PRAGMA synchronous = OFF")  # bulk build only; the benchmarks reopen with FULL

            def progress(done: int, total: int) -> None:
                if done % 100_000 < 20_000 or done == total:
                    log(f"demo-data {done}/{total} receipts")

            result = demo.build_demo(store, policy, today=TODAY, receipts=receipts, seed=seed, progress=progress,
                                     batch=20_000)
        info["demo_seconds"] = round(time.perf_counter() - started, 1)
        info["demo_returns"] = result.returns
        _finish(tmp, final)
        info["build_seconds"] = round(time.perf_counter() - started, 1)
        info["cached"] = False
        sidecar.write_text(json.dumps(info, indent=1))
    conn = sqlite3.connect(str(final))
    info["sale_lines"] = conn.execute("SELECT COUNT(*) FROM sale_lines").fetchone()[0]
    info["sales"] = conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    conn.close()
    info["bytes"] = final.stat().st_size
    return final, info


class _BatchStore(st.Database):
    """A Database whose ``write()`` joins an already open transaction (so many commits share one fsync)."""

    batching = False

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        if not self.batching:
            with super().write() as c:
                yield c
            return
        self.conn.execute("SAVEPOINT one")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK TO one")
            self.conn.execute("RELEASE one")
            raise
        self.conn.execute("RELEASE one")

    @contextmanager
    def batch(self) -> Iterator[None]:
        with super().write():
            self.batching = True
            try:
                yield
            finally:
                self.batching = False


CONDITIONS = ("unopened", "unopened", "opened", "opened", "defective", "damaged")
REASONS = ("changed_mind", "wrong_size", "not_as_described", "defective", "unwanted_gift")  # all in the policy


def add_year_of_returns(path: Path, policy: Policy, per_day: int, seed: int = 11, days: int = 365,
                        progress: Callable[[str], None] = log) -> dict:
    """Append ``per_day`` returns a day for ``days`` days ending the day before TODAY (real commit code)."""
    from pos_returns.services.counter import Counter, NotRecordable, ServiceError

    unknown = [r for r in REASONS if r not in policy.reasons]
    if unknown:  # a what-if replay could not read them, and reports would group returns by reasons nobody chose
        raise ValueError(f"reasons {unknown} are not reasons of the policy ({', '.join(policy.reasons)})")
    rng = random.Random(seed)
    conn = st._connect(path)
    store = _BatchStore(conn, path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # bulk build only
    # receipts by day: the demo's receipt numbers grow with the sale time
    rows = conn.execute("SELECT substr(sold_at, 1, 10), MIN(rowid), MAX(rowid) FROM sales GROUP BY 1").fetchall()
    by_day = {d: (lo, hi) for d, lo, hi in rows}
    products = [dict(zip(("sku", "category", "price", "tax_rate", "tags"), r)) for r in
                conn.execute("SELECT sku, category, price, tax_rate, tags FROM products")]
    used: set[int] = set()
    first_day = TODAY - timedelta(days=days)
    # the demo's staff sign in once per register (a PIN check is slow); the sessions are what the counter takes
    sessions = {}
    for register in ("R1", "R2", "R3"):
        signer = Counter(store, policy, register=register, clock=lambda: datetime.combine(first_day, dtime(8)))
        for staff_id, pin in (("c1", "1111"), ("c2", "2222"), ("m1", "9999")):
            sessions[register, staff_id] = signer.sign_in(staff_id, pin)
    counts = {"return": 0, "exchange": 0, "no_receipt": 0, "approved_by_manager": 0, "denied": 0, "skipped": 0}
    started = time.perf_counter()
    first = first_day
    for d in range(days):
        day = first + timedelta(days=d)
        # a sale from the last 45 days before the return
        candidates = [by_day[k] for k in ((day - timedelta(days=b)).isoformat() for b in range(1, 46)) if k in by_day]
        if not candidates:
            continue
        # attempts that end denied or skipped are retried, so each day records per_day entries
        moments = sorted(datetime.combine(day, dtime(9)) + timedelta(seconds=rng.randrange(11 * 3600))
                         for _ in range(per_day * 3))
        recorded = 0
        with store.batch():
            for i, when in enumerate(moments):
                if recorded >= per_day:
                    break
                counter = Counter(store, policy, register=("R1", "R2", "R3")[i % 3], clock=lambda w=when: w)
                cashier = sessions[counter.register, ("c1", "c2")[i % 2]]
                roll = rng.random()
                try:
                    if roll < 0.03:
                        product = rng.choice(products)
                        low = counter.lowest_price(product["sku"])
                        request = Request("return", no_receipt_items=(NoReceiptItem(
                            sku=product["sku"], category=product["category"], qty=1, lowest_price=low,
                            tax_rate=Decimal(product["tax_rate"]),
                            tags=frozenset(json.loads(product["tags"])), condition="unopened",
                            reason=rng.choice(REASONS)),),
                            customer=Customer(id_verified=True, id=f"D{rng.randrange(10**7):07d}"))
                        pending = counter.prepare(cashier, None, request)
                    else:
                        lo, hi = rng.choice(candidates)
                        rowid = rng.randint(lo, hi)
                        if rowid in used:
                            counts["skipped"] += 1
                            continue
                        used.add(rowid)
                        receipt = conn.execute("SELECT receipt FROM sales WHERE rowid = ?", (rowid,)).fetchone()[0]
                        sale = counter.lookup(receipt)
                        picked = [ln for ln in sale.lines if rng.random() < 0.6] or [rng.choice(sale.lines)]
                        lines = tuple(RequestLine(line=ln.line, qty=rng.randint(1, ln.qty),
                                                  condition=rng.choice(CONDITIONS), reason=rng.choice(REASONS),
                                                  serial=ln.serial) for ln in picked)
                        if roll < 0.10:
                            ln = picked[0]
                            request = Request("exchange", lines=lines[:1], exchange_items=(ExchangeItem(
                                sku=ln.sku, category=ln.category, qty=lines[0].qty, unit_price=ln.unit_price,
                                tax_rate=ln.tax_rate, name=ln.name),))
                        else:
                            request = Request("return", lines=lines)
                        pending = counter.prepare(cashier, sale, request)
                        # the customer pays what an exchange costs more (no rng draw: the data stays the same)
                        pending = with_payment(pending, "cash" if rowid % 2 else "card")
                    if pending.decision.outcome == "denied":
                        counts["denied"] += 1
                        continue
                    grants = ()
                    if pending.decision.approvals:
                        # m1 signed in once above; each approval is written and sealed as approve() does
                        grants = (counter._grant(pending, sessions[counter.register, "m1"],
                                                 policy.approval.reason_codes[0]),)
                        counts["approved_by_manager"] += 1
                    tx = counter.commit(pending, grants)
                    counts[tx.entry.kind] = counts.get(tx.entry.kind, 0) + 1
                    recorded += 1
                except (NotRecordable, ServiceError, st.StoreError):
                    counts["skipped"] += 1
        if d % 30 == 0 or d == days - 1:
            done = sum(counts[k] for k in ("return", "exchange", "no_receipt"))
            progress(f"year of returns: day {d + 1}/{days}, {done} entries, {time.perf_counter() - started:.0f} s")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    counts["entries"] = sum(counts[k] for k in ("return", "exchange", "no_receipt"))
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def year_db(receipts: int, per_day: int = 500, seed: int = 7, cache: Path = CACHE,
            days: int = 365) -> tuple[Path, dict]:
    """Stage 2: stage 1 plus a year of ``per_day`` returns a day; built (and cached) if missing."""
    policy = load_policy(POLICY)
    base, info = sales_db(receipts, seed, cache, policy)
    final = cache / f"year-s{seed}-r{receipts}-n{per_day}-d{days}-v{SCHEMA_VERSION}-{TODAY.isoformat()}.db"
    sidecar = final.with_suffix(".json")
    if final.exists():
        info["year_cached"] = True
        if sidecar.exists():
            info["year"] = json.loads(sidecar.read_text())
    else:
        tmp = final.with_suffix(".building")
        copy_db(base, tmp)
        info["year"] = add_year_of_returns(tmp, policy, per_day, days=days)
        _finish(tmp, final)
        sidecar.write_text(json.dumps(info["year"], indent=1))
        info["year_cached"] = False
    conn = sqlite3.connect(str(final))
    info["journal_entries"] = conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    conn.close()
    info["year_path"] = str(final)
    info["year_bytes"] = final.stat().st_size
    return final, info


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--receipts", type=int, default=2_000_000)
    p.add_argument("--per-day", type=int, default=500)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--stage", choices=("sales", "year"), default="year")
    a = p.parse_args()
    if a.stage == "sales":
        print(json.dumps(sales_db(a.receipts)[1], indent=1))
    else:
        print(json.dumps(year_db(a.receipts, a.per_day, days=a.days)[1], indent=1))
