"""Manager tools: reports, exports, the exception report, what-if, day close, complaints, training, policy view.

One world is built per module: the base database of ``storehelpers`` (staff c1/c2/m1/m2, PIN hashes are slow)
plus cashiers c3/c4, our own sales and three days of returns, exchanges, returns without a receipt, a
correction, two manager approvals (one of them an override) and training transactions, all recorded through
``services.Counter`` with an injected clock. Every test copies that database.

The expected figures are computed here from what the counter handed back (the decisions and what each test
asked for), never by reading the journal the way ``manager.py`` does.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

import storehelpers as h
from pos_returns.services import demo
from pos_returns import i18n
from pos_returns.manager import reports as manager, training
from pos_returns.domain import policy_text
from pos_returns.storage import store as st
from pos_returns.domain.engine import sale_total
from pos_returns.services.importer import import_file
from pos_returns.domain.model import Customer, ExchangeItem, NoReceiptItem, Request, RequestLine, Sale, SaleLine
from pos_returns.domain.money import Money
from pos_returns.domain.policy import load_policy
from pos_returns.documents.reports_pdf import report_pdf
from pos_returns.services.counter import Counter
from pos_returns.services.settlement import with_payment

ROOT = h.ROOT
TAX = "0.0725"
RECENT = datetime(2026, 5, 28, 10, 0)  # a few days before the returns
OLD = datetime(2026, 4, 20, 10, 0)  # 42 days before D1: inside the 90-day window, outside a 30-day one
D1, D2, D3 = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)
PERIOD = (date(2026, 4, 1), date(2026, 6, 30))  # every sale and every return of the world
MANAGER_PINS = {"m1": "9999", "m2": "8888"}
PINS = {**h.PIN, "c3": "3333", "c4": "4444"}

# products: sku -> (name, category, unit price, tags)
PRODUCTS = {
    "JEANS": ("Slim jeans", "apparel", "49.99", ()),
    "TOWEL": ("Bath towel", "home", "19.99", ()),
    "TSHIRT": ("Cotton T-shirt", "apparel", "14.99", ()),
    "HEADPH": ("Headphones", "electronics", "100.00", ()),
    "BLAZER": ("Wool blazer", "apparel", "220.00", ()),  # 235.95 with tax: just under the 250.00 approval limit
    "JACKET": ("Rain jacket", "apparel", "200.00", ()),
    "SCARF": ("Silk scarf", "apparel", "25.00", ()),
    "COAT": ("Final-sale coat", "apparel", "60.00", ("final_sale",)),
    "JACKET129": ("Rain jacket", "apparel", "129.00", ()),
}

# ----------------------------------------------------------------------------- the world's transactions
# Each: (tag, day, hh:mm, register, cashier, kind, details). kind: return | exchange | no_receipt | training_*.
PLAN = [
    ("t1", D1, "09:00", "R1", "c1", "return", dict(sku="JEANS", reason="changed_mind")),  # corrected on D2
    ("t2", D1, "09:20", "R1", "c2", "return", dict(sku="TOWEL", reason="not_as_described", tender="cash")),
    ("t3", D1, "09:40", "R2", "c3", "return", dict(sku="HEADPH", condition="opened")),  # restocking fee
    ("t4", D1, "10:00", "R1", "c1", "exchange", dict(sku="TSHIRT", reason="wrong_size", new="TSHIRT")),
    ("t5", D1, "10:20", "R2", "c4", "no_receipt", dict(sku="TOWEL", document="D1000001")),
    ("t6", D1, "10:40", "R2", "c4", "return", dict(sku="BLAZER")),  # just under the approval limit
    ("t7", D1, "11:00", "R1", "c2", "return", dict(sku="JEANS", sold=OLD)),  # outside a 30-day window
    ("tr1", D1, "11:20", "R1", "c1", "training_return", dict(sku="JEANS", sold=OLD)),
    ("t8", D2, "09:00", "R1", "c4", "return", dict(sku="JACKET", qty=2, approver="m1",
                                                    code="customer_satisfaction")),  # 429.00: approval
    ("t9", D2, "09:20", "R2", "c2", "return", dict(sku="SCARF", reason="unwanted_gift", gift=True)),
    ("t10", D2, "09:40", "R1", "c3", "return", dict(sku="TOWEL", sold=OLD)),
    ("t11", D2, "10:00", "R2", "c4", "no_receipt", dict(sku="TSHIRT", document="D1000002")),
    ("t12", D2, "10:20", "R1", "c4", "return", dict(sku="COAT", overrides=("final.sale",), approver="m2",
                                                     code="policy_exception")),
    ("t13", D2, "10:40", "R2", "c1", "exchange", dict(sku="TSHIRT", reason="wrong_size", new="JACKET129")),
    ("c1x", D2, "11:00", "R1", "m1", "correction", dict(of="t1")),
    ("tr2", D2, "11:20", "R2", "c2", "training_no_receipt", dict(sku="TOWEL", document="D1000009")),
    ("t14", D3, "09:00", "R1", "c4", "no_receipt", dict(sku="TOWEL", document="D1000003")),
    ("t15", D3, "09:20", "R1", "c4", "return", dict(sku="BLAZER")),
    ("t16", D3, "09:40", "R2", "c4", "no_receipt", dict(sku="TOWEL", document="D1000004")),
    ("t17", D3, "10:00", "R1", "c1", "return", dict(sku="HEADPH", condition="opened")),
    ("t18", D3, "10:20", "R2", "c2", "return", dict(sku="JEANS", tender="debit", reason="better_price")),
    ("t19", D3, "10:40", "R1", "c3", "return", dict(sku="JEANS", reason="better_price")),
    ("t20", D3, "11:00", "R2", "c3", "return", dict(sku="TSHIRT", tender="cash")),
    ("t21", D3, "11:20", "R1", "c1", "return", dict(sku="TOWEL")),
    ("t22", D3, "11:40", "R1", "c2", "return", dict(sku="TSHIRT")),
    ("t23", D3, "12:00", "R2", "c3", "return", dict(sku="SCARF", reason="other")),
]
SPARE = ["0001-799001", "0001-799002"]  # recent JEANS receipts nobody returns in the plan


@dataclass
class Rec:
    tag: str
    txno: str
    day: date
    register: str
    cashier: str
    kind: str  # journal kind
    training: bool
    decision: object = None  # the Decision the counter gave (None for a correction)
    lines: dict = field(default_factory=dict)  # line number -> (category, reason) as the test asked
    approvals: int = 0
    overrides: int = 0
    corrects: str | None = None


@dataclass
class World:
    path: Path
    policy: object
    recs: list[Rec]
    sales: list[dict]  # what was imported (for the sales total)

    def rec(self, tag: str) -> Rec:
        return next(r for r in self.recs if r.tag == tag)


def minor(money: Money) -> int:
    return money.rounded().minor()


def _sale_doc(receipt: str, sku: str, qty: int, sold: datetime, tender: str, gift: bool, policy) -> dict:
    name, category, price, tags = PRODUCTS[sku]
    model = Sale(receipt=receipt, sold_at=sold, tenders=(), lines=(SaleLine(
        line=1, sku=sku, name=name, category=category, qty=qty, unit_price=Money.parse(price, "USD"),
        discount=Money.zero("USD"), tax_rate=Decimal(TAX), tags=frozenset(tags)),))
    total = sale_total(model, policy.store.prices_include_tax)
    tender_doc = {"type": tender, "amount": total.plain()}
    if tender in ("credit", "debit"):
        tender_doc["last4"] = "4242" if tender == "credit" else "1881"
    return {"receipt": receipt, "store": "0001", "register": "R9", "sold_at": sold.isoformat(),
            "gift_receipt": gift,
            "lines": [{"line": 1, "sku": sku, "name": name, "category": category, "qty": qty, "unit_price": price,
                       "tax_rate": TAX, "tags": list(tags)}],
            "tenders": [tender_doc]}


def build_world(folder: Path) -> World:
    policy = h.policy()
    path = h.copy_db(h.base_db(), folder / "world.db")
    store = st.open_store(path, create=False)
    try:
        setup = Counter(store, policy, clock=lambda: datetime(2026, 4, 1, 8, 0))
        setup.add_staff("c3", "Dana Svoboda", "cashier", "3333")
        setup.add_staff("c4", "Evan Outlier", "cashier", "4444")
        # one receipt per transaction with a receipt (and for training)
        sales, receipts = [], {}
        for n, (tag, _day, _hm, _reg, _cashier, kind, d) in enumerate(PLAN, 1):
            if kind in ("return", "exchange", "training_return"):
                receipt = f"0001-7{n:05d}"
                receipts[tag] = receipt
                sales.append(_sale_doc(receipt, d["sku"], d.get("qty", 1), d.get("sold", RECENT),
                                       d.get("tender", "credit"), d.get("gift", False), policy))
        for receipt in SPARE:
            sales.append(_sale_doc(receipt, "JEANS", 1, RECENT, "credit", False, policy))
        products = [{"sku": sku, "name": v[0], "category": v[1], "price": v[2], "tax_rate": TAX,
                     "tags": list(v[3])} for sku, v in PRODUCTS.items()]
        sales_file = folder / "world-sales.json"
        sales_file.write_text(json.dumps({"sales": sales, "products": products}), encoding="utf-8")
        result = import_file(store, policy, sales_file, datetime(2026, 5, 31, 20, 0))  # after the sales it holds
        assert result.added == len(sales), result

        recs: list[Rec] = []
        for tag, day, hm, register, cashier, kind, d in PLAN:
            now = datetime.combine(day, time.fromisoformat(hm))
            is_training = kind.startswith("training_")
            c = Counter(store, policy, register=register, clock=lambda now=now: now, training=is_training)
            if kind == "correction":
                original = next(r for r in recs if r.tag == d["of"])
                entry = c.correct(original.txno, h.signed_in(c, cashier, PINS[cashier]), "wrong receipt line")
                recs.append(Rec(tag, entry.txno, day, register, cashier, "correction", False,
                                corrects=original.txno))
                continue
            name, category, price, tags = PRODUCTS[d["sku"]]
            if kind.endswith("no_receipt"):
                item = NoReceiptItem(sku=d["sku"], category=category, qty=1, lowest_price=Money.parse(price, "USD"),
                                     tax_rate=Decimal(TAX), tags=frozenset(tags), name=name)
                request = Request(type="return", no_receipt_items=(item,),
                                  customer=Customer(id_verified=True, id=d["document"]))
                sale, asked = None, {1: (category, "no_receipt")}
            else:
                sale = c.lookup(receipts[tag])
                reason = d.get("reason", "changed_mind")
                line = RequestLine(line=1, qty=d.get("qty", 1), condition=d.get("condition", "unopened"),
                                   reason=reason)
                exchange = ()
                if kind == "exchange":
                    n_name, n_cat, n_price, _t = PRODUCTS[d["new"]]
                    exchange = (ExchangeItem(sku=d["new"], category=n_cat, qty=1,
                                             unit_price=Money.parse(n_price, "USD"), tax_rate=Decimal(TAX),
                                             name=n_name),)
                request = Request(type="exchange" if kind == "exchange" else "return", lines=(line,),
                                  exchange_items=exchange, overrides=frozenset(d.get("overrides", ())))
                asked = {1: (category, reason)}
            pending = c.prepare(h.signed_in(c, cashier, PINS[cashier]), sale, request)
            pending = with_payment(pending, d.get("pay", "card"))  # the customer pays what an exchange owes
            grants = []
            if d.get("approver"):
                assert pending.decision.outcome == "needs_approval", (tag, pending.decision)
                grants.append(c.approve(pending, d["approver"], MANAGER_PINS[d["approver"]], d["code"]))
            else:
                assert pending.decision.outcome == "approved", (tag, pending.decision)
            tx = c.commit(pending, grants)
            journal_kind = "no_receipt" if sale is None else request.type
            recs.append(Rec(tag, tx.txno, day, register, cashier, journal_kind, is_training, tx.decision, asked,
                            len(grants), len(request.overrides)))
        h.checkpoint(store)
    finally:
        store.close()
    return World(path, policy, recs, sales)



@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("manager-world"))


@pytest.fixture
def db(world, tmp_path) -> Path:
    return h.copy_db(world.path, tmp_path / "store.db")


@pytest.fixture
def store(db):
    with st.open_store(db, create=False) as s:
        yield s


def at(day: date, hm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hm))


# ----------------------------------------------------------------------------- expected figures, by hand

def expected_report(world: World, start: date, end: date) -> dict:
    """The report's figures from the decisions the counter gave, in minor units."""
    out = {"count": 0, "by_kind": defaultdict(lambda: [0, 0]), "by_reason": defaultdict(lambda: [0, 0]),
           "by_category": defaultdict(lambda: [0, 0]), "by_cashier": defaultdict(lambda: [0, 0]),
           "by_tender": defaultdict(int), "fees": 0, "refund_total": 0, "exchange_total": 0, "no_receipt": 0,
           "approvals": 0, "overrides": 0}
    by_txno = {r.txno: r for r in world.recs}
    for r in world.recs:
        if r.training or not start <= r.day <= end:
            continue
        if r.kind == "correction":  # reverses its original's money; no transaction of its own
            orig = by_txno[r.corrects].decision
            out["by_kind"]["correction"][0] += 1
            out["by_kind"]["correction"][1] -= minor(orig.refund_total)
            out["refund_total"] -= minor(orig.refund_total)
            out["exchange_total"] -= minor(orig.exchange_total)
            for t in orig.refund_tenders:
                out["by_tender"][t.type] -= minor(t.amount)
            continue
        d = r.decision
        out["count"] += 1
        for key, table in ((r.kind, out["by_kind"]), (r.cashier, out["by_cashier"])):
            table[key][0] += 1
            table[key][1] += minor(d.refund_total)
        out["refund_total"] += minor(d.refund_total)
        out["exchange_total"] += minor(d.exchange_total)
        out["no_receipt"] += r.kind == "no_receipt"
        out["approvals"] += r.approvals
        out["overrides"] += r.overrides
        for line in d.lines:
            if line.outcome == "denied":
                continue
            category, reason = r.lines[line.line]
            out["fees"] += minor(line.fee)
            for key, table in ((reason, out["by_reason"]), (category, out["by_category"])):
                table[key][0] += line.qty
                table[key][1] += minor(line.refund)
        for t in d.refund_tenders:
            out["by_tender"][t.type] += minor(t.amount)
    out["by_tender"] = {k: v for k, v in out["by_tender"].items()}
    for key in ("by_kind", "by_reason", "by_category", "by_cashier"):
        out[key] = {k: list(v) for k, v in out[key].items()}
    out["store_credit"] = out["by_tender"].get("store_credit", 0)
    return out


