"""The end-of-day returns report (A4): every transaction of the day, real and training apart, totals by tender.

Made from a :class:`DayReport` that services assemble from the journal; laid out with platypus (``documents.a4``).
"""

from __future__ import annotations

from typing import Sequence

from pos_returns.documents.elements import Center, Doc, Para, Space, Table, Title
from pos_returns.documents.formatting import TENDER_NAMES, Formatter
from pos_returns.documents.record import DayReport, TxRecord
from pos_returns.domain.money import Money


def day_report_doc(report: DayReport, lang: str) -> Doc:
    """The end-of-day returns report (A4): every transaction of the day, totals by tender."""
    f = Formatter(lang, report.locale)
    _ = f.gettext
    title = _("Returns report for {day}").format(day=f.date(report.day))
    doc = Doc("a4", title, f.lang)
    doc.add(Center(report.store_name, 12, True) if report.store_name else Space(0),
            Center(_("Store {store}").format(store=report.store_id)), Space(4), Title(title), Space(6))
    count = len(report.transactions)
    doc.add(Para(f.ngettext("{n} transaction", "{n} transactions", count).format(n=f.number(count)), 9, True))
    if report.transactions:
        doc.add(_transactions(f, report.transactions))
    doc.add(Space(10), Para(_("Refunds by tender"), 10, True), _by_tender(f, report))
    if report.training:
        doc.add(Space(10), Para(_("TRAINING transactions (not counted above)"), 10, True),
                _transactions(f, report.training))
    doc.add(Space(10), Para(_("Day closed by {txno}").format(txno=report.closed_by) if report.closed_by
                            else _("The day is not closed yet."), 8))
    if report.keys:
        doc.add(Space(10), Para(_("Signing keys of the registers (an auditor checks the journal against these)"),
                                10, True),
                Table(headers=(_("Register"), _("Fingerprint"), _("Public key")),
                      rows=tuple(report.keys), widths=(0.1, 0.2, 0.7), align=("l", "l", "l"), size=7))
    return doc


def _by_tender(f: Formatter, report: DayReport) -> Table:
    """Refunds by tender with their total, then what was returned, sold in exchanges and paid by customers."""
    _ = f.gettext
    zero = Money.zero(report.currency)
    total = sum(report.by_tender.values(), zero)
    rows = tuple((f.gettext(TENDER_NAMES.get(k, k)), f.money(v)) for k, v in report.by_tender.items())
    rows += ((_("Total refunded"), f.money(total)),)
    returned = sum((r.refund_total for r in report.transactions), zero)
    sold = sum((r.exchange_total for r in report.transactions), zero)
    paid = sum((r.balance_due for r in report.transactions), zero)
    rows += ((_("Returned merchandise"), f.money(returned)), (_("Exchange items"), f.money(sold)),
             (_("Paid by customers (exchanges)"), f.money(paid)))
    return Table(headers=(_("Tender"), _("Amount")), rows=rows, widths=(0.3, 0.15), align=("l", "r"), size=8,
                  bold_rows=frozenset({len(report.by_tender)}))


def _transactions(f: Formatter, records: Sequence[TxRecord]) -> Table:
    """One row per transaction: time, number, kind, cashier, receipt, amounts, tenders, managers, rules, hash."""
    _ = f.gettext
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


def day_report_pdf(report: DayReport, lang: str, font: str | None = None) -> bytes:
    from pos_returns.documents.render import render
    return render(day_report_doc(report, lang), font)
