"""Paperwork: the documents of a recorded transaction, as PDF bytes (ReportLab; no Qt here).

Three steps, kept apart:

1. **load** - :func:`load_transaction` builds a :class:`TxRecord` from the journal entry alone
   (``store.get_entry`` and its payload JSON), so a reprint years later needs nothing but the database;
2. **format** - ``*_doc`` functions turn a record into a :class:`Doc`: a list of layout elements holding
   finished strings (translated with the customer's catalog, money in the store's currency format,
   dates with Babel for the language);
3. **lay out** - :func:`render` draws a Doc on an 80 mm roll (the page is as tall as its content) or on A4.

Documents: customer return / exchange receipt, store copy (with the customer's signature line), the
no-receipt return form (masked ID), the manager override slip, and the end-of-day returns report (A4).
Every transaction document carries store and register, date and time, transaction number, original
receipt, lines with quantities, amounts and tax, refund tenders (cards by last 4 only), rule ids, the
approving manager, a short hash of the journal entry and a Code 128 barcode of the transaction number.
Reprints say DUPLICATE with the copy number; training transactions say TRAINING.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Sequence

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from pos_returns import i18n
from pos_returns.storage import store as st
from pos_returns.domain.model import TenderAmount as TxTender  # a refund tender as the journal recorded it
from pos_returns.domain.labels import OUTCOME_ON_PAPER, TENDER_LABELS
from pos_returns.documents.fonts import FontSet, fonts_for
from pos_returns.i18n import N_, UserError
from pos_returns.domain.money import Money

DOC_KINDS = ("receipt", "store-copy", "no-receipt-form", "override")

#: a store's locale when the database does not say (the policy's [store] locale is passed in when known)
CURRENCY_LOCALES = {"USD": "en_US", "VND": "vi_VN", "CZK": "cs_CZ", "TWD": "zh_Hant_TW"}

TENDER_NAMES = TENDER_LABELS  # one set of words for screens and paper (pos_returns.domain.labels)
KIND_NAMES = {"return": N_("Return"), "exchange": N_("Exchange"), "no_receipt": N_("Return without receipt"),
              "correction": N_("Correction")}
OUTCOME_NAMES = OUTCOME_ON_PAPER
CARD_TENDERS = ("credit", "debit")
INDENT = 8.0  # points: details under a line


class PaperworkError(UserError):
    """A document that cannot be made for this transaction (wrong kind, nothing to show)."""


# ============================================================================= 1. load

@dataclass(frozen=True)
class TxLine:
    line: int
    sku: str
    name: str
    qty: int
    outcome: str
    item: Money
    fee: Money
    tax: Money
    takeback: Money
    refund: Money
    rules: tuple[str, ...]
    reasons: tuple[str, ...]  # as recorded, in the store's language
    condition: str | None = None
    reason: str | None = None
    serial: str | None = None
    lowest_price: Money | None = None  # no-receipt returns

    @property
    def tax_included(self) -> bool:
        return (self.item - self.fee - self.takeback) == self.refund and not self.tax.is_zero()


@dataclass(frozen=True)
class TxNewItem:
    sku: str
    name: str
    qty: int
    unit_price: Money
    tax_rate: Decimal

    @property
    def amount(self) -> Money:
        return (self.unit_price * self.qty).rounded()


@dataclass(frozen=True)
class TxApproval:
    manager: str
    manager_name: str | None
    rules: tuple[str, ...]
    reason_code: str
    amount: Money | None
    reasons: tuple[str, ...] = ()  # what the decision asked approval for, in the store's language


@dataclass(frozen=True)
class TxRecord:
    """Everything the paperwork of one recorded transaction shows, read from the journal."""

    txno: str
    kind: str  # return | exchange | no_receipt | correction
    at: datetime
    register: str
    store_id: str
    store_name: str
    currency: str
    locale: str  # the store's locale: how its money is written
    cashier: str
    cashier_name: str | None
    receipt: str | None
    sold_at: datetime | None
    gift_receipt: bool
    lines: tuple[TxLine, ...]
    new_items: tuple[TxNewItem, ...]
    refund_total: Money
    exchange_total: Money
    balance_due: Money
    rounding: Money
    tenders: tuple[TxTender, ...]
    approvals: tuple[TxApproval, ...]
    rules: tuple[str, ...]  # transaction-level rules
    customer_id_masked: str | None
    customer_id_verified: bool
    training: bool
    hash: str
    policy_sha256: str
    corrects: str | None = None
    correction_reason: str | None = None

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    @property
    def payout(self) -> Money:
        return (self.refund_total - self.exchange_total).max(Money.zero(self.currency))

    @property
    def all_rules(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for ln in self.lines:
            for r in ln.rules:
                seen.setdefault(r, None)
        for r in self.rules:
            seen.setdefault(r, None)
        for a in self.approvals:
            for r in a.rules:
                seen.setdefault(r, None)
        return tuple(seen)

    @property
    def managers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.manager for a in self.approvals))


def store_locale(store: st.Store, currency: str, locale: str | None = None) -> str:
    """The store's locale: given (the policy's), else the database's setting, else by currency."""
    if locale:
        return locale
    saved = store.setting("store_locale")
    if saved:
        return saved
    return CURRENCY_LOCALES.get(currency, "en_US")


