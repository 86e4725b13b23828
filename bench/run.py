"""The benchmark suite: each performance budget of DESIGN.md, measured, with a floor to compare against.

    python bench/run.py [--quick] --out results.json

Full run: the demo store at scale (2,000,000 receipts, about 5.1 million sale lines) plus a year of 500
returns a day (about 182,500 journal entries), both cached under bench/.cache/ keyed by seed and size, so
only the first run generates them. ``--quick`` uses a small store (20,000 receipts, 50 returns a day for
60 days) and finishes in well under a minute (CI).

Per metric: median, p95, budget, pass/miss, and the floor (what the same work costs with nothing of ours
in the way: a raw indexed SQLite read, a raw durable insert of the same rows, a ReportLab PDF of the receipt's
text embedding the same TrueType font, a bare QApplication start) with the ratio metric / floor. ``whatif`` replays the
whole journal under a changed policy (a year of 500 returns a day in the full run; the quick run also prints
the rate per return and what a year would take at it). Budgets are measured, never asserted: the exit code is 0 even on a
miss (the table says which).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, time as dtime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import dataset  # noqa: E402
from pos_returns.domain import engine  # noqa: E402
from pos_returns.manager import reports as manager  # noqa: E402
from pos_returns.storage import store as st  # noqa: E402
from pos_returns.domain.model import Request, RequestLine, Sale, SaleLine, Tender  # noqa: E402
from pos_returns.domain.money import Money  # noqa: E402
from pos_returns.domain.policy import load_policy  # noqa: E402
from pos_returns.services.counter import Counter  # noqa: E402

MS = 1000.0


# ----------------------------------------------------------------------------- statistics

def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(samples_ms: list[float]) -> dict:
    return {"n": len(samples_ms), "median_ms": round(statistics.median(samples_ms), 3),
            "p95_ms": round(pct(samples_ms, 95), 3), "max_ms": round(max(samples_ms), 3),
            "min_ms": round(min(samples_ms), 3)}


def timed(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * MS)
    return out


def log(msg: str) -> None:
    dataset.log(msg)


# ----------------------------------------------------------------------------- metrics

def bench_ui_start(db: Path, runs: int) -> tuple[dict, dict]:
    """Whole-process wall time of main.py's start (real ui.app.main) until the window is shown, then quit."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("POS_RETURNS_DB", None)

    def run(args: list[str]) -> tuple[float, float]:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / "ui_start.py"), *args], env=env, capture_output=True,
                              text=True, timeout=60)
        wall = (time.perf_counter() - t) * MS
        shown = [ln for ln in proc.stdout.splitlines() if ln.startswith("SHOWN")]
        if proc.returncode != 0 or not shown:
            raise RuntimeError(f"ui start failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-2000:]}")
        return wall, float(shown[0].split()[1]) * MS

    run(["--db", str(db)])  # warm the file cache and .pyc files once
    run(["--bare"])
    app, app_in, bare, bare_in = [], [], [], []
    for _ in range(runs):
        w, i = run(["--db", str(db)])
        app.append(w)
        app_in.append(i)
        w, i = run(["--bare"])
        bare.append(w)
        bare_in.append(i)
    metric = summary(app)
    metric["shown_after_ms_median"] = round(statistics.median(app_in), 1)
    floor = summary(bare)
    floor["shown_after_ms_median"] = round(statistics.median(bare_in), 1)
    return metric, floor


