"""import-sales: whole files or nothing, errors that say where, no double imports, no card numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.storage import store as st
from pos_returns.services.importer import SalesImportError, import_file

PAN = "4111111111111111"
HEADER = "receipt,sold_at,line,sku,name,category,qty,unit_price,tax_rate,tenders\n"
SOLD = h.SOLD.isoformat()


@pytest.fixture
def store(tmp_path):
    with st.open_store(tmp_path / "import.db") as s:
        yield s


def counts(store: st.Database) -> dict[str, int]:
    with h.raw(store.path) as conn:
        return h.table_counts(conn)


def sales_file(path: Path, sales: list[dict], **extra) -> Path:
    path.write_text(json.dumps({"sales": sales, **extra}, indent=1), encoding="utf-8")
    return path


def csv_row(receipt: str, *, line: str = "1", qty: str = "1", price: str = "49.99", category: str = "apparel",
            tenders: str = "credit:53.61:4242") -> str:
    return f"{receipt},{SOLD},{line},JEANS,Slim jeans,{category},{qty},{price},0.0725,{tenders}\n"


def import_errors(store, path) -> list[str]:
    with pytest.raises(SalesImportError) as info:
        import_file(store, h.policy(), path, h.NOW)
    return info.value.problems


# ----------------------------------------------------------------------------- good files

def test_json_import_reads_sales_products_and_customers(store, tmp_path):
    path = h.write_sales_json(tmp_path / "s.json", {h.JEANS: h.SALES[h.JEANS], h.SHIRT: h.SALES[h.SHIRT]},
                              products=h.PRODUCTS, customers=[{"id": "K1", "name": "Kim", "tier": "member"}])
    result = import_file(store, h.policy(), path, h.NOW)
    assert (result.added, result.skipped, result.already_imported, result.products) == (2, 0, False, 4)
    sale = st.load_sale(store, h.SHIRT, "USD")
    assert [(ln.line, ln.sku, ln.qty, ln.unit_price.plain()) for ln in sale.lines] == \
        [(1, "TSHIRT", 1, "14.99"), (2, "JEANS", 1, "49.99")]
    assert [(t.type, t.amount.plain(), t.last4) for t in sale.tenders] == [("credit", "69.69", "4242")]
    assert sale.sold_at == h.SOLD
    assert store.one("SELECT price FROM products WHERE sku = 'JACKET'")["price"] == 12900
    assert store.one("SELECT tier FROM customers WHERE id = 'K1'")["tier"] == "member"
    event = store.one("SELECT * FROM events WHERE kind = 'import'")
    assert json.loads(event["detail"])["added"] == 2


def test_csv_import_groups_rows_into_sales(store, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + csv_row("0001-500001", tenders="")
                    + "0001-500001," + SOLD + ",2,TSHIRT,Cotton T-shirt,apparel,2,14.99,0.0725,"
                    "credit:50.00:4242|cash:35.76\n" + csv_row("0001-500002"), encoding="utf-8")
    result = import_file(store, h.policy(), path, h.NOW)
    assert (result.added, result.skipped) == (2, 0)
    sale = st.load_sale(store, "0001-500001", "USD")
    assert [(ln.sku, ln.qty) for ln in sale.lines] == [("JEANS", 1), ("TSHIRT", 2)]
    assert [(t.type, t.amount.plain(), t.last4) for t in sale.tenders] == [("credit", "50.00", "4242"),
                                                                           ("cash", "35.76", None)]


# ----------------------------------------------------------------------------- errors say where

def test_json_errors_name_the_file_and_the_place(store, tmp_path):
    good = h.sale_json("0001-500001", h.SALES[h.JEANS])
    bad = h.sale_json("0001-500002", h.SALES[h.JEANS])
    bad["lines"][0]["qty"] = "two"
    worse = h.sale_json("0001-500003", h.SALES[h.JEANS])
    worse["lines"][0]["category"] = 42  # a department the policy does not name is fine (issue 12); a number is not
    path = sales_file(tmp_path / "till.json", [good, bad, worse])
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}: sales[1].lines[0].qty:") for p in problems), problems
    assert any(p.startswith(f"{path}: sales[2].lines[0].category:") and "a number" in p for p in problems)
    assert not any("sales[0]" in p for p in problems)


def test_json_syntax_error_names_line_and_column(store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"sales": [\n  {"receipt": "x",\n  }\n]}', encoding="utf-8")
    problems = import_errors(store, path)
    assert len(problems) == 1 and problems[0].startswith(str(path)) and "line 3" in problems[0]


def test_json_float_amount_is_refused(store, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    text = json.dumps({"sales": [sale]}).replace('"unit_price": "49.99"', '"unit_price": 49.99')
    path = tmp_path / "float.json"
    path.write_text(text, encoding="utf-8")
    problems = import_errors(store, path)
    assert any("sales[0].lines[0].unit_price" in p and "string" in p for p in problems), problems


def test_csv_errors_name_the_file_and_the_row(store, tmp_path):
    path = tmp_path / "till.csv"
    path.write_text(HEADER + csv_row("0001-500001") + csv_row("0001-500002", qty="x")
                    + csv_row("0001-500003", category=" ") + csv_row("0001-500004", price="-1.00"),
                    encoding="utf-8")
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}:3: ") and "qty" in p for p in problems), problems
    assert any(p.startswith(f"{path}:4: category:") and "non-empty" in p for p in problems), problems
    assert any(p.startswith(f"{path}:5: unit_price:") for p in problems), problems
    assert not any(p.startswith(f"{path}:2:") for p in problems)


def test_a_department_the_policy_does_not_name_is_imported(store, tmp_path):
    """Issue 12: a till has departments the policy does not list; their sales import (the default rules decide
    their returns, and `policy check --sales` lists them)."""
    sale = h.sale_json("0001-500001", [("HOSE", "Garden hose", "garden", 1, "29.99")])
    result = import_file(store, h.policy(), sales_file(tmp_path / "till.json", [sale]), h.NOW)
    assert result.added == 1
    assert [ln.category for ln in st.load_sale(store, "0001-500001", "USD").lines] == ["garden"]


def test_csv_missing_and_unknown_columns_are_named(store, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("receipt,sold_at,line,sku,qty,price\n0001-1," + SOLD + ",1,JEANS,1,49.99\n", encoding="utf-8")
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}:1: missing column") and "category" in p and "unit_price" in p
               for p in problems), problems
    assert any(p.startswith(f"{path}:1: unknown column") and "price" in p for p in problems), problems


def test_unknown_extension_and_missing_file(store, tmp_path):
    other = tmp_path / "sales.txt"
    other.write_text("x", encoding="utf-8")
    assert "unknown format" in import_errors(store, other)[0]
    assert import_errors(store, tmp_path / "nope.json") == [f"{tmp_path / 'nope.json'}: file not found"]


def test_tenders_that_do_not_add_up_are_refused(store, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    sale["tenders"][0]["amount"] = "10.00"
    problems = import_errors(store, sales_file(tmp_path / "s.json", [sale]))
    assert any("sales[0].tenders" in p and "add up" in p for p in problems), problems


# ----------------------------------------------------------------------------- all or nothing

@pytest.mark.parametrize("kind", ["json", "csv"])
def test_one_bad_row_imports_nothing(store, tmp_path, kind):
    before = counts(store)
    if kind == "json":
        sales = [h.sale_json(f"0001-50000{i}", h.SALES[h.JEANS]) for i in range(1, 6)]
        sales[3]["lines"][0]["qty"] = 0
        path = sales_file(tmp_path / "s.json", sales, products=h.PRODUCTS, customers=[{"id": "K1"}])
    else:
        rows = [csv_row(f"0001-50000{i}") for i in range(1, 6)]
        rows[3] = csv_row("0001-500004", qty="0")
        path = tmp_path / "s.csv"
        path.write_text(HEADER + "".join(rows), encoding="utf-8")
    problems = import_errors(store, path)
    assert len(problems) == 1, problems
    assert counts(store) == before  # no sale, no line, no product, no customer, no import record
    assert st.count(store, "sales") == 0


def test_duplicate_receipt_within_a_file_is_refused(store, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    problems = import_errors(store, sales_file(tmp_path / "s.json", [sale, sale]))
    assert any("sales[1].receipt" in p and "twice" in p for p in problems), problems
    assert st.count(store, "sales") == 0


# ----------------------------------------------------------------------------- no double imports

@pytest.mark.parametrize("kind", ["json", "csv"])
def test_importing_the_same_file_twice_adds_nothing(store, tmp_path, kind):
    if kind == "json":
        path = h.write_sales_json(tmp_path / "s.json", products=h.PRODUCTS)
    else:
        path = tmp_path / "s.csv"
        path.write_text(HEADER + csv_row("0001-500001") + csv_row("0001-500002"), encoding="utf-8")
    first = import_file(store, h.policy(), path, h.NOW)
    assert first.added > 0 and not first.already_imported
    after_first = counts(store)
    second = import_file(store, h.policy(), path, h.NOW)
    assert (second.added, second.already_imported) == (0, True)
    assert counts(store) == after_first


def test_receipt_already_present_is_skipped_and_kept_as_it_was(store, tmp_path):
    first = h.write_sales_json(tmp_path / "a.json", {h.JEANS: h.SALES[h.JEANS]})
    assert import_file(store, h.policy(), first, h.NOW).added == 1
    changed = h.sale_json(h.JEANS, [("JACKET", "Rain jacket", "apparel", 1, "129.00")])
    new = h.sale_json(h.SHIRT, h.SALES[h.SHIRT])
    result = import_file(store, h.policy(), sales_file(tmp_path / "b.json", [changed, new]), h.NOW)
    assert (result.added, result.skipped, result.already_imported) == (1, 1, False)
    assert [ln.sku for ln in st.load_sale(store, h.JEANS, "USD").lines] == ["JEANS"]
    assert st.count(store, "sales") == 2
    assert store.one("SELECT COUNT(*) AS n FROM sale_lines WHERE receipt = ?", (h.JEANS,))["n"] == 1


# ----------------------------------------------------------------------------- card numbers

def test_full_card_number_is_refused_in_json(store, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    sale["tenders"][0]["last4"] = PAN
    path = sales_file(tmp_path / "pan.json", [sale])
    problems = import_errors(store, path)
    assert any("sales[0].tenders[0].last4" in p and "last 4" in p for p in problems), problems
    assert not any(PAN in p for p in problems)  # the error does not repeat the card number
    assert st.count(store, "sales") == 0
    assert PAN.encode() not in h.db_bytes(store.path)


def test_full_card_number_is_refused_in_csv(store, tmp_path):
    path = tmp_path / "pan.csv"
    path.write_text(HEADER + csv_row("0001-500001") + csv_row("0001-500002", tenders=f"credit:53.61:{PAN}"),
                    encoding="utf-8")
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}:3:") and "last4" in p for p in problems), problems
    assert not any(PAN in p for p in problems)
    assert st.count(store, "sales") == 0
    assert PAN.encode() not in h.db_bytes(store.path)


@pytest.mark.parametrize("cell", [PAN, f"credit:53.61:{PAN[:4]}:{PAN[4:]}"])
def test_card_number_in_a_malformed_tender_is_not_echoed(store, tmp_path, cell):
    """DESIGN: card data, last 4 digits at most, anywhere -- including the import's error messages."""
    path = tmp_path / "pan.csv"
    path.write_text(HEADER + csv_row("0001-500001", tenders=cell), encoding="utf-8")
    problems = import_errors(store, path)
    assert problems
    assert not any(PAN in p or PAN[4:] in p for p in problems), problems
    assert st.count(store, "sales") == 0