def _staff_name(store: st.Store, staff_id: str | None) -> str | None:
    if not staff_id:
        return None
    row = st.get_staff(store, staff_id)
    return row["name"] if row else None


def _money(value: Any, currency: str) -> Money:
    if value is None or value == "":
        return Money.zero(currency)
    return Money.parse(str(value), currency) if not isinstance(value, int) else Money.from_minor(value, currency)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def load_transaction(store: st.Store, txno: str, locale: str | None = None) -> TxRecord:
    """A recorded transaction, from its journal entry and payload only."""
    entry = st.get_entry(store, txno)
    if entry.kind == "day_close":
        raise PaperworkError(N_("{txno} is a day closing, not a return or exchange; print the end-of-day report "
                                "instead."), txno=txno)
    payload = json.loads(entry.payload)
    cur = entry.currency
    if entry.kind == "correction":
        return _load_correction(store, entry, payload, locale)
    case = payload.get("case") or {}
    decision = payload.get("decision") or {}
    sale = case.get("sale") or None
    request = case.get("request") or {}
    store_info = payload.get("store") or {}
    sale_lines = {ln["line"]: ln for ln in (sale or {}).get("lines", [])}
    req_lines = {ln["line"]: ln for ln in request.get("lines", [])}
    no_receipt = request.get("no_receipt_items", []) if sale is None else []
    lines = []
    for d in decision.get("lines", []):
        number = d["line"]
        if sale is not None:
            src = sale_lines.get(number, {})
            req = req_lines.get(number, {})
            name, condition, reason = src.get("name") or d["sku"], req.get("condition"), req.get("reason")
            serial, lowest = req.get("serial") or src.get("serial"), None
        else:
            src = no_receipt[number - 1] if 0 < number <= len(no_receipt) else {}
            name, condition, reason = src.get("name") or d["sku"], src.get("condition"), src.get("reason")
            serial = None
            lowest = _money(src.get("lowest_price"), cur) if src.get("lowest_price") else None
        lines.append(TxLine(
            line=number, sku=d["sku"], name=name, qty=d["qty"], outcome=d["outcome"],
            item=_money(d.get("item"), cur), fee=_money(d.get("fee"), cur), tax=_money(d.get("tax"), cur),
            takeback=_money(d.get("takeback"), cur), refund=_money(d.get("refund"), cur),
            rules=tuple(d.get("rules", [])), reasons=tuple(d.get("reasons", [])), condition=condition,
            reason=reason, serial=serial, lowest_price=lowest))
    new_items = tuple(
        TxNewItem(sku=x["sku"], name=x.get("name") or x["sku"], qty=x["qty"], unit_price=_money(x["unit_price"], cur),
                  tax_rate=Decimal(x.get("tax_rate", "0")))
        for x in request.get("exchange_items", []))
    asked = {a["rule"]: a.get("reason", "") for a in decision.get("approvals", [])}
    approvals = tuple(
        TxApproval(manager=a["manager"], manager_name=_staff_name(store, a["manager"]), rules=tuple(a.get("rules", [])),
                   reason_code=a.get("reason_code", ""), amount=_money(a.get("amount"), cur) if a.get("amount") else None,
                   reasons=tuple(asked[r] for r in a.get("rules", []) if asked.get(r)))
        for a in payload.get("approvals", []))
    tenders = tuple(TxTender(t["type"], Money.from_minor(t["amount"], cur), _last4(t.get("last4")))
                    for t in payload.get("journal_tenders", []))
    customer = request.get("customer") or {}
    return TxRecord(
        txno=entry.txno, kind=entry.kind, at=datetime.fromisoformat(entry.at), register=entry.register,
        store_id=store_info.get("id") or entry.txno.split("-")[0], store_name=store_info.get("name") or "",
        currency=cur, locale=store_locale(store, cur, locale or store_info.get("locale")), cashier=entry.cashier,
        cashier_name=_staff_name(store, entry.cashier), receipt=entry.receipt,
        sold_at=_when(sale.get("sold_at")) if sale else None, gift_receipt=bool(sale and sale.get("gift_receipt")),
        lines=tuple(lines), new_items=new_items, refund_total=Money.from_minor(entry.refund_total, cur),
        exchange_total=Money.from_minor(entry.exchange_total, cur), balance_due=Money.from_minor(entry.balance_due, cur),
        rounding=_money(decision.get("rounding"), cur), tenders=tenders, approvals=approvals,
        rules=tuple(decision.get("rules", [])), customer_id_masked=_masked(customer.get("id")),
        customer_id_verified=bool(customer.get("id_verified")), training=bool(entry.training), hash=entry.hash,
        policy_sha256=entry.policy_sha256)


