"""``import-sales FILE``: sales from the till, in JSON or CSV (format in docs/import-format.md).

A file imports whole or not at all: every row is checked first, each error names the file and the row
(CSV) or the place (JSON); then everything is written in one transaction. The file's SHA-256 is kept,
so importing the same file twice adds nothing; a receipt already in the database is skipped.
Card numbers: only the last 4 digits are accepted; a longer card number refuses the file, and no error
message ever repeats a run of card-number length (it is masked to its last 4 digits).
Nonsense is refused by name: amounts and quantities in ASCII digits only, sale dates from 2000-01-01 to a
day after the import, receipt numbers and other codes without control or right-to-left characters and at
most 64 characters long, amounts whose total fits the database.
A plainly written sale is read by the quick pass (:mod:`.import_fast`, compiled once per file); any other goes
through the full check here, which words every message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_returns import keys
from pos_returns.storage import store as st
from pos_returns.domain.case import CaseError, CaseReader, parse_json_text, read_sale  # a case's checks of a sale
from pos_returns.domain.engine import sale_total
from pos_returns.domain.money import MAX_AMOUNT, Money
from pos_returns.domain.policy import Policy
from pos_returns.domain.tomllines import format_path
from pos_returns.domain.validate import Issue, Path as Where
from pos_returns.services.import_fast import QuickSales
from pos_returns.services.import_rules import (CODE_LENGTH, EARLIEST_SALE, LATEST_AHEAD, NAME_LENGTH,
                                             text_problem)

CSV_COLUMNS = ("receipt", "sold_at", "line", "sku", "name", "category", "qty", "unit_price", "discount",
               "tax_rate", "tags", "serial", "tenders", "sale_discount", "gift_receipt", "customer", "register",
               "store", "barcode")
CSV_REQUIRED = ("receipt", "sold_at", "line", "sku", "category", "qty", "unit_price")

CSV_ROW_LENGTH = 10_000
_CARD_RUN = re.compile(r"[0-9]{13,}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _mask_cards(text: str) -> str:
    """No error message repeats a card number: a run of digits that could be one keeps only its last 4."""
    def mask(m: re.Match) -> str:
        run = m.group(0)
        could_be_card = len(run) > 19 or any(_luhn(run[i:i + n]) for n in range(13, 20)
                                             for i in range(len(run) - n + 1))
        return "*" * (len(run) - 4) + run[-4:] if could_be_card else run
    return _CARD_RUN.sub(mask, text)


class SalesImportError(Exception):
    """A till's file that cannot be imported; ``problems`` names each place (card numbers masked)."""

    def __init__(self, problems: list[str]):
        self.problems = [_mask_cards(p) for p in problems]
        super().__init__("\n".join(self.problems))


_LINE_TEXTS = {"sku": (CODE_LENGTH, True), "serial": (CODE_LENGTH, True), "category": (CODE_LENGTH, True),
               "name": (NAME_LENGTH, False)}
_SALE_TEXTS = {"receipt": (CODE_LENGTH, True), "store": (CODE_LENGTH, True), "register": (CODE_LENGTH, True),
               "customer": (CODE_LENGTH, True), "barcode": (CODE_LENGTH, True)}


_PRODUCT_TEXTS = {"sku": (CODE_LENGTH, True), "barcode": (CODE_LENGTH, True), "category": (CODE_LENGTH, True),
                  "name": (NAME_LENGTH, False)}
_CUSTOMER_TEXTS = {"id": (CODE_LENGTH, True), "id_number": (CODE_LENGTH, True), "name": (NAME_LENGTH, False)}


def _check_texts(r: CaseReader, d: dict, where: Where, fields: dict[str, tuple[int, bool]]) -> bool:
    """Refuse control characters, right-to-left tricks and over-long values in ``fields`` of ``d``."""
    ok = True
    for key, (limit, code) in fields.items():
        problem = text_problem(d.get(key), limit, code)
        if problem:
            r.error(where + (key,), problem)
            ok = False
    return ok


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int
    already_imported: bool
    products: int = 0


