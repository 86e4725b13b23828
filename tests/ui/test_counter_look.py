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


def press(app, key, modifier=Qt.KeyboardModifier.NoModifier):
    app.key(key, modifier)


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


# ----------------------------------------------------------------------------- 14. training is unmistakable

def banner_shown(app) -> bool:
    banner = app.window.training_banner
    return banner.isVisible() and "TRAINING" in banner.text()


def test_training_banner_on_every_screen_own_numbers_and_off_at_sign_out(app, modals):
    app.sign_in("c1")
    real = return_first_lines_signed_in(app, FULL)
    real_seq = journal(app.store, txno=real)[0]["seq"]
    press(app, Qt.Key.Key_F6)  # training on (the button shows its press, then acts)
    app.qtbot.waitUntil(lambda: app.ctx.training, timeout=2000)
    assert banner_shown(app)
    type_keys(app, KEYBOARD)
    press(app, Qt.Key.Key_Return)
    assert app.screen.objectName() == "receiptScreen" and banner_shown(app)
    screen = app.screen
    press(app, Qt.Key.Key_1)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    timer, seen = enter_in_next_dialog(app)
    press(app, Qt.Key.Key_F12)
    timer.stop()
    done = app.screen
    assert done.objectName() == "doneScreen" and banner_shown(app)
    training_txno = done.number.text()
    assert "-TRAIN-" in training_txno and training_txno.endswith("-000001")
    [entry] = journal(app.store, txno=training_txno)
    assert entry["training"] == 1 and entry["register"] == "R1-TRAIN"
    press(app, Qt.Key.Key_Return)  # next customer
    press(app, Qt.Key.Key_F3)  # the no-receipt screen shows it too
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "noReceiptScreen", timeout=2000)
    assert app.screen.objectName() == "noReceiptScreen" and banner_shown(app)
    app.screen.customer_id.setFocus()  # where the cashier types next (item 3 moves the focus there by itself)
    press(app, Qt.Key.Key_Escape)
    app.qtbot.waitUntil(lambda: app.screen is app.window.home, timeout=2000)
    press(app, Qt.Key.Key_F10)  # sign out: training ends with the session
    app.qtbot.waitUntil(lambda: app.screen is app.window.signin, timeout=2000)
    assert app.screen is app.window.signin
    assert not app.ctx.training and not app.window.training_banner.isVisible()
    app.sign_in("c1")
    assert not banner_shown(app)
    nxt = return_first_lines_signed_in(app, KEYBOARD)  # the real numbering goes on where it was
    assert journal(app.store, txno=nxt)[0]["seq"] == real_seq + 1 and "-TRAIN-" not in nxt


def return_first_lines_signed_in(app, receipt: str) -> str:
    type_keys(app, receipt)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    press(app, Qt.Key.Key_1)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    timer, seen = enter_in_next_dialog(app)
    press(app, Qt.Key.Key_F12)
    timer.stop()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    txno = app.screen.number.text()
    press(app, Qt.Key.Key_Return)
    return txno


def test_training_cards_never_show_the_answer(app):
    import json
    from pos_returns.domain.scenarios import scenario_files
    from ui.training import SCENARIOS
    answers = {}
    for path in scenario_files([SCENARIOS]):
        expect = json.loads(path.read_text(encoding="utf-8")).get("expect", {})
        answers[f"scenario:{path.stem}"] = expect
    app.sign_in("m1")
    press(app, Qt.Key.Key_F5)  # manager tools
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "managerScreen", timeout=2000)
    press(app, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # training cards
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "trainingScreen", timeout=2000)
    screen = app.screen
    assert screen.objectName() == "trainingScreen" and screen.cards
    shown = 0
    for i in range(len(screen.cards)):
        card = screen.cards[screen.index % len(screen.cards)]
        text = screen.card.toPlainText()
        expect = answers.get(card.id, {})
        for word in ("denied", "approved", "needs_approval", "refund", "override", "->", "="):
            assert word not in text.lower(), (card.id, word, text)
        total = expect.get("refund_total")
        prices = {line.unit_price.plain() for line in card.case.sale.lines} if card.case.sale else set()
        if total and total != "0.00" and total not in prices:  # a price on the receipt may equal the refund
            assert total not in text, (card.id, text)
        for rule in {r for line in expect.get("lines", []) for r in line.get("rules", [])}:
            assert rule not in text, (card.id, rule)
        shown += 1
        press(app, Qt.Key.Key_F12)  # next card
        app.qtbot.waitUntil(lambda: screen.index == i + 1, timeout=2000)
    assert shown == len(screen.cards)