def expected_sales_total(world: World, start: date, end: date) -> int:
    total = 0
    for sale in world.sales:
        if start <= datetime.fromisoformat(sale["sold_at"]).date() <= end:
            for line in sale["lines"]:
                total += line["qty"] * Money.parse(line["unit_price"], "USD").minor()
    return total


def report_figures(report: manager.Report) -> dict:
    return {"count": report.count, "by_kind": report.by_kind, "by_reason": report.by_reason,
            "by_category": report.by_category, "by_cashier": report.by_cashier, "by_tender": report.by_tender,
            "fees": report.fees, "refund_total": report.refund_total, "exchange_total": report.exchange_total,
            "no_receipt": report.no_receipt, "approvals": report.approvals, "overrides": report.overrides,
            "store_credit": report.store_credit}


def day_entries(world: World, day: date) -> list[Rec]:
    return [r for r in world.recs if r.day == day and not r.training]


def day_tenders(world: World, day: date) -> dict[str, int]:
    by_txno = {r.txno: r for r in world.recs}
    out: dict[str, int] = defaultdict(int)
    for r in day_entries(world, day):
        if r.kind == "correction":
            for t in by_txno[r.corrects].decision.refund_tenders:
                out[t.type] -= minor(t.amount)
        else:
            for t in r.decision.refund_tenders:
                out[t.type] += minor(t.amount)
    return dict(out)