def import_file(store: st.Database, policy: Policy, path: str | Path, now: datetime) -> ImportResult:
    """Import a till's file whole or not at all; ``now`` is the time of the import (sales after it are refused).
    A sale that names no store is this till's (``db init --store``), else the policy's ``[store]``."""
    path = Path(path)
    till = store.setting("store_id")
    if till and till != policy.store.id:
        policy = replace(policy, store=replace(policy.store, id=till))
    raw, sales, products, customers = read_sales_file(policy, path, now)
    return _import_read(store, policy, path, now, raw, sales, products, customers)


def read_sales_file(policy: Policy, path: Path, now: datetime) -> tuple[bytes, list[dict], list[dict], list[dict]]:
    """A till's file read and checked (as an import checks it) without importing it: (bytes, sales rows,
    products, customers); every problem raises :class:`SalesImportError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SalesImportError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise SalesImportError([f"{path}: cannot read the file ({exc.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SalesImportError([f"{path}: byte {exc.start}: the file is not UTF-8 text"]) from None
    if path.suffix.lower() == ".json":
        sales, products, customers = _from_json(text, str(path), policy, now)
    elif path.suffix.lower() == ".csv":
        sales, products, customers = _from_csv(text, str(path), policy, now), [], []
    else:
        raise SalesImportError([f"{path}: unknown format; use a .json or .csv file"])
    return raw, sales, products, customers


def _import_read(store: st.Database, policy: Policy, path: Path, now: datetime, raw: bytes, sales: list[dict],
                 products: list[dict], customers: list[dict]) -> ImportResult:
    digest = hashlib.sha256(raw).hexdigest()
    key = keys.store_secret() if customers else b""
    for customer in customers:
        document = customer.pop("id_number", None)
        customer["id_hash"], customer["id_last4"] = (st.hash_customer_id(key, document) if document
                                                     else (None, None))
    with store.write() as c:
        previous = st.find_import(c, digest)
        if previous is not None:
            return ImportResult(0, 0, True)
        existing = st.existing_receipts(c, [s["receipt"] for s in sales])
        fresh = [s for s in sales if s["receipt"] not in existing]
        import_id = st.insert_import(c, digest, path.name, st.iso(now), len(fresh))
        if products:
            st.insert_products(c, products)
            st.insert_price_history(c, [(p["sku"], st.iso(now), p["price"]) for p in products])
        if customers:
            st.insert_customers(c, customers)
        st.insert_sales(c, fresh, import_id)
        st.log_event(c, now, "import", None, file=path.name, sha256=digest, added=len(fresh),
                     skipped=len(existing))
    return ImportResult(len(fresh), len(existing), False, len(products))


def _normal_sale(r: CaseReader, data: dict[str, Any], where: Where, policy: Policy,
                 now: datetime) -> dict[str, Any] | None:
    """Check one sale with the case reader's rules; return it in minor units, or None (problems in r).
    The file's :class:`QuickSales` is tried first: it returns a sale only when these checks would accept it,
    and as they would return it; whatever it does not take is checked here, which says what is wrong."""
    before = len(r)
    if not _sale_texts_ok(r, data, where):
        return None
    extra = {k: data.pop(k) for k in ("store", "register", "customer", "barcode") if k in data}
    sub = CaseReader(policy)  # a sale of its own: its checks look at its problems only
    sale = read_sale(sub, data, where)
    r.issues.extend(sub.issues)
    for key, value in extra.items():
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 64):
            r.error(where + (key,), "must be a short text")
    if len(r) > before or sale is None or not _plausible(r, sale, where, policy, now):
        return None
    return {
        "receipt": sale.receipt, "store_id": extra.get("store") or policy.store.id, "register": extra.get("register"),
        "sold_at": st.iso(sale.sold_at), "currency": policy.currency, "gift_receipt": sale.gift_receipt,
        "discount": sale.discount.minor() if sale.discount else 0, "customer_id": extra.get("customer"),
        "barcode": extra.get("barcode"),
        "lines": [{"line": ln.line, "sku": ln.sku, "name": ln.name or ln.sku, "category": ln.category,
                   "qty": ln.qty, "unit_price": ln.unit_price.minor(), "discount": ln.discount.minor(),
                   "tax_rate": str(ln.tax_rate), "tags": json.dumps(sorted(ln.tags)), "serial": ln.serial}
                  for ln in sale.lines],
        "tenders": [{"type": t.type, "amount": t.amount.minor(), "last4": t.last4} for t in sale.tenders],
        "promotions": [{"id": p.id, "lines": list(p.lines), "discount": p.discount.minor()}
                       for p in sale.promotions],
    }


def _sale_texts_ok(r: CaseReader, data: dict[str, Any], where: Where) -> bool:
    texts_ok = _check_texts(r, data, where, _SALE_TEXTS)
    raw_lines = data.get("lines")
    for i, raw in enumerate(raw_lines if isinstance(raw_lines, list) else []):
        if isinstance(raw, dict):
            texts_ok = _check_texts(r, raw, where + ("lines", i), _LINE_TEXTS) and texts_ok
            tags = raw.get("tags")
            for tag in tags if isinstance(tags, list) else []:
                problem = text_problem(tag, CODE_LENGTH, True)
                if problem:
                    r.error(where + ("lines", i, "tags"), problem)
                    texts_ok = False
                    break
    return texts_ok


def _plausible(r: CaseReader, sale, where: Where, policy: Policy, now: datetime) -> bool:
    """What a case may say but a till's sale may not: a time out of range, amounts too large, tenders that
    do not add up to the sale."""
    if not EARLIEST_SALE <= sale.sold_at <= now + LATEST_AHEAD:
        r.error(where + ("sold_at",), f"{sale.sold_at.isoformat()} is not a plausible time of sale (from "
                                      f"{EARLIEST_SALE.date().isoformat()} to "
                                      f"{(now + LATEST_AHEAD).date().isoformat()})")
        return False
    limit = Money(MAX_AMOUNT, policy.currency)
    for i, ln in enumerate(sale.lines):
        if ln.unit_price * ln.qty >= limit:
            r.error(where + ("lines", i), f"{ln.qty} x {ln.unit_price.plain()} is too large to be an amount "
                                          "(the limit is 10^15)")
            return False
    gross = sum((ln.unit_price * ln.qty for ln in sale.lines), Money.zero(policy.currency))
    if gross >= limit:
        r.error(where, f"the sale's lines add up to {gross.plain()}, too large to be an amount "
                       "(the limit is 10^15)")
        return False
    if sale.discount is not None and sale.discount > gross - sum((ln.discount for ln in sale.lines),
                                                                 Money.zero(policy.currency)):
        r.error(where + ("discount",), "the sale discount is more than the sale")
        return False
    tender_total = sum((t.amount for t in sale.tenders), Money.zero(policy.currency))
    total = sale_total(sale, policy.store.prices_include_tax)
    slack = len(sale.lines)  # per-line tax rounding at the till
    if policy.store.cash_rounding and any(t.type == "cash" for t in sale.tenders):
        slack += Money(policy.store.cash_rounding, policy.currency).minor()  # cash rounded at the till
    if abs((tender_total - total).minor()) > slack:  # no tenders at all add up to nothing
        r.error(where + ("tenders",), f"the tenders add up to {tender_total.plain()} but the sale comes to "
                                      f"{total.plain()} (lines, discounts and tax)")
        return False
    return True


# ----------------------------------------------------------------------------- JSON

def _from_json(text: str, source: str, policy: Policy,
               now: datetime) -> tuple[list[dict], list[dict], list[dict]]:
    try:
        data = parse_json_text(text, source)
    except CaseError as err:
        raise SalesImportError([f"{source}: {p}" for p in err.problems]) from None
    if not isinstance(data, dict) or not isinstance(data.get("sales", []), list):
        raise SalesImportError([f"{source}: expected an object with a \"sales\" list"])
    r = CaseReader(policy)
    sales = _json_sales(r, data, policy, now)
    products = _json_products(r, data)
    customers = _json_customers(r, data, policy)
    if r:
        raise SalesImportError([f"{source}: {p}" for p in r.messages()])
    return sales, products, customers


def _json_sales(r: CaseReader, data: dict, policy: Policy, now: datetime) -> list[dict]:
    sales, seen, quick = [], set(), QuickSales(policy, now)
    for i, raw in enumerate(data.get("sales", [])):
        if not isinstance(raw, dict):
            r.error(("sales", i), "must be an object")
            continue
        sale = quick.sale(raw)  # a well-formed sale read at once; anything else checked in full (messages)
        if sale is None:
            sale = _normal_sale(r, dict(raw), ("sales", i), policy, now)
        if sale is not None:
            if sale["receipt"] in seen:
                r.error(("sales", i, "receipt"), f"receipt {sale['receipt']} appears twice in the file")
            seen.add(sale["receipt"])
            sales.append(sale)
    return sales


def _json_products(r: CaseReader, data: dict) -> list[dict]:
    products = []
    for i, raw in r.items(data.get("products"), ("products",)):
        where = ("products", i)
        d = r.obj(raw, where, required=("sku", "name", "category", "price"),
                  optional=("barcode", "tags", "tax_rate"))
        if not _check_texts(r, d, where, _PRODUCT_TEXTS):
            continue
        price = r.money(d, "price", where)
        category = r.category(d, where) if "category" in d else ""
        sku, name = r.text(d, "sku", where, required=True), r.text(d, "name", where, required=True)
        barcode = r.text(d, "barcode", where)
        if price is not None and sku and name:
            products.append({"sku": sku, "barcode": barcode, "name": name,
                             "category": category, "tags": json.dumps(sorted(r.tags(d, "tags", where))),
                             "price": price.minor(), "tax_rate": str(r.rate(d, "tax_rate", where))})
    return products


def _json_customers(r: CaseReader, data: dict, policy: Policy) -> list[dict]:
    customers = []
    for i, raw in r.items(data.get("customers"), ("customers",)):
        where = ("customers", i)
        d = r.obj(raw, where, required=("id",), optional=("name", "tier", "id_number"))
        if not _check_texts(r, d, where, _CUSTOMER_TEXTS):
            continue
        tier = d.get("tier")
        if tier is not None and tier not in policy.tiers:
            r.error(where + ("tier",), f"'{tier}' is not a tier of the policy")
        customer_id = r.text(d, "id", where, required=True)
        customers.append({"id": customer_id, "name": r.text(d, "name", where), "tier": tier,
                          "id_number": r.text(d, "id_number", where)})
    return customers


# ----------------------------------------------------------------------------- CSV

def _mask_digits(text: str) -> str:
    """Never repeat a card number back: runs of 5+ digits keep only their last 4."""
    return re.sub(r"\d{5,}", lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)


def _from_csv(text: str, source: str, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    long_rows = [f"{source}:{n}: the row is {len(row)} characters long; a till's row is at most {CSV_ROW_LENGTH}"
                 for n, row in enumerate(text.split("\n"), 1) if len(row) > CSV_ROW_LENGTH]
    if long_rows:
        raise SalesImportError(long_rows)
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read_csv(reader, source, policy, now)
    except csv.Error as exc:
        raise SalesImportError([f"{source}:{reader.line_num}: not readable as CSV: {exc}"]) from None


_WHOLE = re.compile(r"\s*[0-9]{1,9}\s*", re.ASCII)


def _read_csv(reader: csv.DictReader, source: str, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    _check_header(reader.fieldnames or [], source)
    problems: list[str] = []
    groups: dict[str, dict[str, Any]] = {}
    for row in reader:
        _add_row(groups, row, reader.line_num, source, problems)
    sales, quick = [], QuickSales(policy, now)
    for receipt, group in groups.items():
        normal = _csv_sale(receipt, group, source, policy, now, problems, quick)
        if normal is not None:
            sales.append(normal)
    if problems:
        raise SalesImportError(problems)
    return sales


def _check_header(header: list[str], source: str) -> None:
    problems = []
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing:
        problems.append(f"{source}:1: missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"{source}:1: unknown column(s): {', '.join(unknown)} (known: {', '.join(CSV_COLUMNS)})")
    if problems:
        raise SalesImportError(problems)


def _add_row(groups: dict[str, dict[str, Any]], row: dict[str, str], rowno: int, source: str,
             problems: list[str]) -> None:
    """One CSV row: a line of the sale its receipt names (the first row of a receipt starts the sale)."""
    receipt = (row.get("receipt") or "").strip()
    if not receipt:
        problems.append(f"{source}:{rowno}: receipt: empty")
        return
    bad_receipt = text_problem(receipt, CODE_LENGTH, True)
    if bad_receipt:
        problems.append(f"{source}:{rowno}: receipt: {bad_receipt}")
        return
    sale = groups.setdefault(receipt, {"receipt": receipt, "sold_at": row["sold_at"], "lines": [],
                                       "tenders": [], "_rows": []})
    sale["_rows"].append(rowno)
    for key in ("store", "register", "customer", "barcode"):
        if row.get(key):
            sale[key] = row[key]
    if row.get("sale_discount"):
        sale["discount"] = row["sale_discount"]
    if row.get("gift_receipt"):
        sale["gift_receipt"] = row["gift_receipt"].strip().lower() in ("1", "true", "yes")
    if not all(_WHOLE.fullmatch(row.get(key) or "") for key in ("line", "qty")):
        problems.append(f"{source}:{rowno}: line/qty: must be whole numbers written with the digits 0-9")
        return
    line = {"line": int(row["line"]), "sku": row["sku"], "name": row.get("name") or row["sku"],
            "category": row["category"], "qty": int(row["qty"]), "unit_price": row["unit_price"],
            "discount": row.get("discount") or "0", "tax_rate": row.get("tax_rate") or "0",
            "tags": [t for t in (row.get("tags") or "").split(";") if t]}
    if row.get("serial"):
        line["serial"] = row["serial"]
    sale["lines"].append(line)
    for part in row["tenders"].split("|") if row.get("tenders") else ():
        bits = part.split(":")
        if len(bits) not in (2, 3):
            problems.append(f"{source}:{rowno}: tenders: '{_mask_digits(part)}' is not TYPE:AMOUNT or "
                            "TYPE:AMOUNT:LAST4")
            continue
        tender = {"type": bits[0], "amount": bits[1]}
        if len(bits) == 3:
            tender["last4"] = bits[2]
        sale["tenders"].append(tender)


def _csv_sale(receipt: str, group: dict[str, Any], source: str, policy: Policy, now: datetime,
              problems: list[str], quick: QuickSales) -> dict[str, Any] | None:
    """A receipt's rows checked as one sale; a line's problem names its row, the others the receipt's rows."""
    rows = group.pop("_rows")
    fast = quick.sale(group)
    if fast is not None:
        return fast
    where = f"{source}:{rows[0]}" + (f"-{rows[-1]}" if len(rows) > 1 else "")
    sub = CaseReader(policy)
    normal = _normal_sale(sub, group, (), policy, now)
    for issue in sub.issues:
        row = _line_row(issue, rows)
        if row is not None:
            problems.append(f"{source}:{row}: {issue.path[2]}: {issue.message.split(chr(10), 1)[0]}")
        else:
            said = f"{format_path(issue.path)}: {issue.message}" if issue.path else issue.message
            problems.append(f"{where}: receipt {receipt}: {said.lstrip('.: ')}")
    return normal


def _line_row(issue: Issue, rows: list[int]) -> int | None:
    """The CSV row of a problem at ``lines[i].key``, or None when it is not one line's."""
    path = issue.path
    if len(path) == 3 and path[0] == "lines" and isinstance(path[1], int) and path[1] < len(rows) and \
            re.fullmatch(r"\w+", path[2]):
        return rows[path[1]]
    return None
