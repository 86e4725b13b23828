"""Chain soak: 2 stores x 3 tills (six processes, six SQLite files) against one central PostgreSQL.

    python tools/chain_soak.py --central URL [--receipts 60] [--attempts 40] [--folder DIR] [--seed 1] [--json]

Each store's tills import that store's sales (receipts of two units, some split between card and cash); every
till then takes back random receipts of *both* stores, one unit at a time, through ``ChainCounter`` exactly as
the counter does (lookup through the central database, a central reservation in the commit), syncing now and
then. Meanwhile the harness runs ``sync`` of one till in its own process and kills it with SIGKILL in the middle,
twice. At the end every till syncs, and:

  1. no sale line was returned beyond what was sold, adding up the journal lines of all six files;
  2. no tender was refunded beyond what it paid, adding up the tender draws of all six files;
  3. every journal entry of every till is at the central database once, with the same hash (and nothing else is);
  4. every till's ``journal verify`` finds nothing; sync found no conflict (every till was online).
Prints a summary; exit 0 when all hold, 1 on any violation (each named), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter as Tally, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POLICY = ROOT / "examples" / "chain" / "policies.toml"
STORES = ("0042", "0077")
TILLS = ("R1", "R2", "R3")


def _sales(store: str, count: int, sold: datetime) -> list[dict]:
    out = []
    for i in range(1, count + 1):
        total = (Decimal("20.00") * Decimal("1.0725")).quantize(Decimal("0.01"))  # two lamps at 10.00
        tenders = [{"type": "credit", "amount": str(total), "last4": "4242"}]
        if i % 3 == 0:  # split: part card, part cash
            tenders = [{"type": "credit", "amount": "12.00", "last4": "4242"},
                       {"type": "cash", "amount": str(total - Decimal("12.00"))}]
        out.append({"receipt": f"{store}-{i:06d}", "store": store, "register": "S1", "sold_at": sold.isoformat(),
                    "lines": [{"line": 1, "sku": "LAMP", "name": "Desk lamp", "category": "home", "qty": 2,
                               "unit_price": "10.00", "tax_rate": "0.0725"}], "tenders": tenders})
    return out


def build(folder: Path, url: str, receipts: int) -> dict[str, Path]:
    from pos_returns.domain.policy import load_policy
    from pos_returns.services import admin, chain
    policy = load_policy(POLICY)
    chain.init_central(url)
    sold = datetime.now().replace(microsecond=0) - timedelta(days=2)
    tills = {}
    for store in STORES:
        sales = folder / f"{store}-sales.json"
        sales.write_text(json.dumps({"sales": _sales(store, receipts, sold)}), encoding="utf-8")
        for register in TILLS:
            db = folder / f"{store}-{register}.db"
            admin.init_database(db, store=store)
            with admin.Office.open(db, central=url) as office:
                office.add_staff(policy, "c1", "Alice Nguyen", "cashier", "1111")
                office.import_sales(policy, sales)
                office.sync(policy)
            tills[f"{store}-{register}"] = db
    return tills


def till_worker(args: tuple) -> dict:
    name, db, url, receipts, attempts, seed = args
    from pos_returns.domain.policy import load_policy
    from pos_returns.services import admin, counter as services
    from pos_returns.storage.db import StoreError
    policy = load_policy(POLICY)
    rng = random.Random(seed)
    outcomes: Tally = Tally()
    committed = []
    register = name.split("-")[1]
    with admin.Office.open(db, central=url) as office:
        counter = office.counter(policy, register=register)
        cashier = counter.sign_in("c1", "1111")
        for n in range(attempts):
            receipt = f"{rng.choice(STORES)}-{rng.randint(1, receipts):06d}"
            try:
                sale = counter.lookup(receipt)
                data = {"request": {"type": "return", "lines": [
                    {"line": 1, "qty": 1, "condition": "unopened", "reason": "changed_mind"}]}}
                req = services.request_from_json(policy, data, sale, counter.clock())
                pending = counter.prepare(cashier, sale, req)
                if pending.decision.outcome == "denied":
                    outcomes["nothing_left"] += 1
                    continue
                tx = counter.commit(pending)
                committed.append(tx.txno)
                outcomes["committed"] += 1
            except services.DecisionChanged:
                outcomes["decision_changed"] += 1
            except (services.ServiceError, StoreError) as exc:
                outcomes["refused:" + type(exc).__name__] += 1
            if n % 10 == 9:
                office.sync(policy)
        office.sync(policy)
    return {"till": name, "outcomes": dict(outcomes), "committed": committed}


def kill_sync_midway(db: Path, url: str) -> bool:
    """``sync`` of one till in its own process, SIGKILLed once it has sent something; True if it was cut."""
    env = dict(os.environ, POS_RETURNS_CENTRAL=url, POS_RETURNS_DB="")
    proc = subprocess.Popen([sys.executable, "-m", "pos_returns", "sync", "--db", str(db), "--policy", str(POLICY),
                             "--batch", "1"], cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(random.uniform(0.3, 0.8))  # start-up, then a few single-row central transactions
    cut = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return cut


def check(tills: dict[str, Path], url: str) -> tuple[list[str], dict]:
    import psycopg
    from pos_returns.storage import store as st
    problems = []
    returned: dict[tuple, int] = defaultdict(int)
    drawn: dict[tuple, int] = defaultdict(int)
    sold: dict[tuple, int] = {}
    paid: dict[tuple, int] = {}
    entries = {}
    for name, db in tills.items():
        with sqlite3.connect(db) as conn:
            for receipt, line, qty in conn.execute("SELECT receipt, line, qty FROM journal_lines WHERE training = 0 "
                                                   "AND outcome != 'denied' AND receipt IS NOT NULL"):
                returned[(receipt, line)] += qty
            for receipt, seq, amount in conn.execute("SELECT receipt, source_seq, amount FROM journal_draws "
                                                     "WHERE training = 0"):
                drawn[(receipt, seq)] += amount
            for receipt, line, qty in conn.execute("SELECT receipt, line, qty FROM sale_lines"):
                sold[(receipt, line)] = qty
            for receipt, seq, amount in conn.execute("SELECT receipt, seq, amount FROM sale_tenders"):
                paid[(receipt, seq)] = amount
            store = name.split("-")[0]
            for register, seq, txno, hsh in conn.execute("SELECT register, seq, txno, hash FROM journal"):
                entries[(store, register, seq)] = (txno, hsh)
        count, found = st.verify_file(db)
        for p in found:
            problems.append(f"{name}: journal verify: {p}")
    for key, qty in returned.items():
        if qty > sold.get(key, 0):
            problems.append(f"receipt {key[0]} line {key[1]}: {qty} returned, {sold.get(key, 0)} sold")
    for key, amount in drawn.items():
        if amount > paid.get(key, 0):
            problems.append(f"receipt {key[0]} tender {key[1]}: {amount} refunded, {paid.get(key, 0)} paid")
    with psycopg.connect(url) as conn:
        central = {(s, r, q): (t, h) for s, r, q, t, h in conn.execute(
            "SELECT store_id, register, seq, txno, hash FROM journal").fetchall()}
        conflicts = conn.execute("SELECT kind, detail FROM conflicts").fetchall()
        central_sales = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    missing = sorted(set(entries) - set(central))
    extra = sorted(set(central) - set(entries))
    changed = sorted(k for k in set(entries) & set(central) if entries[k] != central[k])
    problems += [f"entry {k} never arrived" for k in missing[:20]]
    problems += [f"entry {k} at the central database but in no till" for k in extra[:20]]
    problems += [f"entry {k} differs at the central database" for k in changed[:20]]
    problems += [f"sync conflict {kind}: {detail}" for kind, detail in conflicts]
    units = sum(returned.values())
    return problems, {"entries": len(entries), "central_entries": len(central), "units_returned": units,
                      "units_sold": sum(sold.values()), "central_sales": central_sales}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--central", required=True, help="libpq connection string of an empty central database")
    parser.add_argument("--receipts", type=int, default=60, help="receipts per store")
    parser.add_argument("--attempts", type=int, default=40, help="returns each till tries")
    parser.add_argument("--folder", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="chain-soak-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tills = build(folder, args.central, args.receipts)
    jobs = [(name, db, args.central, args.receipts, args.attempts, args.seed * 100 + i)
            for i, (name, db) in enumerate(sorted(tills.items()))]
    ctx = mp.get_context("spawn")
    with ctx.Pool(len(jobs)) as pool:
        running = pool.map_async(till_worker, jobs)
        cuts = []
        victim = tills[f"{STORES[0]}-{TILLS[0]}"]
        while not running.ready() and len(cuts) < 2:
            cuts.append(kill_sync_midway(victim, args.central))
        results = running.get(600)
    from pos_returns.domain.policy import load_policy
    from pos_returns.services import admin
    policy = load_policy(POLICY)
    for db in tills.values():  # the last word: every till sends what is left
        with admin.Office.open(db, central=args.central) as office:
            office.sync(policy)
    problems, figures = check(tills, args.central)
    committed = [t for r in results for t in r["committed"]]
    if len(committed) != len(set(committed)):
        problems.append("a transaction number was reported twice")
    if figures["entries"] != len(committed):
        problems.append(f"{len(committed)} commits reported, {figures['entries']} entries in the tills")
    outcomes: Tally = Tally()
    for r in results:
        outcomes.update(r["outcomes"])
    summary = {"stores": len(STORES), "tills": len(tills), "committed": len(committed), "outcomes": dict(outcomes),
               "syncs_killed_midway": sum(cuts), **figures, "seconds": round(time.monotonic() - started, 1),
               "violations": problems}
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        for k, v in summary.items():
            print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