def _load_correction(store: st.Store, entry: st.JournalEntry, payload: dict, locale: str | None) -> TxRecord:
    cur = entry.currency
    original = st.get_entry(store, payload["corrects"]) if payload.get("corrects") else None
    store_info = (json.loads(original.payload).get("store") if original else None) or {}
    lines = tuple(TxLine(line=x["line"], sku=x["sku"], name=x["sku"], qty=x["qty"], outcome=x["outcome"],
                         item=Money.from_minor(x["refund"], cur), fee=Money.zero(cur), tax=Money.zero(cur),
                         takeback=Money.zero(cur), refund=Money.from_minor(x["refund"], cur), rules=(), reasons=())
                  for x in payload.get("journal_lines", []))
    tenders = tuple(TxTender(t["type"], Money.from_minor(t["amount"], cur), _last4(t.get("last4")))
                    for t in payload.get("journal_tenders", []))
    manager = payload.get("manager")
    return TxRecord(
        txno=entry.txno, kind="correction", at=datetime.fromisoformat(entry.at), register=entry.register,
        store_id=store_info.get("id") or entry.txno.split("-")[0], store_name=store_info.get("name") or "",
        currency=cur, locale=store_locale(store, cur, locale), cashier=entry.cashier,
        cashier_name=_staff_name(store, entry.cashier), receipt=entry.receipt, sold_at=None, gift_receipt=False,
        lines=lines, new_items=(), refund_total=Money.from_minor(entry.refund_total, cur),
        exchange_total=Money.from_minor(entry.exchange_total, cur), balance_due=Money.from_minor(entry.balance_due, cur),
        rounding=Money.zero(cur), tenders=tenders,
        approvals=(TxApproval(manager, _staff_name(store, manager), ("correction",), "correction", None),)
        if manager else (),
        rules=(), customer_id_masked=None, customer_id_verified=False, training=bool(entry.training),
        hash=entry.hash, policy_sha256=entry.policy_sha256, corrects=payload.get("corrects"),
        correction_reason=payload.get("reason"))


def _last4(value: Any) -> str | None:
    """Card data: the last 4 digits at most, whatever the payload holds."""
    if not value:
        return None
    digits = re.sub(r"\D", "", str(value))
    return digits[-4:] or None


def _masked(value: Any) -> str | None:
    """A customer ID as stars and its last 4 characters, whatever the payload holds."""
    if not value:
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value))
    return "****" + text[-4:] if text else None


# ============================================================================= 2. format

# -- layout elements: finished strings, no translation or formatting left to do

@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Banner:
    text: str  # DUPLICATE / TRAINING: white on black


@dataclass(frozen=True)
class Center:
    text: str
    size: float = 8.0
    bold: bool = False


@dataclass(frozen=True)
class Pair:
    label: str
    value: str
    bold: bool = False
    size: float = 8.0


@dataclass(frozen=True)
class Para:
    text: str
    size: float = 7.0
    bold: bool = False
    indent: float = 0.0  # every line, wrapped ones too


@dataclass(frozen=True)
class Rule_:
    heavy: bool = False


@dataclass(frozen=True)
class Space:
    height: float = 4.0


@dataclass(frozen=True)
class Signature:
    label: str


@dataclass(frozen=True)
class Barcode:
    value: str
    caption: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the width
    align: tuple[str, ...]  # "l" | "r" per column
    size: float = 7.0
    bold_rows: frozenset[int] = frozenset()


Element = Any


@dataclass
class Doc:
    page: str  # "roll" | "a4"
    title: str  # the PDF's title
    lang: str
    elements: list[Element] = field(default_factory=list)
    barcode_value: str | None = None

    def add(self, *els: Element) -> "Doc":
        self.elements.extend(els)
        return self

    def text(self) -> str:
        """All the text of the document (to choose fonts that cover it)."""
        parts = [self.title]
        for el in self.elements:
            if isinstance(el, Table):
                parts.extend(el.headers)
                parts.extend(c for row in el.rows for c in row)
            else:
                for name in ("text", "label", "value", "caption"):
                    v = getattr(el, name, None)
                    if isinstance(v, str):
                        parts.append(v)
        return "\n".join(parts)


class Formatter:
    """Translations and locale formats of one document: the customer's language, the store's money."""

    def __init__(self, lang: str, money_locale: str):
        self.lang = i18n.normalize_language(lang)
        self.loc = i18n.LANGUAGES[self.lang]
        self.money_locale = money_locale
        tr = i18n.translations(self.lang)
        self.gettext: Callable[[str], str] = tr.gettext
        self.ngettext = tr.ngettext

    def money(self, amount: Money) -> str:
        return i18n.format_money(amount, self.lang, self.money_locale)

    def datetime(self, moment: datetime) -> str:
        return format_datetime(moment, format="medium", locale=self.loc)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.loc)

    def time(self, moment: datetime) -> str:
        return format_datetime(moment, format="HH:mm", locale=self.loc)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.loc)

    def tender(self, t: TxTender) -> str:
        name = self.gettext(TENDER_NAMES.get(t.type, t.type))
        if t.last4 and t.type in CARD_TENDERS:
            return f"{name} ****{t.last4}"
        return name

    def kind(self, kind: str) -> str:
        return self.gettext(KIND_NAMES.get(kind, kind))

    def outcome(self, outcome: str) -> str:
        return self.gettext(OUTCOME_NAMES.get(outcome, outcome))


