"""Paperwork as a use-case: assemble a document's record from the journal, render it, keep it, print it.

The documents (``pos_returns.documents``) take plain records and never read the database; this module
is where the journal is read:

- :func:`load_transaction` builds a :class:`TxRecord` from the journal entry and its payload alone, with
  staff names as the entry recorded them (``payload["staff"]``), so a reprint years later shows the name
  of that day, not today's; only an entry recorded before names were kept falls back to the staff table;
- :func:`load_day` gathers one day's transactions for the end-of-day report;
- :func:`render_document` / :func:`print_transaction` keep every PDF in a ``paperwork`` folder next to the
  database and record a reprint (marked DUPLICATE with its copy number) as a ``reprint`` event.

Commit before print (DESIGN.md): the transaction is already in the journal when anything here runs; a
failed print raises :class:`PrintError` naming the saved PDF, and the document waits for a reprint.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from pos_returns.documents.day_report import day_report_pdf as _day_report_pdf
from pos_returns.documents.formatting import CURRENCY_LOCALES, DOC_KINDS
from pos_returns.documents.printing import (  # noqa: F401 - the printers, as the screens reach them
    CupsPrinter, FolderPrinter, NoPrinter, Printer, PrintError, Rendered, cups_printers, write_pdf)
from pos_returns.documents.receipts import BUILDERS, documents_for, transaction_pdf
from pos_returns.documents.record import (DayReport, PaperworkError, TxApproval, TxLine, TxNewItem, TxRecord,
                                          TxTender, last4, masked_id)
from pos_returns import signing
from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.storage import store as st

__all__ = ["DOC_KINDS", "PAPERWORK_DIR", "PaperworkError", "PrintError", "Rendered", "copies_made", "day_report_pdf",
           "document_pdf", "documents_for", "documents_of", "load_day", "load_transaction", "paperwork_dir",
           "original_language", "print_transaction", "render_day_report", "render_document", "store_locale"]

PAPERWORK_DIR = "paperwork"


# ============================================================================= assembling records

def store_locale(store: st.Database, currency: str, locale: str | None = None) -> str:
    """The store's locale: given (the policy's), else the database's setting, else by currency."""
    if locale:
        return locale
    saved = store.setting("store_locale")
    if saved:
        return saved
    return CURRENCY_LOCALES.get(currency, "en_US")


def _name(store: st.Database, recorded: dict[str, Any], staff_id: str | None) -> str | None:
    """A staff member's name as the entry recorded it; the staff table only for entries that recorded none."""
    if not staff_id:
        return None
    if staff_id in recorded:
        return recorded[staff_id] or None
    row = st.get_staff(store, staff_id)
    return row["name"] if row else None


def _money(value: Any, currency: str) -> Money:
    if value is None or value == "":
        return Money.zero(currency)
    return Money.parse(str(value), currency) if not isinstance(value, int) else Money.from_minor(value, currency)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _tenders(payload: dict, cur: str) -> tuple[TxTender, ...]:
    return tuple(TxTender(t["type"], Money.from_minor(t["amount"], cur), last4(t.get("last4")))
                 for t in payload.get("journal_tenders", []))


def _common(store: st.Database, entry: st.JournalEntry, store_info: dict, recorded: dict, locale: str | None) -> dict:
    """The fields every record takes from its journal entry."""
    cur = entry.currency
    return dict(
        txno=entry.txno, kind=entry.kind, at=datetime.fromisoformat(entry.at), register=entry.register,
        store_id=store_info.get("id") or entry.txno.split("-")[0], store_name=store_info.get("name") or "",
        currency=cur, locale=store_locale(store, cur, locale), cashier=entry.cashier,
        cashier_name=_name(store, recorded, entry.cashier), receipt=entry.receipt,
        refund_total=Money.from_minor(entry.refund_total, cur), exchange_total=Money.from_minor(entry.exchange_total, cur),
        balance_due=Money.from_minor(entry.balance_due, cur), training=bool(entry.training), hash=entry.hash,
        policy_sha256=entry.policy_sha256, qr=receipt_code(store, entry.txno))


def receipt_code(store: st.Database, txno: str) -> str | None:
    """The text of a receipt's QR code: the entry's signed statement and its signature (None: not signed)."""
    row = st.signature_of(store, txno)
    if row is None:
        return None
    statement = signing.Statement(row["store"], row["register"], row["txno"], row["at"], row["total"],
                                  row["currency"], row["signer"], row["counter"], row["hash"])
    return signing.receipt_code(statement, signing.unb64url(row["signature"]))


