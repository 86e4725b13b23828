"""Paperwork: every document of recorded transactions, in the four languages, checked as PDF text.

Needs poppler-utils (pdftotext, pdffonts, pdftoppm), a TrueType CJK font (fonts-wqy-zenhei or
fonts-droid-fallback) and DejaVu (fonts-dejavu-core); zbar-tools (zbarimg) to decode the barcodes, else
the barcode's value is checked on the document model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.dates import format_datetime

from casekit import need_tool
from pos_returns.documents import fonts
from pos_returns.documents import paperwork as documents
from pos_returns.services import paperwork
from pos_returns.services import paperwork as printing
from pos_returns import i18n
from pos_returns.services import counter as services
from pos_returns.storage import store as st
from pos_returns.services.importer import import_file
from pos_returns.services.settlement import with_payment
from pos_returns.domain.model import Customer, ExchangeItem, NoReceiptItem, Request, RequestLine
from pos_returns.domain.money import Money
from pos_returns.domain.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies.toml"
NOW = datetime(2026, 1, 10, 15, 0)
LANGS = ("en", "vi", "cs", "zh_Hant")
CUSTOMER_ID = "D98765432"

SALES = {
    "products": [
        {"sku": "TOWEL", "name": "Bath towel Žluťoučký", "category": "home", "price": "19.99", "tax_rate": "0.0725"},
        {"sku": "JACKET", "name": "Rain jacket", "category": "apparel", "price": "129.00", "tax_rate": "0.0725"},
    ],
    "sales": [
        {"receipt": "0001-900001", "sold_at": "2026-01-05T11:20:00", "register": "R2",
         "lines": [{"line": 1, "sku": "JEANS", "name": "Slim jeans", "category": "apparel", "qty": 2,
                    "unit_price": "49.99", "tax_rate": "0.0725"},
                   {"line": 2, "sku": "TSHIRT", "name": "Cotton T-shirt", "category": "apparel", "qty": 1,
                    "unit_price": "14.99", "tax_rate": "0.0725"}],
         "tenders": [{"type": "credit", "amount": "123.30", "last4": "4242"}]},
        {"receipt": "0001-900002", "sold_at": "2026-01-02T10:00:00",
         "lines": [{"line": 1, "sku": "TV55", "name": "55-inch 4K TV", "category": "electronics", "qty": 1,
                    "unit_price": "499.99", "tax_rate": "0.0725", "tags": ["serialized"], "serial": "SN777"}],
         "tenders": [{"type": "debit", "amount": "536.24", "last4": "1881"}]},
        {"receipt": "0001-900003", "sold_at": "2026-01-03T17:45:00",
         "lines": [{"line": 1, "sku": "SNEAKER", "name": "Running shoes", "category": "apparel", "qty": 1,
                    "unit_price": "89.99", "tax_rate": "0.0725"}],
         "tenders": [{"type": "cash", "amount": "96.51"}]},
    ],
}


# ----------------------------------------------------------------------------- tools

need = need_tool  # skips where a tool is missing, fails under CI=true (casekit)


def pdftext(pdf: bytes) -> str:
    need("pdftotext", "poppler-utils")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return norm(out.stdout.decode("utf-8"))


def norm(text: str) -> str:
    """Whitespace as pdftotext gives it varies (no-break and narrow spaces, line ends): one space each."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def pdffonts(pdf: bytes, tmp: Path) -> list[dict[str, str]]:
    need("pdffonts", "poppler-utils")
    f = tmp / "fonts.pdf"
    f.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(f)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in out[2:]:
        m = re.match(r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, line
        rows.append({"name": m.group(1), "type": m.group(2), "emb": m.group(4)})
    return rows


def barcodes(pdf: bytes, tmp: Path) -> list[str] | None:
    """Values of the barcodes on the page (zbarimg), or None without zbar-tools."""
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI") == "true":  # CI installs zbar-tools: decoding the printed barcode is the check
            pytest.fail("CI must decode the barcodes: zbarimg not found (Debian package zbar-tools)")
        return None
    need("pdftoppm", "poppler-utils")
    f = tmp / "bc.pdf"
    f.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(f), str(tmp / "bc")], check=True)
    values = []
    for png in sorted(tmp.glob("bc*.png")):
        out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Scode128.enable", str(png)],
                             capture_output=True, text=True)
        values += [v for v in out.stdout.splitlines() if v]
        png.unlink()
    return values