def _header(doc: Doc, f: Formatter, tx: TxRecord, title: str, copy: int) -> None:
    _ = f.gettext
    if tx.training:
        doc.add(Banner(_("TRAINING - not a real transaction")))
    if copy > 1:
        doc.add(Banner(_("DUPLICATE - copy {n}").format(n=f.number(copy))))
    doc.add(Center(tx.store_name, 10, True) if tx.store_name else Space(0),
            Center(_("Store {store} - register {register}").format(store=tx.store_id, register=tx.register)),
            Space(3), Title(title), Space(2), Rule_(),
            Pair(_("Date"), f.datetime(tx.at)),
            Pair(_("Transaction"), tx.txno, bold=True))
    if tx.receipt:
        doc.add(Pair(_("Original receipt"), tx.receipt))
    if tx.sold_at:
        doc.add(Pair(_("Sold on"), f.datetime(tx.sold_at)))
    if tx.corrects:
        doc.add(Pair(_("Corrects"), tx.corrects, bold=True))
    doc.add(Pair(_("Cashier"), _person(tx.cashier, tx.cashier_name)))
    if tx.gift_receipt:
        doc.add(Pair(_("Gift receipt"), _("yes")))
    doc.add(Rule_())


def _person(staff_id: str, name: str | None) -> str:
    return f"{name} ({staff_id})" if name else staff_id


def _lines(doc: Doc, f: Formatter, tx: TxRecord, *, reasons: bool = False) -> None:
    _ = f.gettext
    doc.add(Para(_("Returned items"), 8, True))
    for ln in tx.lines:
        left = f"{f.number(ln.qty)} \u00d7 {ln.name}"
        value = f.money(ln.refund) if ln.outcome != "denied" else _("not accepted")
        doc.add(Pair(left, value))
        details = [f"{ln.sku}", _("line {n}").format(n=ln.line)]
        if ln.serial:
            details.append(_("serial {serial}").format(serial=ln.serial))
        doc.add(Para(" \u00b7 ".join(details), indent=INDENT))
        amounts = [_("item {amount}").format(amount=f.money(ln.item))]
        if ln.lowest_price is not None:
            amounts.append(_("lowest price {amount}").format(amount=f.money(ln.lowest_price)))
        if not ln.fee.is_zero():
            amounts.append(_("restocking fee -{amount}").format(amount=f.money(ln.fee)))
        if not ln.takeback.is_zero():
            amounts.append(_("promotion taken back -{amount}").format(amount=f.money(ln.takeback)))
        if ln.tax_included:
            amounts.append(_("incl. tax {amount}").format(amount=f.money(ln.tax)))
        else:
            amounts.append(_("tax {amount}").format(amount=f.money(ln.tax)))
        doc.add(Para(" \u00b7 ".join(amounts), indent=INDENT))
        if ln.rules:
            doc.add(Para(_("Rules: {rules}").format(rules=", ".join(ln.rules)), indent=INDENT))
        if reasons:
            for reason in ln.reasons:
                doc.add(Para(reason, 6.5, indent=INDENT))
    if tx.new_items:
        doc.add(Space(3), Para(_("New items"), 8, True))
        for item in tx.new_items:
            doc.add(Pair(f"{f.number(item.qty)} \u00d7 {item.name}", f.money(item.amount)))
            doc.add(Para(f"{item.sku} \u00b7 " + _("{qty} at {price}").format(
                qty=f.number(item.qty), price=f.money(item.unit_price)), indent=INDENT))
    doc.add(Rule_())


def _totals(doc: Doc, f: Formatter, tx: TxRecord) -> None:
    _ = f.gettext
    tax = sum((ln.tax for ln in tx.lines if ln.outcome != "denied"), Money.zero(tx.currency))
    included = any(ln.tax_included for ln in tx.lines)
    doc.add(Pair(_("Tax included in the refund") if included else _("Tax refunded"), f.money(tax)))
    doc.add(Pair(_("Returned total"), f.money(tx.refund_total), bold=True))
    if tx.new_items or not tx.exchange_total.is_zero():
        doc.add(Pair(_("New items total"), f.money(tx.exchange_total), bold=True))
        if not tx.balance_due.is_zero():
            doc.add(Pair(_("Customer pays"), f.money(tx.balance_due), bold=True))
    if not tx.rounding.is_zero():
        doc.add(Pair(_("Cash rounding"), f.money(tx.rounding)))
    doc.add(Rule_(), Para(_("Refunded to"), 8, True))
    if not tx.tenders:
        doc.add(Pair(_("Nothing refunded"), f.money(Money.zero(tx.currency))))
    for t in tx.tenders:
        doc.add(Pair(f.tender(t), f.money(t.amount), bold=True, size=9))
    doc.add(Rule_())


def _footer(doc: Doc, f: Formatter, tx: TxRecord) -> None:
    _ = f.gettext
    rules = tx.all_rules
    if rules:
        doc.add(Para(_("Rules applied: {rules}").format(rules=", ".join(rules))))
    for a in tx.approvals:
        doc.add(Para(_("Approved by manager {manager}, reason {code}").format(
            manager=_person(a.manager, a.manager_name), code=a.reason_code)))
    doc.add(Para(_("Journal entry {hash} - policy {policy}").format(hash=tx.short_hash, policy=tx.policy_sha256[:12])))
    doc.add(Space(4), Barcode(tx.txno, tx.txno))
    doc.barcode_value = tx.txno


def _title(f: Formatter, tx: TxRecord) -> str:
    _ = f.gettext
    if tx.kind == "exchange":
        return _("Exchange receipt")
    if tx.kind == "correction":
        return _("Correction receipt")
    return _("Return receipt")