def register_keys(store: st.Database) -> tuple[tuple[str, str, str], ...]:
    """The registers' signing keys in force: (register, fingerprint, public key), for the day report."""
    latest: dict[str, dict[str, Any]] = {}
    for row in st.key_rows(store):
        latest[row["signer"]] = row
    return tuple((r, row["fingerprint"], row["public_key"]) for r, row in sorted(latest.items()))


def load_transaction(store: st.Database, txno: str, locale: str | None = None, lang: str | None = None) -> TxRecord:
    """A recorded transaction, from its journal entry and payload only; with ``lang``, the decision's sentences
    in that language where the entry kept them (entries recorded before that keep the policy's language)."""
    entry = st.get_entry(store, txno)
    if entry.kind == "day_close":
        raise PaperworkError(N_("{txno} is a day closing, not a return or exchange; print the end-of-day report "
                                "instead."), txno=txno)
    payload = json.loads(entry.payload)
    if entry.kind == "correction":
        return _load_correction(store, entry, payload, locale)
    cur = entry.currency
    case = payload.get("case") or {}
    decision = _in_language(payload.get("decision") or {}, (payload.get("texts") or {}).get(lang or ""))
    sale = case.get("sale") or None
    request = case.get("request") or {}
    store_info = payload.get("store") or {}
    recorded = payload.get("staff") or {}
    customer = request.get("customer") or {}
    return TxRecord(
        **_common(store, entry, store_info, recorded, locale or store_info.get("locale")),
        sold_at=_when(sale.get("sold_at")) if sale else None, gift_receipt=bool(sale and sale.get("gift_receipt")),
        lines=_lines(decision, sale, request, cur), new_items=_new_items(request, cur, Money.from_minor(entry.exchange_total, cur)),
        rounding=_money(decision.get("rounding"), cur), tenders=_tenders(payload, cur),
        approvals=_approvals(store, payload, decision, recorded, cur), rules=tuple(decision.get("rules", [])),
        customer_id_masked=masked_id(customer.get("id")), customer_id_verified=bool(customer.get("id_verified")),
        paper_lang=payload.get("paper_lang"), payment=_payment(payload, cur), **_version(decision))


def _version(decision: dict) -> dict:
    """The policy version the decision names (decisions journaled before versions name none)."""
    ref = decision.get("policy_version") or {}
    day = ref.get("effective_from")
    return {"policy_version": ref.get("id"), "policy_from": date.fromisoformat(day) if day else None}


def _in_language(decision: dict, texts: dict | None) -> dict:
    """The recorded decision with its reasons replaced by the same sentences in another language."""
    if not texts or len(texts.get("lines", [])) != len(decision.get("lines", [])) \
            or len(texts.get("approvals", [])) != len(decision.get("approvals", [])):
        return decision
    lines = [dict(d, reasons=r) for d, r in zip(decision["lines"], texts["lines"])]
    approvals = [dict(a, reason=r) for a, r in zip(decision.get("approvals", []), texts["approvals"])]
    return dict(decision, lines=lines, approvals=approvals, reasons=texts.get("reasons", decision.get("reasons", [])))


def _payment(payload: dict, cur: str) -> TxTender | None:
    paid = payload.get("customer_payment")
    return TxTender(paid["type"], Money.from_minor(paid["amount"], cur)) if paid else None


def _lines(decision: dict, sale: dict | None, request: dict, cur: str) -> tuple[TxLine, ...]:
    """The decided lines, with names, conditions, reasons and serials from the recorded case."""
    sale_lines = {ln["line"]: ln for ln in (sale or {}).get("lines", [])}
    req_lines = {ln["line"]: ln for ln in request.get("lines", [])}
    no_receipt = request.get("no_receipt_items", []) if sale is None else []
    lines = []
    for d in decision.get("lines", []):
        number = d["line"]
        if sale is not None:
            src, req = sale_lines.get(number, {}), req_lines.get(number, {})
            condition, reason, serial, lowest = req.get("condition"), req.get("reason"), \
                req.get("serial") or src.get("serial"), None
        else:
            src = no_receipt[number - 1] if 0 < number <= len(no_receipt) else {}
            condition, reason, serial = src.get("condition"), src.get("reason"), None
            lowest = _money(src.get("lowest_price"), cur) if src.get("lowest_price") else None
        lines.append(TxLine(
            line=number, sku=d["sku"], name=src.get("name") or d["sku"], qty=d["qty"], outcome=d["outcome"],
            item=_money(d.get("item"), cur), fee=_money(d.get("fee"), cur), tax=_money(d.get("tax"), cur),
            takeback=_money(d.get("takeback"), cur), refund=_money(d.get("refund"), cur),
            rules=tuple(d.get("rules", [])), reasons=tuple(d.get("reasons", [])), condition=condition,
            reason=reason, serial=serial, lowest_price=lowest))
    return tuple(lines)