# ----------------------------------------------------------------------------- the documented examples

def _doc_example(kind: str) -> str:
    text = (h.ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split(f"```{kind}\n")[1:]]
    assert len(blocks) == 1, f"expected one {kind} example in docs/import-format.md"
    return blocks[0]


def test_documented_json_example_imports(store, tmp_path):
    path = tmp_path / "example.json"
    path.write_text(_doc_example("json"), encoding="utf-8")
    result = import_file(store, h.policy(), path, h.NOW)
    assert (result.added, result.products) == (1, 1)
    sale = st.load_sale(store, "4000000001234", "USD")  # found by its barcode
    assert sale.receipt == "0001-000123" and len(sale.lines) == 2
    row = store.one("SELECT * FROM customers WHERE id = 'K17'")
    assert row["id_last4"] == "4567" and row["id_hash"] and b"D1234567" not in h.db_bytes(store.path)


def test_documented_csv_example_imports(store, tmp_path):
    path = tmp_path / "example.csv"
    path.write_text(_doc_example("csv"), encoding="utf-8")
    result = import_file(store, h.policy(), path, h.NOW)
    assert result.added == 2
    sale = st.load_sale(store, "0001-000124", "USD")
    assert [(ln.sku, ln.qty, ln.discount.plain()) for ln in sale.lines] == [("JEANS", 1, "0.00"),
                                                                            ("TSHIRT", 2, "2.00")]
    assert [(t.type, t.amount.plain(), t.last4) for t in sale.tenders] == [("credit", "60.00", "4242"),
                                                                           ("cash", "23.62", None)]