def receipt_doc(tx: TxRecord, lang: str, copy: int = 1) -> Doc:
    """The customer's return or exchange receipt (80 mm roll)."""
    f = Formatter(lang, tx.locale)
    _ = f.gettext
    title = _title(f, tx)
    doc = Doc("roll", f"{title} {tx.txno}", f.lang)
    _header(doc, f, tx, title, copy)
    _lines(doc, f, tx)
    _totals(doc, f, tx)
    if tx.customer_id_masked:
        doc.add(Pair(_("Customer ID"), tx.customer_id_masked))
    if tx.correction_reason:
        doc.add(Para(_("Reason: {reason}").format(reason=tx.correction_reason)))
    _footer(doc, f, tx)
    doc.add(Space(3), Center(_("Keep this receipt for your records. Thank you!"), 7))
    return doc


def store_copy_doc(tx: TxRecord, lang: str, copy: int = 1) -> Doc:
    """The store's copy: the receipt with the recorded reasons and the customer's signature line."""
    f = Formatter(lang, tx.locale)
    _ = f.gettext
    title = _title(f, tx)
    doc = Doc("roll", f"{title} {tx.txno}", f.lang)
    _header(doc, f, tx, title, copy)
    doc.elements.insert(0, Banner(_("STORE COPY")))
    _lines(doc, f, tx, reasons=True)
    _totals(doc, f, tx)
    if tx.customer_id_masked:
        doc.add(Pair(_("Customer ID"), tx.customer_id_masked))
        doc.add(Pair(_("ID checked"), _("yes") if tx.customer_id_verified else _("no")))
    if tx.correction_reason:
        doc.add(Para(_("Reason: {reason}").format(reason=tx.correction_reason)))
    doc.add(Space(6), Para(_("I received the refund shown above."), 7),
            Signature(_("Customer signature")), Signature(_("Cashier signature")))
    _footer(doc, f, tx)
    return doc


def no_receipt_form_doc(tx: TxRecord, lang: str, copy: int = 1) -> Doc:
    """The form of a return without a receipt: masked ID, items at their lowest price, signatures."""
    if tx.kind != "no_receipt":
        raise PaperworkError(N_("{txno} is not a return without a receipt; it has no no-receipt form."),
                             txno=tx.txno)
    f = Formatter(lang, tx.locale)
    _ = f.gettext
    title = _("Return without receipt")
    doc = Doc("roll", f"{title} {tx.txno}", f.lang)
    _header(doc, f, tx, title, copy)
    doc.add(Pair(_("Customer ID"), tx.customer_id_masked or "-", bold=True),
            Pair(_("ID checked"), _("yes") if tx.customer_id_verified else _("no")), Rule_())
    _lines(doc, f, tx)
    _totals(doc, f, tx)
    doc.add(Para(_("Without a receipt, items are refunded at their lowest selling price as store credit. The customer "
                   "confirms the items were bought at this store and are their property."), 6.5),
            Space(6), Signature(_("Customer signature")), Signature(_("Cashier signature")))
    _footer(doc, f, tx)
    return doc


def override_doc(tx: TxRecord, lang: str, copy: int = 1) -> Doc:
    """The manager override slip: which rules a manager approved, why, for how much."""
    if not tx.approvals:
        raise PaperworkError(N_("{txno} had no manager approval; there is no override slip."), txno=tx.txno)
    f = Formatter(lang, tx.locale)
    _ = f.gettext
    title = _("Manager override")
    doc = Doc("roll", f"{title} {tx.txno}", f.lang)
    _header(doc, f, tx, title, copy)
    for a in tx.approvals:
        doc.add(Pair(_("Manager"), _person(a.manager, a.manager_name), bold=True),
                Pair(_("Reason code"), a.reason_code))
        if a.amount is not None:
            doc.add(Pair(_("Amount approved"), f.money(a.amount), bold=True))
        doc.add(Para(_("Rules overridden: {rules}").format(rules=", ".join(a.rules) or "-"), 8))
        for reason in a.reasons:
            doc.add(Para(reason, 6.5, indent=INDENT))
        doc.add(Rule_())
    _lines(doc, f, tx)
    doc.add(Pair(_("Returned total"), f.money(tx.refund_total), bold=True))
    for t in tx.tenders:
        doc.add(Pair(f.tender(t), f.money(t.amount)))
    doc.add(Space(6), Signature(_("Manager signature")))
    _footer(doc, f, tx)
    return doc


BUILDERS: dict[str, Callable[[TxRecord, str, int], Doc]] = {
    "receipt": receipt_doc, "store-copy": store_copy_doc, "no-receipt-form": no_receipt_form_doc,
    "override": override_doc,
}


# -- end-of-day report

@dataclass(frozen=True)
class DayReport:
    day: date
    store_id: str
    store_name: str
    currency: str
    locale: str
    transactions: tuple[TxRecord, ...]  # real ones
    training: tuple[TxRecord, ...]
    by_tender: dict[str, Money]
    closed_by: str | None  # txno of the day's closing entry, if closed


