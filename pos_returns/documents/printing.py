"""Printing as a service: render a transaction's documents, keep every PDF, send it to a printer.

No Qt here. A :class:`Printer` is anything with ``name`` and ``send(pdf_path, title)``; the Qt one
(QtPdf pages painted on a ``QPrinter``) lives in ``ui/printing.py``. Here are the ones that need no
GUI: :class:`CupsPrinter` (``lp -d NAME``) and :class:`FolderPrinter` ("print to PDF": a copy in a folder).

Commit before print (DESIGN.md): the transaction is already in the journal when anything here runs;
a failed print raises :class:`PrintError` naming the saved PDF, and the document waits for a reprint.
Every PDF is kept in a ``paperwork`` folder next to the database. A reprint is marked DUPLICATE with its
copy number and recorded as a ``reprint`` event (the exception report counts them per cashier).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, Sequence

from pos_returns.documents import paperwork
from pos_returns.storage import store as st
from pos_returns.i18n import N_, UserError

PAPERWORK_DIR = "paperwork"


class PrintError(UserError):
    """The document could not be printed; the transaction stands and the PDF is kept for a reprint."""


class Printer(Protocol):
    name: str

    def send(self, pdf_path: Path, title: str) -> None:
        """Print one PDF file; raise PrintError when it cannot."""


@dataclass(frozen=True)
class Rendered:
    txno: str
    kind: str
    lang: str
    copy: int  # 1: the original; 2, 3, ...: DUPLICATE copies
    path: Path  # where the PDF is kept
    pdf: bytes

    @property
    def title(self) -> str:
        return f"{self.txno} {self.kind}" + (f" copy {self.copy}" if self.copy > 1 else "")


def paperwork_dir(store: st.Store) -> Path:
    """The folder next to the database where every printed document is kept."""
    return Path(store.path).resolve().parent / PAPERWORK_DIR


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text)


def copies_made(store: st.Store, txno: str, kind: str) -> int:
    """How many copies of this document exist: 1 (the original) plus each recorded reprint."""
    rows = st.events_of(store, "reprint", txno)
    reprints = sum(1 for r in rows if json.loads(r["detail"] or "{}").get("doc") == kind)
    return 1 + reprints


def render_document(store: st.Store, txno: str, kind: str, lang: str, *, reprint: bool = False,
                    actor: str | None = None, now: datetime | None = None, locale: str | None = None,
                    folder: str | Path | None = None, font: str | None = None) -> Rendered:
    """Render one document of a recorded transaction and keep it as a PDF.

    A reprint gets the next copy number, says DUPLICATE, and is recorded as a 'reprint' event."""
    copy = copies_made(store, txno, kind) + 1 if reprint else 1
    pdf = paperwork.document_pdf(store, txno, kind, lang, copy=copy, locale=locale, font=font)
    out = Path(folder) if folder else paperwork_dir(store)
    name = f"{_safe(txno)}-{kind}-{_safe(lang)}" + (f"-copy{copy}" if copy > 1 else "") + ".pdf"
    path = _write(out / name, pdf)
    if reprint:
        if now is None:  # the caller's clock says when; nothing below services reads the wall clock
            raise ValueError("a reprint is recorded at the caller's 'now'")
        st.record_event(store, now, "reprint", actor, txno,
                        doc=kind, copy=copy, lang=lang, file=path.name)
    return Rendered(txno, kind, lang, copy, path, pdf)


def render_day_report(store: st.Store, day: date, lang: str, *, locale: str | None = None,
                      folder: str | Path | None = None, font: str | None = None) -> Rendered:
    pdf = paperwork.day_report_pdf(store, day, lang, locale=locale, font=font)
    out = Path(folder) if folder else paperwork_dir(store)
    path = _write(out / f"returns-{day.isoformat()}-{_safe(lang)}.pdf", pdf)
    return Rendered(day.isoformat(), "report-day", lang, 1, path, pdf)


def _write(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise PrintError(N_("Cannot save the document {path} ({error})."), path=str(path),
                         error=exc.strerror or str(exc)) from None
    return path


def documents_of(store: st.Store, txno: str, locale: str | None = None) -> tuple[str, ...]:
    """The documents a recorded transaction has (receipt, store copy, and its form or slip if any)."""
    return paperwork.documents_for(paperwork.load_transaction(store, txno, locale))


def print_transaction(store: st.Store, txno: str, printer: Printer | None, lang: str, *, reprint: bool = False,
                      kinds: Sequence[str] | None = None, actor: str | None = None, now: datetime | None = None,
                      locale: str | None = None, folder: str | Path | None = None) -> list[Rendered]:
    """Render (and keep) each document, then send each to the printer.

    Raises PrintError after the documents are saved when the printer is missing or fails; the
    message names where the PDFs are, so nothing is lost."""
    kinds = tuple(kinds) if kinds else documents_of(store, txno, locale)
    done = [render_document(store, txno, kind, lang, reprint=reprint, actor=actor, now=now, locale=locale,
                            folder=folder) for kind in kinds]
    if printer is None:
        raise PrintError(N_("No printer is set up; {txno} is recorded and its documents are saved in {folder}."),
                         txno=txno, folder=str(done[0].path.parent))
    for doc in done:
        printer.send(doc.path, doc.title)
    return done


# ----------------------------------------------------------------------------- printers without a GUI

class FolderPrinter:
    """'Print to PDF': a copy of each document in a folder."""

    def __init__(self, folder: str | Path, name: str = "PDF file"):
        self.folder = Path(folder)
        self.name = name

    def send(self, pdf_path: Path, title: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf_path, self.folder / Path(pdf_path).name)
        except OSError as exc:
            raise PrintError(N_("Cannot write to {folder} ({error}); the document is saved as {path}."),
                             folder=str(self.folder), error=exc.strerror or str(exc), path=str(pdf_path)) from None


def cups_available() -> bool:
    return shutil.which("lp") is not None and shutil.which("lpstat") is not None


def cups_printers() -> list[str]:
    """Queues CUPS accepts jobs for (``lpstat -e``); [] without CUPS."""
    if not cups_available():
        return []
    try:
        out = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()] if out.returncode == 0 else []


class CupsPrinter:
    """Sends the PDF file straight to a CUPS queue: ``lp -d NAME -t TITLE FILE``."""

    def __init__(self, name: str, timeout: float = 30):
        self.name = name
        self.timeout = timeout

    def send(self, pdf_path: Path, title: str) -> None:
        if not cups_available():
            raise PrintError(N_("CUPS is not installed here ('lp' not found); the document is saved as {path}."),
                             path=str(pdf_path))
        try:
            out = subprocess.run(["lp", "-d", self.name, "-t", title, "--", str(pdf_path)], capture_output=True,
                                 text=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PrintError(N_("Printer {printer}: {error}; the document is saved as {path}."), printer=self.name,
                             error=str(exc), path=str(pdf_path)) from None
        if out.returncode != 0:
            raise PrintError(N_("Printer {printer}: {error}; the document is saved as {path}."), printer=self.name,
                             error=(out.stderr or out.stdout).strip() or f"lp exit {out.returncode}",
                             path=str(pdf_path))

