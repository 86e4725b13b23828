"""Printing: to a real CUPS queue (cups + cups-pdf), through Qt's print support and ``lp``, and to PDF files.

The CUPS queue is the one DESIGN.md describes: cupsd running, printer ``PDF`` added with
``lpadmin -p PDF -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd -E``; jobs land as PDF files in the
user's ``~/PDF``. When the queue is missing and we may (root, cupsd and cups-pdf installed), the fixture
starts cupsd and adds it; the print tests are skipped, saying why, only when CUPS really cannot be used.
Qt runs offscreen.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from pos_returns import i18n

from pos_returns.documents import printing as printers
from pos_returns.services import paperwork as printing
from pos_returns.storage import store as st
from pos_returns.documents.printing import CupsPrinter, FolderPrinter, PrintError

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _helpers():
    """The recorded store of test_paperwork (one way to build it for both files)."""
    spec = importlib.util.spec_from_file_location("paperwork_helpers", Path(__file__).with_name("test_paperwork.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("paperwork_helpers", module)
    spec.loader.exec_module(module)
    return module


H = _helpers()
QUEUE = "PDF"
PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store, policy, tx = H.record_world(tmp_path_factory.mktemp("printing"))
    yield store, policy, tx
    store.close()


def _run(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)


def _scheduler_running() -> bool:
    return shutil.which("lpstat") is not None and "is running" in _run("lpstat", "-r").stdout


@pytest.fixture(scope="session")
def cups_queue() -> str:
    """A CUPS queue named PDF backed by cups-pdf, set up when missing and possible; else skip, saying why."""
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        pytest.skip("CUPS client tools not installed (Debian: cups-client, cups)")
    if QUEUE in printers.cups_printers():
        return QUEUE
    if not _scheduler_running():
        cupsd = shutil.which("cupsd") or ("/usr/sbin/cupsd" if Path("/usr/sbin/cupsd").exists() else None)
        if cupsd is None:
            pytest.skip("the CUPS scheduler (cupsd) is not installed (Debian: cups)")
        if os.geteuid() != 0:
            pytest.skip("cupsd is not running and only root may start it here")
        _run(cupsd)  # forks into the background
        for _ in range(50):
            if _scheduler_running():
                break
            time.sleep(0.2)
        else:
            pytest.skip("cupsd would not start")
    if QUEUE not in printers.cups_printers():
        if shutil.which("lpadmin") is None:
            pytest.skip("lpadmin not found (Debian: cups)")
        added = _run("lpadmin", "-p", QUEUE, "-v", "cups-pdf:/", "-m", PPD, "-E")
        if QUEUE not in printers.cups_printers():
            pytest.skip(f"cannot add the cups-pdf queue (Debian: cups-pdf): {added.stderr.strip()}")
    return QUEUE


def _output_dirs() -> list[Path]:
    dirs = [Path.home() / "PDF", Path("/root/PDF")]
    spool = Path("/var/spool/cups-pdf")
    if spool.is_dir():
        dirs += [p for p in spool.iterdir() if p.is_dir()]
    return dirs


def _landed(marker: str, since: float, count: int = 1, timeout: float = 60) -> list[Path]:
    """The PDF files cups-pdf wrote for jobs whose title contains marker."""
    marker = marker.replace(" ", "_")
    deadline = time.time() + timeout
    found: list[Path] = []
    while time.time() < deadline:
        found = sorted({p for d in _output_dirs() if d.is_dir() for p in d.glob("*.pdf")
                        if marker in p.name and p.stat().st_mtime >= since - 1 and p.stat().st_size > 0})
        if len(found) >= count:
            time.sleep(0.5)  # let the backend finish writing
            return found
        time.sleep(0.3)
    return found


def _pages(pdf: Path) -> tuple[int, float]:
    H.need("pdfinfo", "poppler-utils")
    info = _run("pdfinfo", str(pdf)).stdout
    pages = int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))
    width = float(next(l.split()[2] for l in info.splitlines() if l.startswith("Page size:")))
    return pages, width


# ----------------------------------------------------------------------------- CUPS, straight with lp

def test_documents_print_on_the_cups_queue_with_lp(world, cups_queue):
    store, policy, tx = world
    txno = tx["no_receipt"].txno
    start = time.time()
    done = printing.print_transaction(store, txno, CupsPrinter(cups_queue), "vi", locale=policy.store.locale)
    assert [d.kind for d in done] == ["receipt", "store-copy", "no-receipt-form"]
    landed = _landed(txno, start, count=3)
    assert len(landed) >= 3, f"no PDF from cups-pdf in {_output_dirs()}"
    for pdf in landed:
        assert txno in H.pdftext(pdf.read_bytes())
    assert all(d.path.exists() for d in done), "every document is also kept"


def test_unknown_cups_queue_is_a_clear_error(world, cups_queue, tmp_path):
    store, policy, tx = world
    with pytest.raises(PrintError, match="saved as"):
        printing.print_transaction(store, tx["return"].txno, CupsPrinter("NoSuchQueue"), "en", folder=tmp_path)
    assert list(tmp_path.glob("*.pdf")), "the document waits for a reprint"


# ----------------------------------------------------------------------------- Qt print support

@pytest.fixture(scope="module")
def qt_app():
    import PySide6.QtPdf  # noqa: F401  (a dependency of ours: without it Qt printing is broken, not skipped)
    from PySide6.QtWidgets import QApplication
    return QApplication.instance() or QApplication([])


def test_qt_lists_the_cups_queue_and_prints_on_it(world, cups_queue, qt_app):
    from ui.printing import QtPrinter, printer_names
    store, policy, tx = world
    assert cups_queue in printer_names()
    txno = tx["override"].txno
    done = printing.render_document(store, txno, "override", "zh_Hant", locale=policy.store.locale)
    start = time.time()
    QtPrinter(cups_queue).send(done.path, f"qt {txno}")
    landed = _landed(f"qt_{txno}", start)
    assert landed, f"Qt's job did not land in {_output_dirs()}"
    pages, width = _pages(landed[0])
    assert pages == 1 and abs(width - 80 * 72 / 25.4) < 2, "one 80 mm page"


def test_qt_prints_the_a4_report(world, cups_queue, qt_app):
    from ui.printing import QtPrinter
    store, policy, tx = world
    done = printing.render_day_report(store, H.NOW.date(), "cs", locale=policy.store.locale)
    start = time.time()
    QtPrinter(cups_queue).send(done.path, "qt day report")
    landed = _landed("qt_day_report", start)
    assert landed and _pages(landed[0])[1] > 590, "A4"


def test_qt_unknown_printer_is_a_clear_error(world, qt_app, tmp_path):
    from ui.printing import QtPrinter
    store, policy, tx = world
    done = printing.render_document(store, tx["return"].txno, "receipt", "en", folder=tmp_path)
    with pytest.raises(PrintError, match="not found"):
        QtPrinter("No Such Printer").send(done.path, "x")


class _Ctx:
    """What ui.printing.Paper reads from the app's context."""

    def __init__(self, store, policy, printer):
        self.store, self.policy, self.printer = store, policy, printer
        self.lang, self.paper_lang, self.staff = "en", "cs", None
        self.clock = lambda: datetime(2026, 1, 10, 16, 0)