# ----------------------------------------------------------------------------- the store

def record_world(tmp: Path):
    policy = load_policy(POLICY)
    sales = tmp / "sales.json"
    sales.write_text(json.dumps(SALES), encoding="utf-8")
    store = st.open_store(tmp / "pos.db")
    import_file(store, policy, sales, NOW)
    counter = services.Counter(store, policy, register="R1", clock=lambda: NOW)
    counter.add_staff("c1", "Alice Nguyễn", "cashier", "1111")
    counter.add_staff("m1", "Marta Nováková", "manager", "9999")
    cashier = counter.sign_in("c1", "1111")
    tx = {}
    p = counter.prepare(cashier, counter.lookup("0001-900001"),
                        Request("return", lines=(RequestLine(1, 1, "unopened", "changed_mind"),)))
    tx["return"] = counter.commit(p)
    p = counter.prepare(cashier, counter.lookup("0001-900002"),
                        Request("return", lines=(RequestLine(1, 1, "unopened", "defective", "SN777"),)))
    assert p.decision.approvals, "a refund over 250.00 needs a manager"
    grant = counter.approve(p, "m1", "9999", "customer_satisfaction")
    tx["override"] = counter.commit(p, [grant])
    jacket = counter.find_product("JACKET")
    p = counter.prepare(cashier, counter.lookup("0001-900003"), Request(
        "exchange", lines=(RequestLine(1, 1, "unopened", "wrong_size"),),
        exchange_items=(ExchangeItem(jacket.sku, jacket.category, 1, jacket.price, jacket.tax_rate, jacket.name),)))
    assert p.decision.balance_due > p.decision.balance_due * 0, "the jacket costs more: the customer pays"
    tx["exchange"] = counter.commit(with_payment(p, "cash"))
    towel = counter.find_product("TOWEL")
    p = counter.prepare(cashier, None, Request("return", no_receipt_items=(NoReceiptItem(
        towel.sku, towel.category, 2, counter.lowest_price("TOWEL"), towel.tax_rate, towel.tags, "unopened",
        "unwanted_gift", towel.name),), customer=Customer(id_verified=True, id=CUSTOMER_ID)))
    tx["no_receipt"] = counter.commit(p)
    training = services.Counter(store, policy, register="R1", clock=lambda: NOW, training=True)
    p = training.prepare(cashier, training.lookup("0001-900001"),
                         Request("return", lines=(RequestLine(2, 1, "unopened", "changed_mind"),)))
    tx["training"] = training.commit(p)
    return store, policy, tx


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paperwork")
    store, policy, tx = record_world(tmp)
    yield store, policy, tx
    store.close()


# (transaction, document) pairs every language is checked with
CASES = [("return", "receipt"), ("return", "store-copy"), ("exchange", "receipt"), ("exchange", "store-copy"),
         ("no_receipt", "receipt"), ("no_receipt", "no-receipt-form"), ("no_receipt", "store-copy"),
         ("override", "override"), ("override", "receipt"), ("training", "receipt")]

EN_TITLES = {"receipt": {"return": "Return receipt", "exchange": "Exchange receipt", "no_receipt": "Return receipt",
                         "override": "Return receipt", "training": "Return receipt"},
             "store-copy": "STORE COPY", "no-receipt-form": "Return without receipt", "override": "Manager override"}


# ----------------------------------------------------------------------------- fonts

@pytest.mark.parametrize("lang", LANGS)
def test_a_truetype_font_covers_each_language(lang):
    chosen = fonts.fonts_for(lang)
    font = chosen.files[0]
    assert fonts.outline_kind(font.path, font.index) == "truetype"
    assert fonts.covers(font, fonts.SAMPLES[lang]), fonts.missing_chars(font, fonts.SAMPLES[lang])


