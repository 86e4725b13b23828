"""Issue 13, items 13-16 at the counter, driven by keys on the focused widget: the thermal printer and drawer,
training that cannot be mistaken for real work, every word in the cashier's language, the counter's look."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from counter_kit import KEYBOARD, FULL, journal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_escpos import CUT, KICK, LoopbackPrinter, barcode_payload  # noqa: E402


def press(app, key):
    app.key(key)


def type_keys(app, text: str) -> None:
    app.reactivate()
    app.qtbot.keyClicks(QApplication.focusWidget(), text)


def enter_in_next_dialog(app):
    """Enter pressed into the confirm dialog once it has the focus (as a cashier's Enter would land)."""
    from PySide6.QtCore import QTimer
    seen = {}

    def tick():
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if dialog is None or focus is None or not (focus is dialog or dialog.isAncestorOf(focus)):
            return
        seen["dialog"] = dialog.objectName()
        timer.stop()
        app.qtbot.keyClick(focus, Qt.Key.Key_Return)

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    return timer, seen


def return_first_lines(app, receipt: str, lines: int = 1):
    app.sign_in("c1")
    type_keys(app, receipt)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    assert screen.objectName() == "receiptScreen"
    for row in range(lines):
        if row:
            press(app, Qt.Key.Key_Down)
        press(app, Qt.Key.Key_1)
        press(app, Qt.Key.Key_Return)
        app.qtbot.waitUntil(lambda: screen.model.states[row].qty == 1, timeout=2000)
        app.qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.table, timeout=2000)
    timer, seen = enter_in_next_dialog(app)
    press(app, Qt.Key.Key_F12)
    timer.stop()
    assert seen.get("dialog") == "confirmDialog"
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    return app.screen


# ----------------------------------------------------------------------------- 16. thermal printer and drawer

@pytest.fixture
def thermal():
    printer = LoopbackPrinter()
    yield printer
    printer.close()


def test_cash_return_prints_on_the_thermal_printer_and_opens_the_drawer(make_app, thermal):
    from ui.printing import Paper
    app = make_app()
    app.window.printing = Paper()
    app.ctx.receipt_printer = thermal.target
    done = return_first_lines(app, KEYBOARD, 2)  # paid in cash
    txno = done.number.text()
    job = thermal.wait(1)[0]
    assert job.count(KICK) == 1 and job.count(CUT) == 2
    assert barcode_payload(job) == b"{B" + txno.encode()
    assert b"Cotton T-shirt" in job and b"Slim jeans" in job
    assert thermal.target in done.message.text()  # "Printed ... on tcp://127.0.0.1:PORT"
    press(app, Qt.Key.Key_F4)  # reprint: a DUPLICATE, and the drawer stays shut
    job2 = thermal.wait(2)[1]
    assert b"DUPLICATE" in job2 and KICK not in job2


def test_card_return_prints_without_opening_the_drawer(make_app, thermal):
    from ui.printing import Paper
    app = make_app()
    app.window.printing = Paper()
    app.ctx.receipt_printer = thermal.target
    done = return_first_lines(app, FULL)  # paid by card
    job = thermal.wait(1)[0]
    assert KICK not in job and done.number.text().encode() in job
    assert journal(app.store, txno=done.number.text())
