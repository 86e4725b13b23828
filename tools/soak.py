"""Soak test: many returns, exchanges and no-receipt returns from several tills at once on one database.

    python tools/soak.py [--count 10000] [--processes 2] [--db PATH] [--seed 1]

Each process is one till (its own register and connection) going through ``services.Counter`` exactly as
the counter app does: lookup -> prepare -> (manager approval with a PIN, for a fraction) -> commit. Both
tills draw receipts from one shared pool, with a small "hot" set, so they often race for the same lines.
Managers approve some exceptions (PIN hashing is deliberately slow, so only a fraction go through it),
a few approvals are tried with a wrong PIN or by the cashier's own manager id and must be refused.

Afterwards, on the whole database:
  1. ``journal verify`` finds nothing;
  2. no sale line was returned beyond what was sold (journal_lines against sale_lines);
  3. no tender was refunded beyond what it paid (journal_draws against sale_tenders);
  4. every transaction a till reported as committed is in the journal, once;
  5. each day is closed with ``manager.close_day`` and its stated count and per-tender totals equal an
     independent sum of the entries' own payloads; the perpetual total runs on; verify still passes.
Prints a summary; exit 0 when all hold, 1 on any violation (each named), 2 on bad usage.

    python tools/soak.py --workload different-lines [--count 200] [--processes 4]

The ``different-lines`` workload adds ``--count`` receipts of one line per till, each paid partly by card
and partly in cash (some also by gift card). Every till scans each receipt and returns its own line -- till 1
line 1, till 2 line 2, ... -- a few receipts at a time, scanning all of them before committing any, so the
tills always decide against a sale another till is refunding at the same moment. A commit whose decision
changed meanwhile is refused with the new decision (which the till then commits, as a cashier would after
looking at it). Afterwards the same checks run, and also: every line of those receipts was returned once, and
each receipt refunded exactly what it was paid, no tender more than it paid.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sys
import tempfile
import time
from collections import Counter as Tally, defaultdict
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pos_returns.services import demo  # noqa: E402
from pos_returns.manager import reports as manager  # noqa: E402
from pos_returns.storage import store as st  # noqa: E402
from pos_returns.domain.model import Customer, ExchangeItem, NoReceiptItem, Request, RequestLine  # noqa: E402
from pos_returns.domain.policy import load_policy  # noqa: E402
from pos_returns.services import counter as services  # noqa: E402

POLICY = ROOT / "policies.toml"
TODAY = date(2026, 3, 2)  # the demo store's last sales day; the soak runs over the days after it
DAYS = 6
PINS = {s[0]: s[3] for s in demo.DEMO_STAFF}
CONDITIONS = ("unopened", "unopened", "unopened", "opened", "defective", "damaged")


def build_store(path: Path, receipts: int, seed: int) -> None:
    policy = load_policy(POLICY)
    with st.open_store(path) as store:
        demo.build_demo(store, policy, today=TODAY, receipts=receipts, seed=seed, returns=False)


def worker(index: int, db: str, count: int, seed: int, approval_share: float, out: "mp.Queue") -> None:
    """One till: ``count`` attempts; reports what it committed and what was refused."""
    rng = random.Random(seed * 1000 + index)
    policy = load_policy(POLICY)
    store = st.open_store(db, create=False)
    receipts = [r["receipt"] for r in store.query("SELECT receipt FROM sales WHERE sold_at >= ? ORDER BY receipt",
                                                  ((TODAY - timedelta(days=40)).isoformat(),))]
    hot = receipts[-40:]
    products = store.query("SELECT sku, category, tax_rate, tags, price FROM products")
    register = f"S{index + 1}"
    moment = [datetime.combine(TODAY + timedelta(days=1), dtime(9))]
    step = timedelta(seconds=max(1, int(DAYS * 11 * 3600 / max(count, 1))))

    def clock() -> datetime:
        return moment[0]

    counter = services.Counter(store, policy, register=register, clock=clock)
    sessions = {staff_id: counter.sign_in(staff_id, PINS[staff_id]) for staff_id in ("c1", "c2", "m2")}
    stats: Tally = Tally()
    committed: list[str] = []
    wrong_pins_left = 5
    self_approvals_left = 3
    for n in range(count):
        # simulated time: both tills walk through the same DAYS store days, 9:00 to 20:00
        t = moment[0] + step
        if t.hour >= 20:
            t = datetime.combine(t.date() + timedelta(days=1), dtime(9))
        moment[0] = t
        cashier = "m2" if rng.random() < 0.03 else rng.choice(("c1", "c2"))
        kind = rng.random()
        try:
            if kind < 0.12:
                product = rng.choice(products)
                low = counter.lowest_price(product["sku"])
                if low is None:
                    continue
                from decimal import Decimal
                request = Request("return", no_receipt_items=(NoReceiptItem(
                    sku=product["sku"], category=product["category"], qty=rng.randint(1, 2), lowest_price=low,
                    tax_rate=Decimal(product["tax_rate"]), tags=frozenset(json.loads(product["tags"])),
                    condition="unopened", reason="no_receipt"),),
                    customer=Customer(id_verified=rng.random() < 0.9, id=f"DL{rng.randrange(300):05d}"))
                pending = counter.prepare(sessions[cashier], None, request)
                stats["no_receipt_tried"] += 1
            else:
                code = rng.choice(hot) if rng.random() < 0.3 else rng.choice(receipts)
                if rng.random() < 0.5:
                    code = code.replace("-", "")  # scanned barcode
                sale = counter.lookup(code)
                picked = [ln for ln in sale.lines if rng.random() < 0.5] or [rng.choice(sale.lines)]
                lines = tuple(RequestLine(line=ln.line, qty=rng.randint(1, ln.qty), condition=rng.choice(CONDITIONS),
                                          reason=rng.choice(policy.reasons),
                                          serial=ln.serial if rng.random() < 0.97 else "WRONG")
                              for ln in picked)
                if kind < 0.27:
                    ln = picked[0]
                    other = rng.choice(products)
                    from pos_returns.domain.money import Money
                    from decimal import Decimal
                    item = (ExchangeItem(sku=ln.sku, category=ln.category, qty=lines[0].qty, unit_price=ln.unit_price,
                                         tax_rate=ln.tax_rate, name=ln.name) if rng.random() < 0.6 else
                            ExchangeItem(sku=other["sku"], category=other["category"], qty=1,
                                         unit_price=Money.from_minor(other["price"], policy.currency),
                                         tax_rate=Decimal(other["tax_rate"])))
                    request = Request("exchange", lines=lines[:1], exchange_items=(item,))
                    stats["exchange_tried"] += 1
                else:
                    request = Request("return", lines=lines)
                    stats["return_tried"] += 1
                pending = counter.prepare(sessions[cashier], sale, request)
            decision = pending.decision
            if decision.outcome == "denied":
                stats["denied"] += 1
                continue
            grants = []
            if decision.approvals:
                if cashier == "m2" and self_approvals_left:
                    self_approvals_left -= 1
                    try:
                        counter.approve(pending, "m2", PINS["m2"], policy.approval.reason_codes[0])
                        stats["VIOLATION_self_approval_accepted"] += 1
                    except services.ApprovalRefused:
                        stats["self_approval_refused"] += 1
                    continue
                if rng.random() >= approval_share:
                    stats["left_for_manager"] += 1
                    continue
                manager_id = "m1" if cashier != "m1" else "m2"
                if wrong_pins_left and rng.random() < 0.25:
                    wrong_pins_left -= 1
                    try:
                        counter.approve(pending, manager_id, "0000", policy.approval.reason_codes[0])
                        stats["VIOLATION_wrong_pin_accepted"] += 1
                    except services.WrongPin:
                        stats["wrong_pin_refused"] += 1
                    except services.LockedOut:
                        stats["locked_out"] += 1
                try:
                    grants.append(counter.approve(pending, manager_id, PINS[manager_id],
                                                  rng.choice(policy.approval.reason_codes)))
                    stats["approved_with_pin"] += 1
                except services.LockedOut:
                    stats["locked_out"] += 1
                    continue
            for attempt in range(5):
                try:
                    tx = counter.commit(pending, grants)
                    committed.append(tx.txno)
                    stats["committed_" + tx.entry.kind] += 1
                    break
                except st.DatabaseBusy:
                    stats["busy_retry"] += 1
                    time.sleep(0.01 * (attempt + 1))
            else:
                stats["busy_gave_up"] += 1
        except st.Conflict:
            stats["conflict_other_till"] += 1
        except services.NotRecordable:
            stats["not_recordable"] += 1
        except st.DatabaseBusy:
            stats["busy"] += 1
        except (services.ServiceError, st.StoreError) as exc:
            stats["refused_" + type(exc).__name__] += 1
        except Exception as exc:  # noqa: BLE001 - the soak reports it as a violation
            stats[f"VIOLATION_crash_{type(exc).__name__}: {exc}"[:200]] += 1
    store.close()
    out.put({"index": index, "stats": dict(stats), "committed": committed, "last": moment[0].isoformat()})


SPLIT_PREFIX = "0009-"  # the different-lines workload's receipts
SPLIT_BATCH = 4  # receipts each till scans before it commits any of them


def build_split_receipts(path: Path, count: int, lines: int, seed: int) -> list[str]:
    """``count`` receipts of ``lines`` lines each, sold the day before the soak, paid partly by card and partly in
    cash (every fifth also by gift card), each line small enough to need no manager."""
    from decimal import Decimal
    from pos_returns.domain.engine import sale_total
    from pos_returns.domain.model import Sale, SaleLine
    from pos_returns.domain.money import Money

    rng = random.Random(seed * 7919 + lines)
    policy = load_policy(POLICY)
    currency = policy.currency
    store = st.open_store(path, create=False)
    try:
        products = [p for p in store.query("SELECT sku, name, category, price, tax_rate, tags FROM products "
                                           "WHERE category IN ('apparel', 'home') AND tags = '[]' "
                                           "AND price BETWEEN 500 AND 4000 ORDER BY sku")]
        if not products:
            raise SystemExit(f"{path}: no small apparel or home products for the different-lines workload")
        sold_at = datetime.combine(TODAY - timedelta(days=1), dtime(15))
        rows, receipts = [], []
        for n in range(count):
            receipt = f"{SPLIT_PREFIX}{n + 1:06d}"
            chosen = [rng.choice(products) for _ in range(lines)]
            sale_lines = tuple(SaleLine(line=i + 1, sku=p["sku"], name=p["name"], category=p["category"], qty=1,
                                        unit_price=Money.from_minor(p["price"], currency),
                                        discount=Money.zero(currency), tax_rate=Decimal(p["tax_rate"]))
                               for i, p in enumerate(chosen))
            total = sale_total(Sale(receipt, sold_at, sale_lines, ()), policy.store.prices_include_tax).minor()
            card = total * rng.randint(30, 70) // 100
            gift = min(1000, (total - card) // 2) if n % 5 == 4 else 0
            tenders = [{"type": "credit", "amount": card, "last4": f"{rng.randrange(10000):04d}"},
                       {"type": "cash", "amount": total - card - gift, "last4": None}]
            if gift:
                tenders.append({"type": "gift_card", "amount": gift, "last4": None})
            rows.append({"receipt": receipt, "store_id": policy.store.id, "register": "R1", "sold_at": st.iso(sold_at),
                         "currency": currency, "gift_receipt": False, "discount": 0, "customer_id": None,
                         "barcode": receipt.replace("-", ""),
                         "lines": [{"line": ln.line, "sku": ln.sku, "name": ln.name, "category": ln.category,
                                    "qty": 1, "unit_price": ln.unit_price.minor(), "discount": 0,
                                    "tax_rate": str(ln.tax_rate), "tags": "[]", "serial": None} for ln in sale_lines],
                         "tenders": tenders})
            receipts.append(receipt)
        with store.write() as c:
            st.insert_sales(c, rows)
    finally:
        store.close()
    return receipts


def split_worker(index: int, db: str, receipts: list[str], out: "mp.Queue") -> None:
    """One till of the different-lines workload: returns line ``index + 1`` of every receipt."""
    policy = load_policy(POLICY)
    store = st.open_store(db, create=False)
    register = f"D{index + 1}"
    moment = [datetime.combine(TODAY + timedelta(days=1), dtime(10))]

    def clock() -> datetime:
        return moment[0]

    counter = services.Counter(store, policy, register=register, clock=clock)
    cashier = counter.sign_in("c1", PINS["c1"])
    stats: Tally = Tally()
    committed: list[str] = []
    reason = policy.reasons[0]
    request = Request("return", lines=(RequestLine(line=index + 1, qty=1, condition="unopened", reason=reason),))
    for start in range(0, len(receipts), SPLIT_BATCH):
        batch = []
        for receipt in receipts[start:start + SPLIT_BATCH]:  # scan them all first ...
            moment[0] += timedelta(seconds=1)
            try:
                batch.append(counter.prepare(cashier, counter.lookup(receipt), request))
            except (services.ServiceError, st.StoreError) as exc:
                stats["refused_scan_" + type(exc).__name__] += 1
        for pending in batch:  # ... then commit them, while the other tills do the same
            for attempt in range(50):
                try:
                    if pending.decision.outcome == "denied" or pending.decision.approvals:
                        stats["VIOLATION_not_recordable_" + pending.decision.outcome] += 1
                        break
                    tx = counter.commit(pending)
                    committed.append(tx.txno)
                    stats["committed_" + tx.entry.kind] += 1
                    break
                except services.DecisionChanged as changed:
                    stats["decision_changed"] += 1
                    pending = changed.pending  # the cashier looks at the new decision and finishes again
                except st.DatabaseBusy:
                    stats["busy_retry"] += 1
                    time.sleep(0.005 * (attempt + 1))
                except (services.ServiceError, st.StoreError) as exc:
                    stats[f"VIOLATION_refused_{type(exc).__name__}: {exc}"[:200]] += 1
                    break
                except Exception as exc:  # noqa: BLE001 - the soak reports it as a violation
                    stats[f"VIOLATION_crash_{type(exc).__name__}: {exc}"[:200]] += 1
                    break
            else:
                stats["VIOLATION_gave_up"] += 1
    store.close()
    out.put({"index": index, "stats": dict(stats), "committed": committed, "last": moment[0].isoformat()})


def check_split(db: Path, receipts: list[str]) -> list[str]:
    """Every line of the workload's receipts returned once; each receipt refunded exactly what it was paid."""
    problems = []
    with st.open_store(db, create=False) as store:
        for receipt in receipts:
            lines = store.query("SELECT l.line, COALESCE(SUM(j.qty), 0) AS returned FROM sale_lines l "
                                "LEFT JOIN journal_lines j ON j.receipt = l.receipt AND j.line = l.line "
                                "AND j.outcome != 'denied' AND j.training = 0 WHERE l.receipt = ? GROUP BY l.line",
                                (receipt,))
            problems += [f"receipt {receipt} line {r['line']}: returned {r['returned']} times, not once"
                         for r in lines if r["returned"] != 1]
            paid = store.one("SELECT SUM(amount) AS n FROM sale_tenders WHERE receipt = ?", (receipt,))["n"]
            back = store.one("SELECT COALESCE(SUM(amount), 0) AS n FROM journal_tenders WHERE receipt = ? "
                             "AND training = 0", (receipt,))["n"]
            if back != paid:
                problems.append(f"receipt {receipt}: paid {paid}, refunded {back} (minor units)")
    return problems