# ----------------------------------------------------------------------------- nonsense is refused (issue 10, item 4)

def json_errors(store, tmp_path, change, name="s.json") -> list[str]:
    """Import one good sale changed by ``change``; expect a refusal that imported nothing."""
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    change(sale)
    before = counts(store)
    problems = import_errors(store, sales_file(tmp_path / name, [h.sale_json("0001-500009", h.SALES[h.JEANS]),
                                                                 sale], products=h.PRODUCTS))
    assert counts(store) == before  # nothing half-imported: not even the good sale or the products
    return problems


def csv_errors(store, tmp_path, rows: str) -> list[str]:
    path = tmp_path / "till.csv"
    path.write_text(HEADER + csv_row("0001-500009") + rows, encoding="utf-8")
    before = counts(store)
    problems = import_errors(store, path)
    assert counts(store) == before
    return problems


@pytest.mark.parametrize("tenders", ["paid", "none"])
def test_sale_discount_larger_than_the_sale_is_refused(store, tmp_path, tenders):
    def change(sale):
        sale["discount"] = "60.00"  # the jeans are 49.99
        if tenders == "none":
            sale["tenders"] = []
    problems = json_errors(store, tmp_path, change)
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].discount:") and "more than the sale" in p
               for p in problems), problems


def test_csv_sale_discount_larger_than_the_sale_names_the_rows(store, tmp_path):
    path = tmp_path / "till.csv"
    path.write_text("receipt,sold_at,line,sku,category,qty,unit_price,sale_discount,tenders\n"
                    f"0001-500001,{SOLD},1,JEANS,apparel,1,49.99,80.00,\n"
                    f"0001-500001,{SOLD},2,JEANS,apparel,1,10.00,,\n", encoding="utf-8")
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}:2-3: receipt 0001-500001: discount:") and "more than the sale" in p
               for p in problems), problems
    assert st.count(store, "sales") == 0