def test_paper_reprint_after_a_failed_print_is_marked_and_recorded(world, qt_app):
    from ui.printing import Paper
    store, policy, tx = world
    txno = tx["exchange"].txno
    paper = Paper(method="qt")
    problem = paper.print_new(_Ctx(store, policy, "No Such Printer"), tx["exchange"])
    assert problem and "not found" in problem
    assert st.get_entry(store, txno).txno == txno, "the transaction stands"
    before = printing.copies_made(store, txno, "receipt")
    problem = paper.reprint(_Ctx(store, policy, "No Such Printer"), txno)
    assert problem
    assert printing.copies_made(store, txno, "receipt") == before + 1
    saved = printing.paperwork_dir(store) / f"{txno}-receipt-cs-copy{before + 1}.pdf"
    duplicate = i18n.translations("cs").gettext("DUPLICATE - copy {n}").format(n=before + 1)
    assert duplicate != "DUPLICATE - copy {n}".format(n=before + 1), "the Czech catalog translates the marker"
    assert saved.exists() and duplicate in H.pdftext(saved.read_bytes())


def test_paper_prints_through_cups_when_the_queue_is_cups(world, cups_queue, qt_app):
    from ui.printing import Paper
    store, policy, tx = world
    txno = tx["return"].txno
    start = time.time()
    assert Paper().reprint(_Ctx(store, policy, cups_queue), txno) is None
    assert _landed(txno, start, count=2)


# ----------------------------------------------------------------------------- to PDF files

def test_print_to_a_pdf_folder(world, tmp_path):
    store, policy, tx = world
    out = tmp_path / "printed"
    done = printing.print_transaction(store, tx["return"].txno, FolderPrinter(out), "cs")
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == sorted(d.path.name for d in done) and len(names) == 2
    for p in out.glob("*.pdf"):
        assert tx["return"].txno in H.pdftext(p.read_bytes())


def test_no_printer_keeps_the_documents_and_says_where(world, tmp_path):
    store, policy, tx = world
    with pytest.raises(PrintError) as info:
        printing.print_transaction(store, tx["training"].txno, None, "en", folder=tmp_path)
    assert str(tmp_path) in str(info.value)
    kept = list(tmp_path.glob("*.pdf"))
    assert len(kept) == 2 and all("TRAINING" in H.pdftext(p.read_bytes()) for p in kept)
