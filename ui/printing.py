"""Printing through Qt's print support (PySide6).

:class:`QtPrinter` prints a ReportLab PDF on a real printer: QtPdf's ``QPdfDocument`` renders each page
at the printer's resolution and a ``QPainter`` paints it on a ``QPrinter`` chosen by name through
``QPrinterInfo``. :class:`pos_returns.services.paperwork.CupsPrinter` sends the file straight to a CUPS queue
(``lp -d NAME``) where CUPS is present; it keeps the PDF's vectors, so it is preferred there.

:class:`Paper` is what the main window uses: ``print_new(ctx, tx)`` after a commit and
``reprint(ctx, txno)``; each returns None on success or a message for the screen. The transaction is
always committed before anything is printed; a failed print leaves the PDF saved for a reprint.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from pos_returns.i18n import N_
from pos_returns.services import paperwork as paper
from pos_returns.services.paperwork import CupsPrinter, PrintError


def printer_names() -> list[str]:
    """Printers Qt knows (CUPS queues on Linux and macOS, installed printers on Windows)."""
    return list(QPrinterInfo.availablePrinterNames())


def default_printer() -> str | None:
    return QPrinterInfo.defaultPrinterName() or None


class QtPrinter:
    """Prints a PDF file on a named printer by painting QtPdf's rendering of each page."""

    def __init__(self, name: str | None = None, dpi: int | None = None):
        self.name = name or default_printer() or ""
        self.dpi = dpi

    def _printer(self) -> QPrinter:
        if not self.name:
            raise PrintError(N_("No printer is set up; choose one in Settings. The document is saved and can be "
                                "reprinted."))
        info = QPrinterInfo.printerInfo(self.name)
        if info.isNull():
            raise PrintError(N_("Printer {printer} was not found (known: {known}). The document is saved and can "
                                "be reprinted."), printer=self.name, known=", ".join(printer_names()) or "-")
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        if self.dpi:
            printer.setResolution(self.dpi)
        return printer

    def send(self, pdf_path: Path, title: str) -> None:
        printer = self._printer()
        doc = QPdfDocument()
        status = doc.load(str(pdf_path))
        if status != QPdfDocument.Error.None_ or doc.pageCount() < 1:
            raise PrintError(N_("Cannot read the document {path} to print it."), path=str(pdf_path))
        printer.setDocName(title)
        printer.setFullPage(True)
        first = doc.pagePointSize(0)
        printer.setPageLayout(QPageLayout(QPageSize(QSizeF(first.width(), first.height()), QPageSize.Unit.Point,
                                                    title, QPageSize.SizeMatchPolicy.ExactMatch),
                                          QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError(N_("Printer {printer} cannot start the job; the document is saved as {path}."),
                             printer=self.name, path=str(pdf_path))
        try:
            dpi = printer.resolution()
            for page in range(doc.pageCount()):
                if page:
                    size = doc.pagePointSize(page)
                    printer.setPageSize(QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point))
                    if not printer.newPage():
                        raise PrintError(N_("Printer {printer} stopped at page {page}; the document is saved as "
                                            "{path}."), printer=self.name, page=page + 1, path=str(pdf_path))
                points = doc.pagePointSize(page)
                pixels = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
                image = doc.render(page, pixels)
                if image.isNull():
                    raise PrintError(N_("Cannot render page {page} of {path}."), page=page + 1, path=str(pdf_path))
                target = painter.viewport()
                painter.drawImage(target, image)
        finally:
            painter.end()
            doc.close()


def make_printer(name: str | None, method: str = "auto"):
    """The best way to reach a printer: ``lp`` straight to CUPS where the queue is a CUPS one, else Qt."""
    if method in ("auto", "cups") and name and name in paper.cups_printers():
        return CupsPrinter(name)
    if method == "cups":
        raise PrintError(N_("{printer} is not a CUPS queue here."), printer=name or "-")
    return QtPrinter(name)


class Paper:
    """Printing for the counter app: after each commit, and reprints (marked DUPLICATE)."""

    def __init__(self, method: str = "auto"):
        self.method = method

    def printers(self) -> list[str]:
        return printer_names()

    def _run(self, ctx, txno: str, reprint: bool) -> str | None:
        from .ops import run_op
        actor = ctx.staff.id if getattr(ctx, "staff", None) else None

        def job() -> None:
            if getattr(ctx, "receipt_printer", ""):  # the roll on the ESC/POS printer, the drawer on cash back
                from pos_returns.services import receipt_printer
                receipt_printer.print_transaction(ctx.store, txno, receipt_printer.parse_target(ctx.receipt_printer),
                                                  ctx.paper_lang, reprint=reprint, actor=actor, now=ctx.clock(),
                                                  locale=ctx.policy.store.locale)
                return
            printer = make_printer(ctx.printer or default_printer(), self.method) \
                if (ctx.printer or default_printer()) else None
            # a reprint comes out in the customer's language of the original, as its journal entry recorded it
            lang = (paper.original_language(ctx.store, txno) if reprint else None) or ctx.paper_lang
            paper.print_transaction(ctx.store, txno, printer, lang, reprint=reprint, actor=actor,
                                    now=ctx.clock(), locale=ctx.policy.store.locale)

        problems: list[str] = []
        saved: list[bool] = []

        def note(exc: BaseException) -> None:
            saved.append(isinstance(exc, paper.NoPrinter))

        run_op(ctx, job, show=problems.append, on_error=note)  # a failed print is a message; the transaction stands
        if saved and saved[0]:
            return None  # without a printer the documents are kept as PDF files: done, not a failure
        return problems[0] if problems else None

    def printer_name(self, ctx) -> str | None:
        """The printer documents go to, or None when they are only saved as PDF."""
        return getattr(ctx, "receipt_printer", "") or ctx.printer or default_printer() or None

    def print_new(self, ctx, tx) -> str | None:
        return self._run(ctx, tx.txno, reprint=False)

    def reprint(self, ctx, txno: str) -> str | None:
        return self._run(ctx, txno, reprint=True)
