"""``demo-data``: a realistic, deterministic demo store for the sample policy.

A year of sales ending on ``today`` across the policy's departments: several tenders (cards by last 4,
cash, checks, gift cards, split payments), line and sale discounts, a TV + soundbar bundle, a free phone
case with a phone, serialized electronics, repeat customers (some members), gift receipts, and earlier
returns recorded in the journal. The same seed and day always give the same store.

Demo staff (PINs are for the demo only):

=====  ===================  =======  ====
id     name                 role     PIN
=====  ===================  =======  ====
c1     Alice Nguyen         cashier  1111
c2     Bao Tran             cashier  2222
m1     Marta Novakova       manager  9999
m2     Chen Wei-Ling        manager  8888
=====  ===================  =======  ====
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable

from pos_returns.storage import store as st
from pos_returns.domain.engine import sale_total, tax_of
from pos_returns.i18n import N_
from pos_returns.domain.model import Promotion, Request, RequestLine, Sale, SaleLine, Tender
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy

DEMO_STAFF = (("c1", "Alice Nguyen", "cashier", "1111"), ("c2", "Bao Tran", "cashier", "2222"),
              ("m1", "Marta Novakova", "manager", "9999"), ("m2", "Chen Wei-Ling", "manager", "8888"))

# sku, name, category, price, tags
PRODUCTS = (
    ("TV55", "55-inch 4K TV", "electronics", "499.99", ("serialized",)),
    ("TV65", "65-inch OLED TV", "electronics", "1299.00", ("serialized",)),
    ("SNDBAR", "Soundbar 2.1", "electronics", "199.99", ()),
    ("HDPH", "Noise-cancelling headphones", "electronics", "149.99", ()),
    ("LAPTOP14", "14-inch laptop", "electronics", "899.00", ("serialized",)),
    ("TABLET10", "10-inch tablet", "electronics", "329.00", ("serialized",)),
    ("CAMERA", "Mirrorless camera", "electronics", "549.00", ("serialized",)),
    ("HDMI2", "HDMI cable 2 m", "electronics", "19.99", ()),
    ("PHONEX", "Phone X 128 GB", "phones", "699.00", ("serialized", "activatable")),
    ("PHONEA", "Phone A 64 GB", "phones", "299.00", ("serialized", "activatable")),
    ("CASE", "Phone case", "phones", "24.99", ()),
    ("JEANS", "Slim jeans", "apparel", "49.99", ()),
    ("TSHIRT", "Cotton T-shirt", "apparel", "14.99", ()),
    ("JACKET", "Rain jacket", "apparel", "129.00", ()),
    ("SNEAKER", "Running shoes", "apparel", "89.99", ()),
    ("OFFICE", "Office suite (1 year)", "software", "149.99", ()),
    ("GAMERPG", "Fantasy RPG (game)", "software", "59.99", ()),
    ("ANTIVIR", "Antivirus (1 year)", "software", "39.99", ()),
    ("BLURAY", "Blu-ray movie", "media", "24.99", ()),
    ("ALBUM", "Music album CD", "media", "12.99", ()),
    ("COFFEE", "Coffee beans 1 kg", "grocery", "12.49", ("perishable",)),
    ("CHOC", "Dark chocolate", "grocery", "4.99", ("perishable",)),
    ("OLIVE", "Olive oil 1 l", "grocery", "9.99", ()),
    ("GC50", "Gift card 50", "gift_cards", "50.00", ()),
    ("GC100", "Gift card 100", "gift_cards", "100.00", ()),
    ("FRIDGE", "Fridge-freezer", "appliances", "1299.00", ("serialized",)),
    ("WASHER", "Washing machine", "appliances", "849.00", ("serialized",)),
    ("MICRO", "Microwave oven", "appliances", "129.99", ()),
    ("BLENDER", "Blender", "appliances", "79.99", ()),
    ("CLRLAMP", "Desk lamp (clearance)", "clearance", "19.99", ("final_sale",)),
    ("CLRRUG", "Rug 120x170 (clearance)", "clearance", "39.99", ()),
    ("TOWEL", "Bath towel", "home", "19.99", ()),
    ("PILLOW", "Pillow", "home", "29.99", ()),
    ("SHAVER", "Electric shaver", "home", "69.99", ("personal_care",)),
)
TAX_RATE = {"grocery": "0"}  # food is exempt in Ohio
DEFAULT_TAX = "0.0725"
BUNDLE_DISCOUNT = Decimal("100.00")  # TV + soundbar bundle


@dataclass(frozen=True)
class DemoResult:
    receipts: int
    lines: int
    returns: int


def ean13(number: int) -> str:
    digits = f"{number:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def build_demo(store: st.Database, policy: Policy, *, today: date, receipts: int = 3000, seed: int = 7,
               returns: bool = True, staff: bool = True, progress: Callable[[int, int], None] | None = None,
               batch: int = 5000) -> DemoResult:
    """Fill an empty database with the demo store and mark it a demo; refuses a database that already has sales,
    and a store's database that has its own staff (demo managers have known PINs)."""
    if st.count(store, "sales"):
        raise st.StoreError(N_("{path} already has sales; demo data goes into a new database."), path=str(store.path))
    if st.count(store, "staff") and not store.is_demo():
        raise st.StoreError(N_("{path} already has staff of its own; demo data goes into a new database."),
                            path=str(store.path))
    rng = random.Random(seed)
    currency = policy.currency
    from pos_returns.services.location import set_location, till_location
    if not store.setting("store_id"):  # the demo till is the policy's store (a chain's: its first store)
        first = policy.chain.stores[0] if policy.chain is not None and policy.chain.stores else policy.store.id
        set_location(store, first, store.setting("store_region") or policy.region_of(first))
    store_id = till_location(store, policy).store_id
    start = datetime.combine(today - timedelta(days=365), time(9, 0))
    catalog = [p for p in PRODUCTS if p[2] in policy.categories]
    by_sku = {p[0]: p for p in catalog}

    def tax(category: str) -> str:
        return TAX_RATE.get(category, DEFAULT_TAX)

    with store.write() as c:
        st.mark_demo(c)
        st.insert_products(c, [
            {"sku": sku, "barcode": ean13(400000000000 + i), "name": name, "category": cat,
             "tags": json.dumps(sorted(tags)), "price": Money.parse(price, currency).minor(), "tax_rate": tax(cat)}
            for i, (sku, name, cat, price, tags) in enumerate(catalog)])
        history = []
        for sku, _name, _cat, price, _tags in catalog:
            base = Money.parse(price, currency).minor()
            history.append((sku, st.iso(start - timedelta(days=30)), base))
            for month in (3, 7, 11):  # seasonal markdowns, back to full price a month later
                if rng.random() < 0.5:
                    at = start + timedelta(days=30 * month)
                    history.append((sku, st.iso(at), base * 85 // 100))
                    history.append((sku, st.iso(at + timedelta(days=30)), base))
        st.insert_price_history(c, history)
        customers = [{"id": f"C{n:05d}", "name": f"Customer {n}", "tier": "member" if n % 3 == 0 else None,
                      "id_hash": None, "id_last4": None} for n in range(1, 401)]
        st.insert_customers(c, customers)

    total_lines = 0
    sales: list[dict] = []
    kept: list[Sale] = []
    span = 365 * 24 * 3600
    times = sorted(rng.randrange(span) for _ in range(receipts))
    # per-product values computed once (a million receipts parse the same 34 prices otherwise)
    prices = {p[0]: Money.parse(p[3], currency) for p in catalog}
    zero = Money.zero(currency)
    tenth = Decimal("0.10")
    fifty = Money.parse("50.00", currency)
    ten = Money.parse("10.00", currency)
    include_tax = policy.store.prices_include_tax
    tags_json: dict[frozenset, str] = {}
    totals: dict[tuple, Money] = {}  # sale_total is a pure function of the lines, discount and promotions
    line_totals: dict[tuple, Money] = {}

    def total_of(draft: Sale) -> Money:
        if draft.discount is None and not draft.promotions:  # no sale-level allocation: a sum of the lines
            total = zero
            for ln in draft.lines:
                key = (ln.qty, ln.unit_price.amount, ln.discount.amount, ln.tax_rate)
                part = line_totals.get(key)
                if part is None:
                    net = ln.unit_price * ln.qty - ln.discount
                    tax = tax_of(net, ln.tax_rate, include_tax)
                    part = line_totals[key] = net.rounded() + (zero if include_tax else tax)
                total = total + part
            return total
        key = (tuple((ln.sku, ln.qty, ln.unit_price.amount, ln.discount.amount, ln.tax_rate) for ln in draft.lines),
               draft.discount.amount if draft.discount is not None else None,
               tuple((p.id, p.lines, p.discount.amount) for p in draft.promotions))
        total = totals.get(key)
        if total is None:
            total = sale_total(draft, include_tax)
            if len(totals) < 200_000:
                totals[key] = total
        return total

    for n, offset in enumerate(times, 1):
        sold_at = start + timedelta(seconds=offset)
        sold_at = sold_at.replace(hour=9 + sold_at.hour % 12)
        lines: list[SaleLine] = []
        promotions: list[Promotion] = []
        kind = rng.random()
        if kind < 0.04 and "TV55" in by_sku and "SNDBAR" in by_sku:  # TV + soundbar bundle
            tv, bar = by_sku["TV55"], by_sku["SNDBAR"]
            tv_price, bar_price = prices["TV55"], prices["SNDBAR"]
            share = (Money(BUNDLE_DISCOUNT, currency) * tv_price.amount / (tv_price + bar_price).amount).rounded()
            lines.append(_line(1, tv, tv_price, share, tax("electronics"), serial=f"SN{n:07d}"))
            lines.append(_line(2, bar, bar_price, Money(BUNDLE_DISCOUNT, currency) - share, tax("electronics")))
            promotions.append(Promotion("tv-bundle", (1, 2), Money(BUNDLE_DISCOUNT, currency)))
        elif kind < 0.07 and "PHONEX" in by_sku and "CASE" in by_sku:  # free case with a phone
            phone, case = by_sku["PHONEX"], by_sku["CASE"]
            case_price = prices["CASE"]
            lines.append(_line(1, phone, prices["PHONEX"], zero, tax("phones"), serial=f"IMEI35{n:09d}"))
            lines.append(_line(2, case, case_price, case_price, tax("phones")))
            promotions.append(Promotion("free-case", (1, 2), case_price))
        else:
            for number in range(1, rng.choice((1, 1, 2, 2, 3, 4, 5)) + 1):
                product = rng.choice(catalog)
                serialized = "serialized" in product[4]
                qty = 1 if serialized or product[2] == "appliances" else rng.choice((1, 1, 1, 2, 3))
                price = prices[product[0]]
                discount = (price * qty * tenth).rounded() if rng.random() < 0.15 else zero
                lines.append(_line(number, product, price, discount, tax(product[2]), qty=qty,
                                   serial=f"SN{n:07d}{number}" if serialized else None))
        sale_discount = None
        if rng.random() < 0.05:
            net = sum((ln.unit_price * ln.qty - ln.discount for ln in lines), zero)
            if net > fifty:
                sale_discount = ten
        draft = Sale(receipt=f"{store_id}-{n:06d}", sold_at=sold_at, lines=tuple(lines), tenders=(),
                     discount=sale_discount, promotions=tuple(promotions))
        total = total_of(draft)
        tenders = _tenders(rng, total, n)
        sale = Sale(receipt=draft.receipt, sold_at=sold_at, lines=draft.lines, tenders=tenders,
                    gift_receipt=rng.random() < 0.04, discount=sale_discount, promotions=draft.promotions,
                    store_id=store_id)
        customer = f"C{rng.randrange(1, 401):05d}" if rng.random() < 0.35 else None
        sales.append(_row(sale, currency, customer, register=rng.choice(("R1", "R2")), tags_json=tags_json))
        total_lines += len(lines)
        if returns and rng.random() < 0.04 and len(kept) < 1000:
            kept.append(sale)
        if len(sales) >= batch:
            with store.write() as c:
                st.insert_sales(c, sales)
            sales = []
            if progress:
                progress(n, receipts)
    if sales:
        with store.write() as c:
            st.insert_sales(c, sales)
    if progress:
        progress(receipts, receipts)

    if staff:
        from pos_returns.services.counter import Counter
        counter = Counter(store, policy, register="R1", clock=lambda: datetime.combine(today, time(9)))
        for staff_id, name, role, pin in DEMO_STAFF:
            if st.get_staff(store, staff_id) is None:
                counter.add_staff(staff_id, name, role, pin)
    recorded = _earlier_returns(store, policy, kept, rng, today) if returns else 0
    with store.write() as c:
        st.mark_demo(c, complete=True)  # the last step: a build stopped before it is built again on the next start
    return DemoResult(receipts, total_lines, recorded)


def _line(number: int, product: tuple, price: Money, discount: Money, tax_rate: str, *, qty: int = 1,
          serial: str | None = None) -> SaleLine:
    sku, name, category, _price, tags = product
    return SaleLine(line=number, sku=sku, name=name, category=category, qty=qty, unit_price=price,
                    discount=discount, tax_rate=Decimal(tax_rate), tags=frozenset(tags), serial=serial)


def _tenders(rng: random.Random, total: Money, n: int) -> tuple[Tender, ...]:
    roll = rng.random()
    last4 = f"{rng.randrange(10000):04d}"
    if roll < 0.45:
        return (Tender("credit", total, last4),)
    if roll < 0.65:
        return (Tender("debit", total, last4),)
    if roll < 0.83:
        return (Tender("cash", total),)
    if roll < 0.88:
        return (Tender("check", total),)
    gift = total.min(Money.parse("50.00", total.currency))
    rest = total - gift
    parts = [Tender("gift_card", gift)]
    if not rest.is_zero():
        parts.append(Tender("credit", rest, last4))
    return tuple(parts)


def _row(sale: Sale, currency: str, customer: str | None, register: str,
         tags_json: dict[frozenset, str] | None = None) -> dict:
    tags_json = {} if tags_json is None else tags_json
    for ln in sale.lines:
        if ln.tags not in tags_json:
            tags_json[ln.tags] = json.dumps(sorted(ln.tags))
    return {
        "receipt": sale.receipt, "store_id": sale.store_id, "register": register, "sold_at": st.iso(sale.sold_at),
        "currency": currency, "gift_receipt": sale.gift_receipt,
        "discount": sale.discount.minor() if sale.discount else 0, "customer_id": customer,
        "barcode": sale.receipt.replace("-", ""),
        "lines": [{"line": ln.line, "sku": ln.sku, "name": ln.name, "category": ln.category, "qty": ln.qty,
                   "unit_price": ln.unit_price.minor(), "discount": ln.discount.minor(), "tax_rate": str(ln.tax_rate),
                   "tags": tags_json[ln.tags], "serial": ln.serial} for ln in sale.lines],
        "tenders": [{"type": t.type, "amount": t.amount.minor(), "last4": t.last4} for t in sale.tenders],
        "promotions": [{"id": p.id, "lines": list(p.lines), "discount": p.discount.minor()} for p in sale.promotions],
    }


def _earlier_returns(store: st.Database, policy: Policy, sales: list[Sale], rng: random.Random, today: date) -> int:
    """Record returns a few days after some sales, through the same services the counter uses."""
    from pos_returns.services.counter import AuthError, Counter, NotRecordable

    recorded = 0
    plans = []
    # the demo's cashiers sign in (with their demo PINs) like anyone recording a return
    pins = {staff_id: pin for staff_id, _name, role, pin in DEMO_STAFF if role == "cashier"}
    signer = Counter(store, policy, register="R1", clock=lambda: datetime.combine(today, time(9)))
    if any(st.get_staff(store, staff_id) is None for staff_id in pins):
        return 0  # no demo staff here: the demo's earlier returns are left out
    try:
        sessions = [signer.sign_in(staff_id, pins[staff_id]) for staff_id in ("c1", "c2")]
    except AuthError:
        return 0  # no demo staff here: the demo's earlier returns are left out
    for sale in sales:
        line = rng.choice(sale.lines)
        when = sale.sold_at + timedelta(days=rng.randrange(1, 20), hours=rng.randrange(0, 5))
        if when.date() >= today:
            continue
        plans.append((when, sale, line))
    for when, sale, line in sorted(plans, key=lambda p: p[0]):
        counter = Counter(store, policy, register="R1", clock=lambda w=when: w)
        fresh = counter.lookup(sale.receipt)
        request = Request(type="return", lines=(RequestLine(
            line=line.line, qty=1, condition=rng.choice(("unopened", "unopened", "opened")),
            reason=rng.choice(("changed_mind", "wrong_size", "not_as_described")), serial=line.serial),))
        pending = counter.prepare(rng.choice(sessions), fresh, request)
        if pending.decision.outcome != "approved":
            continue  # the demo's earlier returns are the plain ones; exceptions are left for the user
        try:
            counter.commit(pending)
            recorded += 1
        except NotRecordable:
            continue
    return recorded
