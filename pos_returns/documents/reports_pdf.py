"""The manager's returns report (any period) as an A4 PDF (platypus, through ``documents.a4``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_returns.i18n import N_
from pos_returns.documents.elements import Center, Doc, Para, Space, Table, Title
from pos_returns.documents.formatting import TENDER_NAMES, Formatter
from pos_returns.documents.render import render
from pos_returns.domain.policy import Policy
from pos_returns.domain.policy_text import code_label

if TYPE_CHECKING:  # the manager's Report is the record this document takes; documents import nothing above them
    from pos_returns.manager.reports import Report

KIND_WORDS = {"return": N_("Returns"), "exchange": N_("Exchanges"), "no_receipt": N_("Without a receipt"),
              "correction": N_("Corrections")}


def report_doc(report: Report, policy: Policy, lang: str) -> Doc:
    f = Formatter(lang, policy.store.locale)
    _ = f.gettext
    m = report.money
    title = _("Returns report {start} to {end}").format(start=f.date(report.start), end=f.date(report.end))
    doc = Doc("a4", title, f.lang)
    doc.add(Center(policy.store.name, 12, True), Center(_("Store {store}").format(store=policy.store.id)), Space(4),
            Title(title), Space(6))
    summary = (
        (_("Transactions"), f.number(report.count)),
        (_("Refunds"), f.money(m(report.refund_total))),
        (_("New items in exchanges"), f.money(m(report.exchange_total))),
        (_("Restocking fees collected"), f.money(m(report.fees))),
        (_("Store credit issued"), f.money(m(report.store_credit))),
        (_("Share without a receipt"), f"{report.no_receipt_share:.1%}"),
        (_("Share of sales returned"), f"{report.returned_share:.2%}"),
        (_("Manager approvals"), f.number(report.approvals)),
        (_("Overrides"), f.number(report.overrides)),
        (_("Complaints / compliments"), f"{report.complaints} / {report.compliments}"),
    )
    doc.add(Table(headers=(_("Figure"), _("Value")), rows=summary, widths=(0.4, 0.2), align=("l", "r"), size=8))

    def section(heading: str, table: dict[str, list[int]], names=None) -> None:
        rows = tuple((names(k) if names else k, f.number(c), f.money(m(a))) for k, (c, a) in sorted(table.items()))
        doc.add(Space(8), Para(heading, 10, True))
        if rows:
            doc.add(Table(headers=("", _("Count"), _("Refunds")), rows=rows, widths=(0.4, 0.15, 0.2),
                          align=("l", "r", "r"), size=8))
        else:
            doc.add(Para("\u2014", 8))

    section(_("By kind"), report.by_kind, lambda k: _(KIND_WORDS.get(k, k)))
    section(_("By reason"), report.by_reason, lambda k: code_label(k, f.lang))
    section(_("By category"), report.by_category)
    section(_("By cashier"), report.by_cashier)
    rows = tuple((_(TENDER_NAMES.get(k, k)), f.money(m(v))) for k, v in sorted(report.by_tender.items()))
    doc.add(Space(8), Para(_("By tender"), 10, True))
    doc.add(Table(headers=("", _("Amount")), rows=rows or (("\u2014", ""),), widths=(0.4, 0.2), align=("l", "r"),
                  size=8))
    doc.add(Space(8), Para(_("Training transactions are not counted."), 7))
    return doc


def report_pdf(report: Report, policy: Policy, lang: str, font: str | None = None) -> bytes:
    return render(report_doc(report, policy, lang), font)
