"""The documents of one recorded transaction on the 80 mm roll: the customer's return / exchange receipt, the
store copy (with the customer's signature line), the no-receipt return form (masked ID) and the manager
override slip.

Each ``*_doc`` function turns a :class:`TxRecord` (assembled by services from the journal entry) into a
:class:`Doc` of finished strings; :func:`transaction_pdf` draws it. Every document carries store and
register, date and time, transaction number, original receipt, lines with quantities, amounts and tax,
refund tenders (cards by last 4 only), rule ids, the approving manager, a short hash of the journal entry
and a Code 128 barcode of the transaction number. Reprints say DUPLICATE with the copy number; training
transactions say TRAINING.
"""

from __future__ import annotations

from typing import Callable

from pos_returns.documents.elements import (Banner, Barcode, Center, Divider, Doc, Pair, Para, QrCode, Signature,
                                            Space, Title)
from pos_returns.documents.formatting import DOC_KINDS, Formatter, person
from pos_returns.documents.record import PaperworkError, TxLine, TxRecord
from pos_returns.domain.money import Money
from pos_returns.i18n import N_

INDENT = 8.0  # points: details under a line
PAYMENT_NAMES = {"cash": N_("Cash"), "card": N_("Card")}  # how a customer paid an exchange's balance


def _header(doc: Doc, f: Formatter, tx: TxRecord, title: str, copy: int) -> None:
    _ = f.gettext
    if tx.training:
        doc.add(Banner(_("TRAINING - not a real transaction")))
    if copy > 1:
        doc.add(Banner(_("DUPLICATE - copy {n}").format(n=f.number(copy))))
    doc.add(Center(tx.store_name, 10, True) if tx.store_name else Space(0),
            Center(_("Store {store} - register {register}").format(store=tx.store_id, register=tx.register)),
            Space(3), Title(title), Space(2), Divider(),
            Pair(_("Date"), f.datetime(tx.at)),
            Pair(_("Transaction"), tx.txno, bold=True))
    if tx.receipt:
        doc.add(Pair(_("Original receipt"), tx.receipt))
    if tx.sold_at:
        doc.add(Pair(_("Sold on"), f.datetime(tx.sold_at)))
    if tx.corrects:
        doc.add(Pair(_("Corrects"), tx.corrects, bold=True))
    doc.add(Pair(_("Cashier"), person(tx.cashier, tx.cashier_name)))
    if tx.gift_receipt:
        doc.add(Pair(_("Gift receipt"), _("yes")))
    doc.add(Divider())


def _lines(doc: Doc, f: Formatter, tx: TxRecord, *, reasons: bool = False) -> None:
    _ = f.gettext
    doc.add(Para(_("Returned items"), 8, True))
    for ln in tx.lines:
        _line(doc, f, ln, reasons)
    if tx.new_items:
        doc.add(Space(3), Para(_("New items"), 8, True))
        for item in tx.new_items:
            doc.add(Pair(f"{f.number(item.qty)} \u00d7 {item.name}", f.money(item.amount)))
            tax = (_("incl. tax {amount}") if item.tax_included else _("tax {amount}")).format(
                amount=f.money(item.tax))
            doc.add(Para(f"{item.sku} \u00b7 " + _("{qty} at {price}").format(
                qty=f.number(item.qty), price=f.money(item.unit_price)) + f" \u00b7 {tax}", indent=INDENT))
    doc.add(Divider())


def _line(doc: Doc, f: Formatter, ln: TxLine, reasons: bool) -> None:
    """One returned line: what it refunds, its SKU and serial, its amounts, the rules (and reasons) that decided it."""
    _ = f.gettext
    left = f"{f.number(ln.qty)} \u00d7 {ln.name}"
    value = f.money(ln.refund) if ln.outcome != "denied" else _("not accepted")
    doc.add(Pair(left, value))
    details = [f"{ln.sku}", _("line {n}").format(n=ln.line)]
    if ln.serial:
        details.append(_("serial {serial}").format(serial=ln.serial))
    doc.add(Para(" \u00b7 ".join(details), indent=INDENT))
    doc.add(Para(" \u00b7 ".join(_amounts(f, ln)), indent=INDENT))
    if ln.rules:
        doc.add(Para(_("Rules: {rules}").format(rules=", ".join(ln.rules)), indent=INDENT))
    if reasons:
        for reason in ln.reasons:
            doc.add(Para(reason, 6.5, indent=INDENT))


def _amounts(f: Formatter, ln: TxLine) -> list[str]:
    _ = f.gettext
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
    return amounts


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
            if tx.payment is not None:
                doc.add(Pair(_("Paid by {tender}").format(tender=f.gettext(PAYMENT_NAMES.get(
                    tx.payment.type, tx.payment.type))), f.money(tx.payment.amount)))
    if not tx.rounding.is_zero():
        doc.add(Pair(_("Cash rounding"), f.money(tx.rounding)))
    doc.add(Divider(), Para(_("Refunded to"), 8, True))
    if not tx.tenders:
        doc.add(Pair(_("Nothing refunded"), f.money(Money.zero(tx.currency))))
    for t in tx.tenders:
        doc.add(Pair(f.tender(t), f.money(t.amount), bold=True, size=9))
    _mailed(doc, f, tx)
    doc.add(Divider())