def test_cff_font_setting_is_refused(tmp_path, monkeypatch):
    otf = tmp_path / "cff.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 64)
    monkeypatch.setenv(fonts.ENV_FONT, str(otf))
    with pytest.raises(fonts.FontMissing, match="not a TrueType"):
        fonts.fonts_for("en")


def test_font_setting_names_a_truetype_file_used_first(monkeypatch):
    dejavu = fonts.fonts_for("cs").files[0]
    monkeypatch.setenv(fonts.ENV_FONT, dejavu.path)
    assert fonts.fonts_for("vi").files[0].path == dejavu.path


def test_no_font_for_a_language_says_what_to_install(monkeypatch):
    fonts._fonts_for.cache_clear()
    monkeypatch.setattr(fonts, "candidates", lambda lang, explicit=None: [])
    try:
        with pytest.raises(fonts.FontMissing) as info:
            fonts.fonts_for("zh_Hant")
    finally:
        fonts._fonts_for.cache_clear()
    message = str(info.value)
    assert "Chinese (Traditional)" in message and fonts.ENV_FONT in message
    if Path("/etc/debian_version").exists():
        assert "fonts-wqy-zenhei" in message


def test_characters_outside_the_language_come_from_a_fallback_font():
    chosen = fonts.fonts_for("cs", "信義生活百貨 Příliš")
    names = {name for name, _text, _bold in chosen.runs("信義 Příliš")}
    assert len(names) == 2, "Czech letters and Chinese characters each from a font that has them"


# ----------------------------------------------------------------------------- documents

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,kind", CASES)
def test_document(world, tmp_path, name, kind, lang):
    store, policy, tx = world
    t = tx[name]
    pdf = paperwork.document_pdf(store, t.txno, kind, lang, locale=policy.store.locale)
    assert pdf.startswith(b"%PDF")
    text = pdftext(pdf)
    money = lambda m: norm(i18n.format_money(m, lang, policy.store.locale))  # noqa: E731

    assert t.txno in text
    assert "Main Street General" in text
    assert norm(format_datetime(NOW, "medium", locale=i18n.LANGUAGES[lang])) in text
    assert money(t.decision.refund_total) in text
    for tender in t.decision.refund_tenders:
        assert money(tender.amount) in text
        if tender.last4:
            assert f"****{tender.last4}" in text
    for line in t.decision.lines:
        assert money(line.tax) in text
        for rule in line.rules:
            assert rule in text
    if t.case.sale is not None:
        assert t.case.sale.receipt in text
    if name == "exchange":
        assert money(t.decision.exchange_total) in text and money(t.decision.balance_due) in text
        if kind == "receipt":  # the new rain jacket, 129.00 at 7.25%: its tax of 9.35 (hand-checked) is shown
            assert money(Money.parse("9.35", "USD")) in text
            if lang == "en":
                assert "tax $9.35" in text and "Paid by Cash" in text
    if name == "override":
        assert "m1" in text and "approval.large_refund" in text
    assert "Alice Nguyễn" in text, "non-ASCII text from the store's data renders"
    if lang == "zh_Hant":
        assert "年" in text and "月" in text, "the Babel date in Chinese renders"
    assert t.entry.short_hash in text

    # privacy: no card number longer than 4 digits, no full customer ID
    assert not re.search(r"\d{5,}4242|\d{5,}1881", text)
    assert CUSTOMER_ID not in text and CUSTOMER_ID[1:] not in text and CUSTOMER_ID[-6:] not in text
    if name == "no_receipt" and kind != "override":
        assert "****5432" in text

    # markers
    if lang == "en":
        title = EN_TITLES[kind][name] if isinstance(EN_TITLES[kind], dict) else EN_TITLES[kind]
        assert title in text
        assert "DUPLICATE" not in text
        assert ("TRAINING" in text) == (name == "training")
        if kind in ("store-copy", "no-receipt-form"):
            assert "Customer signature" in text
        if kind == "override":
            assert "Manager signature" in text
    else:  # until the catalogs translate them, the marker words may be English or not
        record = paperwork.load_transaction(store, t.txno, policy.store.locale)
        model = documents.BUILDERS[kind](record, lang, 1)
        banners = [e.text for e in model.elements if isinstance(e, documents.Banner)]
        assert len(banners) == (name == "training") + (kind == "store-copy")
        if name != "training":
            assert "TRAINING" not in text

    # every font embedded (TrueType subsets), no standard-14 font
    used = pdffonts(pdf, tmp_path)
    assert used and all(f["emb"] == "yes" for f in used), used
    assert all("TrueType" in f["type"] for f in used), used

    # the barcode is the transaction number
    values = barcodes(pdf, tmp_path)
    if values is None:
        tx_doc = documents.BUILDERS[kind](paperwork.load_transaction(store, t.txno, policy.store.locale), lang, 1)
        assert tx_doc.barcode_value == t.txno
        assert any(isinstance(e, documents.Barcode) and e.value == t.txno for e in tx_doc.elements)
    else:
        assert values == [t.txno]


