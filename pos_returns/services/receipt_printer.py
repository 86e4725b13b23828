"""The counter's ESC/POS thermal printer and cash drawer: its setting, and printing a transaction's roll documents.

The setting ``receipt_printer`` holds one target (``tcp://HOST:9100``, ``usb://VID:PID``,
``serial:///dev/ttyS0?baud=9600``; empty: none). With one set, the roll documents of a transaction go to it
(each kept as a PDF too, as before); the drawer opens when the transaction hands cash back. A4 documents
and stores without a thermal printer keep printing through Qt or CUPS (``services.paperwork``).
"""

from __future__ import annotations

from datetime import datetime

from pos_returns.documents.escpos import ReceiptPrinterError, Target, parse_target, print_docs
from pos_returns.documents.receipts import transaction_doc
from pos_returns.documents.printing import Rendered
from pos_returns.services import paperwork
from pos_returns.services import session
from pos_returns.storage import store as st

SETTING = "receipt_printer"

__all__ = ["ReceiptPrinterError", "SETTING", "Target", "cash_handed_back", "check_target", "parse_target",
           "print_transaction", "saved_target"]


def check_target(text: str) -> str:
    """The target as it will be saved: '' for none, else the normal form; raises ReceiptPrinterError."""
    return str(parse_target(text)) if text.strip() else ""


def saved_target(store: st.Database) -> Target | None:
    text = session.setting(store, SETTING, "") or ""
    return parse_target(text) if text.strip() else None


def cash_handed_back(record) -> bool:
    """Whether the drawer opens for this transaction: it gives the customer cash from this till (a mailed
    cheque is not), or the customer paid an exchange's balance in cash (the cashier puts it in the drawer)."""
    paid = record.payment
    return any(t.type == "cash" and t.amount.amount > 0 for t in record.tenders) or \
        (paid is not None and paid.type == "cash" and paid.amount.amount > 0)


def print_transaction(store: st.Database, txno: str, target: Target, lang: str, *, reprint: bool = False,
                      actor: str | None = None, now: datetime | None = None, locale: str | None = None,
                      folder=None, timeout: float = 10) -> list[Rendered]:
    """Keep each roll document as a PDF (a reprint is recorded, marked DUPLICATE), then print them all on the
    thermal printer and open the drawer when cash is handed back (never on a reprint)."""
    record = paperwork.load_transaction(store, txno, locale, lang)
    kinds = paperwork.documents_of(store, txno, locale)
    done = [paperwork.render_document(store, txno, kind, lang, reprint=reprint, actor=actor, now=now,
                                      locale=locale, folder=folder) for kind in kinds]
    docs = [transaction_doc(record, r.kind, lang, r.copy) for r in done]
    print_docs(target, docs, kick_drawer=not reprint and cash_handed_back(record), timeout=timeout)
    return done