@pytest.mark.parametrize("amounts", [("40.00",), ("53.61", "10.00"), ("0.00",), ()])
def test_tenders_that_do_not_add_up_to_the_sale_are_refused(store, tmp_path, amounts):
    def change(sale):
        sale["tenders"] = [{"type": "cash", "amount": a} for a in amounts]
    problems = json_errors(store, tmp_path, change)
    assert any("sales[1].tenders" in p and "add up to" in p and "53.61" in p for p in problems), problems


@pytest.mark.parametrize("tenders", ["credit:50.00:4242|cash:10.00", ""])
def test_csv_tenders_that_do_not_add_up_name_the_rows(store, tmp_path, tenders):
    problems = csv_errors(store, tmp_path, csv_row("0001-500001", tenders=tenders))
    assert any(p.startswith(f"{tmp_path / 'till.csv'}:3: receipt 0001-500001: tenders:") and "add up" in p
               for p in problems), problems


@pytest.mark.parametrize("sold_at", ["2099-01-01T10:00:00", "0001-01-01T10:00:00", "1999-12-31T23:59:59"])
def test_sale_dates_out_of_range_are_refused(store, tmp_path, sold_at):
    problems = json_errors(store, tmp_path, lambda sale: sale.update(sold_at=sold_at))
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].sold_at:") and sold_at in p for p in problems), \
        problems


def test_sale_dated_tomorrow_is_refused_in_csv_but_today_is_fine(store, tmp_path):
    from datetime import timedelta
    later = (h.NOW + timedelta(days=2)).isoformat()
    path = tmp_path / "till.csv"
    path.write_text(HEADER + csv_row("0001-500009")
                    + f"0001-500001,{later},1,JEANS,Slim jeans,apparel,1,49.99,0.0725,credit:53.61:4242\n",
                    encoding="utf-8")
    problems = import_errors(store, path)
    assert any(p.startswith(f"{path}:3: receipt 0001-500001: sold_at:") for p in problems), problems
    assert len(problems) == 1, problems


NOT_ASCII = ["٤٩.٩٩", "４９.９９", "4_9.99", "49.99\u200f", "٤٩"]


@pytest.mark.parametrize("price", NOT_ASCII)
def test_amounts_with_digits_that_are_not_ascii_are_refused(store, tmp_path, price):
    problems = json_errors(store, tmp_path, lambda sale: sale["lines"][0].update(unit_price=price))
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].lines[0].unit_price:") for p in problems), problems


@pytest.mark.parametrize("field", ["amount", "tax_rate", "discount"])
def test_other_numbers_with_digits_that_are_not_ascii_are_refused(store, tmp_path, field):
    def change(sale):
        if field == "amount":
            sale["tenders"][0]["amount"] = "５３.６１"
        elif field == "tax_rate":
            sale["lines"][0]["tax_rate"] = "0.0７25"
        else:
            sale["lines"][0]["discount"] = "1_0.00"
    problems = json_errors(store, tmp_path, change)
    assert any(f".{field}:" in p for p in problems), problems