def test_roll_is_80mm_wide_and_as_tall_as_its_content(world):
    store, policy, tx = world
    heights = []
    for name in ("return", "no_receipt"):
        pdf = paperwork.document_pdf(store, tx[name].txno, "store-copy", "en")
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert box, "a MediaBox"
        assert abs(float(box.group(1)) - 80 * 72 / 25.4) < 0.5
        heights.append(float(box.group(2)))
    assert all(200 < h < 2000 for h in heights)


def test_reprints_say_duplicate_with_a_copy_number_and_are_recorded(world, tmp_path):
    store, policy, tx = world
    txno = tx["return"].txno
    first = printing.render_document(store, txno, "receipt", "en", folder=tmp_path)
    assert first.copy == 1 and "DUPLICATE" not in pdftext(first.pdf)
    second = printing.render_document(store, txno, "receipt", "en", reprint=True, actor="c1", now=NOW, folder=tmp_path)
    third = printing.render_document(store, txno, "receipt", "cs", reprint=True, actor="c1", now=NOW, folder=tmp_path)
    assert (second.copy, third.copy) == (2, 3)
    assert "DUPLICATE - copy 2" in pdftext(second.pdf)
    assert "3" in pdftext(third.pdf) and third.path.exists() and second.path.exists()
    events = store.query("SELECT actor, detail FROM events WHERE kind = 'reprint' AND txno = ?", (txno,))
    assert [json.loads(e["detail"])["copy"] for e in events] == [2, 3]
    assert all(e["actor"] == "c1" for e in events)
    # another document of the same transaction counts its own copies
    other = printing.render_document(store, txno, "store-copy", "en", reprint=True, now=NOW, folder=tmp_path)
    assert other.copy == 2


def test_pdfs_are_kept_next_to_the_database(world):
    store, policy, tx = world
    done = printing.render_document(store, tx["exchange"].txno, "receipt", "vi")
    assert done.path.parent == Path(store.path).resolve().parent / "paperwork"
    assert done.path.read_bytes() == done.pdf


def test_loaded_from_the_database_alone(world):
    store, policy, tx = world
    with st.open_store(store.path, create=False) as fresh:
        record = paperwork.load_transaction(fresh, tx["exchange"].txno)
    t = tx["exchange"]
    assert record.refund_total == t.decision.refund_total and record.exchange_total == t.decision.exchange_total
    assert record.balance_due == t.decision.balance_due and record.receipt == "0001-900003"
    assert [i.sku for i in record.new_items] == ["JACKET"]
    assert record.locale == "en_US"  # from the currency when the database does not say
    assert record.short_hash == t.entry.short_hash