# ----------------------------------------------------------------------------- the world itself

def test_world_has_what_the_report_must_see(world):
    kinds = {r.kind for r in world.recs if not r.training}
    assert kinds == {"return", "exchange", "no_receipt", "correction"}
    assert sum(r.training for r in world.recs) == 2
    assert sum(r.approvals for r in world.recs) == 2 and sum(r.overrides for r in world.recs) == 1
    fees = [minor(l.fee) for r in world.recs if r.decision for l in r.decision.lines]
    assert sorted(f for f in fees if f) == [1500, 1500]  # 15 % of 100.00, twice
    assert world.rec("t13").decision.balance_due.amount > 0  # an exchange where the customer pays
    tenders = {t.type for r in world.recs if r.decision and not r.training for t in r.decision.refund_tenders}
    assert {"credit", "cash", "debit", "store_credit"} <= tenders


# ----------------------------------------------------------------------------- reports

def test_report_figures_equal_sums_of_what_was_recorded(world, store):
    start, end = PERIOD
    report = manager.build_report(store, world.policy, start, end)
    want = expected_report(world, start, end)
    assert report_figures(report) == want
    assert report.count == 23 and report.no_receipt == 4
    assert report.sales_total == expected_sales_total(world, start, end) > 0
    assert report.complaints == 0 and report.compliments == 0


@pytest.mark.parametrize("day", [D1, D2, D3])
def test_report_of_one_day_counts_only_that_day(world, store, day):
    report = manager.build_report(store, world.policy, day, day)
    assert report_figures(report) == expected_report(world, day, day)
    assert report.count == len([r for r in day_entries(world, day) if r.kind != "correction"])


def test_training_transactions_are_in_no_figure(world, store):
    """The training entries are in the journal, yet no figure moves; removing them changes nothing either."""
    training_txnos = [r.txno for r in world.recs if r.training]
    rows = store.query(f"SELECT txno, training FROM journal WHERE txno IN ({', '.join('?' * len(training_txnos))})",
                       training_txnos)
    assert {r["txno"] for r in rows} == set(training_txnos) and all(r["training"] == 1 for r in rows)
    start, end = PERIOD
    with_training = report_figures(manager.build_report(store, world.policy, start, end))
    exceptions = [(f.staff, f.transactions, f.refund, f.no_receipt) for f in
                  manager.exception_report(store, world.policy, start, end)]
    conn = h.raw(store.path)
    h.drop_triggers(conn)
    for table in ("journal", "journal_lines", "journal_tenders", "journal_draws"):
        conn.execute(f"DELETE FROM {table} WHERE training = 1")
    conn.close()
    assert report_figures(manager.build_report(store, world.policy, start, end)) == with_training
    assert [(f.staff, f.transactions, f.refund, f.no_receipt) for f in
            manager.exception_report(store, world.policy, start, end)] == exceptions
    assert "c1" in with_training["by_cashier"] and with_training["by_cashier"]["c1"][0] == 5


def _parse_csv(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "count", "amount", "currency"]
    out: dict = {"by_kind": {}, "by_reason": {}, "by_category": {}, "by_cashier": {}, "by_tender": {}}
    cents = lambda s: Money.parse(s, "USD").minor()  # noqa: E731
    for section, key, count, amount, currency in rows[1:]:
        if section == "period":
            out["period"] = key
            out["count"], out["refund_total"] = int(count), cents(amount)
        elif section in ("kind", "reason", "category", "cashier"):
            out["by_" + section][key] = [int(count), cents(amount)]
        elif section == "tender":
            out["by_tender"][key] = cents(amount)
        elif section == "total":
            out[key] = cents(amount)
        elif section == "count":
            out[key] = int(count)
        if amount:
            assert currency == "USD"
    return out


def test_csv_export_parses_back_to_the_same_figures(world, store):
    start, end = PERIOD
    report = manager.build_report(store, world.policy, start, end)
    parsed = _parse_csv(manager.report_csv(report))
    want = expected_report(world, start, end)
    assert parsed["period"] == "2026-04-01..2026-06-30"
    for key in ("count", "refund_total", "by_kind", "by_reason", "by_category", "by_cashier", "by_tender", "fees",
                "store_credit", "exchange_total", "no_receipt", "approvals", "overrides"):
        assert parsed[key] == want[key], key
    assert parsed["sales_total"] == expected_sales_total(world, start, end)
    assert parsed["complaints"] == 0 and parsed["compliments"] == 0


def _pdf_text(data: bytes, folder: Path) -> str:
    pdf = folder / "report.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.replace("\u00a0", " ").replace("\u202f", " "))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize("lang, loc, title", [("en", "en_US", "Returns report"),
                                              ("cs", "cs_CZ", "Přehled vrácení")])
def test_pdf_report_renders_period_and_total(world, store, tmp_path, lang, loc, title):
    start, end = D1, D3
    report = manager.build_report(store, world.policy, start, end)
    data = report_pdf(report, world.policy, lang)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, tmp_path)
    assert title in text
    assert _flat(format_date(start, format="long", locale=loc)) in text
    assert _flat(format_date(end, format="long", locale=loc)) in text
    refunds = Money.from_minor(expected_report(world, start, end)["refund_total"], "USD")
    assert _flat(format_currency(refunds.amount, "USD", locale="en_US")) in text  # the store's money format
    assert _flat(i18n.translations(lang).gettext("Training transactions are not counted.")) in text


# ----------------------------------------------------------------------------- exception report