def _mailed(doc: Doc, f: Formatter, tx: TxRecord) -> None:
    """A check mailed from head office is never shown as money from the till."""
    _ = f.gettext
    if tx.mailed.is_zero():
        return
    till = (tx.payout - tx.mailed).max(Money.zero(tx.currency))
    if till.is_zero():
        doc.add(Para(_("Check of {amount} mailed from head office; nothing paid at the till").format(
            amount=f.money(tx.mailed)), 8, True))
    else:
        doc.add(Para(_("Store refunds {amount} at the till; a check of {mailed} is mailed from head office").format(
            amount=f.money(till), mailed=f.money(tx.mailed)), 8, True))


def _footer(doc: Doc, f: Formatter, tx: TxRecord) -> None:
    _ = f.gettext
    rules = tx.all_rules
    if rules:
        doc.add(Para(_("Rules applied: {rules}").format(rules=", ".join(rules))))
    for a in tx.approvals:
        doc.add(Para(_("Approved by manager {manager}, reason {code}").format(
            manager=person(a.manager, a.manager_name), code=_code(f, a.reason_code))))
        if a.at is not None:
            doc.add(Para(_("Approved at {time}").format(time=f.datetime(a.at)), indent=INDENT))
    doc.add(Para(_("Journal entry {hash} - policy {policy}").format(hash=tx.short_hash, policy=tx.policy_sha256[:12])))
    if tx.policy_from is not None:
        doc.add(Para(_("Policy version {version}, in force from {date}").format(
            version=tx.policy_version, date=f.date(tx.policy_from))))
    doc.add(Space(4), Barcode(tx.txno, tx.txno))
    doc.barcode_value = tx.txno
    if tx.qr:
        doc.add(Space(4), QrCode(tx.qr, _("Signed by register {register}: scan to check this receipt").format(
            register=tx.register)))


def _code(f: Formatter, code: str) -> str:
    """An approval's reason code in the reader's words (a code the policy added itself: as written)."""
    from pos_returns.domain.policy_text import APPROVAL_CODE_TEXT, code_label
    if code in APPROVAL_CODE_TEXT:
        return code_label(code, f.lang, APPROVAL_CODE_TEXT)
    if code == "correction":
        return f.gettext(N_("Correction"))
    return code_label(code, f.lang)


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
            Pair(_("ID checked"), _("yes") if tx.customer_id_verified else _("no")), Divider())
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
        doc.add(Pair(_("Manager"), person(a.manager, a.manager_name), bold=True),
                Pair(_("Reason code"), _code(f, a.reason_code)))
        if a.at is not None:
            doc.add(Pair(_("Approved at"), f.datetime(a.at)))
        if a.amount is not None:
            doc.add(Pair(_("Amount approved"), f.money(a.amount), bold=True))
        doc.add(Para(_("Rules overridden: {rules}").format(rules=", ".join(a.rules) or "-"), 8))
        for reason in a.reasons:
            doc.add(Para(reason, 6.5, indent=INDENT))
        doc.add(Divider())
    _lines(doc, f, tx)
    doc.add(Pair(_("Returned total"), f.money(tx.refund_total), bold=True))
    for t in tx.tenders:
        doc.add(Pair(f.tender(t), f.money(t.amount)))
    _mailed(doc, f, tx)
    doc.add(Space(6), Signature(_("Manager signature")))
    _footer(doc, f, tx)
    return doc


BUILDERS: dict[str, Callable[[TxRecord, str, int], Doc]] = {
    "receipt": receipt_doc, "store-copy": store_copy_doc, "no-receipt-form": no_receipt_form_doc,
    "override": override_doc,
}


def documents_for(tx: TxRecord) -> tuple[str, ...]:
    """The documents a transaction has: receipt and store copy always, plus its form and slip when it has them."""
    kinds = ["receipt", "store-copy"]
    if tx.kind == "no_receipt":
        kinds.append("no-receipt-form")
    if tx.approvals and tx.kind != "correction":
        kinds.append("override")
    return tuple(kinds)


def transaction_doc(tx: TxRecord, kind: str, lang: str, copy: int = 1) -> Doc:
    """The layout of one document of a recorded transaction (``copy`` > 1: a DUPLICATE)."""
    if kind not in BUILDERS:
        raise PaperworkError(N_("Unknown document {kind}; choose one of: {kinds}."), kind=kind,
                             kinds=", ".join(DOC_KINDS))
    return BUILDERS[kind](tx, lang, copy)


def transaction_pdf(tx: TxRecord, kind: str, lang: str, copy: int = 1, font: str | None = None) -> bytes:
    """The PDF of one document of a recorded transaction."""
    from pos_returns.documents.render import render
    return render(transaction_doc(tx, kind, lang, copy), font)