def test_a_reprint_shows_the_names_recorded_with_the_entry(tmp_path):
    """Staff names come from the journal entry's payload, not today's staff table: renamed later, the reprint
    still shows the name of the day."""
    store, policy, tx = record_world(tmp_path)
    try:
        with store.write() as c:  # a later rename (marriage, a typo fixed)
            c.execute("UPDATE staff SET name = 'Alice Renamed' WHERE id = 'c1'")
            c.execute("UPDATE staff SET name = 'Marta Renamed' WHERE id = 'm1'")
        record = paperwork.load_transaction(store, tx["override"].txno)
        assert record.cashier_name == "Alice Nguyễn"
        assert [a.manager_name for a in record.approvals] == ["Marta Nováková"]
        text = pdftext(printing.render_document(store, tx["override"].txno, "override", "en", reprint=True,
                                                now=NOW, folder=tmp_path).pdf)
        assert "Alice Nguyễn" in text and "Marta Nováková" in text and "Renamed" not in text
    finally:
        store.close()


def test_documents_a_transaction_does_not_have_are_refused(world):
    store, policy, tx = world
    with pytest.raises(paperwork.PaperworkError):
        paperwork.document_pdf(store, tx["return"].txno, "no-receipt-form", "en")
    with pytest.raises(paperwork.PaperworkError):
        paperwork.document_pdf(store, tx["return"].txno, "override", "en")
    with pytest.raises(st.NotFound):
        paperwork.document_pdf(store, "0001-R9-999999", "receipt", "en")
    assert paperwork.documents_for(paperwork.load_transaction(store, tx["no_receipt"].txno)) == \
        ("receipt", "store-copy", "no-receipt-form")
    assert "override" in paperwork.documents_for(paperwork.load_transaction(store, tx["override"].txno))


@pytest.mark.parametrize("lang", LANGS)
def test_end_of_day_report(world, tmp_path, lang):
    store, policy, tx = world
    pdf = paperwork.day_report_pdf(store, date(2026, 1, 10), lang, locale=policy.store.locale)
    text = pdftext(pdf)
    assert re.search(rb"/MediaBox \[\s*0 0 595\.\d+ 841\.\d+", pdf), "A4"
    for name in ("return", "override", "exchange", "no_receipt", "training"):
        assert tx[name].txno in text
    money = lambda m: norm(i18n.format_money(m, lang, policy.store.locale))  # noqa: E731
    real = [tx[n] for n in ("return", "override", "exchange", "no_receipt")]
    total = sum((t.amount for x in real for t in x.decision.refund_tenders), Money.zero("USD"))
    assert money(total) in text
    by_tender: dict[str, Money] = {}
    for x in real:
        for t in x.decision.refund_tenders:
            by_tender[t.type] = by_tender.get(t.type, Money.zero("USD")) + t.amount
    for amount in by_tender.values():
        assert money(amount) in text
    with_training = total + tx["training"].decision.refund_total
    assert money(with_training) not in text, "training is never in the totals"
    if lang == "en":
        assert "TRAINING" in text and "Refunds by tender" in text
    assert all(f["emb"] == "yes" for f in pdffonts(pdf, tmp_path))


LONG_CASHIER = "assistant-store-manager"
LONG_MANAGER = "regional-supervisor-novakova"


@pytest.fixture(scope="module")
def long_names(tmp_path_factory):
    """A day recorded by staff with long ids (the day report shows ids) and names."""
    policy = load_policy(POLICY)
    tmp = tmp_path_factory.mktemp("long-names")
    sales = tmp / "sales.json"
    sales.write_text(json.dumps(SALES), encoding="utf-8")
    with st.open_store(tmp / "pos.db") as store:
        import_file(store, policy, sales, NOW)
        counter = services.Counter(store, policy, register="R1", clock=lambda: NOW)
        counter.add_staff(LONG_CASHIER, "Alexandra Konstantinopolská-Nguyễnová", "cashier", "1111")
        counter.add_staff(LONG_MANAGER, "Maximiliána Vyšehradská", "manager", "9999")
        cashier = counter.sign_in(LONG_CASHIER, "1111")
        counter.commit(counter.prepare(cashier, counter.lookup("0001-900001"),
                                       Request("return", lines=(RequestLine(1, 1, "unopened", "changed_mind"),))))
        p = counter.prepare(cashier, counter.lookup("0001-900002"),
                            Request("return", lines=(RequestLine(1, 1, "unopened", "defective", "SN777"),)))
        counter.commit(p, [counter.approve(p, LONG_MANAGER, "9999", "customer_satisfaction")])
        yield store, policy