def test_exception_report_flags_the_planted_outlier_only(world, store):
    start, end = PERIOD
    figures = manager.exception_report(store, world.policy, start, end)
    cashiers = {f.staff: f for f in figures if f.role == "cashier"}
    approvers = {f.staff: f for f in figures if f.role == "approver"}
    assert set(cashiers) == {"c1", "c2", "c3", "c4"}
    # the figures, by hand
    limit_low, limit_high = 22500, 25000  # 90 % .. 100 % of the 250.00 approval limit
    for staff, f in cashiers.items():
        mine = [r for r in world.recs if r.cashier == staff and not r.training and r.kind != "correction"]
        assert f.transactions == len(mine)
        assert f.refund == sum(minor(r.decision.refund_total) for r in mine)
        assert f.no_receipt == sum(r.kind == "no_receipt" for r in mine)
        assert f.overrides == sum(r.overrides for r in mine)
        assert f.near_threshold == sum(limit_low <= minor(r.decision.refund_total) <= limit_high for r in mine)
    assert (cashiers["c4"].no_receipt, cashiers["c4"].near_threshold, cashiers["c4"].overrides) == (4, 2, 1)
    assert set(approvers) == {"m1", "m2"} and all(f.transactions == 1 for f in approvers.values())
    # the outlier, and only the outlier
    assert cashiers["c4"].flags
    for staff in ("c1", "c2", "c3"):
        assert cashiers[staff].flags == [], (staff, [t.render("en") for t in cashiers[staff].flags])
    assert all(not f.flags for f in approvers.values())  # too few transactions to judge
    en = " | ".join(t.render("en") for t in cashiers["c4"].flags)
    assert "returns without a receipt" in en and "just under the approval limit" in en and "overrides" in en


def test_exception_flags_render_in_two_languages(world, store):
    figures = manager.exception_report(store, world.policy, *PERIOD)
    c4 = next(f for f in figures if f.staff == "c4")
    assert len(c4.flags) >= 3
    cs = i18n.translations("cs")
    for flag in c4.flags:
        en_text, cs_text = flag.render("en"), flag.render("cs")
        assert "{" not in en_text and "{" not in cs_text
        template = cs.gettext(flag.msgid)
        assert template != flag.msgid, f"no Czech for {flag.msgid!r}"
        assert cs_text != en_text
        assert template.split("{")[0].strip() in cs_text
    by_msgid = {f.msgid: f for f in c4.flags}
    no_receipt = next(f for m, f in by_msgid.items() if m.startswith("returns without a receipt"))
    assert "bez účtenky" in no_receipt.render("cs")
    assert re.search(r"returns without a receipt: 0\.50 per transaction", no_receipt.render("en"))


# ----------------------------------------------------------------------------- what-if

NEW_POLICY_30_DAYS_NO_FEE = "window30-nofee.toml"


def write_new_policy(folder: Path) -> Path:
    """The sample policy with a 30-day default window and no restocking fee for opened electronics."""
    text = (ROOT / "policies.toml").read_text(encoding="utf-8")
    text, n = re.subn(r'(id = "window.default"\ndays = )90', r"\g<1>30", text)
    assert n == 1
    block = re.search(r'\[\[restocking_fee\]\]\nid = "fee.electronics_opened"\n(?:.+\n)+?\n', text)
    assert block
    text = text.replace(block.group(0), "")
    path = folder / NEW_POLICY_30_DAYS_NO_FEE
    path.write_text(text, encoding="utf-8")
    return path


def test_what_if_changes_exactly_the_cases_we_know(world, store, tmp_path):
    new = load_policy(write_new_policy(tmp_path))
    assert "fee.electronics_opened" not in new.rule_ids()
    result = manager.what_if(store, new)
    real = [r for r in world.recs if not r.training and r.kind != "correction"]
    assert result.replayed == len(real) == 23  # the corrected t1 is replayed; the training ones never
    assert result.unreadable == []
    old_sale = [world.rec("t7"), world.rec("t10")]  # 42 / 43 days old: denied under 30 days
    fee_paid = [world.rec("t3"), world.rec("t17")]  # opened headphones: the 15.00 fee goes away
    changed = {c.txno: c for c in result.changed}
    assert set(changed) == {r.txno for r in old_sale + fee_paid}
    for r in old_sale:
        c = changed[r.txno]
        assert (c.old_outcome, c.new_outcome) == ("approved", "denied")
        assert Money.parse(c.new_refund, "USD").is_zero()
    for r in fee_paid:
        c = changed[r.txno]
        assert (c.old_outcome, c.new_outcome) == ("approved", "approved")
        assert Money.parse(c.new_refund, "USD") - Money.parse(c.old_refund, "USD") == Money.parse("15.00", "USD")
        assert "fee.electronics_opened" in c.note
    old_total = sum(minor(r.decision.refund_total) for r in real)
    assert result.old_total == old_total
    want_difference = 2 * 1500 - sum(minor(r.decision.refund_total) for r in old_sale)
    assert want_difference == 3000 - 5361 - 2144
    assert result.difference == want_difference
    assert result.new_total == old_total + want_difference


def test_what_if_under_the_same_policy_changes_nothing(world, store):
    result = manager.what_if(store, world.policy)
    assert result.changed == [] and result.difference == 0 and result.replayed == 23


def test_what_if_respects_the_period(world, store, tmp_path):
    new = load_policy(write_new_policy(tmp_path))
    result = manager.what_if(store, new, D2, D2)
    assert result.replayed == len([r for r in day_entries(world, D2) if r.kind != "correction"])
    assert {c.txno for c in result.changed} == {world.rec("t10").txno}


# ----------------------------------------------------------------------------- day close

def close(store, world, day: date, now: datetime, manager_id: str = "m1") -> st.JournalEntry:
    return manager.close_day(store, world.policy, day, manager_id, now)


def test_day_close_totals_are_the_sums_of_the_days_entries(world, store):
    e1 = close(store, world, D1, at(D3, "08:00"))
    e2 = close(store, world, D2, at(D3, "08:05"))
    f1, f2 = json.loads(e1.payload), json.loads(e2.payload)
    assert (e1.register, e1.kind, e2.register) == (st.DAY_REGISTER, "day_close", st.DAY_REGISTER)
    assert e2.seq == e1.seq + 1
    t1, t2 = day_tenders(world, D1), day_tenders(world, D2)
    assert f1["date"] == "2026-06-01" and f2["date"] == "2026-06-02"
    assert f1["count"] == len(day_entries(world, D1)) == 7
    assert f2["count"] == len(day_entries(world, D2)) == 7  # six transactions and the correction of t1
    assert f1["refunds_by_tender"] == {k: v for k, v in sorted(t1.items()) if v}
    assert {k: v for k, v in f2["refunds_by_tender"].items() if v} == {k: v for k, v in t2.items() if v}
    assert f1["period_total"] == sum(t1.values()) and f2["period_total"] == sum(t2.values())
    assert f1["perpetual_total"] == f1["period_total"]
    assert f2["perpetual_total"] == f1["period_total"] + f2["period_total"]
    assert e1.refund_total == f1["period_total"]
    assert st.verify_journal(store) == []
    # closing does not move the reports
    assert report_figures(manager.build_report(store, world.policy, *PERIOD)) == expected_report(world, *PERIOD)