@pytest.mark.parametrize("column,value", [("qty", "١"), ("qty", "1_0"), ("line", "２"), ("unit_price", "4_9.99"),
                                          ("unit_price", "４９.９９")])
def test_csv_numbers_with_digits_that_are_not_ascii_are_refused(store, tmp_path, column, value):
    cells = {"qty": "1", "line": "1", "unit_price": "49.99", column: value}
    problems = csv_errors(store, tmp_path, f"0001-500001,{SOLD},{cells['line']},JEANS,Slim jeans,apparel,"
                                           f"{cells['qty']},{cells['unit_price']},0.0725,credit:53.61:4242\n")
    assert any(p.startswith(f"{tmp_path / 'till.csv'}:3: ") for p in problems), problems


BAD_TEXT = {"nul": "0001-5\x0000001", "rtl": "0001-\u202e100050", "isolate": "0001-\u2067500001",
            "long": "0001-" + "9" * 100, "megabyte": "R" * 1_000_000}


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_receipt_numbers_with_control_characters_or_too_long_are_refused(store, tmp_path, kind):
    value = BAD_TEXT[kind]
    problems = json_errors(store, tmp_path, lambda sale: sale.update(receipt=value))
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].receipt:") for p in problems), problems
    assert all(len(p) < 400 and "\x00" not in p and "\u202e" not in p for p in problems), problems  # not echoed


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_csv_receipt_numbers_with_control_characters_or_too_long_are_refused(store, tmp_path, kind):
    value = BAD_TEXT[kind]
    problems = csv_errors(store, tmp_path, csv_row(value))
    assert any(p.startswith(f"{tmp_path / 'till.csv'}:3: receipt:") or
               (p.startswith(f"{tmp_path / 'till.csv'}:3: the row is") and "characters long" in p)
               for p in problems), problems
    assert all(len(p) < 400 and "\x00" not in p and "\u202e" not in p for p in problems), problems


@pytest.mark.parametrize("field,value", [("sku", "JE\x00ANS"), ("sku", "JEANS\u202e"), ("sku", "J" * 65),
                                         ("name", "Slim\x00jeans"), ("name", "Slim \u202ejeans"),
                                         ("name", "n" * 1_000_000), ("serial", "SN\u2066X")])
def test_line_texts_with_control_characters_or_too_long_are_refused(store, tmp_path, field, value):
    problems = json_errors(store, tmp_path, lambda sale: sale["lines"][0].update({field: value}))
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].lines[0].{field}:") for p in problems), problems


def test_names_in_other_scripts_are_fine(store, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    sale["lines"][0]["name"] = "Quần jean ôm – 牛仔褲 – džíny"
    result = import_file(store, h.policy(), sales_file(tmp_path / "s.json", [sale]), h.NOW)
    assert result.added == 1


@pytest.mark.parametrize("qty,price", [(100000, "999999999999999"), (100000, "10000000000.00"),
                                       (2, "999999999999999")])
def test_line_totals_that_cannot_be_stored_are_refused(store, tmp_path, qty, price):
    def change(sale):
        sale["lines"][0].update(qty=qty, unit_price=price)
        sale["tenders"] = []
    problems = json_errors(store, tmp_path, change)
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1].lines[0]") and "too large" in p for p in problems), \
        problems


def test_sale_total_that_cannot_be_stored_is_refused(store, tmp_path):
    def change(sale):
        sale["lines"] = [{"line": n, "sku": "JEANS", "category": "apparel", "qty": 1, "unit_price": "600000000000000"}
                         for n in (1, 2)]
        sale["tenders"] = []
    problems = json_errors(store, tmp_path, change)
    assert any(p.startswith(f"{tmp_path / 's.json'}: sales[1]") and "too large" in p for p in problems), problems


@pytest.mark.parametrize("where", ["amount", "qty", "receipt", "sku", "price"])
def test_card_number_anywhere_in_an_import_is_not_echoed(store, tmp_path, where):
    def change(sale):
        if where == "amount":
            sale["tenders"][0]["amount"] = PAN
        elif where == "qty":
            sale["lines"][0]["qty"] = int(PAN)
        elif where == "price":
            sale["lines"][0]["unit_price"] = PAN + ".00"
        else:
            (sale if where == "receipt" else sale["lines"][0])[where] = PAN + "x" * 70
    problems = json_errors(store, tmp_path, change)
    assert problems
    assert not any(PAN in p or PAN[4:-4] in p for p in problems), problems
    assert PAN.encode() not in h.db_bytes(store.path)