@pytest.mark.parametrize("lang", ("en", "cs"))
def test_day_report_never_breaks_a_word(long_names, lang):
    """Headers, staff ids and rule ids of the A4 day report come out of the PDF as whole words ("Manager", not
    "Manage r"), however narrow their column."""
    store, policy = long_names
    pdf = paperwork.day_report_pdf(store, date(2026, 1, 10), lang, locale=policy.store.locale)
    tokens = set(pdftext(pdf).replace(",", " ").split())
    _ = i18n.translations(lang).gettext
    headers = ("Time", "Transaction", "Type", "Cashier", "Original receipt", "Returned", "New items", "Refunded to",
               "Manager", "Rules", "Hash", "Tender", "Amount")
    expected = {w for h in headers for w in _(h).split()} | {LONG_CASHIER, LONG_MANAGER, "approval.large_refund"}
    assert expected <= tokens, sorted(expected - tokens)


def test_day_report_repeats_the_table_header_on_every_page(world):
    """Documents take plain records: a day of 150 transactions, built without a database, spans pages, and each
    page starts the table with its header row."""
    import dataclasses
    store, policy, tx = world
    one = paperwork.load_transaction(store, tx["return"].txno, policy.store.locale)
    many = tuple(dataclasses.replace(one, txno=f"0001-R1-{n:06d}") for n in range(1, 151))
    report = documents.DayReport(NOW.date(), "0001", "Main Street General", "USD", "en_US", many, (),
                                 {"credit": sum((r.refund_total for r in many), Money.zero("USD"))}, None)
    pdf = documents.day_report_pdf(report, "en")
    need("pdfinfo", "poppler-utils")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages >= 3
    for page in range(1, pages + 1):
        out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                             capture_output=True, check=True).stdout.decode("utf-8")
        if "0001-R1-" in out:
            assert "Transaction" in out and "Refunded to" in out, f"page {page} has no header row"
    assert "0001-R1-000150" in pdftext(pdf)


# ----------------------------------------------------------------------------- example stores: money per locale

EXAMPLES = [("hanoi", "01-phone-opened-fee.json"), ("prague", "03-electronics-opened-fee.json"),
            ("taipei", "01-apparel-within-7-days.json")]


@pytest.mark.parametrize("example,scenario", EXAMPLES)
def test_example_store_paperwork_in_its_language_and_money(tmp_path, example, scenario):
    policy = load_policy(ROOT / "examples" / example / "policies.toml")
    case = json.loads((ROOT / "examples" / example / "scenarios" / scenario).read_text(encoding="utf-8"))
    now = datetime.fromisoformat(case["now"])
    sales = tmp_path / "sales.json"
    sales.write_text(json.dumps({"sales": [case["sale"]]}, ensure_ascii=False), encoding="utf-8")
    with st.open_store(tmp_path / "pos.db") as store:
        import_file(store, policy, sales, now)
        counter = services.Counter(store, policy, register="R1", clock=lambda: now)
        counter.add_staff("c1", "Trần Thị Hoa", "cashier", "1111")
        cashier = counter.sign_in("c1", "1111")
        sale = counter.lookup(case["sale"]["receipt"])
        pending = counter.prepare(cashier, sale, services.request_from_json(policy, case, sale, now))
        t = counter.commit(pending)
        lang = policy.store.language
        for kind in ("receipt", "store-copy"):
            pdf = paperwork.document_pdf(store, t.txno, kind, lang, locale=policy.store.locale)
            text = pdftext(pdf)
            assert norm(policy.store.name) in text, "the store's name in its own script"
            assert norm(i18n.format_money(t.decision.refund_total, lang, policy.store.locale)) in text
            assert norm(format_datetime(now, "medium", locale=i18n.LANGUAGES[lang])) in text
            assert t.txno in text and case["sale"]["receipt"] in text
            assert "Trần Thị Hoa" in text
        # the database alone knows the currency; the locale comes from it when not given
        record = paperwork.load_transaction(store, t.txno)
        assert record.locale == policy.store.locale