def load_day(store: st.Store, day: date, locale: str | None = None, store_id: str | None = None,
             store_name: str | None = None) -> DayReport:
    """Every transaction recorded on a day (real and training apart), with refunds totalled by tender."""
    rows = st.entries_of_day(store, day.isoformat())
    closing = st.day_closings(store)
    closed_by = next((r["txno"] for r in closing if json.loads(r["payload"]).get("date") == day.isoformat()), None)
    records = [load_transaction(store, r["txno"], locale) for r in rows if r["kind"] != "day_close"]
    real = tuple(r for r in records if not r.training)
    training = tuple(r for r in records if r.training)
    currency = (records[0].currency if records else None) or _any_currency(store)
    by_tender: dict[str, Money] = {}
    for r in real:
        for t in r.tenders:
            by_tender[t.type] = by_tender.get(t.type, Money.zero(currency)) + t.amount
    sid = store_id or (records[0].store_id if records else "")
    name = store_name or next((r.store_name for r in records if r.store_name), "")
    return DayReport(day, sid, name, currency, store_locale(store, currency, locale), real, training,
                     dict(sorted(by_tender.items())), closed_by)


def _any_currency(store: st.Store) -> str:
    return st.any_sale_currency(store) or "USD"


def day_report_doc(report: DayReport, lang: str) -> Doc:
    """The end-of-day returns report (A4): every transaction of the day, totals by tender."""
    f = Formatter(lang, report.locale)
    _ = f.gettext
    title = _("Returns report for {day}").format(day=f.date(report.day))
    doc = Doc("a4", title, f.lang)
    zero = Money.zero(report.currency)
    doc.add(Center(report.store_name, 12, True) if report.store_name else Space(0),
            Center(_("Store {store}").format(store=report.store_id)), Space(4), Title(title), Space(6))

    def table(records: Sequence[TxRecord]) -> Table:
        rows = []
        for r in records:
            tenders = "; ".join(f"{f.tender(t)} {f.money(t.amount)}" for t in r.tenders) or "-"
            rows.append((f.time(r.at), r.txno, f.kind(r.kind), r.cashier, r.receipt or "-",
                         f.money(r.refund_total), f.money(r.exchange_total), tenders,
                         ", ".join(r.managers) or "-", ", ".join(r.all_rules) or "-", r.short_hash))
        return Table(headers=(_("Time"), _("Transaction"), _("Type"), _("Cashier"), _("Original receipt"),
                              _("Returned"), _("New items"), _("Refunded to"), _("Manager"), _("Rules"),
                              _("Hash")),
                     rows=tuple(rows), widths=(0.05, 0.125, 0.08, 0.065, 0.10, 0.08, 0.075, 0.14, 0.065, 0.115, 0.10),
                     align=("l", "l", "l", "l", "l", "r", "r", "l", "l", "l", "l"), size=6.5)

    count = len(report.transactions)
    doc.add(Para(f.ngettext("{n} transaction", "{n} transactions", count).format(n=f.number(count)), 9, True))
    if report.transactions:
        doc.add(table(report.transactions))
    doc.add(Space(10), Para(_("Refunds by tender"), 10, True))
    total = sum(report.by_tender.values(), zero)
    rows = tuple((f.gettext(TENDER_NAMES.get(k, k)), f.money(v)) for k, v in report.by_tender.items())
    rows += ((_("Total refunded"), f.money(total)),)
    returned = sum((r.refund_total for r in report.transactions), zero)
    sold = sum((r.exchange_total for r in report.transactions), zero)
    paid = sum((r.balance_due for r in report.transactions), zero)
    rows += ((_("Returned merchandise"), f.money(returned)), (_("Exchange items"), f.money(sold)),
             (_("Paid by customers (exchanges)"), f.money(paid)))
    doc.add(Table(headers=(_("Tender"), _("Amount")), rows=rows, widths=(0.3, 0.15), align=("l", "r"), size=8,
                  bold_rows=frozenset({len(report.by_tender)})))
    if report.training:
        doc.add(Space(10), Para(_("TRAINING transactions (not counted above)"), 10, True), table(report.training))
    doc.add(Space(10), Para(_("Day closed by {txno}").format(txno=report.closed_by) if report.closed_by
                            else _("The day is not closed yet."), 8))
    return doc


# ============================================================================= 3. lay out

MM = 72 / 25.4
ROLL_WIDTH = 80 * MM
ROLL_MARGIN = 4 * MM
A4 = (595.2756, 841.8898)
A4_MARGIN = 15 * MM

_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")
_TOKEN = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef][ \t]*"
                    r"|[^\s\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]+[ \t]*"
                    r"|[ \t]+")