def test_entries_after_a_close_belong_to_the_next_business_day(world, store):
    """Issue 13 item 9 changes what this test pinned: a close no longer refuses later entries of the closed day
    (one click at noon made every later return fail); they belong to the next business day."""
    close(store, world, D2, at(D3, "08:00"))
    policy = world.policy
    closed_figures = st.day_figures(store.conn, D2.isoformat())
    made = []
    for day, receipt in ((D1, SPARE[0]), (D2, SPARE[1])):  # a till whose clock says D1 or D2 after D2 closed
        c = Counter(store, policy, register="R1", clock=lambda day=day: at(day, "18:00"))
        pending = c.prepare(h.signed_in(c), c.lookup(receipt), Request(type="return", lines=(
            RequestLine(1, 1, "unopened", "changed_mind"),)))
        assert pending.decision.outcome == "approved"
        made.append(c.commit(pending).entry)
    late = Counter(store, policy, clock=lambda: at(D2, "19:00"))
    made.append(late.correct(world.rec("t19").txno, h.signed_in(late, "m1"), "typo"))
    assert [e.business_day for e in made] == [D3.isoformat()] * 3
    assert [e.at[:10] for e in made] == [D1.isoformat(), D2.isoformat(), D2.isoformat()]
    assert st.day_figures(store.conn, D2.isoformat()) == closed_figures  # the closed day's figures stand
    d3 = st.day_figures(store.conn, D3.isoformat())
    assert {e.txno for e in made} <= {r["txno"] for r in store.query(
        "SELECT txno FROM journal WHERE business_day = ?", (D3.isoformat(),))}
    assert d3["count"] == len(day_entries(world, D3)) + 3
    with pytest.raises(st.DayClosed):  # closing it (or an earlier day) again is refused
        close(store, world, D2, at(D3, "09:00"))
    with pytest.raises(st.DayClosed):
        close(store, world, D1, at(D3, "09:00"))
    assert st.verify_journal(store) == []


def test_a_close_at_noon_moves_the_rest_of_the_day_to_the_next_business_day(world, store):
    c = Counter(store, world.policy, register="R1", clock=lambda: at(D3, "12:30"))
    close(store, world, D3, at(D3, "12:00"))
    tx = c.commit(c.prepare(h.signed_in(c), c.lookup(SPARE[0]), Request(type="return", lines=(
        RequestLine(1, 1, "unopened", "changed_mind"),))))
    nxt = (D3 + timedelta(days=1)).isoformat()
    assert tx.entry.at.startswith(D3.isoformat()) and tx.entry.business_day == nxt
    assert st.current_business_day(store.conn, at(D3, "13:00")) == nxt
    # and that next business day can be closed the same evening; the one after it not yet
    close(store, world, D3 + timedelta(days=1), at(D3, "21:00"))
    with pytest.raises(st.StoreError):
        close(store, world, D3 + timedelta(days=3), at(D3, "21:30"))
    assert st.verify_journal(store) == []


def test_a_day_that_has_not_ended_cannot_be_closed(world, store):
    with pytest.raises(st.StoreError) as info:
        close(store, world, D3 + timedelta(days=1), at(D3, "20:00"))
    assert not isinstance(info.value, st.DayClosed)
    assert "2026-06-04" in str(info.value)


def _rechain(conn: sqlite3.Connection, register: str, from_seq: int) -> None:
    """What a careful forger does: recompute the hash chain of a register from one entry onward."""
    cur = conn.execute("SELECT * FROM journal WHERE register = ? ORDER BY seq", (register,))
    cols = [c[0] for c in cur.description]
    prev = st.GENESIS
    for values in cur.fetchall():
        row = dict(zip(cols, values))
        if row["seq"] >= from_seq:
            new_hash = st.entry_hash(row, prev)
            conn.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE register = ? AND seq = ?",
                         (prev, new_hash, register, row["seq"]))
            prev = new_hash
        else:
            prev = row["hash"]


def _closed_copy(world, db: Path) -> tuple[str, str]:
    with st.open_store(db, create=False) as store:
        e1 = close(store, world, D1, at(D3, "08:00"))
        e2 = close(store, world, D2, at(D3, "08:05"))
        assert st.verify_journal(store) == []
        h.checkpoint(store)
    return e1.txno, e2.txno


def test_forged_tender_amount_with_a_rebuilt_chain_is_caught_by_the_day_close(world, db):
    close1, close2 = _closed_copy(world, db)
    target = world.rec("t2")  # a cash refund on D1
    conn = h.raw(db)
    h.drop_triggers(conn)
    payload = json.loads(conn.execute("SELECT payload FROM journal WHERE txno = ?", (target.txno,)).fetchone()[0])
    assert payload["journal_tenders"][0]["type"] == "cash"
    payload["journal_tenders"][0]["amount"] += 10000  # 100.00 more cash out of the till
    conn.execute("UPDATE journal SET payload = ? WHERE txno = ?", (st.canonical(payload), target.txno))
    conn.execute("UPDATE journal_tenders SET amount = amount + 10000 WHERE txno = ?", (target.txno,))
    seq = conn.execute("SELECT seq FROM journal WHERE txno = ?", (target.txno,)).fetchone()[0]
    _rechain(conn, target.register, seq)
    rewritten = [t for (t,) in conn.execute("SELECT txno FROM journal WHERE register = ? AND seq >= ? ORDER BY seq",
                                            (target.register, seq))]
    conn.close()
    with st.open_store(db, create=False) as store:
        problems = st.verify_journal(store)
    # the day close still catches it; since the signed journal (issue 14) so does every rewritten entry's
    # signature, which states the hash the register signed
    assert [(p.kind, p.txno) for p in problems if p.kind != "signature"] == [("day_close", close1)], \
        [str(p) for p in problems]
    assert [p.txno for p in problems if p.kind == "signature"] == rewritten
    assert "2026-06-01" in str(problems[0])
    result = h.run_cli("journal", "verify", "--db", str(db))
    assert result.returncode == 1, result
    assert close1 in result.stdout and close2 not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_deleted_entry_with_renumbered_register_is_named_by_the_day_close(world, db):
    close1, _close2 = _closed_copy(world, db)
    target = world.rec("t5")  # a return without a receipt on D1, register R2
    conn = h.raw(db)
    h.drop_triggers(conn)
    seq = conn.execute("SELECT seq FROM journal WHERE txno = ?", (target.txno,)).fetchone()[0]
    for table in ("journal", "journal_lines", "journal_tenders", "journal_draws"):
        conn.execute(f"DELETE FROM {table} WHERE txno = ?", (target.txno,))
    later = [s for (s,) in conn.execute("SELECT seq FROM journal WHERE register = ? AND seq > ? ORDER BY seq",
                                        (target.register, seq))]
    for s in later:
        conn.execute("UPDATE journal SET seq = ? WHERE register = ? AND seq = ?", (s - 1, target.register, s))
    _rechain(conn, target.register, seq)
    conn.close()
    with st.open_store(db, create=False) as store:
        problems = st.verify_journal(store)
    closing = [p for p in problems if p.kind == "day_close"]
    assert [p.txno for p in closing] == [close1], [str(p) for p in problems]
    assert "states 7 entries" in str(closing[0]) and "gives 6" in str(closing[0])
    assert not any(p.kind in ("edited", "gap") for p in problems)  # the chain itself was rebuilt cleanly
    result = h.run_cli("journal", "verify", "--db", str(db))
    assert result.returncode == 1 and close1 in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# ----------------------------------------------------------------------------- complaints

