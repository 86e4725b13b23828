"""The print use-case of the counter app: render a recorded transaction's documents and send them to a printer.

The screens call this (through ``ui.ops.run_op``) with the clock's "now" for the reprint record; documents and
printers stay below services.
"""

from __future__ import annotations

from datetime import datetime

from pos_returns.documents import printing
from pos_returns.documents.printing import CupsPrinter, FolderPrinter, PrintError, Printer, Rendered  # noqa: F401
from pos_returns.storage import store as st


def cups_printers() -> list[str]:
    return printing.cups_printers()


def print_transaction(db: st.Store, txno: str, printer: Printer | None, lang: str, *, now: datetime,
                      reprint: bool = False, actor: str | None = None, locale: str | None = None) -> list[Rendered]:
    """Render (and keep) each document of ``txno`` and print it; a reprint is recorded at ``now``."""
    return printing.print_transaction(db, txno, printer, lang, reprint=reprint, actor=actor, now=now, locale=locale)