class _Painter:
    """Measures and draws text in a FontSet, a character's font chosen by coverage (no boxes)."""

    def __init__(self, fonts: FontSet):
        from reportlab.pdfbase.pdfmetrics import stringWidth
        self.fonts = fonts
        self._sw = stringWidth

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return sum(self._sw(run, name, size) for name, run, _fake in self.fonts.runs(text, bold))

    def draw(self, c: Any, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
        for name, run, fake in self.fonts.runs(text, bold):
            t = c.beginText(x, y)
            t.setFont(name, size)
            if fake:
                c.setLineWidth(size * 0.045)
                t.setTextRenderMode(2)
            t.textOut(run)
            c.drawText(t)
            x += self._sw(run, name, size)

    def wrap(self, text: str, size: float, width: float, bold: bool = False) -> list[str]:
        lines: list[str] = []
        for para in text.split("\n"):
            current = ""
            for token in _TOKEN.findall(para):
                trial = current + token
                if self.width(trial.rstrip(), size, bold) <= width or not current.strip():
                    current = trial
                else:
                    lines.append(current.rstrip())
                    current = token.lstrip()
                while self.width(current.rstrip(), size, bold) > width and len(current) > 1:  # one long word
                    cut = len(current)
                    while cut > 1 and self.width(current[:cut], size, bold) > width:
                        cut -= 1
                    soft = max(current.rfind(ch, 0, cut) for ch in "._-/,")  # break after a dot or dash if any
                    if soft >= cut // 2:
                        cut = soft + 1
                    lines.append(current[:cut])
                    current = current[cut:]
            lines.append(current.rstrip())
        return lines or [""]


def _leading(size: float) -> float:
    return size * 1.3


class _Layout:
    def __init__(self, painter: _Painter, width: float):
        self.p = painter
        self.width = width

    # each element: height, then draw(canvas, x, top) -> None
    def height(self, el: Element) -> float:
        p, w = self.p, self.width
        if isinstance(el, Title):
            return len(p.wrap(el.text, 12, w, True)) * _leading(12)
        if isinstance(el, Banner):
            return len(p.wrap(el.text, 10, w - 8, True)) * _leading(10) + 6
        if isinstance(el, Center):
            return len(p.wrap(el.text, el.size, w, el.bold)) * _leading(el.size) if el.text else 0
        if isinstance(el, Pair):
            return len(self._pair_lines(el)) * _leading(el.size)
        if isinstance(el, Para):
            return len(p.wrap(el.text, el.size, w - el.indent, el.bold)) * _leading(el.size)
        if isinstance(el, Rule_):
            return 6
        if isinstance(el, Space):
            return el.height
        if isinstance(el, Signature):
            return 38
        if isinstance(el, Barcode):
            return self._barcode(el)[1] + _leading(8) + 4
        if isinstance(el, Table):
            return sum(self._row_height(el, row, i == 0) for i, row in enumerate((el.headers, *el.rows)))
        raise TypeError(el)

    def _pair_lines(self, el: Pair) -> list[tuple[str, str]]:
        vw = self.p.width(el.value, el.size, el.bold)
        room = self.width - vw - 6
        if room < self.width * 0.35:  # the value is long: it goes on its own line, right-aligned
            label = self.p.wrap(el.label, el.size, self.width, el.bold)
            values = self.p.wrap(el.value, el.size, self.width, el.bold)
            return [(ln, "") for ln in label] + [("", v) for v in values]
        label = self.p.wrap(el.label, el.size, room, el.bold)
        return [(label[0], el.value)] + [(ln, "") for ln in label[1:]]

    def _barcode(self, el: Barcode) -> tuple[Any, float]:
        from reportlab.graphics.barcode.code128 import Code128
        probe = Code128(el.value, barWidth=1, barHeight=1, humanReadable=False, quiet=False)
        bar_width = min(1.2, self.width / probe.width)
        bc = Code128(el.value, barWidth=bar_width, barHeight=34, humanReadable=False, quiet=False)
        return bc, 34

    def _cells(self, el: Table, row: Sequence[str], header: bool) -> list[list[str]]:
        return [self.p.wrap(cell, el.size, frac * self.width - 4, header) for cell, frac in zip(row, el.widths)]

    def _row_height(self, el: Table, row: Sequence[str], header: bool) -> float:
        return max(len(c) for c in self._cells(el, row, header)) * _leading(el.size) + 3

    def draw(self, c: Any, el: Element, x: float, top: float) -> None:
        p, w = self.p, self.width
        if isinstance(el, Title):
            self._centered(c, el.text, 12, True, x, top)
        elif isinstance(el, Banner):
            h = self.height(el)
            c.setFillGray(0)
            c.rect(x, top - h + 2, w, h - 2, stroke=0, fill=1)
            c.setFillGray(1)
            c.setStrokeGray(1)
            self._centered(c, el.text, 10, True, x, top - 3, width=w)
            c.setFillGray(0)
            c.setStrokeGray(0)
        elif isinstance(el, Center):
            self._centered(c, el.text, el.size, el.bold, x, top)
        elif isinstance(el, Pair):
            y = top
            for label, value in self._pair_lines(el):
                y -= _leading(el.size)
                if label:
                    p.draw(c, x, y + el.size * 0.28, label, el.size, el.bold)
                if value:
                    p.draw(c, x + w - p.width(value, el.size, el.bold), y + el.size * 0.28, value, el.size, el.bold)
        elif isinstance(el, Para):
            y = top
            for line in p.wrap(el.text, el.size, w - el.indent, el.bold):
                y -= _leading(el.size)
                p.draw(c, x + el.indent, y + el.size * 0.28, line, el.size, el.bold)
        elif isinstance(el, Rule_):
            c.setLineWidth(1.2 if el.heavy else 0.5)
            c.setDash(2, 2)
            c.line(x, top - 3, x + w, top - 3)
            c.setDash()
        elif isinstance(el, Signature):
            c.setLineWidth(0.6)
            c.line(x, top - 24, x + w, top - 24)
            p.draw(c, x, top - 32, el.label, 7)
        elif isinstance(el, Barcode):
            bc, h = self._barcode(el)
            bc.drawOn(c, x + (w - bc.width) / 2, top - h)
            self._centered(c, el.caption, 8, False, x, top - h - 2)
        elif isinstance(el, Table):
            y = top
            for i, row in enumerate((el.headers, *el.rows)):
                header = i == 0
                bold = header or (i - 1) in el.bold_rows
                cells = self._cells(el, row, bold)
                h = max(len(cl) for cl in cells) * _leading(el.size) + 3
                if header:
                    c.setFillGray(0.88)
                    c.rect(x, y - h, sum(el.widths) * w, h, stroke=0, fill=1)
                    c.setFillGray(0)
                cx = x
                for lines, frac, align in zip(cells, el.widths, el.align):
                    cy = y - 1.5
                    for line in lines:
                        cy -= _leading(el.size)
                        tx = cx + 2 if align == "l" else cx + frac * w - 2 - p.width(line, el.size, bold)
                        p.draw(c, tx, cy + el.size * 0.28, line, el.size, bold)
                    cx += frac * w
                c.setLineWidth(0.3)
                c.line(x, y - h, x + sum(el.widths) * w, y - h)
                y -= h

    def _centered(self, c: Any, text: str, size: float, bold: bool, x: float, top: float,
                  width: float | None = None) -> None:
        w = width or self.width
        y = top
        for line in self.p.wrap(text, size, w, bold):
            y -= _leading(size)
            self.p.draw(c, x + (w - self.p.width(line, size, bold)) / 2, y + size * 0.28, line, size, bold)


def render(doc: Doc, font: str | None = None) -> bytes:
    """Draw a document; the roll's page is exactly as tall as its content."""
    from reportlab.pdfgen.canvas import Canvas
    text = unicodedata.normalize("NFC", doc.text())
    fonts = fonts_for(doc.lang, text, font)
    painter = _Painter(fonts)
    buf = io.BytesIO()
    if doc.page == "roll":
        layout = _Layout(painter, ROLL_WIDTH - 2 * ROLL_MARGIN)
        heights = [layout.height(el) for el in doc.elements]
        page_h = sum(heights) + 2 * ROLL_MARGIN
        c = Canvas(buf, pagesize=(ROLL_WIDTH, page_h), invariant=1, pageCompression=1,
                   initialFontName=fonts.regular, initialFontSize=8)
        c.setTitle(doc.title)
        c.setCreator("pos-returns")
        top = page_h - ROLL_MARGIN
        for el, h in zip(doc.elements, heights):
            layout.draw(c, el, ROLL_MARGIN, top)
            top -= h
        c.showPage()
    else:
        layout = _Layout(painter, A4[0] - 2 * A4_MARGIN)
        c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.regular,
                   initialFontSize=8)
        c.setTitle(doc.title)
        c.setCreator("pos-returns")
        top = A4[1] - A4_MARGIN
        page = 1
        footer = doc.title

        def finish_page() -> None:
            painter.draw(c, A4_MARGIN, A4_MARGIN / 2, f"{footer} - {page}", 7)
            c.showPage()

        for el in doc.elements:
            parts = _split_table(layout, el, top - A4_MARGIN, A4[1] - 2 * A4_MARGIN)
            for n, part in enumerate(parts):
                h = layout.height(part)
                if n > 0 or (top - h < A4_MARGIN and top < A4[1] - A4_MARGIN):
                    finish_page()
                    page += 1
                    top = A4[1] - A4_MARGIN
                layout.draw(c, part, A4_MARGIN, top)
                top -= h
        finish_page()
    c.save()
    return buf.getvalue()