def sample_receipts(conn: sqlite3.Connection, n: int, rng: random.Random) -> list[str]:
    top = conn.execute("SELECT MAX(rowid) FROM sales").fetchone()[0]
    out = []
    while len(out) < n:
        row = conn.execute("SELECT receipt FROM sales WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        if row:
            out.append(row[0])
    return out


def scan_request(sale: Sale) -> Request:
    """What the counter asks after a scan: each line not yet returned, one unit, unopened, changed mind."""
    lines = tuple(RequestLine(line=ln.line, qty=1, condition="unopened", reason="changed_mind", serial=ln.serial)
                  for ln in sale.lines if ln.qty - sale.returned.get(ln.line, 0) > 0)
    return Request("return", lines=lines or (RequestLine(line=1, qty=1, condition="unopened",
                                                          reason="changed_mind"),))


def bench_scan(db: Path, policy, receipts: list[str], now: datetime) -> tuple[dict, dict, dict]:
    """Counter.lookup + Counter.prepare for random receipts; the floor is the same rows read with raw SQL."""
    store = st.open_store(db, create=False)
    counter = Counter(store, policy, register="R9", clock=lambda: now)
    cashier = counter.sign_in("c1", "1111")  # the demo's cashier
    lookup_ms, total_ms = [], []
    for code in receipts[:5]:
        counter.prepare(cashier, counter.lookup(code), scan_request(counter.lookup(code)))
    for code in receipts:
        t = time.perf_counter()
        sale = counter.lookup(code)
        t1 = time.perf_counter()
        counter.prepare(cashier, sale, scan_request(sale))
        t2 = time.perf_counter()
        lookup_ms.append((t1 - t) * MS)
        total_ms.append((t2 - t) * MS)
    store.close()
    raw = sqlite3.connect(str(db))
    raw_ms = []
    for code in receipts:
        t = time.perf_counter()
        raw.execute("SELECT * FROM sales WHERE receipt = ?", (code,)).fetchall()
        raw.execute("SELECT * FROM sale_lines WHERE receipt = ?", (code,)).fetchall()
        raw.execute("SELECT * FROM sale_tenders WHERE receipt = ?", (code,)).fetchall()
        raw.execute("SELECT line, SUM(qty) FROM journal_lines WHERE receipt = ? GROUP BY line", (code,)).fetchall()
        raw_ms.append((time.perf_counter() - t) * MS)
    raw.close()
    metric = summary(total_ms)
    metric["lookup_only"] = summary(lookup_ms)
    return metric, summary(raw_ms), {}


def bench_scan_qt(db: Path, policy, receipts: list[str]) -> dict | None:
    """The same through the Qt receipt screen, offscreen: open_receipt, set the first line's qty (prepare),
    one pass of the event loop, which lays the screen out and paints it. Runs in a subprocess (its own
    QApplication).

    The timed span ends when the receipt screen has been painted with the decision: an event filter counts the
    Paint events the lines table's viewport receives after the decision was set, and a scan without one stops
    the bench (it would have measured less than a cashier waits for). One pass of ``processEvents()`` delivers
    the window's posted UpdateRequest, i.e. the one paint a real scan gets; the bench used to add
    ``win.repaint()``, a second, synchronous paint of the whole window that no scan at the counter has."""
    code = r'''
import sys, time, json
# (PySide6 6.12.0 lost references to None and True and aborted after a few hundred scans; pyproject.toml pins
# PySide6 below 6.12 and tests/ui/test_qt_refcounts.py checks it, so nothing is pinned here any more)
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QCoreApplication, QEvent, QObject
app = QApplication([])
from pos_returns.storage import store as st
from pos_returns.services import counter as services
from pos_returns.domain.policy import load_policy
from ui.context import AppContext
from ui.main_window import MainWindow
from ui import receipt as R


class PaintSeen(QObject):
    """Counts the Paint events of the widget it watches (the lines table's viewport)."""
    def __init__(self):
        super().__init__()
        self.paints = 0
    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


policy = load_policy(Path(sys.argv[1]) / "policies.toml")
store = st.open_store(sys.argv[2], create=False)
ctx = AppContext(store=store, policy=policy, policy_path=Path(sys.argv[1]) / "policies.toml")
win = MainWindow(ctx, None)
ctx.staff = ctx.counter().sign_in("c1", "1111")  # a real session (prepare refuses any other); after the window, which starts signed out
win.resize(1280, 800)
win.show()
app.processEvents()
codes = json.loads(sys.argv[3])
out = []
seen = PaintSeen()
watched = None
for i, code in enumerate(codes):
    t = time.perf_counter()
    win.open_receipt(code)
    screen = win.receipt if win.stack.currentWidget() is win.receipt else None
    if screen is not None and watched is not screen:  # the first scan builds the one receipt screen
        screen.table.viewport().installEventFilter(seen)
        watched = screen
    if screen is not None:
        row = next((r for r in range(screen.model.rowCount()) if screen.model.returnable(r) > 0), 0)
        screen.model.setData(screen.model.index(row, R.C_QTY), 1)
    seen.paints = 0
    app.processEvents()
    out.append((time.perf_counter() - t) * 1000)
    if screen is None:
        sys.exit("no receipt screen for " + code + ": " + win.home.message.text())
    if screen.pending is None and screen.model.request_lines():
        # a scan that ends in a message instead of a decision measures nothing: say so rather than time it
        sys.exit("no decision for " + code + ": " + screen.message.text())
    if not seen.paints:
        sys.exit("the receipt screen was not painted within the timed span for " + code)
    win.go_home()
    app.processEvents()
    # the event loop deletes screens left with deleteLater(); a bare processEvents() does not
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
print("QT " + json.dumps(out[3:]))
'''
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(ROOT), str(db), json.dumps(receipts)], env=env,
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("QT ")]
    if not line:
        return {"error": (proc.stderr or proc.stdout)[-800:]}
    return summary(json.loads(line[0][3:]))