def test_complaints_round_trip_and_count_in_the_report(world, store):
    t2 = world.rec("t2").txno
    a = manager.log_complaint(store, at=at(D1, "15:00"), logged_by="m1", kind="complaint", category="wait",
                              severity=4, text="  Waited twenty minutes for a manager.  ", txno=t2,
                              resolution="Apologised", follow_up=date(2026, 6, 8))
    b = manager.log_complaint(store, at=at(D2, "15:00"), logged_by="m2", kind="compliment", category="service",
                              severity=1, text="Very kind cashier")
    c = manager.log_complaint(store, at=at(D3, "15:00"), logged_by="m1", kind="complaint", category="policy",
                              severity=2, text="Fee too high")
    assert len({a, b, c}) == 3
    rows = st.list_complaints(store, "2026-06-01", "2026-06-04")
    assert [r["id"] for r in rows] == [a, b, c]
    first = rows[0]
    assert (first["kind"], first["category"], first["severity"], first["txno"], first["logged_by"]) == \
        ("complaint", "wait", 4, t2, "m1")
    assert first["text"] == "Waited twenty minutes for a manager." and first["resolution"] == "Apologised"
    assert first["follow_up"] == "2026-06-08" and first["at"] == "2026-06-01T15:00:00"
    assert [r["id"] for r in st.list_complaints(store, "2026-06-02", "2026-06-03")] == [b]
    report = manager.build_report(store, world.policy, D1, D3)
    assert (report.complaints, report.compliments) == (2, 1)
    report = manager.build_report(store, world.policy, D2, D2)
    assert (report.complaints, report.compliments) == (0, 1)
    parsed = _parse_csv(manager.report_csv(manager.build_report(store, world.policy, D1, D3)))
    assert (parsed["complaints"], parsed["compliments"]) == (2, 1)
    # other figures do not move
    assert report_figures(manager.build_report(store, world.policy, *PERIOD)) == expected_report(world, *PERIOD)


@pytest.mark.parametrize("bad, words", [
    (dict(severity=9), "Severity"),
    (dict(severity=0), "Severity"),
    (dict(text="   "), "Describe"),
    (dict(txno="0001-R1-999999"), "0001-R1-999999"),
    (dict(kind="rant"), "rant"),
])
def test_bad_complaints_are_refused_with_a_store_error(store, bad, words):
    args = dict(at=at(D1, "15:00"), logged_by="m1", kind="complaint", category="service", severity=3,
                text="Rude")
    args.update(bad)
    with pytest.raises(st.StoreError) as info:
        manager.log_complaint(store, **args)
    assert words in str(info.value)
    assert store.query("SELECT COUNT(*) AS n FROM complaints")[0]["n"] == 0


# ----------------------------------------------------------------------------- training

def test_training_cards_from_scenarios(world):
    files = sorted((ROOT / "scenarios").rglob("*.json"))
    cards = training.cards_from_scenarios(world.policy, ROOT / "scenarios")
    assert len(cards) >= 30
    assert len({c.id for c in cards}) == len(cards)
    sources = {Path(c.source).resolve() for c in cards}
    assert sources <= {f.resolve() for f in files}
    ids = {c.id for c in cards}
    assert "scenario:01-electronics-last-day-of-window" in ids and "scenario:02-electronics-day-after-window" in ids
    assert all(c.story for c in cards)


def _card_with_expect(world, stem: str):
    cards = training.cards_from_scenarios(world.policy, ROOT / "scenarios")
    card = next(c for c in cards if c.id == f"scenario:{stem}")
    expect = json.loads(Path(card.source).read_text(encoding="utf-8"))["expect"]
    return card, expect


@pytest.mark.parametrize("stem", ["01-electronics-last-day-of-window", "02-electronics-day-after-window"])
def test_training_check_grades_right_and_wrong_answers(world, stem):
    card, expect = _card_with_expect(world, stem)
    outcome = expect["outcome"]
    refund = Money.parse(expect.get("refund_total", "0.00"), "USD")
    cent = Money.parse("0.01", "USD")
    assert training.check(world.policy, card, outcome, refund.plain()).correct
    assert training.check(world.policy, card, outcome, (refund + cent).plain()).correct  # within a cent
    wrong_outcome = "denied" if outcome != "denied" else "approved"
    verdict = training.check(world.policy, card, wrong_outcome, refund.plain())
    assert not verdict.correct
    said = verdict.explanation[0].render("en")  # first: what the policy says
    assert said.startswith("The policy says: ") and training.OUTCOME_WORDS[outcome] in said
    assert format_currency(refund.amount, "USD", locale="en_US") in said
    assert not training.check(world.policy, card, outcome, (refund + cent + cent).plain()).correct
    assert not training.check(world.policy, card, outcome, "twelve").correct
    assert verdict.decision.outcome == outcome


def test_training_scores_count_per_trainee(world, store):
    card, expect = _card_with_expect(world, "01-electronics-last-day-of-window")
    right = training.check(world.policy, card, expect["outcome"], expect.get("refund_total", "0"))
    wrong = training.check(world.policy, card, "partial", "1.00")
    assert right.correct and not wrong.correct
    for trainee, verdict in (("c3", right), ("c3", wrong), ("c3", right), ("c4", wrong)):
        training.record_answer(store, trainee, card, verdict, at(D3, "16:00"))
    assert training.scores(store) == {"c3": (3, 2), "c4": (1, 0)}
    # answers never touch the journal or the reports
    assert report_figures(manager.build_report(store, world.policy, *PERIOD)) == expected_report(world, *PERIOD)


# ----------------------------------------------------------------------------- the policy in words

def _toml_rule_ids() -> set[str]:
    data = tomllib.loads((ROOT / "policies.toml").read_text(encoding="utf-8"))
    ids: set[str] = set()

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "id" and isinstance(v, str) and key != "store":
                    ids.add(v)
                else:
                    walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
    walk(data)
    return ids


@pytest.mark.parametrize("lang", ["en", "cs"])
def test_policy_description_explains_each_rule_it_lists(world, lang):
    rows = policy_text.describe(world.policy, lang)
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) <= _toml_rule_ids()
    for core in ("window.default", "window.holiday", "final.gift_cards", "condition.default",
                 "fee.electronics_opened", "warranty.default", "no_receipt", "tender", "approval.large_refund"):
        assert core in ids
    for row in rows:
        assert row.kind and row.scope and row.explanation
        own_words = " \u2014 \u201c"  # a manager's explain text is quoted as written, placeholders and all
        assert "{" not in row.explanation.split(own_words)[0]
    window = next(r for r in rows if r.id == "window.default")
    assert "90" in window.explanation
    if lang == "cs":
        english = {r.id: r for r in policy_text.describe(world.policy, "en")}
        assert window.kind != english["window.default"].kind
        assert window.explanation != english["window.default"].explanation


@pytest.mark.parametrize("lang", ["en", "cs"])
def test_policy_description_lists_every_rule_id_of_the_policy_file(world, lang):
    assert {r.id for r in policy_text.describe(world.policy, lang)} == _toml_rule_ids()


# ----------------------------------------------------------------------------- the command line