def _split_table(layout: _Layout, el: Element, room: float, page: float) -> list[Element]:
    """A table taller than the room left is split into page-sized tables, each with the header."""
    if not isinstance(el, Table) or layout.height(el) <= room:
        return [el]
    parts, rows, used = [], [], layout._row_height(el, el.headers, True)
    limit = room
    for i, row in enumerate(el.rows):
        h = layout._row_height(el, row, i in el.bold_rows)
        if rows and used + h > limit:
            parts.append(rows)
            rows, used, limit = [], layout._row_height(el, el.headers, True), page
        rows.append(row)
        used += h
    parts.append(rows)
    out, start = [], 0
    for p in parts:
        if p:
            bold = frozenset(i - start for i in el.bold_rows if start <= i < start + len(p))
            out.append(Table(el.headers, tuple(p), el.widths, el.align, el.size, bold))
            start += len(p)
    return out


# ============================================================================= entry points

def document_pdf(store: st.Store, txno: str, kind: str, lang: str, *, copy: int = 1, locale: str | None = None,
                 font: str | None = None) -> bytes:
    """The PDF of one document of a recorded transaction (``copy`` > 1: a DUPLICATE)."""
    if kind not in BUILDERS:
        raise PaperworkError(N_("Unknown document {kind}; choose one of: {kinds}."), kind=kind,
                             kinds=", ".join(DOC_KINDS))
    tx = load_transaction(store, txno, locale)
    return render(BUILDERS[kind](tx, lang, copy), font)


def day_report_pdf(store: st.Store, day: date, lang: str, *, locale: str | None = None,
                   font: str | None = None) -> bytes:
    return render(day_report_doc(load_day(store, day, locale), lang), font)


def documents_for(tx: TxRecord) -> tuple[str, ...]:
    """The documents a transaction has: receipt and store copy always, plus its form and slip when it has them."""
    kinds = ["receipt", "store-copy"]
    if tx.kind == "no_receipt":
        kinds.append("no-receipt-form")
    if tx.approvals and tx.kind != "correction":
        kinds.append("override")
    return tuple(kinds)
