"""Paperwork: the documents of a recorded transaction and of a day, as PDF bytes (ReportLab; no Qt, no database).

Three steps, kept apart, each in its own module:

1. **record** - services assemble a :class:`TxRecord` / :class:`DayReport` from the journal
   (``pos_returns.services.paperwork``); the documents never read the database;
2. **format** - ``*_doc`` functions turn a record into a :class:`Doc`, a list of layout elements holding
   finished strings (translated with the customer's catalog, money in the store's currency format,
   dates with Babel): ``documents.receipts`` (the roll documents), ``documents.day_report`` (A4);
3. **lay out** - :func:`render` draws a Doc on an 80 mm roll (``documents.roll``: the page is as tall as
   its content) or on A4 (``documents.a4``: ReportLab platypus).

This module keeps the names importable from one place.
"""

from __future__ import annotations

from pos_returns.documents.day_report import day_report_doc, day_report_pdf
from pos_returns.documents.elements import (Banner, Barcode, Center, Divider, Doc, Element, Pair, Para, Signature,
                                            Space, Table, Title)
from pos_returns.documents.formatting import (CARD_TENDERS, CURRENCY_LOCALES, DOC_KINDS, KIND_NAMES, OUTCOME_NAMES,
                                              TENDER_NAMES, Formatter, person)
from pos_returns.documents.receipts import (BUILDERS, INDENT, documents_for, no_receipt_form_doc, override_doc,
                                            receipt_doc, store_copy_doc, transaction_doc, transaction_pdf)
from pos_returns.documents.record import (DayReport, PaperworkError, TxApproval, TxLine, TxNewItem, TxRecord,
                                          TxTender, last4, masked_id)
from pos_returns.documents.render import render

__all__ = [
    "BUILDERS", "CARD_TENDERS", "CURRENCY_LOCALES", "DOC_KINDS", "INDENT", "KIND_NAMES", "OUTCOME_NAMES",
    "TENDER_NAMES", "Banner", "Barcode", "Center", "DayReport", "Divider", "Doc", "Element", "Formatter", "Pair",
    "PaperworkError", "Para", "Signature", "Space", "Table", "Title", "TxApproval", "TxLine", "TxNewItem", "TxRecord",
    "TxTender", "day_report_doc", "day_report_pdf", "documents_for", "last4", "masked_id", "no_receipt_form_doc",
    "override_doc", "person", "receipt_doc", "render", "store_copy_doc", "transaction_doc", "transaction_pdf",
]