def _ok(result: subprocess.CompletedProcess, code: int = 0) -> subprocess.CompletedProcess:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_cli_report_csv_and_pdf(world, db, tmp_path):
    out_csv, out_pdf = tmp_path / "r.csv", tmp_path / "r.pdf"
    r = _ok(h.run_cli("report", "--db", str(db), "--from", "2026-04-01", "--to", "2026-06-30",
                      "--csv", str(out_csv), "--pdf", str(out_pdf), "--lang", "cs"))
    assert str(out_csv) in r.stdout and str(out_pdf) in r.stdout
    parsed = _parse_csv(out_csv.read_text(encoding="utf-8"))
    want = expected_report(world, *PERIOD)
    for key in ("count", "refund_total", "by_kind", "by_reason", "by_category", "by_cashier", "by_tender", "fees",
                "store_credit", "approvals", "overrides", "no_receipt"):
        assert parsed[key] == want[key], key
    text = _pdf_text(out_pdf.read_bytes(), tmp_path)
    assert "Přehled vrácení" in text and _flat(format_date(PERIOD[0], format="long", locale="cs_CZ")) in text
    # without --csv / --pdf the CSV goes to standard output
    r = _ok(h.run_cli("report", "--db", str(db), "--period", "day", "--date", "2026-06-02"))
    assert _parse_csv(r.stdout)["count"] == expected_report(world, D2, D2)["count"]
    r = _ok(h.run_cli("report", "--db", str(db), "--from", "2026-06-03", "--to", "2026-06-01"), 2)
    assert "after" in r.stderr


def test_cli_exception_report_marks_the_outlier(world, db):
    r = _ok(h.run_cli("report", "--db", str(db), "--exceptions", "--from", "2026-06-01", "--to", "2026-06-03"))
    lines = {line.split()[1]: line for line in r.stdout.splitlines() if line.strip()}
    assert {"c1", "c2", "c3", "c4", "m1", "m2"} <= set(lines)
    assert "<--" in lines["c4"] and "returns without a receipt" in lines["c4"]
    assert all("<--" not in lines[s] for s in ("c1", "c2", "c3", "m1", "m2"))


def test_cli_whatif(world, db, tmp_path):
    new = write_new_policy(tmp_path)
    r = _ok(h.run_cli("whatif", "--db", str(db), "--policy", str(new), "--details"))
    changed = {world.rec(t).txno for t in ("t3", "t7", "t10", "t17")}
    listed = {line.split()[0] for line in r.stdout.splitlines() if line.startswith("0001-")}
    assert listed == changed  # one line per changed return only with --details (issue 10: a summary by default)
    assert "23 returns replayed, 4 decisions change" in r.stdout
    assert "(-45.05 USD)" in r.stdout  # +15.00 +15.00 -53.61 -21.44
    bad = tmp_path / "bad.toml"
    bad.write_text("[store]\nid = 1\n", encoding="utf-8")
    r = _ok(h.run_cli("whatif", "--db", str(db), "--policy", str(bad)), 2)
    assert "bad.toml" in r.stderr


def test_cli_close_day(world, db):
    r = _ok(h.run_cli("close-day", "--db", str(db), "--date", "2026-06-01", "--manager", "m1", stdin="9999\n"))
    with st.open_store(db, create=False) as store:
        entry = store.one("SELECT txno, payload FROM journal WHERE register = ?", (st.DAY_REGISTER,))
    assert r.stdout.startswith(entry["txno"] + ":")
    t1 = day_tenders(world, D1)
    assert "closed 2026-06-01: 7 transactions" in r.stdout
    assert f"{Money.from_minor(sum(t1.values()), 'USD').plain()} paid out" in r.stdout
    assert json.loads(entry["payload"])["refunds_by_tender"] == {k: v for k, v in sorted(t1.items())}
    r = _ok(h.run_cli("close-day", "--db", str(db), "--date", "2026-06-01", "--manager", "m1", stdin="9999\n"), 2)
    assert "closed" in r.stderr
    r = _ok(h.run_cli("close-day", "--db", str(db), "--date", "2026-06-02", "--manager", "m1", stdin="0000\n"), 2)
    assert "Wrong PIN" in r.stderr
    r = _ok(h.run_cli("close-day", "--db", str(db), "--date", "2026-06-02", "--manager", "c1", stdin="1111\n"), 2)
    assert "not a manager" in r.stderr
    r = _ok(h.run_cli("close-day", "--db", str(db), "--date", "2026-13-01", "--manager", "m1"), 2)
    assert "2026-13-01" in r.stderr
    _ok(h.run_cli("journal", "verify", "--db", str(db)))


def test_cli_complaints(world, db):
    t2 = world.rec("t2").txno
    r = _ok(h.run_cli("complaint", "add", "Waited too long", "--db", str(db), "--by", "m1", "--severity", "4",
                      "--category", "wait", "--txno", t2, "--follow-up", "2026-12-01"))
    assert re.match(r"complaint #\d+ logged", r.stdout)
    _ok(h.run_cli("complaint", "add", "Lovely service", "--db", str(db), "--by", "m2", "--kind", "compliment"))
    r = _ok(h.run_cli("complaint", "list", "--db", str(db)))
    assert "Waited too long" in r.stdout and t2 in r.stdout and "sev 4" in r.stdout and "Lovely service" in r.stdout
    assert "follow up 2026-12-01" in r.stdout and r.stdout.strip().endswith("2 logged")
    for args, words in ((["--severity", "9"], "Severity"), (["--txno", "0001-R1-999999"], "0001-R1-999999")):
        r = _ok(h.run_cli("complaint", "add", "Bad", "--db", str(db), "--by", "m1", *args), 2)
        assert words in r.stderr
    r = _ok(h.run_cli("complaint", "add", "   ", "--db", str(db), "--by", "m1"), 2)
    assert "Describe" in r.stderr
    r = _ok(h.run_cli("complaint", "list", "--db", str(db)))
    assert r.stdout.strip().endswith("2 logged")


# ----------------------------------------------------------------------------- manager figures that must be right

def _sample_policy_with(folder: Path, name: str, pattern: str, replacement: str) -> Path:
    text, n = re.subn(pattern, replacement, (ROOT / "policies.toml").read_text(encoding="utf-8"))
    assert n == 1, pattern
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_exception_report_with_a_threshold_in_cents_counts_refunds_just_under_it(world, db, tmp_path):
    path = _sample_policy_with(tmp_path, "limit-99.99.toml", r'refund_over = "250.00"', 'refund_over = "99.99"')
    r = _ok(h.run_cli("report", "--db", str(db), "--exceptions", "--policy", str(path), "--from", "2026-04-01",
                      "--to", "2026-06-30"))
    # by hand: refunds from 90 % of 99.99 (89.991) up to 99.99, per cashier
    low, high = Decimal("99.99") * Decimal("0.9"), Decimal("99.99")
    want = defaultdict(int)
    for rec in world.recs:
        if rec.training or rec.kind == "correction":
            continue
        want[rec.cashier] += low <= rec.decision.refund_total.amount <= high
    assert sum(want.values()) > 0, "the world has no refund in the band; the test would prove nothing"
    lines = {line.split()[1]: line for line in r.stdout.splitlines() if line.strip()}
    for cashier in ("c1", "c2", "c3", "c4"):
        assert re.search(rf"\b{want[cashier]} near limit", lines[cashier]), (cashier, want[cashier], lines[cashier])
    with st.open_store(db, create=False) as store:
        figures = manager.exception_report(store, load_policy(path), *PERIOD)
    assert {f.staff: f.near_threshold for f in figures if f.role == "cashier"} == \
        {c: want[c] for c in ("c1", "c2", "c3", "c4")}


HANOI = ROOT / "examples" / "hanoi" / "policies.toml"