def check(db: Path, results: list[dict]) -> tuple[list[str], dict]:
    """Every invariant over the whole database; returns (violations, figures)."""
    policy = load_policy(POLICY)
    problems: list[str] = []
    figures: dict = {}
    store = st.open_store(db, create=False)
    verify = st.verify_journal(store)
    problems += [f"journal verify: {p}" for p in verify]
    over_lines = store.query(
        "SELECT j.receipt, j.line, SUM(j.qty) AS returned, l.qty AS sold FROM journal_lines j "
        "LEFT JOIN sale_lines l ON l.receipt = j.receipt AND l.line = j.line "
        "WHERE j.receipt IS NOT NULL AND j.outcome != 'denied' AND j.training = 0 "
        "GROUP BY j.receipt, j.line HAVING l.qty IS NULL OR SUM(j.qty) > l.qty")
    problems += [f"receipt {r['receipt']} line {r['line']}: returned {r['returned']}, sold {r['sold']}"
                 for r in over_lines]
    over_tenders = store.query(
        "SELECT d.receipt, d.source_seq, SUM(d.amount) AS drawn, t.amount AS paid FROM journal_draws d "
        "LEFT JOIN sale_tenders t ON t.receipt = d.receipt AND t.seq = d.source_seq WHERE d.training = 0 "
        "GROUP BY d.receipt, d.source_seq HAVING t.amount IS NULL OR SUM(d.amount) > t.amount")
    problems += [f"receipt {r['receipt']} tender #{r['source_seq']}: refunded {r['drawn']}, paid {r['paid']}"
                 for r in over_tenders]
    in_journal = Tally(r["txno"] for r in store.query("SELECT txno FROM journal"))
    reported = [tx for r in results for tx in r["committed"]]
    problems += [f"{tx}: reported committed but not in the journal" for tx in reported if tx not in in_journal]
    problems += [f"{tx}: reported committed twice" for tx, k in Tally(reported).items() if k > 1]
    figures["journal_entries"] = sum(in_journal.values())
    figures["lines_returned"] = store.one("SELECT COALESCE(SUM(qty), 0) AS n FROM journal_lines "
                                          "WHERE outcome != 'denied'")["n"]
    # day close against an independent sum of each entry's own (hashed) payload
    days: dict[str, dict] = defaultdict(lambda: {"count": 0, "by_tender": Tally()})
    for row in store.query("SELECT at, payload, training, register FROM journal WHERE register != ?",
                           (st.DAY_REGISTER,)):
        if row["training"]:
            continue
        day = days[row["at"][:10]]
        day["count"] += 1
        for tender in json.loads(row["payload"]).get("journal_tenders", []):
            day["by_tender"][tender["type"]] += tender["amount"]
    closings = []
    if days:
        first, last = min(days), max(days)
        end = datetime.combine(date.fromisoformat(last) + timedelta(days=1), dtime(8))
        perpetual = 0
        d = date.fromisoformat(first)
        while d.isoformat() <= last:
            entry = manager.close_day(store, policy, d, "m1", end)
            stated = json.loads(entry.payload)
            mine = days.get(d.isoformat(), {"count": 0, "by_tender": Tally()})
            want = {k: v for k, v in sorted(mine["by_tender"].items())}
            perpetual += sum(want.values())
            if stated["count"] != mine["count"]:
                problems.append(f"close {d}: states {stated['count']} entries, the journal has {mine['count']}")
            if {k: v for k, v in stated["refunds_by_tender"].items() if v} != {k: v for k, v in want.items() if v}:
                problems.append(f"close {d}: states {stated['refunds_by_tender']}, the entries sum to {want}")
            if stated["period_total"] != sum(want.values()):
                problems.append(f"close {d}: period total {stated['period_total']} != {sum(want.values())}")
            if stated["perpetual_total"] != perpetual:
                problems.append(f"close {d}: perpetual total {stated['perpetual_total']} != {perpetual}")
            closings.append({"date": d.isoformat(), "count": stated["count"], "period_total": stated["period_total"]})
            d += timedelta(days=1)
        try:
            store.conn.execute("SELECT 1")
            manager.close_day(store, policy, date.fromisoformat(first), "m1", end)
            problems.append(f"close {first}: a closed day could be closed again")
        except st.DayClosed:
            pass
        problems += [f"journal verify after closing: {p}" for p in st.verify_journal(store)]
    figures["days_closed"] = len(closings)
    figures["closings"] = closings
    figures["refunded_total_minor"] = sum(c["period_total"] for c in closings)
    store.close()
    return problems, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/soak.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="transactions attempted in all (default 10000)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--db", default=None, help="database (default: a new demo store in a temporary folder)")
    parser.add_argument("--receipts", type=int, default=40_000, help="demo receipts when the database is new")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--approval-share", type=float, default=0.04,
                        help="share of transactions needing a manager that get one (each costs a slow PIN hash)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--workload", choices=("mixed", "different-lines"), default="mixed",
                        help="mixed: returns, exchanges and no-receipt returns from a shared pool (default); "
                             "different-lines: each till returns its own line of the same split-tender receipts "
                             "(--count receipts)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.processes < 1:
        print("--count and --processes must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="pos-soak-")) / "soak.db"
    if not db.exists():
        build_store(db, args.receipts, args.seed)
    with st.open_store(db, create=False) as store:
        if not st.count(store, "sales"):
            print(f"{db}: no sales to return", file=sys.stderr)
            return 2
        closed = st.last_closed_day(store.conn)
        if closed is not None and closed >= TODAY.isoformat():
            print(f"{db}: days after {TODAY} are already closed; use a fresh database", file=sys.stderr)
            return 2
    split: list[str] = []
    if args.workload == "different-lines":
        split = build_split_receipts(db, args.count, args.processes, args.seed)
    setup = time.perf_counter() - started
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    if split:
        procs = [ctx.Process(target=split_worker, args=(i, str(db), split, queue)) for i in range(args.processes)]
    else:
        share = [args.count // args.processes + (1 if i < args.count % args.processes else 0)
                 for i in range(args.processes)]
        procs = [ctx.Process(target=worker, args=(i, str(db), share[i], args.seed, args.approval_share, queue))
                 for i in range(args.processes)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        results.append(queue.get(timeout=24 * 3600))
    for p in procs:
        p.join()
    run = time.perf_counter() - t
    crashed = [p.exitcode for p in procs if p.exitcode]
    t = time.perf_counter()
    problems, figures = check(db, results)
    if split:
        problems += check_split(db, split)
    checked = time.perf_counter() - t
    stats: Tally = Tally()
    for r in results:
        stats.update(r["stats"])
    problems += [f"till crashed (exit {c})" for c in crashed]
    problems += [f"{k} x{v}" for k, v in stats.items() if k.startswith("VIOLATION")]
    committed = sum(len(r["committed"]) for r in results)
    summary = {
        "db": str(db), "workload": args.workload, "attempted": args.count, "processes": args.processes,
        "committed": committed,
        "outcomes": dict(sorted(stats.items())), "journal_entries": figures.get("journal_entries"),
        "lines_returned": figures.get("lines_returned"), "days_closed": figures.get("days_closed"),
        "closings": figures.get("closings"),
        "seconds": {"setup": round(setup, 1), "run": round(run, 1), "check": round(checked, 1),
                    "per_commit_ms": round(run * 1000 / max(committed, 1) * args.processes, 2)},
        "violations": problems,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        what = f"{args.count} receipts, one line per till" if split else f"{args.count} attempts"
        print(f"soak ({args.workload}): {what} from {args.processes} tills on {db}")
        print(f"  committed {committed} in {run:.1f} s ({committed / run:.0f}/s); setup {setup:.1f} s, "
              f"checks {checked:.1f} s")
        for k, v in sorted(stats.items()):
            print(f"  {k:32} {v}")
        print(f"  journal entries {figures.get('journal_entries')}, units returned {figures.get('lines_returned')}, "
              f"days closed {figures.get('days_closed')}")
        for c in figures.get("closings") or []:
            print(f"    close {c['date']}: {c['count']} entries, {c['period_total']} minor units refunded")
        if problems:
            print(f"VIOLATIONS ({len(problems)}):")
            for p in problems[:200]:
                print("  " + p)
        else:
            print("  all checks passed: journal verify, lines <= sold, refunds <= tenders, nothing lost, "
                  "day closes = sum of entries")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