def twenty_line_sale(policy, now: datetime) -> tuple[Sale, Request]:
    cur = policy.currency
    cats = [c for c in ("apparel", "home", "electronics", "media", "appliances") if c in policy.categories] \
        or list(policy.categories)
    lines = []
    for i in range(1, 21):
        cat = cats[i % len(cats)]
        price = Money.parse(f"{10 + i * 7}.99", cur)
        discount = (price * Decimal("0.10")).rounded() if i % 4 == 0 else Money.zero(cur)
        lines.append(SaleLine(line=i, sku=f"SKU{i:02d}", name=f"Item {i}", category=cat, qty=1 + i % 3,
                              unit_price=price, discount=discount, tax_rate=Decimal("0.0725")))
    sold = now - timedelta(days=10)
    draft = Sale(receipt="0001-BENCH20", sold_at=sold, lines=tuple(lines), tenders=())
    total = engine.sale_total(draft, policy.store.prices_include_tax)
    half = (total * Decimal("0.5")).rounded()
    sale = Sale(receipt=draft.receipt, sold_at=sold, lines=draft.lines,
                tenders=(Tender("credit", half, "4242"), Tender("cash", total - half)), store_id=policy.store.id)
    request = Request("return", lines=tuple(
        RequestLine(line=i, qty=1, condition=("unopened", "opened")[i % 2], reason="changed_mind")
        for i in range(1, 21)))
    return sale, request


def bench_evaluate(policy, n: int) -> dict:
    now = datetime.combine(dataset.TODAY, dtime(12))
    sale, request = twenty_line_sale(policy, now)
    decision = engine.evaluate(policy, sale, request, (), now)
    assert len(decision.lines) == 20, decision
    gc.collect()
    metric = summary(timed(lambda: engine.evaluate(policy, sale, request, (), now), n, warmup=50))
    metric["outcome"] = decision.outcome
    gc.disable()  # for information: how much of the tail is garbage collection and machine noise
    try:
        quiet = summary(timed(lambda: engine.evaluate(policy, sale, request, (), now), n, warmup=10))
    finally:
        gc.enable()
    metric["gc_disabled"] = {"median_ms": quiet["median_ms"], "p95_ms": quiet["p95_ms"]}
    return metric


def bench_commit(db: Path, policy, receipts: list[str], now: datetime) -> tuple[dict, dict, list[str]]:
    """Counter.commit (BEGIN IMMEDIATE, WAL, synchronous=FULL) of prepared returns; floor, in turn with each: the
    same rows that commit wrote, inserted raw and durably in one transaction (bench/commit_floor.py)."""
    import commit_floor
    store = st.open_store(db, create=False)
    counter = Counter(store, policy, register="R9", clock=lambda: now)
    cashier = counter.sign_in("c1", "1111")  # the demo's cashier
    floor = commit_floor.CommitFloor(db)
    samples, floor_ms, committed = [], [], []
    warm = False  # the process's first commit loads the signing library (~19 ms) and the register's key: not timed
    try:
        for code in receipts:
            sale = counter.lookup(code)
            pending = counter.prepare(cashier, sale, scan_request(sale))
            if pending.decision.outcome != "approved":
                continue
            t = time.perf_counter()
            tx = counter.commit(pending)
            if warm:
                samples.append((time.perf_counter() - t) * MS)
                floor_ms.append(floor.replay(tx.txno))
            warm = True
            committed.append(tx.txno)
        info = floor.info()
    finally:
        floor.close()
        store.close()
    return summary(samples), dict(summary(floor_ms), **info), committed


def bench_commit_signing(db: Path, policy, receipts: list[str], now: datetime) -> dict:
    """What signing adds to the durable commit: commits with and without the entry's Ed25519 signature,
    alternating one by one on the same database in the same run (paired); the budget is on the p95's
    difference (DESIGN: signing adds under 2 ms). Without signing, storage.signatures.sign_entry is
    replaced by a no-op for that commit only. The register's first commit is not timed: it makes the
    register's key file and records the key (once in a register's life). The CPU time (process_time) of
    both is given too: wall times of durable commits vary with the disk, the CPU a signature adds does not."""
    from pos_returns.storage import signatures
    real = signatures.sign_entry
    store = st.open_store(db, create=False)
    counter = Counter(store, policy, register="R8", clock=lambda: now)
    cashier = counter.sign_in("c1", "1111")
    signed, unsigned, signed_cpu, unsigned_cpu = [], [], [], []
    first = True
    try:
        for i, code in enumerate(receipts):
            sale = counter.lookup(code)
            pending = counter.prepare(cashier, sale, scan_request(sale))
            if pending.decision.outcome != "approved":
                continue
            if first:  # the register's key is made and recorded: not timed
                counter.commit(pending)
                first = False
                continue
            with_signing = len(signed) <= len(unsigned)
            signatures.sign_entry = real if with_signing else (lambda *a, **k: None)
            t, c = time.perf_counter(), time.process_time()
            counter.commit(pending)
            (signed if with_signing else unsigned).append((time.perf_counter() - t) * MS)
            (signed_cpu if with_signing else unsigned_cpu).append((time.process_time() - c) * MS)
    finally:
        signatures.sign_entry = real
        store.close()
    m = summary(signed)
    m["floor"] = summary(unsigned)
    m["added_p95_ms"] = round(m["p95_ms"] - m["floor"]["p95_ms"], 3)
    m["added_median_ms"] = round(m["median_ms"] - m["floor"]["median_ms"], 3)
    m["added_cpu_median_ms"] = round(statistics.median(signed_cpu) - statistics.median(unsigned_cpu), 3)
    m["added_cpu_p95_ms"] = round(pct(signed_cpu, 95) - pct(unsigned_cpu, 95), 3)
    return m