# ----------------------------------------------------------------------------- 15. a look made for a counter

def _visible(screen, kinds):
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return [w for kind in kinds for w in screen.findChildren(kind) if w.isVisible()]


def _largest_label(screen):
    from PySide6.QtWidgets import QLabel
    labels = [w for w in _visible(screen, QLabel) if w.text().strip()]
    return max(labels, key=lambda w: (w.font().pointSizeF(), w.font().bold()))


def test_targets_amount_and_names_as_a_counter_needs(app):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton
    from ui.receipt import C_ITEM, C_PAID
    from ui.style import TARGET
    app.window.resize(1200, 800)  # the window's size on a counter screen (Qt's offscreen screen is 800x600, where
    app.sign_in("c1")             # the item names give up width so that the Decision and Refund columns stay seen)
    for w in _visible(app.window.home, (QPushButton, QLineEdit)):
        assert w.height() >= TARGET, (w.objectName(), w.height())
    type_keys(app, KEYBOARD)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    press(app, Qt.Key.Key_1)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    for w in _visible(screen, (QPushButton, QLineEdit, QComboBox)):
        assert w.height() >= TARGET, (w.objectName(), w.height())
    table = screen.table
    assert table.rowHeight(0) >= TARGET
    # the amount to hand back is the largest text on the screen, with its words
    largest = _largest_label(screen)
    assert largest.objectName() == "total_balance" and "$" in largest.text()
    # the price paid per line, and item names in full
    model = screen.model
    assert model.headerData(C_PAID, Qt.Orientation.Horizontal) == "Paid"
    assert model.index(0, C_PAID).data() == "$16.08"  # 14.99 + 7.25 % tax (1.0868 -> 1.09)
    metrics = table.fontMetrics()
    for row in range(model.rowCount()):
        name = model.index(row, C_ITEM).data()
        assert table.columnWidth(C_ITEM) >= metrics.horizontalAdvance(name), name
    # outcomes: a mark, a word and a colour (the style sheet's, by the headline's property)
    headline = screen.panel.headline
    assert headline.text() == "\u2714 Approved" and headline.property("outcome") == "approved"
    timer, seen = enter_in_next_dialog(app)
    press(app, Qt.Key.Key_F12)
    timer.stop()
    done = app.screen
    assert done.objectName() == "doneScreen"
    largest = _largest_label(done)
    assert largest is done.money and largest.text().startswith("Store refunds")
    for w in _visible(done, QPushButton):
        assert w.height() >= TARGET


def test_one_style_sheet_for_the_application(app):
    """The look is the application's one sheet: no screen styles its own widgets."""
    from PySide6.QtWidgets import QWidget
    from ui.style import SHEET
    assert QApplication.instance().styleSheet() == SHEET
    app.sign_in("c1")
    type_keys(app, FULL)
    press(app, Qt.Key.Key_Return)
    own = [w.objectName() or type(w).__name__ for w in app.window.findChildren(QWidget) if w.styleSheet()]
    assert own == [], own


def test_message_and_headline_text_starts_clear_of_their_coloured_border(app):
    """A message strip and the decision headline get their coloured left border when they first say something,
    after the screen is shown: their text must start right of that border and its padding (it started under the
    border: the first letter of "Wrong PIN" or "Demo store" half hidden)."""
    app.sign_in("c1", pin="0000")  # typed as a cashier types; a wrong PIN
    strip = app.window.signin.message
    assert strip.isVisible() and strip.property("kind") == "error"
    assert strip.contentsRect().left() >= 6 + 8, strip.contentsRect()  # border-left 6px + padding 8px
    app.window.signin.staff_id.clear()
    app.sign_in("c1")
    type_keys(app, KEYBOARD)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    press(app, Qt.Key.Key_1)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.panel.headline.property("outcome") == "approved", timeout=2000)
    headline = screen.panel.headline
    assert headline.contentsRect().left() >= 8 + 10, headline.contentsRect()  # border-left 8px + padding 10px