# ----------------------------------------------------------------------------- command line

def _parser():
    from pos_returns.cli import paperwork as cli_paperwork
    parser = argparse.ArgumentParser(prog="pos_returns")
    sub = parser.add_subparsers(dest="command")

    def with_db(p):
        p.add_argument("--db", default=None)
        return p

    cli_paperwork.register(sub, with_db)
    return parser


def test_cli_paperwork_writes_the_pdf(world, tmp_path, capsys):
    store, policy, tx = world
    out = tmp_path / "r.pdf"
    args = _parser().parse_args(["paperwork", tx["override"].txno, "--doc", "override", "--lang", "cs", "--out",
                                 str(out), "--db", str(store.path)])
    assert args.func(args) == 0
    assert tx["override"].txno in pdftext(out.read_bytes())
    args = _parser().parse_args(["paperwork", tx["return"].txno, "--doc", "no-receipt-form", "--out",
                                 str(out), "--db", str(store.path)])
    assert args.func(args) == 2
    assert "not a return without a receipt" in capsys.readouterr().err
    day = tmp_path / "day.pdf"
    args = _parser().parse_args(["report-day", "--date", "2026-01-10", "--lang", "zh_Hant", "--out", str(day),
                                 "--db", str(store.path)])
    assert args.func(args) == 0 and tx["exchange"].txno in pdftext(day.read_bytes())


def test_paperwork_command_is_wired_into_main(world, tmp_path):
    from pos_returns.cli import main as cli
    parser = cli.build_parser()
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert "paperwork" in choices, "the paperwork command is not wired into cli.build_parser"
    store, policy, tx = world
    out = tmp_path / "main.pdf"
    assert cli.main(["paperwork", tx["return"].txno, "--doc", "receipt", "--lang", "vi", "--out", str(out),
                     "--db", str(store.path)]) == 0
    assert tx["return"].txno in pdftext(out.read_bytes())


def test_exchange_receipt_of_a_store_whose_prices_include_tax_shows_the_new_items_tax_part(tmp_path):
    """Prague (prices include 21% DPH): the opened headphones (2 490,00, fee 249,00) go back for headphones of
    3 630,00, whose tax part is 3 630 x 0,21 / 1,21 = 630,00 (hand-checked); the customer owes
    3 630,00 - 2 241,00 = 1 389,00 and pays it by card."""
    policy = load_policy(ROOT / "examples" / "prague" / "policies.toml")
    case = json.loads((ROOT / "examples" / "prague" / "scenarios" / "03-electronics-opened-fee.json")
                      .read_text(encoding="utf-8"))
    case["request"] = dict(case["request"], type="exchange", exchange_items=[
        {"sku": "SLUCH-ANC", "name": "Sluchátka ANC", "category": "electronics", "qty": 1, "unit_price": "3630.00",
         "tax_rate": "0.21"}])
    now = datetime.fromisoformat(case["now"])
    sales = tmp_path / "sales.json"
    sales.write_text(json.dumps({"sales": [case["sale"]]}, ensure_ascii=False), encoding="utf-8")
    with st.open_store(tmp_path / "pos.db") as store:
        import_file(store, policy, sales, now)
        counter = services.Counter(store, policy, register="R1", clock=lambda: now)
        counter.add_staff("c1", "Jana Dvořáková", "cashier", "1111")
        cashier = counter.sign_in("c1", "1111")
        sale = counter.lookup(case["sale"]["receipt"])
        pending = counter.prepare(cashier, sale, services.request_from_json(policy, case, sale, now))
        assert pending.decision.balance_due == Money.parse("1389.00", "CZK")
        t = counter.commit(with_payment(pending, "card"))
        text = pdftext(paperwork.document_pdf(store, t.txno, "receipt", "cs", locale=policy.store.locale))
    assert "Sluchátka ANC" in text
    assert "Sluchátka ANC" in text and "vč. DPH 630,00" in text, "the new item's tax, as part of its price"
    assert norm("1\u00a0389,00\u00a0Kč") in text