def _new_items(request: dict, cur: str, exchange_total: Money) -> tuple[TxNewItem, ...]:
    """The new items of an exchange; their prices include tax when the recorded exchange total is just their
    amounts (the engine adds tax on top only where prices exclude it)."""
    items = [TxNewItem(sku=x["sku"], name=x.get("name") or x["sku"], qty=x["qty"],
                       unit_price=_money(x["unit_price"], cur), tax_rate=Decimal(x.get("tax_rate", "0")))
             for x in request.get("exchange_items", [])]
    included = sum((i.amount for i in items), Money.zero(cur)) == exchange_total
    return tuple(replace(i, tax_included=included) for i in items)


def _approvals(store: st.Database, payload: dict, decision: dict, recorded: dict, cur: str) -> tuple[TxApproval, ...]:
    asked = {a["rule"]: a.get("reason", "") for a in decision.get("approvals", [])}
    return tuple(
        TxApproval(manager=a["manager"], manager_name=_name(store, recorded, a["manager"]),
                   rules=tuple(a.get("rules", [])), reason_code=a.get("reason_code", ""),
                   amount=_money(a.get("amount"), cur) if a.get("amount") else None,
                   reasons=tuple(asked[r] for r in a.get("rules", []) if asked.get(r)), at=_when(a.get("at")))
        for a in payload.get("approvals", []))


def _load_correction(store: st.Database, entry: st.JournalEntry, payload: dict, locale: str | None) -> TxRecord:
    cur = entry.currency
    original = st.get_entry(store, payload["corrects"]) if payload.get("corrects") else None
    store_info = (json.loads(original.payload).get("store") if original else None) or {}
    recorded = payload.get("staff") or {}
    lines = tuple(TxLine(line=x["line"], sku=x["sku"], name=x["sku"], qty=x["qty"], outcome=x["outcome"],
                         item=Money.from_minor(x["refund"], cur), fee=Money.zero(cur), tax=Money.zero(cur),
                         takeback=Money.zero(cur), refund=Money.from_minor(x["refund"], cur), rules=(), reasons=())
                  for x in payload.get("journal_lines", []))
    manager = payload.get("manager")
    approvals = (TxApproval(manager, _name(store, recorded, manager), ("correction",), "correction", None),) \
        if manager else ()
    return TxRecord(
        **_common(store, entry, store_info, recorded, locale), sold_at=None, gift_receipt=False, lines=lines,
        new_items=(), rounding=Money.zero(cur), tenders=_tenders(payload, cur), approvals=approvals, rules=(),
        customer_id_masked=None, customer_id_verified=False, corrects=payload.get("corrects"),
        correction_reason=payload.get("reason"))


def load_day(store: st.Database, day: date, locale: str | None = None, store_id: str | None = None,
             store_name: str | None = None) -> DayReport:
    """Every transaction recorded on a day (real and training apart), with refunds totalled by tender."""
    rows = st.entries_of_day(store, day.isoformat())
    closing = st.day_closings(store)
    closed_by = next((r["txno"] for r in closing if json.loads(r["payload"]).get("date") == day.isoformat()), None)
    records = [load_transaction(store, r["txno"], locale) for r in rows if r["kind"] != "day_close"]
    real = tuple(r for r in records if not r.training)
    training = tuple(r for r in records if r.training)
    currency = (records[0].currency if records else None) or st.any_sale_currency(store) or "USD"
    by_tender: dict[str, Money] = {}
    for r in real:
        for t in r.tenders:
            by_tender[t.type] = by_tender.get(t.type, Money.zero(currency)) + t.amount
    sid = store_id or (records[0].store_id if records else "")
    name = store_name or next((r.store_name for r in records if r.store_name), "")
    return DayReport(day, sid, name, currency, store_locale(store, currency, locale), real, training,
                     dict(sorted(by_tender.items())), closed_by, register_keys(store))


# ============================================================================= documents of the journal

