"""Benchmark: a lookup through the chain's central PostgreSQL at scale (DESIGN.md: 50 million sale lines,
under 20 ms at p95 over the loopback).

    python bench/central.py [--lines 50000000] [--samples 1000] [--folder DIR] [--out central.json]

Starts a throwaway server (tools/pgserver.py) listening on 127.0.0.1, creates the central schema with
``central init``, fills ``sales`` / ``sale_lines`` server-side with ``generate_series`` (2.5 lines a sale on
average, 1 receipt in 50 with claims and draws), builds the indexes after the load, ANALYZEs, then measures:

- ``central_lookup``: a scan of a receipt at the central database -- ``central_sale`` (the sale, its lines,
  what the chain returned and refunded of it: four indexed queries) on a new TCP connection to 127.0.0.1 each
  time (the command line's ``record``);
- ``central_lookup_kept``: the same on one connection kept open, as the counter app does (services.chain.Link);
- the floor: one indexed ``SELECT`` of a receipt's lines on a kept connection.

Also reports the table and index sizes and the B-tree depth of the sale lines' primary key (pageinspect), so a
run at a smaller size can be extrapolated honestly: a lookup costs one descent per index, and the depth grows
by one level per ~300x more rows. Measured, never asserted; exit 0 even on a miss.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from pgserver import PgServer  # noqa: E402

BUDGET_MS = 20.0
LINES_PER_SALE = 2.5


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def summary(samples: list[float]) -> dict:
    return {"n": len(samples), "median_ms": round(statistics.median(samples), 3), "p95_ms": round(pct(samples, 95), 3),
            "max_ms": round(max(samples), 3), "budget_ms": BUDGET_MS,
            "result": "pass" if pct(samples, 95) < BUDGET_MS else "miss"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(url: str, lines: int, log) -> dict:
    """Fill the central database with ``lines`` sale lines (and their sales), indexes built after the load."""
    import psycopg
    from pos_returns.storage import central
    central.init_central(url)
    sales = int(lines / LINES_PER_SALE)
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        # unlogged while loading (no WAL for 50 million rows on a shared disk): reads are the same as on a logged
        # table; a real central database stays logged (its writes are a few rows a second, docs/chain.md)
        conn.execute("ALTER TABLE sales SET UNLOGGED")
        conn.execute("ALTER TABLE sale_lines SET UNLOGGED")
        conn.execute("ALTER TABLE sale_lines DROP CONSTRAINT sale_lines_pkey")
        conn.execute("ALTER TABLE sales DROP CONSTRAINT sales_pkey")
        conn.execute("DROP INDEX IF EXISTS sales_barcode")
        # receipts SSSS-NNNNNNNN: 1,000 stores; sale i has 1 + (i %% 4) lines (2.5 on average)
        log(f"sales: {sales:,}")
        conn.execute(
            "INSERT INTO sales (receipt, store_id, register, sold_at, currency, gift_receipt, discount, barcode, "
            "tenders, promotions, from_till) SELECT lpad((i %% 1000)::text, 4, '0') || '-' || lpad(i::text, 9, '0'), "
            "lpad((i %% 1000)::text, 4, '0'), 'R' || (i %% 5 + 1), '2026-06-01T10:00:00', 'USD', false, 0, NULL, "
            "'[{\"type\": \"credit\", \"amount\": 10725, \"last4\": \"4242\"}]'::jsonb, '[]'::jsonb, 'bench' "
            "FROM generate_series(1, %s) AS i", (sales,))
        log(f"sale lines: {lines:,} ({time.perf_counter() - t0:.0f} s so far)")
        conn.execute(
            "INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, discount, tax_rate, tags) "
            "SELECT lpad((i %% 1000)::text, 4, '0') || '-' || lpad(i::text, 9, '0'), n, 'SKU' || ((i * 7 + n) %% 5000), "
            "'Item ' || ((i * 7 + n) %% 5000), 'home', 1 + (n %% 2), 5000, 0, '0.0725', '[]' "
            "FROM generate_series(1, %s) AS i, generate_series(1, 4) AS n WHERE n <= 1 + (i %% 4)", (sales,))
        log(f"indexes ({time.perf_counter() - t0:.0f} s so far)")
        conn.execute("ALTER TABLE sales ADD PRIMARY KEY (receipt)")
        conn.execute("ALTER TABLE sale_lines ADD PRIMARY KEY (receipt, line)")
        conn.execute("CREATE INDEX sales_barcode ON sales (barcode) WHERE barcode IS NOT NULL")
        conn.execute(
            "INSERT INTO claims (txno, receipt, line, qty, sold, state) SELECT 'B-' || i, "
            "lpad((i %% 1000)::text, 4, '0') || '-' || lpad(i::text, 9, '0'), 1, 1, 2, 'journal' "
            "FROM generate_series(1, %s, 50) AS i", (sales,))
        conn.execute(
            "INSERT INTO draws (txno, receipt, source_seq, amount, paid, state) SELECT 'B-' || i, "
            "lpad((i %% 1000)::text, 4, '0') || '-' || lpad(i::text, 9, '0'), 1, 5362, 10725, 'journal' "
            "FROM generate_series(1, %s, 50) AS i", (sales,))
        conn.execute("VACUUM ANALYZE")
        got = conn.execute("SELECT count(*) FROM sale_lines").fetchone()[0]
        sizes = {name: conn.execute("SELECT pg_relation_size(%s)", (name,)).fetchone()[0]
                 for name in ("sales", "sale_lines", "sales_pkey", "sale_lines_pkey", "claims_receipt")}
        depth = None
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            depth = conn.execute("SELECT level FROM bt_metap('sale_lines_pkey')").fetchone()[0] + 1
        except psycopg.Error:
            pass
    return {"sales": sales, "sale_lines": got, "build_seconds": round(time.perf_counter() - t0, 1),
            "sizes_mb": {k: round(v / 2**20, 1) for k, v in sizes.items()}, "sale_lines_pkey_depth": depth}


def measure(url: str, sales: int, samples: int, seed: int) -> dict:
    import psycopg
    from pos_returns.storage import central
    rng = random.Random(seed)
    codes = [f"{i % 1000:04d}-{i:09d}" for i in (rng.randint(1, sales) for _ in range(samples))]
    out = {}
    for code in codes[:20]:  # warm-up
        central.central_sale(url, code)
    t = []
    for code in codes:
        s = time.perf_counter()
        sale = central.central_sale(url, code)
        t.append((time.perf_counter() - s) * 1000)
        assert sale is not None and sale["lines"], code
    out["central_lookup"] = summary(t)
    with psycopg.connect(url) as conn:
        t, floor = [], []
        for code in codes:
            s = time.perf_counter()
            central.central_sale(conn, code)  # as the counter does: its Link keeps one connection
            t.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            conn.execute("SELECT * FROM sale_lines WHERE receipt = %s", (code,)).fetchall()
            floor.append((time.perf_counter() - s) * 1000)
            conn.rollback()
    out["central_lookup_kept"] = summary(t)
    out["floor"] = summary(floor)
    out["central_lookup"]["p95_over_floor"] = round(out["central_lookup"]["p95_ms"] / out["floor"]["p95_ms"], 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--folder", default=None, help="where the server's files go (deleted afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the server's folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="pos-bench-pg-", dir=args.folder))
    server = PgServer(root)

    def log(msg: str) -> None:
        print(f"[central] {msg}", file=sys.stderr, flush=True)

    server.start(tcp_port=free_port(), settings="-c fsync=off -c shared_buffers=512MB -c max_wal_size=2GB")
    try:
        url = server.new_database("bench", tcp=True)
        data = build(url, args.lines, log)
        log(f"built {data['sale_lines']:,} lines in {data['build_seconds']} s; measuring")
        metrics = measure(url, data["sales"], args.samples, args.seed)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    result = {"data": data, "metrics": metrics}
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