def test_exception_report_figures_are_right_in_a_currency_without_minor_units(tmp_path):
    """A Hanoi store (VND, no minor units): the average refund is said in dong, not a hundredth of it."""
    policy = load_policy(HANOI)
    assert policy.currency == "VND"
    path = tmp_path / "hanoi.db"
    sold = datetime.combine(h.TODAY - timedelta(days=3), time(10, 0))
    now = datetime.combine(h.TODAY, time(12, 0))
    prices = {"c1": "100000", "c2": "100000", "c3": "900000"}  # per return; c3 refunds 9 times as much
    sales = []
    for cashier, price in prices.items():
        for n in (1, 2):
            sales.append({"receipt": f"0301-{cashier}-{n}", "store": "0301", "register": "R9",
                          "sold_at": sold.isoformat(),
                          "lines": [{"line": 1, "sku": "TOWEL", "name": "Khăn tắm", "category": "home", "qty": 1,
                                     "unit_price": price, "tax_rate": "0.10"}],
                          "tenders": [{"type": "credit", "amount": price, "last4": "4242"}]})
    sales_file = tmp_path / "hanoi-sales.json"
    sales_file.write_text(json.dumps({"sales": sales}, ensure_ascii=False), encoding="utf-8")
    with st.open_store(path) as store:
        counter = Counter(store, policy, register="R1", clock=lambda: now)
        for cashier in prices:
            counter.add_staff(cashier, f"Cashier {cashier}", "cashier", "1357")
        assert import_file(store, policy, sales_file, sold).added == len(sales)
        for cashier in prices:
            for n in (1, 2):
                sale = counter.lookup(f"0301-{cashier}-{n}")
                request = Request(type="return", lines=(RequestLine(line=1, qty=1, condition="unopened",
                                                                    reason="changed_mind"),))
                pending = counter.prepare(h.signed_in(counter, cashier, "1357"), sale, request)
                assert pending.decision.outcome == "approved", pending.decision
                counter.commit(pending)
        figures = {f.staff: f for f in manager.exception_report(store, policy, h.TODAY, h.TODAY,
                                                                 min_transactions=2) if f.role == "cashier"}
    # prices include tax and there is no fee: each refund is the price paid
    assert {s: f.refund for s, f in figures.items()} == {"c1": 200000, "c2": 200000, "c3": 1800000}
    assert figures["c1"].flags == [] and figures["c2"].flags == []
    [flag] = [t for t in figures["c3"].flags if t.msgid.startswith("average refund")]
    assert flag.params["value"] == "900000" and flag.params["baseline"] == "100000", flag.params
    assert flag.params["ratio"] == "9.0"
    assert "average refund 900000 is 9.0x the store's 100000" == flag.render("en")


def test_recent_entries_are_the_latest_by_time_across_registers(world, store):
    at = {tag: datetime.combine(day, time.fromisoformat(hm)) for tag, day, hm, *_rest in PLAN}
    real = [r for r in world.recs if not r.training and r.kind in ("return", "exchange", "no_receipt")]
    newest = sorted(real, key=lambda r: at[r.tag], reverse=True)
    assert len({r.register for r in newest[:6]}) == 2  # both registers among the latest
    for limit in (1, 3, 6):
        assert [row["txno"] for row in st.recent_real_entries(store, limit)] == [r.txno for r in newest[:limit]]


def test_cli_whatif_prints_one_summary_with_what_was_not_replayed(world, db, tmp_path):
    # the new policy no longer knows the reason "unwanted_gift": those returns cannot be replayed under it
    base = write_new_policy(tmp_path).read_text(encoding="utf-8")  # also: a 30-day window, no headphones fee
    assert base.count('"unwanted_gift", ') == 1
    path = tmp_path / "no-gift-reason.toml"
    path.write_text(base.replace('"unwanted_gift", ', ""), encoding="utf-8")
    real = [r for r in world.recs if not r.training and r.kind != "correction"]
    gift = [r for r in real if any(reason == "unwanted_gift" for _cat, reason in r.lines.values())]
    assert gift, "the world has no unwanted_gift return"
    changed = [world.rec(t) for t in ("t3", "t7", "t10", "t17") if world.rec(t) not in gift]
    r = _ok(h.run_cli("whatif", "--db", str(db), "--policy", str(path)))
    out = r.stdout
    assert not [line for line in out.splitlines() if line.startswith("0001-")], out  # no line per transaction
    assert len(out.splitlines()) <= 12, out
    replayed = len(real) - len(gift)
    assert f"{replayed} returns replayed, {len(changed)} decisions change" in out
    # by hand: +15.00 for each opened-headphones fee dropped, minus the refund of each return now denied
    difference = sum((Decimal("15.00") if r.tag in ("t3", "t17") else -r.decision.refund_total.amount
                      for r in changed), Decimal(0))
    sign = "+" if difference >= 0 else "-"
    assert f"({sign}{abs(difference)} USD)" in out
    assert f"{len(gift)} returns not replayed" in out
    reason_line = next(line for line in out.splitlines() if "unwanted_gift" in line)
    assert reason_line.strip().startswith(f"{len(gift)} x ") and "not a reason of the policy" in reason_line
    assert "2 approved -> denied" in out


def test_benchmark_returns_use_reasons_the_policy_knows(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import dataset
    finally:
        sys.path.remove(str(ROOT / "bench"))
    policy = h.policy()
    path = tmp_path / "bench.db"
    with st.open_store(path) as store:
        demo.build_demo(store, policy, today=dataset.TODAY, receipts=300, returns=False)
    counts = dataset.add_year_of_returns(path, policy, per_day=4, days=6, progress=lambda _m: None)
    assert counts["entries"] > 0
    with st.open_store(path, create=False) as store:
        reasons = {row["reason"] for row in store.query(
            "SELECT reason FROM journal_lines WHERE reason IS NOT NULL")}
        assert reasons and reasons <= set(policy.reasons), reasons
        replay = manager.what_if(store, policy)
    assert replay.unreadable == [] and replay.replayed == counts["entries"]


def test_exception_report_counts_wrong_pins_lockouts_and_one_reprint_per_action(world, store, tmp_path):
    """Issue 13 item 11: wrong PINs and lockouts per staff id; a reprint action (receipt + store copy printed
    together) counts once."""
    from pos_returns.services import paperwork
    from pos_returns.services.records import LockedOut, WrongPin
    before = {f.staff: f for f in manager.exception_report(store, world.policy, *PERIOD) if f.role == "cashier"}
    c = Counter(store, world.policy, clock=lambda: at(D2, "12:00"))
    for _ in range(2):
        with pytest.raises(WrongPin):
            c.check_pin("c1", "0000")
    for _ in range(4):
        with pytest.raises(WrongPin):
            c.check_pin("c4", "0000")
    with pytest.raises(LockedOut):  # the fifth wrong PIN locks c4 out
        c.check_pin("c4", "0000")
    txno = world.rec("t13").txno
    for kind in ("receipt", "store-copy"):  # one reprint action prints both documents
        paperwork.render_document(store, txno, kind, "en", reprint=True, actor="c1", now=at(D2, "12:05"),
                                  folder=tmp_path)
    after = {f.staff: f for f in manager.exception_report(store, world.policy, *PERIOD) if f.role == "cashier"}
    assert (after["c1"].wrong_pins, after["c1"].lockouts) == (2, 0)
    assert (after["c4"].wrong_pins, after["c4"].lockouts) == (5, 1)
    assert after["c1"].reprints == before["c1"].reprints + 1
    assert after["c1"].transactions == before["c1"].transactions  # nothing else moved
