"""Printers and kept documents: where a rendered PDF goes. No database, no Qt here.

Rendering a recorded transaction's documents, keeping them next to the database and recording reprints
is a use-case: ``pos_returns.services.paperwork`` (``render_document``, ``print_transaction``).

A :class:`Printer` is anything with ``name`` and ``send(pdf_path, title)``; the Qt one (QtPdf pages
painted on a ``QPrinter``) lives in ``ui/printing.py``. Here are the ones that need no GUI: :class:`CupsPrinter` (``lp -d NAME``) and :class:`FolderPrinter` ("print to PDF": a copy in a folder).

A failed print raises :class:`PrintError` naming the saved PDF, and the document waits for a reprint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pos_returns.i18n import N_, UserError


class PrintError(UserError):
    """The document could not be printed; the transaction stands and the PDF is kept for a reprint."""


class NoPrinter(PrintError):
    """No printer is set up: the documents were rendered and kept as PDF files, nothing went wrong."""


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


def write_pdf(path: Path, data: bytes) -> Path:
    """Save a document whole (a temporary file, then renamed over the name)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise PrintError(N_("Cannot save the document {path} ({error})."), path=str(path),
                         error=exc.strerror or str(exc)) from None
    return path


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