def minimal_pdf() -> bytes:
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(80 * mm, 120 * mm))
    c.setFont("Helvetica", 9)
    c.drawString(5 * mm, 110 * mm, "Receipt")
    c.showPage()
    c.save()
    return buf.getvalue()


def fallback_receipt(tx_lines: list[tuple[str, str]]) -> bytes:
    """A minimal 80 mm receipt in ReportLab (used while pos_returns.documents.paperwork does not exist yet)."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    height = (60 + 6 * len(tx_lines)) * mm
    c = canvas.Canvas(buf, pagesize=(80 * mm, height))
    y = height - 8 * mm
    c.setFont("Helvetica-Bold", 11)
    c.drawString(5 * mm, y, "RETURN RECEIPT")
    c.setFont("Helvetica", 8)
    for left, right in tx_lines:
        y -= 5 * mm
        c.drawString(5 * mm, y, left)
        c.drawRightString(75 * mm, y, right)
    code128.Code128("0001-R9-000001", barHeight=10 * mm).drawOn(c, 5 * mm, 8 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()


def font_floor_pdf(texts: list[str], regular: str, bold: str, barcode: str) -> bytes:
    """The floor of a receipt: the same text lines in the same registered TrueType fonts (subset and embedded
    by ReportLab when the file is saved), a Code 128 barcode, page compression on; no layout of ours."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    height = (40 + 4 * len(texts)) * mm
    c = canvas.Canvas(buf, pagesize=(80 * mm, height), invariant=1, pageCompression=1)
    y = height - 8 * mm
    c.setFont(bold, 11)
    c.drawString(5 * mm, y, texts[0] if texts else "")
    c.setFont(regular, 8)
    for text in texts[1:]:
        y -= 4 * mm
        c.drawString(5 * mm, y, text[:60])
    code128.Code128(barcode, barHeight=10 * mm).drawOn(c, 5 * mm, 8 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()


def receipt_floor(db: Path, txnos: list[str], n: int) -> dict:
    """A ReportLab PDF embedding the same font(s) as our receipt, with the receipt's own text (DESIGN: "within 3x
    a ReportLab PDF embedding the same font"); falls back to a minimal Helvetica PDF without paperwork."""
    try:
        from pos_returns.documents import fonts, paperwork
        from pos_returns.services import paperwork as assemble
        store = st.open_store(db, create=False)
        try:
            tx = assemble.load_transaction(store, txnos[0])
        finally:
            store.close()
        doc = paperwork.BUILDERS["receipt"](tx, "en", 1)
        text = doc.text()
        chosen = fonts.fonts_for(doc.lang, text)
        texts = [t for t in text.split("\n") if t.strip()] or ["Receipt"]
        # the floor draws with the primary font only: keep lines it covers, like a bare ReportLab user would
        texts = [t for t in texts if fonts.covers(chosen.files[0], t)] or ["Receipt"]
        floor = summary(timed(lambda: font_floor_pdf(texts, chosen.regular, chosen.bold, txnos[0]), n))
        floor["font"] = chosen.files[0].path
        floor["text_lines"] = len(texts)
        return floor
    except Exception as exc:  # noqa: BLE001 - no paperwork yet: the old floor, and say so
        floor = summary(timed(minimal_pdf, n))
        floor["font"] = f"Helvetica (not embedded: {type(exc).__name__}: {exc})"
        return floor


def interleaved_pdf(db: Path, txnos: list[str], n: int) -> tuple[dict, dict]:
    """Our receipt (services.paperwork.document_pdf: the entry loaded from the journal, laid out, the font
    embedded) and its floor (the same text in the same TrueType font, ReportLab alone), sample by sample in
    turn, so that other work on the machine weighs on both alike."""
    from pos_returns.documents import fonts, paperwork as docs
    from pos_returns.services import paperwork
    store = st.open_store(db, create=False)
    try:
        tx = paperwork.load_transaction(store, txnos[0])
        doc = docs.BUILDERS["receipt"](tx, "en", 1)
        text = doc.text()
        chosen = fonts.fonts_for(doc.lang, text)
        texts = [t for t in text.split("\n") if t.strip()] or ["Receipt"]
        texts = [t for t in texts if fonts.covers(chosen.files[0], t)] or ["Receipt"]
        picks = [txnos[i % len(txnos)] for i in range(n)]
        if not bytes(paperwork.document_pdf(store, picks[0], "receipt", "en")[:4]) == b"%PDF":
            raise RuntimeError("document_pdf did not return PDF bytes")
        for txno in picks[:3]:
            paperwork.document_pdf(store, txno, "receipt", "en")
            font_floor_pdf(texts, chosen.regular, chosen.bold, txno)
        ours, floor = [], []
        for txno in picks:
            t = time.perf_counter()
            font_floor_pdf(texts, chosen.regular, chosen.bold, txno)
            floor.append((time.perf_counter() - t) * MS)
            t = time.perf_counter()
            paperwork.document_pdf(store, txno, "receipt", "en")
            ours.append((time.perf_counter() - t) * MS)
    finally:
        store.close()
    metric = summary(ours)
    metric["source"] = "pos_returns.services.paperwork.document_pdf(store, txno, 'receipt', 'en'), floor in turn"
    floor_m = summary(floor)
    floor_m.update(font=chosen.files[0].path, text_lines=len(texts))
    return metric, floor_m


def bench_pdf(db: Path, policy, txnos: list[str], n: int) -> tuple[dict, dict]:
    if txnos:
        try:
            return interleaved_pdf(db, txnos, n)
        except Exception as exc:  # noqa: BLE001 - the older ways below say what failed
            log(f"receipt PDF in turn with its floor failed ({type(exc).__name__}: {exc}); measuring apart")
    floor = receipt_floor(db, txnos, n) if txnos else summary(timed(minimal_pdf, n))
    if importlib.util.find_spec("pos_returns.documents.paperwork") is not None:
        try:
            samples = _paperwork_samples(db, policy, txnos, n)
            if samples:
                metric = summary(samples)
                metric["source"] = "pos_returns.services.paperwork.document_pdf(store, txno, 'receipt', 'en')"
                return metric, floor
        except Exception as exc:  # noqa: BLE001 - the API may still be moving; fall back and say so
            note = f"paperwork API not usable yet ({type(exc).__name__}: {exc})"
        else:
            note = "paperwork API not recognised"
    else:
        note = "pending paperwork"
    store = st.open_store(db, create=False)
    entry = st.get_entry(store, txnos[0]) if txnos else None
    store.close()
    payload = json.loads(entry.payload) if entry else {"decision": {"lines": []}}
    rows = [(f"line {x['line']} x{x['qty']}", x["refund"]) for x in payload["decision"]["lines"]] or [("x", "0")]
    rows = rows + [("Refund total", payload["decision"].get("refund_total", "0")), ("hash", entry.hash[:12] if entry else "")]
    metric = summary(timed(lambda: fallback_receipt(rows), n))
    metric["source"] = note
    return metric, floor


def _paperwork_samples(db: Path, policy, txnos: list[str], n: int) -> list[float]:
    """A customer receipt of a committed transaction through pos_returns.services.paperwork.document_pdf (loads the
    entry from the journal, lays it out, embeds the font, writes the PDF bytes), English."""
    from pos_returns.services import paperwork
    store = st.open_store(db, create=False)
    try:
        picks = [txnos[i % len(txnos)] for i in range(n)]
        data = paperwork.document_pdf(store, picks[0], "receipt", "en")
        if not bytes(data[:4]) == b"%PDF":
            raise RuntimeError("document_pdf did not return PDF bytes")
        for txno in picks[:3]:
            paperwork.document_pdf(store, txno, "receipt", "en")
        out = []
        for txno in picks:
            t = time.perf_counter()
            paperwork.document_pdf(store, txno, "receipt", "en")
            out.append((time.perf_counter() - t) * MS)
        return out
    finally:
        store.close()


def bench_report(db: Path, policy, runs: int) -> tuple[dict, dict, dict]:
    store = st.open_store(db, create=False)
    end = dataset.TODAY - timedelta(days=1)
    start = end - timedelta(days=29)
    t = time.perf_counter()
    report = manager.build_report(store, policy, start, end)
    first = (time.perf_counter() - t) * MS  # the first run reads the month's pages from disk (cold-ish cache)
    info = {"first_run_ms": round(first, 1), "period": f"{start}..{end}", "entries_in_period": report.count,
            "journal_entries_total": st.count(store, "journal")}
    samples = timed(lambda: manager.build_report(store, policy, start, end), runs, warmup=1)
    store.close()
    raw = sqlite3.connect(str(db))

    def floor_once() -> None:
        for (payload,) in raw.execute("SELECT payload FROM journal WHERE at >= ? AND at < ? AND training = 0",
                                      (start.isoformat(), (end + timedelta(days=1)).isoformat())):
            json.loads(payload)

    floor = summary(timed(floor_once, runs, warmup=1))
    raw.close()
    return summary(samples), floor, info


WHATIF_CODE = r"""
import json, sys, time


def hwm_mb():  # this process's peak RSS (ru_maxrss would report the forking parent's, inherited across exec)
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


sys.path.insert(0, sys.argv[1])
from pos_returns.domain.policy import load_policy
from pos_returns.manager import reports
from pos_returns.storage import store as st
policy = load_policy(sys.argv[3])
store = st.open_store(sys.argv[2], create=False)
before = hwm_mb()
ticks = []
t, cpu = time.perf_counter(), time.process_time()
workers = int(sys.argv[4])
result = reports.what_if(store, policy, workers=workers,
                         progress=lambda done, total: ticks.append((time.perf_counter() - t, done, total)))
seconds = time.perf_counter() - t
cpu = time.process_time() - cpu  # this process only: all of a replay in one process, not its workers'
peak = hwm_mb()
print("WHATIF " + json.dumps({"seconds": seconds, "cpu_s": cpu, "workers": workers, "replayed": result.replayed, "changed": len(result.changed),
                              "not_replayed": result.not_replayed, "progress_calls": len(ticks),
                              "first_progress_s": ticks[0][0] if ticks else None,
                              "rss_mb_before": before, "rss_mb_peak": peak}))
"""


def whatif_policy(work_dir: Path) -> Path:
    """The sample policy with shorter return windows (every 'days = N' of a window cut to N/3): a change a manager
    would try, under which many past returns change outcome."""
    import re
    text = dataset.POLICY.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^(days\s*=\s*)(\d+)", lambda m: f"{m.group(1)}{max(1, int(m.group(2)) // 3)}", text)
    path = work_dir / "whatif.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def bench_whatif(db: Path, work_dir: Path, runs: int) -> dict:
    """manager.what_if over the whole journal under a changed policy, in a fresh process each run (peak RSS
    is the process's, not its workers'); the progress callback is on, as a screen would use it; workers = the
    machine's cores (a journal under manager.PARALLEL_FROM returns is replayed in one process anyway), plus one
    run in one process for information. No floor: nothing of a replay is 'the same work with nothing of ours
    in the way'; the journal read alone is reported."""
    policy_path = whatif_policy(work_dir)
    env = dict(os.environ)
    cores = os.cpu_count() or 1

    def once(workers: int) -> dict:
        proc = subprocess.run([sys.executable, "-c", WHATIF_CODE, str(ROOT), str(db), str(policy_path),
                               str(workers)], env=env, capture_output=True, text=True, timeout=1800)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("WHATIF ")]
        if not line:
            raise RuntimeError(f"what-if failed: {proc.stderr[-2000:]}")
        return json.loads(line[0][7:])

    samples, info = [], {}
    try:
        for _ in range(runs):
            info = once(cores)
            samples.append(info["seconds"] * MS)
        single = once(1) if cores > 1 else info
    finally:
        policy_path.unlink()
    metric = summary(samples)
    metric["one_process_s"] = round(single["seconds"], 2)
    # CPU time of the one-process run: on a shared machine a steadier figure than wall time
    metric["one_process_cpu_s"] = round(single["cpu_s"], 2)
    if single.get("replayed"):
        metric["per_return_cpu_us"] = round(single["cpu_s"] / single["replayed"] * 1e6, 1)
    metric["one_process_rss_mb_peak"] = round(single["rss_mb_peak"], 1)
    if info.get("replayed"):  # the quick journal is small: what a year of 500 a day would take at this rate
        metric["per_return_us"] = round(info["seconds"] / info["replayed"] * 1e6, 1)
        metric["projected_182500_s"] = round(info["seconds"] / info["replayed"] * 182_500, 1)
    metric.update({k: (round(v, 2) if isinstance(v, float) else v) for k, v in info.items() if k not in ("seconds", "cpu_s")})
    raw = sqlite3.connect(str(db))
    t = time.perf_counter()
    for (payload,) in raw.execute("SELECT payload FROM journal WHERE training = 0"):
        json.loads(payload)
    metric["journal_read_and_parse_ms"] = round((time.perf_counter() - t) * MS, 1)
    raw.close()
    return metric


# ----------------------------------------------------------------------------- main

BUDGETS = {  # metric: (budget ms, which statistic the budget is about)
    "ui_start": (1000.0, "p95_ms"),
    "scan_to_decision": (50.0, "p95_ms"),
    "scan_lookup_only": (50.0, "p95_ms"),  # a part of the scan: the scan's budget
    "evaluate_20_lines": (1.0, "p95_ms"),
    "commit_durable": (30.0, "p95_ms"),
    "receipt_pdf": (100.0, "p95_ms"),
    "monthly_report": (1000.0, "p95_ms"),
    "whatif": (10000.0, "p95_ms"),
    "commit_signing": (2.0, "added_p95_ms"),
    "import_60k_lines": (1500.0, "median_ms"),  # issue 11: back near the 1.5 s it took before sqlite-utils
}
LABELS = {
    "ui_start": "process start to usable main window",
    "scan_to_decision": "scan to decision (lookup + prepare)",
    "scan_lookup_only": "  of which the lookup (the receipt's rows read)",
    "scan_to_decision_qt": "scan to decision through the Qt screen",
    "evaluate_20_lines": "policy evaluation, 20-line return",
    "commit_durable": "commit of a return, durable",
    "commit_signing": "what signing adds to the durable commit (p95 difference)",
    "receipt_pdf": "one receipt PDF",
    "monthly_report": "monthly report (30 days of a year of returns)",
    "whatif": "what-if: a changed policy replayed over the journal",
    "import_60k_lines": "import of a 60,000-line sales file (every check, one transaction)",
}
FLOORS = {
    "ui_start": "bare QApplication + empty window, whole process",
    "scan_to_decision": "raw indexed SQLite reads of the same rows",
    "scan_lookup_only": "raw indexed SQLite reads of the same rows",
    "commit_durable": "raw durable insert of the same rows (entry, lines, tenders, draws, signature, event) in one "
                      "transaction, same schema (WAL, synchronous=FULL)",
    "commit_signing": "the same commits without the signature, alternated with them",
    "receipt_pdf": "ReportLab PDF of the receipt's text embedding the same TrueType font",
    "monthly_report": "raw read + json.loads of the month's payloads",
    "import_60k_lines": "the file's rows read and written with plain executemany, nothing checked",
}


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = ""
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform()}


def table(results: dict) -> str:
    rows = [("metric", "median ms", "p95 ms", "budget ms", "result", "floor median", "floor p95", "p95/floor")]
    for key, m in results["metrics"].items():
        floor = m.get("floor") or {}
        ratio = f"{m['p95_ms'] / floor['p95_ms']:.1f}x" if floor.get("p95_ms") else "-"
        budget = m.get("budget_ms")
        rows.append((LABELS.get(key, key), f"{m['median_ms']:.3f}", f"{m['p95_ms']:.3f}",
                     f"{budget:g}" if budget else "-", m.get("result", "-"),
                     f"{floor['median_ms']:.3f}" if floor else "-", f"{floor['p95_ms']:.3f}" if floor else "-", ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small database; under a minute (CI)")
    parser.add_argument("--out", default="results.json")
    parser.add_argument("--receipts", type=int, default=None, help="demo receipts (default 2,000,000; quick 20,000)")
    parser.add_argument("--per-day", type=int, default=None, help="returns a day in the report year (500; quick 50)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", default=str(dataset.CACHE))
    parser.add_argument("--no-qt-scan", action="store_true", help="skip the scan through the Qt receipt screen")
    args = parser.parse_args(argv)
    quick = args.quick
    receipts = args.receipts or (20_000 if quick else 2_000_000)
    per_day = args.per_day or (50 if quick else 500)
    days = 60 if quick else 365
    n = {"ui": 3 if quick else 10, "scan": 200 if quick else 1000, "eval": 500 if quick else 3000,
         "commit": 200 if quick else 300, "pdf": 100 if quick else 100, "report": 3 if quick else 7,
         "qt": 100 if quick else 200, "whatif": 1 if quick else 3, "import": 1 if quick else 3}
    started = time.perf_counter()
    cache = Path(args.cache)
    dataset.use_cache_config(cache)
    policy = load_policy(dataset.POLICY)

    log(f"database: {receipts} receipts, {per_day} returns/day over {days} days (cache {cache})")
    year_path, data_info = dataset.year_db(receipts, per_day, seed=args.seed, cache=cache, days=days)
    work_dir = Path(tempfile.mkdtemp(prefix="pos-bench-", dir=str(cache)))
    work = work_dir / "bench.db"
    t = time.perf_counter()
    dataset.copy_db(year_path, work)
    data_info["copy_seconds"] = round(time.perf_counter() - t, 1)
    now = datetime.combine(dataset.TODAY, dtime(10))
    rng = random.Random(args.seed)
    conn = sqlite3.connect(str(work))
    codes = sample_receipts(conn, n["scan"], rng)
    recent_top = conn.execute("SELECT MAX(rowid) FROM sales WHERE sold_at >= ?",
                              ((dataset.TODAY - timedelta(days=25)).isoformat(),)).fetchone()[0]
    recent_low = conn.execute("SELECT MIN(rowid) FROM sales WHERE sold_at >= ?",
                              ((dataset.TODAY - timedelta(days=25)).isoformat(),)).fetchone()[0]
    conn.close()
    commit_codes = list(dict.fromkeys(
        f"{policy.store.id}-{r:06d}" for r in rng.sample(range(recent_low, recent_top + 1),
                                                         min(n["commit"] * 2, recent_top - recent_low + 1))))

    metrics: dict[str, dict] = {}
    try:
        log("evaluate: 20-line return")
        metrics["evaluate_20_lines"] = bench_evaluate(policy, n["eval"])
        log("scan: lookup + prepare")
        m, floor, _ = bench_scan(work, policy, codes, now)
        m["floor"] = floor
        metrics["scan_to_decision"] = m
        # the reads alone beside the same floor (the scan's ratio also holds the policy's decision, which no
        # floor does: nothing of a decision is "the same work with nothing of ours in the way")
        metrics["scan_lookup_only"] = dict(m["lookup_only"], floor=dict(floor))
        if not args.no_qt_scan:
            log("scan through the Qt receipt screen (offscreen)")
            qt = bench_scan_qt(work, policy, codes[: n["qt"]])
            if qt and "error" not in qt:
                metrics["scan_to_decision_qt"] = dict(qt, budget_ms=10.0)  # DESIGN: under 10 ms through the Qt screen
            else:
                data_info["qt_scan_error"] = (qt or {}).get("error")
        log("commit: durable")
        m, floor, txnos = bench_commit(work, policy, commit_codes[: n["commit"]], now)
        m["floor"] = floor
        metrics["commit_durable"] = m
        log("commit: with and without signing, paired")
        metrics["commit_signing"] = bench_commit_signing(work, policy, commit_codes[n["commit"]:], now)
        log("receipt PDF")
        m, floor = bench_pdf(work, policy, txnos, n["pdf"])
        m["floor"] = floor
        metrics["receipt_pdf"] = m
        log("monthly report")
        m, floor, info = bench_report(work, policy, n["report"])
        m["floor"] = floor
        m.update(info)
        metrics["monthly_report"] = m
        log("what-if replay of the journal")
        metrics["whatif"] = bench_whatif(work, work_dir, n["whatif"])
        log("import of a 60,000-line sales file")
        import imports
        samples, floor, lines = imports.bench_import(work_dir, policy, n["import"])
        metrics["import_60k_lines"] = dict(summary(samples), floor=summary(floor), sale_lines=lines)
        log("process start to main window")
        m, floor = bench_ui_start(work, n["ui"])
        m["floor"] = floor
        metrics["ui_start"] = m
    finally:
        dataset._remove(work)
        try:
            work_dir.rmdir()
        except OSError:
            pass

    for key, m in metrics.items():
        budget, stat = BUDGETS.get(key, (m.get("budget_ms"), "p95_ms"))
        if budget:
            m["budget_ms"] = budget
            m["budget_statistic"] = stat
            m["result"] = "pass" if m[stat] < budget else "MISS"
        if m.get("floor"):
            m["floor"]["what"] = FLOORS.get(key, "")
            m["ratio_to_floor_p95"] = round(m["p95_ms"] / m["floor"]["p95_ms"], 2) if m["floor"]["p95_ms"] else None
            m["ratio_to_floor_median"] = round(m["median_ms"] / m["floor"]["median_ms"], 2) \
                if m["floor"]["median_ms"] else None
    ordered = {k: metrics[k] for k in LABELS if k in metrics}
    results = {"quick": quick, "when": datetime.now().isoformat(timespec="seconds"),
               "command": " ".join([Path(sys.executable).name, "bench/run.py", *(argv or sys.argv[1:])]),
               "machine": machine(), "data": data_info, "metrics": ordered,
               "seconds": round(time.perf_counter() - started, 1)}
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print()
    d = data_info
    print(f"database: {d.get('sales')} receipts, {d.get('sale_lines')} sale lines, {d.get('journal_entries')} journal "
          f"entries, {d.get('year_bytes', 0) / 1e6:.0f} MB"
          + (f"; demo-data took {d['build_seconds']} s" if 'build_seconds' in d else "")
          + (f", year of returns {d['year']['seconds']} s" if isinstance(d.get('year'), dict) else "")
          + (" (both cached)" if d.get("cached") and d.get("year_cached") else ""))
    mc = results["machine"]
    print(f"machine: {mc['nproc']} cores, {mc['cpu']}, {mc['ram']} RAM; python {mc['python']}, sqlite {mc['sqlite']}")
    print(f"results: {args.out} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