def document_pdf(store: st.Database, txno: str, kind: str, lang: str, *, copy: int = 1, locale: str | None = None,
                 font: str | None = None) -> bytes:
    """The PDF of one document of a recorded transaction (``copy`` > 1: a DUPLICATE)."""
    if kind not in BUILDERS:
        raise PaperworkError(N_("Unknown document {kind}; choose one of: {kinds}."), kind=kind,
                             kinds=", ".join(DOC_KINDS))
    return transaction_pdf(load_transaction(store, txno, locale, lang), kind, lang, copy, font)


def day_report_pdf(store: st.Database, day: date, lang: str, *, locale: str | None = None,
                   font: str | None = None) -> bytes:
    return _day_report_pdf(load_day(store, day, locale), lang, font)


def original_language(store: st.Database, txno: str) -> str | None:
    """The customer's language the transaction's paperwork was first printed in, as its journal entry recorded it
    (None for entries recorded before the language was kept, and for day closings)."""
    entry = st.get_entry(store, txno)
    return json.loads(entry.payload).get("paper_lang") if entry.kind != "day_close" else None


def documents_of(store: st.Database, txno: str, locale: str | None = None) -> tuple[str, ...]:
    """The documents a recorded transaction has (receipt, store copy, and its form or slip if any)."""
    return documents_for(load_transaction(store, txno, locale))


# ============================================================================= keeping and printing

def paperwork_dir(store: st.Database) -> Path:
    """The folder next to the database where every printed document is kept."""
    return Path(store.path).resolve().parent / PAPERWORK_DIR


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text)


def copies_made(store: st.Database, txno: str, kind: str) -> int:
    """How many copies of this document exist: 1 (the original) plus each recorded reprint."""
    rows = st.events_of(store, "reprint", txno)
    reprints = sum(1 for r in rows if json.loads(r["detail"] or "{}").get("doc") == kind)
    return 1 + reprints


def render_document(store: st.Database, txno: str, kind: str, lang: str, *, reprint: bool = False,
                    actor: str | None = None, now: datetime | None = None, locale: str | None = None,
                    folder: str | Path | None = None, font: str | None = None) -> Rendered:
    """Render one document of a recorded transaction and keep it as a PDF.

    A reprint gets the next copy number, says DUPLICATE, and is recorded as a 'reprint' event at ``now``
    (the caller's clock; the wall clock only when none is given)."""
    copy = copies_made(store, txno, kind) + 1 if reprint else 1
    pdf = document_pdf(store, txno, kind, lang, copy=copy, locale=locale, font=font)
    out = Path(folder) if folder else paperwork_dir(store)
    name = f"{_safe(txno)}-{kind}-{_safe(lang)}" + (f"-copy{copy}" if copy > 1 else "") + ".pdf"
    path = write_pdf(out / name, pdf)
    if reprint:
        if now is None:  # the caller's clock says when; nothing below services reads the wall clock
            raise ValueError("a reprint is recorded at the caller's 'now'")
        st.record_event(store, now, "reprint", actor, txno,
                        doc=kind, copy=copy, lang=lang, file=path.name)
    return Rendered(txno, kind, lang, copy, path, pdf)


def render_day_report(store: st.Database, day: date, lang: str, *, locale: str | None = None,
                      folder: str | Path | None = None, font: str | None = None) -> Rendered:
    pdf = day_report_pdf(store, day, lang, locale=locale, font=font)
    out = Path(folder) if folder else paperwork_dir(store)
    path = write_pdf(out / f"returns-{day.isoformat()}-{_safe(lang)}.pdf", pdf)
    return Rendered(day.isoformat(), "report-day", lang, 1, path, pdf)


def print_transaction(store: st.Database, txno: str, printer: Printer | None, lang: str, *, reprint: bool = False,
                      kinds: Sequence[str] | None = None, actor: str | None = None, now: datetime | None = None,
                      locale: str | None = None, folder: str | Path | None = None) -> list[Rendered]:
    """Render (and keep) each document, then send each to the printer.

    Raises PrintError after the documents are saved when the printer is missing or fails; the
    message names where the PDFs are, so nothing is lost."""
    kinds = tuple(kinds) if kinds else documents_of(store, txno, locale)
    done = [render_document(store, txno, kind, lang, reprint=reprint, actor=actor, now=now, locale=locale,
                            folder=folder) for kind in kinds]
    if printer is None:
        raise NoPrinter(N_("No printer is set up; {txno} is recorded and its documents are saved in {folder}."),
                         txno=txno, folder=str(done[0].path.parent))
    for doc in done:
        printer.send(doc.path, doc.title)
    return done
