"""Counter flows driven through the real widgets: sign in, scan, pick quantities, finish, confirm, done."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from counter_kit import (EXCHANGE_DOWN, EXCHANGE_UP, FREQUENT_CUSTOMER_ID, FULL, KEYBOARD, PARTIAL, journal, tr)
from ui.receipt import C_QTY, C_RETURNABLE, C_RETURNED, C_SOLD

NO_PRINTER = "No printing set up: the transaction is recorded and can be reprinted."


def journal_lines(store, txno):
    return store.query("SELECT line, sku, qty, outcome, refund FROM journal_lines WHERE txno = ? ORDER BY line",
                       (txno,))


def test_full_return_with_receipt(app, modals):
    app.sign_in("c1")
    screen = app.scan(FULL)
    assert screen.objectName() == "receiptScreen"
    assert FULL in screen.header.text()
    assert not screen.finish_button.isEnabled()  # nothing chosen yet
    app.set_qty(screen, 0, 1)
    assert screen.finish_button.isEnabled()
    assert screen.panel.headline.text() == "\u2714 Approved"
    seen = {}
    modals.confirm(seen)
    app.click(screen.finish_button)
    modals.check()
    assert "Store refunds $53.61" in seen["summary"] and "\u2022\u2022\u2022\u20224242" in seen["summary"]

    done = app.screen
    assert done.objectName() == "doneScreen", screen.message.text()
    txno = done.number.text()
    assert txno.startswith("0001-R1-")
    assert done.money.text() == "Store refunds $53.61"
    assert done.message.text() == NO_PRINTER  # printing=None: recorded, can be reprinted
    [entry] = journal(app.store, txno=txno)
    assert (entry["receipt"], entry["cashier"], entry["kind"], entry["refund_total"]) == (FULL, "c1", "return", 5361)
    assert journal_lines(app.store, txno) == [
        {"line": 1, "sku": "JEANS", "qty": 1, "outcome": "approved", "refund": 5361}]
    tenders = app.store.query("SELECT type, amount, last4 FROM journal_tenders WHERE txno = ?", (txno,))
    assert tenders == [{"type": "credit", "amount": 5361, "last4": "4242"}]

    app.key(Qt.Key.Key_Return)  # "Next customer"
    assert app.screen is app.window.home
    assert QApplication.focusWidget() is app.window.home.scan


def test_partial_return_one_of_two(app, modals):
    app.sign_in("c1")
    screen = app.scan(PARTIAL)
    assert screen.model.returnable(0) == 2
    app.set_qty(screen, 0, 1)
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    txno = app.screen.number.text()
    # 2 x 49.99 with 7.25 % tax = 7.25 tax on the line; the first unit back carries half of it, rounded up
    assert journal_lines(app.store, txno) == [
        {"line": 1, "sku": "JEANS", "qty": 1, "outcome": "approved", "refund": 5362}]
    app.click(app.screen.back_button)

    # the same receipt again: one returned, one left
    screen = app.scan(PARTIAL)
    model = screen.model
    assert [model.index(0, c).data() for c in (C_SOLD, C_RETURNED, C_RETURNABLE)] == [2, 1, 1]
    app.set_qty(screen, 0, 5, expect=0)  # the editor refuses more than is left
    app.set_qty(screen, 0, 1)
    assert screen.pending.decision.lines[0].refund.plain() == "53.61"  # the rest of the line's tax


def _exchange(app, modals, receipt, new_sku):
    app.sign_in("c1")
    screen = app.scan(receipt)
    app.set_qty(screen, 0, 1)
    app.type_into(screen.exchange_scan, new_sku)
    assert screen.exchange_list.count() == 1 and new_sku in screen.exchange_list.item(0).text()
    decision = screen.pending.decision
    assert screen.pending.case.request.type == "exchange"
    balance = screen.panel.total_labels["balance"][1].text()
    modals.confirm(keys=(Qt.Key.Key_F5,))  # when the customer owes the difference, F5 takes it in cash
    app.click(screen.finish_button)
    modals.check()
    done = app.screen
    assert done.objectName() == "doneScreen", screen.message.text()
    [entry] = journal(app.store, txno=done.number.text())
    assert entry["kind"] == "exchange"
    return decision, balance, done, entry


def test_exchange_up_customer_pays(app, modals):
    decision, balance, done, entry = _exchange(app, modals, EXCHANGE_UP, "JACKET")
    # T-shirt 14.99 + 7.25 % tax back; rain jacket 129.00 + 7.25 % tax out
    assert entry["refund_total"] == 1608 and entry["exchange_total"] == 13835
    assert entry["balance_due"] == 13835 - 1608
    assert balance == "Customer pays $122.27"
    assert done.money.text() == "Customer pays $122.27 by Cash"


def test_exchange_down_store_refunds(app, modals):
    decision, balance, done, entry = _exchange(app, modals, EXCHANGE_DOWN, "TSHIRT")
    assert entry["refund_total"] == 13835 and entry["exchange_total"] == 1608 and entry["balance_due"] == 0
    assert balance == "Store refunds $122.27"
    assert done.money.text() == "Store refunds $122.27"


def test_exchange_unknown_product_message(app):
    app.sign_in("c1")
    screen = app.scan(EXCHANGE_UP)
    app.set_qty(screen, 0, 1)
    app.type_into(screen.exchange_scan, "NOSUCHSKU")
    assert screen.message.text() == "\u26a0 " + tr("en", "No product with code {code}.", code="NOSUCHSKU")
    assert screen.exchange_list.count() == 0


def _open_no_receipt(app):
    app.sign_in("c1")
    app.click(app.window.home.buttons["no_receipt"])
    screen = app.screen
    assert screen.objectName() == "noReceiptScreen"
    return screen


def test_no_receipt_over_the_customers_limit_is_denied_in_words(app):
    screen = _open_no_receipt(app)
    app.type_into(screen.customer_id, FREQUENT_CUSTOMER_ID)  # Enter moves on to the item scan
    assert QApplication.focusWidget() is screen.scan
    app.tick(screen.id_checked)
    assert screen.id_checked.isChecked()
    assert "3 returns without a receipt" in screen.limits.text()
    app.type_into(screen.scan, "TSHIRT")
    assert screen.list.count() == 1
    assert screen.pending.decision.outcome == "denied"
    reason = tr("en", "This customer already made {count} returns without a receipt in {days} days; the limit "
                      "is {limit}.", count=3, days=90, limit=3)
    assert screen.panel.headline.text() == "\u2716 Denied"
    assert reason in screen.panel.details.toPlainText()
    assert not screen.finish_button.isEnabled()
    app.key(Qt.Key.Key_F12)
    assert screen.message.text() == "\u26a0 " + tr(
        "en", "Nothing on this return can be accepted; there is nothing to record.")
    assert app.screen is screen
    # the same reason, in the interface language
    app.window.set_language("cs")
    assert tr("cs", "This customer already made {count} returns without a receipt in {days} days; the limit "
                    "is {limit}.", count=3, days=90, limit=3) in screen.panel.details.toPlainText()
    assert not journal(app.store, kind="no_receipt", cashier="c1")


def test_no_receipt_within_limit_records_store_credit(app, modals):
    screen = _open_no_receipt(app)
    app.type_into(screen.customer_id, "X1234567")
    app.type_into(screen.scan, "TSHIRT")
    # ID not checked yet: refused, and said why
    assert screen.pending.decision.outcome == "denied"
    assert tr("en", "A return without a receipt needs the customer's ID, checked.") in \
        screen.panel.details.toPlainText()
    app.tick(screen.id_checked)
    decision = screen.pending.decision
    assert decision.outcome == "approved"
    assert [t.type for t in decision.refund_tenders] == ["store_credit"]
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    done = app.screen
    assert done.objectName() == "doneScreen", screen.message.text()
    [entry] = journal(app.store, txno=done.number.text())
    assert entry["kind"] == "no_receipt" and entry["customer_key"]
    assert "X1234567" not in entry["payload"]  # the ID number is never stored in clear


def test_keyboard_only_from_scan_to_receipt(app):
    """No mouse at all: type, Enter, arrow keys, F12, Enter in the dialog, Enter on the done screen."""

    class NoMouse(QObject):
        presses = 0

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
                NoMouse.presses += 1
            return False

    spy = NoMouse()
    QApplication.instance().installEventFilter(spy)
    confirmed = {}

    def press_enter_in_dialog():
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if dialog is None or focus is None or not (focus is dialog or dialog.isAncestorOf(focus)):
            return False  # not yet where a cashier's Enter would land (the dialog has no focus yet): wait
        confirmed["dialog"] = dialog.objectName()
        app.qtbot.keyClick(focus, Qt.Key.Key_Return)
        return True

    try:
        app.sign_in("c1")  # id, Enter, PIN, Enter
        assert QApplication.focusWidget() is app.window.home.scan
        app.qtbot.keyClicks(QApplication.focusWidget(), KEYBOARD)
        app.key(Qt.Key.Key_Return)
        screen = app.screen
        assert screen.objectName() == "receiptScreen"
        table = screen.table
        assert QApplication.focusWidget() is table
        assert (table.currentIndex().row(), table.currentIndex().column()) == (0, C_QTY)

        app.key(Qt.Key.Key_1)  # opens the quantity editor with "1"
        app.key(Qt.Key.Key_Return)
        app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
        app.qtbot.waitUntil(lambda: QApplication.focusWidget() is table, timeout=2000)
        app.key(Qt.Key.Key_Down)
        assert (table.currentIndex().row(), table.currentIndex().column()) == (1, C_QTY)
        app.key(Qt.Key.Key_1)
        app.key(Qt.Key.Key_Return)
        app.qtbot.waitUntil(lambda: screen.model.states[1].qty == 1, timeout=2000)
        assert screen.panel.headline.text() == "\u2714 Approved"

        from PySide6.QtCore import QTimer
        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(lambda: press_enter_in_dialog() and timer.stop())
        timer.start()
        app.key(Qt.Key.Key_F12)
        timer.stop()
        assert confirmed.get("dialog") == "confirmDialog"
        done = app.screen
        assert done.objectName() == "doneScreen", screen.message.text()
        txno = done.number.text()
        assert [(r["sku"], r["qty"]) for r in journal_lines(app.store, txno)] == [("TSHIRT", 1), ("JEANS", 1)]
        app.key(Qt.Key.Key_Return)
        assert app.screen is app.window.home
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert NoMouse.presses == 0


def test_language_switch_changes_visible_texts_and_back(app):
    app.sign_in("c1")
    home = app.window.home
    english_button = home.buttons["no_receipt"].text()
    assert english_button == "No receipt\n[F3]"
    screen = app.scan(FULL)
    header = screen.model.headerData(C_QTY, Qt.Orientation.Horizontal)
    assert header == "Return qty"
    for lang in ("vi", "cs", "zh_Hant"):
        app.window.set_language(lang)
        for msgid in ("No receipt", "Return qty", "Finish"):
            assert tr(lang, msgid) != msgid, f"{msgid!r} is not translated to {lang}"
        assert home.buttons["no_receipt"].text() == tr(lang, "No receipt") + "\n[F3]"
        assert screen.model.headerData(C_QTY, Qt.Orientation.Horizontal) == tr(lang, "Return qty")
        assert screen.finish_button.text() == tr(lang, "Finish") + " [F12]"
        assert screen.cancel_button.text() == tr(lang, "Cancel") + " [Esc]"
        assert screen.panel.headline.text() == tr(lang, "Choose what the customer brings back.")
        from pos_returns.i18n import language_name
        assert language_name(lang) in app.window.status.text()
    app.window.set_language("en")
    assert home.buttons["no_receipt"].text() == english_button
    assert screen.model.headerData(C_QTY, Qt.Orientation.Horizontal) == "Return qty"
    assert screen.finish_button.text() == "Finish [F12]"
