"""The counter as cashiers and managers really use it (issue 13, items 2-6), driven only by key presses on the
focused widget: a manager's override with F8, focus where the next keystroke belongs, keys that do not destroy
work, the approval dialog, and one truth on screen."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta

import pytest
from ui import style
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from counter_kit import BIG, KEYBOARD, NOW, STAFF, TAX, journal, tr
from pos_returns.services.importer import import_file
from pos_returns.services.paperwork import document_pdf, documents_of

OLD = "0001-910001"  # a pair of jeans sold 200 days ago: past the 90-day window.default, which is overridable
OLD_SOLD = NOW - timedelta(days=200)
WRONG = "Wrong PIN for {staff_id}; {remaining} tries left before a 15-minute lockout."
LOCKED = "{staff_id} is locked out after 5 wrong PINs, until {until}."


@pytest.fixture
def old_sale(store, policy, tmp_path):
    sale = {"receipt": OLD, "store": "0001", "sold_at": OLD_SOLD.isoformat(), "register": "R1",
            "lines": [{"line": 1, "sku": "JEANS", "name": "Slim jeans", "category": "apparel", "qty": 1,
                       "unit_price": "49.99", "tax_rate": TAX}],
            "tenders": [{"type": "credit", "amount": "53.61", "last4": "4242"}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"sales": [sale]}), encoding="utf-8")
    assert import_file(store, policy, path, NOW).added == 1
    return OLD


def focus() -> QWidget:
    return QApplication.focusWidget()


def typed(app, text: str, enter: bool = True) -> None:
    """What a cashier types lands in whatever has the focus."""
    app.reactivate()
    app.qtbot.keyClicks(focus(), text)
    if enter:
        app.key(Qt.Key.Key_Return)


def sign_in(app, staff="c1"):
    assert focus() is app.window.signin.staff_id
    typed(app, staff)
    typed(app, STAFF[staff])
    assert app.screen is app.window.home, app.window.signin.message.text()


def open_receipt(app, receipt):
    assert focus() is app.window.home.scan
    typed(app, receipt)
    screen = app.screen
    assert screen.objectName() == "receiptScreen", app.window.home.message.text()
    assert focus() is screen.table
    return screen


def wait_focus_in(app, dialog):
    app.qtbot.waitUntil(lambda: focus() is not None and (focus() is dialog or dialog.isAncestorOf(focus())),
                        timeout=3000)


def keys_in_dialog(app, dialog, manager, pin, reason_downs=1, enter_pin=True):
    """ID, Enter, a reason with Down (``reason_downs`` times), Enter, PIN, Enter: each on the focused widget."""
    wait_focus_in(app, dialog)
    assert focus().objectName() == "managerId"
    app.qtbot.keyClicks(focus(), manager)
    app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
    assert focus().objectName() == "reasonCode" and focus().currentIndex() == -1
    for _ in range(reason_downs):
        app.qtbot.keyClick(focus(), Qt.Key.Key_Down)
    app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
    if reason_downs:
        assert focus().objectName() == "managerPin"
        app.qtbot.keyClicks(focus(), pin)
        if enter_pin:
            app.qtbot.keyClick(focus(), Qt.Key.Key_Return)


def press_enter(app):
    def act(dialog):
        wait_focus_in(app, dialog)
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
    return act


def press_escape(app):
    def act(dialog):
        wait_focus_in(app, dialog)
        app.qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    return act


def discard(app):
    """In the 'Discard this return?' box: Tab from 'Keep working' to 'Discard', then Space."""
    def act(box):
        wait_focus_in(app, box)
        assert focus().objectName() == "keepButton"
        app.qtbot.keyClick(focus(), Qt.Key.Key_Tab)
        assert focus().objectName() == "discardButton"
        app.qtbot.keyClick(focus(), Qt.Key.Key_Space)
    return act


def headline(screen) -> str:
    return screen.panel.headline.text()


def line_mark(screen, row=0) -> str:
    from ui.receipt import C_DECISION
    return screen.model.index(row, C_DECISION).data()


# ----------------------------------------------------------------------------- 2. manager override (F8)

def test_f8_override_of_a_denied_line_is_approved_recorded_and_printed(app, modals, old_sale):
    sign_in(app)
    screen = open_receipt(app, old_sale)
    typed(app, "1")  # quantity 1, Enter
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    d = screen.pending.decision
    assert d.outcome == "denied" and d.lines[0].overridable and "window.default" in d.lines[0].rules
    assert line_mark(screen) == "\u2716 Denied"
    assert "a manager may override" in screen.panel.details.toPlainText()
    assert screen.approve_button.isEnabled() and screen.finish_button.isEnabled()  # F8 and F12 are open

    seen = {}

    def override(dialog):
        seen["title"] = dialog.windowTitle()
        seen["what"] = dialog.findChild(QLabel, "approvalList").text()
        keys_in_dialog(app, dialog, "m1", "9999")

    modals.expect("approvalDialog", override)
    app.key(Qt.Key.Key_F8)
    modals.check()
    assert seen["title"] == "Manager override"
    assert "window.default" in seen["what"] and "Slim jeans" in seen["what"] and "$53.61" in seen["what"]
    assert screen.overrides == frozenset({"window.default"})
    assert screen.message.text() == "Line 1 overridden by m1."
    assert line_mark(screen) == "\u2714 Approved" and headline(screen) == "\u2714 Approved"
    assert not screen.approve_button.isEnabled()
    app.reactivate()  # what the window manager does when the dialog closes
    assert focus() is screen.table

    def confirm(dialog):
        seen["summary"] = dialog.findChild(QWidget, "summary").toPlainText()
        press_enter(app)(dialog)

    modals.expect("confirmDialog", confirm)
    app.key(Qt.Key.Key_F12)
    modals.check()
    assert modals.seen == ["approvalDialog", "confirmDialog"]  # no second approval
    assert "\u2714 Approved" in seen["summary"] and "Needs manager" not in seen["summary"]  # one truth
    done = app.screen
    assert done.objectName() == "doneScreen", screen.message.text()
    txno = done.number.text()
    [entry] = journal(app.store, txno=txno)
    payload = json.loads(entry["payload"])
    assert payload["case"]["request"]["overrides"] == ["window.default"]
    assert [ln["outcome"] for ln in payload["decision"]["lines"]] == ["needs_approval"]
    [row] = app.store.query("SELECT manager, cashier, rules, reason_code, amount, used_by, seal FROM approvals")
    assert (row["manager"], row["cashier"], json.loads(row["rules"]), row["reason_code"], row["amount"],
            row["used_by"]) == ("m1", "c1", ["window.default"], "customer_satisfaction", 5361, txno)
    assert row["seal"]
    assert "override" in documents_of(app.store, txno)
    if shutil.which("pdftotext"):
        pdf = document_pdf(app.store, txno, "override", "en")
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Manager override" in text and "window.default" in text and "m1" in text


def test_f12_on_a_wholly_denied_overridable_return_asks_for_the_override(app, modals, old_sale):
    sign_in(app)
    screen = open_receipt(app, old_sale)
    typed(app, "1")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    modals.expect("approvalDialog", press_escape(app))  # the manager is not there: nothing happens
    app.key(Qt.Key.Key_F12)
    modals.check()
    assert app.screen is screen and screen.overrides == frozenset() and journal(app.store, receipt=OLD) == []
    app.reactivate()
    assert focus() is screen.table


# ----------------------------------------------------------------------------- 3. focus

def test_after_sign_out_the_pin_goes_to_the_sign_in_not_to_the_scan_field(app):
    sign_in(app)
    app.key(Qt.Key.Key_F10)  # the big button's shortcut animates a click: it lands a moment later
    app.qtbot.waitUntil(lambda: app.screen is app.window.signin, timeout=2000)
    assert focus() is app.window.signin.staff_id
    typed(app, "c2")
    assert focus() is app.window.signin.pin
    typed(app, "0001-000001")  # a wrong "PIN" that looks like a receipt number
    assert app.screen is app.window.signin  # still signing in: nothing was looked up
    assert app.window.home.scan.text() == "" and app.window.home.message.text() == ""
    assert focus() is app.window.signin.pin
    typed(app, STAFF["c2"])
    assert app.screen is app.window.home and focus() is app.window.home.scan


def test_f3_focus_is_on_the_customer_id_and_an_id_is_never_a_receipt(app):
    sign_in(app)
    app.key(Qt.Key.Key_F3)
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "noReceiptScreen", timeout=2000)
    screen = app.screen
    assert screen.objectName() == "noReceiptScreen"
    assert focus() is screen.customer_id
    typed(app, "0001-000002")  # an ID number that looks like a receipt
    assert app.screen is screen and screen.customer_id.text() == "0001-000002"
    assert focus() is screen.scan


def test_after_the_approval_dialog_focus_is_back_in_the_table(app, modals):
    sign_in(app)
    screen = open_receipt(app, BIG)
    typed(app, "3")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    modals.expect("approvalDialog", press_escape(app))
    app.key(Qt.Key.Key_F8)
    modals.check()
    app.reactivate()
    assert focus() is screen.table


# ----------------------------------------------------------------------------- 4. keys that keep work

def test_arrows_move_between_cells_and_never_change_a_quantity(app):
    from ui.receipt import C_QTY
    sign_in(app)
    screen = open_receipt(app, KEYBOARD)
    table = screen.table
    typed(app, "1")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    app.qtbot.waitUntil(lambda: focus() is table, timeout=2000)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up, Qt.Key.Key_Down):
        app.key(key)
        assert focus() is table  # moving opens no editor
    assert (table.currentIndex().row(), table.currentIndex().column()) == (1, C_QTY)
    assert [s.qty for s in screen.model.states] == [1, 0]
    # Enter edits the cell; inside the editor Up/Down leave it (committing what was typed) instead of counting
    app.key(Qt.Key.Key_Return)
    editor = focus()
    assert editor is not table
    app.qtbot.keyClicks(editor, "1")
    app.key(Qt.Key.Key_Up)
    assert focus() is table and table.currentIndex().row() == 0
    app.qtbot.waitUntil(lambda: [s.qty for s in screen.model.states] == [1, 1], timeout=2000)


def test_enter_on_a_condition_opens_its_choices_and_arrows_pick_one(app):
    from pos_returns.domain.policy import CONDITIONS
    from ui.receipt import C_COND
    sign_in(app)
    screen = open_receipt(app, KEYBOARD)
    table = screen.table
    app.key(Qt.Key.Key_Right)
    assert focus() is table and table.currentIndex().column() == C_COND
    app.key(Qt.Key.Key_Return)
    combo = table.indexWidget(table.currentIndex())
    app.qtbot.waitUntil(lambda: combo.view().isVisible(), timeout=2000)
    assert screen.model.states[0].condition == CONDITIONS[0]
    app.qtbot.keyClick(focus(), Qt.Key.Key_Down)  # in the open list
    app.qtbot.keyClick(focus(), Qt.Key.Key_Return)  # takes it
    app.qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=2000)
    app.key(Qt.Key.Key_Return)  # and Enter again ends the edit
    app.qtbot.waitUntil(lambda: screen.model.states[0].condition == CONDITIONS[1], timeout=2000)
    app.reactivate()  # the list was a window of its own
    app.qtbot.waitUntil(lambda: focus() is table, timeout=2000)
    assert table.currentIndex().row() == 0


def test_after_the_reprint_dialog_and_the_language_menu_focus_is_on_the_scan_field(app, modals):
    sign_in(app)
    modals.expect("reprintDialog", press_escape(app))
    app.key(Qt.Key.Key_F4)
    app.qtbot.waitUntil(lambda: modals.seen == ["reprintDialog"], timeout=3000)
    modals.check()
    app.reactivate()
    assert app.screen is app.window.home and focus() is app.window.home.scan


def test_more_than_returnable_is_refused_with_a_message(app):
    sign_in(app)
    screen = open_receipt(app, KEYBOARD)
    typed(app, "5")
    app.qtbot.waitUntil(lambda: screen.message.isVisible(), timeout=2000)
    assert screen.model.states[0].qty == 0
    assert screen.message.text() == "\u26a0 " + tr(
        "en", "Line {line}: only {left} can be returned ({sold} sold, {returned} already returned).",
        line=1, left=1, sold=1, returned=0)


def test_escape_with_work_asks_first_and_keeps_it_by_default(app, modals):
    sign_in(app)
    screen = open_receipt(app, KEYBOARD)
    typed(app, "1")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    app.qtbot.waitUntil(lambda: focus() is screen.table, timeout=2000)
    modals.expect("discardBox", press_enter(app))  # Enter: "Keep working"
    app.key(Qt.Key.Key_Escape)
    modals.check()
    assert app.screen is screen and screen.model.states[0].qty == 1
    modals.expect("discardBox", discard(app))
    app.key(Qt.Key.Key_Escape)
    modals.check()
    app.reactivate()
    assert app.screen is app.window.home and focus() is app.window.home.scan


def test_escape_without_work_goes_home_at_once(app):
    sign_in(app)
    open_receipt(app, KEYBOARD)
    app.key(Qt.Key.Key_Escape)
    assert app.screen is app.window.home and focus() is app.window.home.scan


def test_a_change_after_the_approval_says_the_approval_is_gone_and_escape_warns(app, modals):
    sign_in(app)
    screen = open_receipt(app, BIG)
    typed(app, "3")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    modals.expect("approvalDialog", lambda d: keys_in_dialog(app, d, "m1", "9999"))
    app.key(Qt.Key.Key_F8)
    modals.check()
    assert [g.manager for g in screen.grants] == ["m1"]
    seen = {}

    def read_and_keep(box):
        seen["text"] = box.informativeText()
        press_enter(app)(box)

    modals.expect("discardBox", read_and_keep)
    app.key(Qt.Key.Key_Escape)
    modals.check()
    assert "The manager's approval given for it will be lost too." in seen["text"]
    assert [g.manager for g in screen.grants] == ["m1"]  # kept
    app.key(Qt.Key.Key_Return)  # edit the quantity: 2
    app.qtbot.keyClicks(focus(), "2")
    app.key(Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 2, timeout=2000)
    assert screen.grants == []
    assert screen.message.text() == "\u26a0 " + tr(
        "en", "This change cancelled the manager's approval; ask for it again [F8].")


# ----------------------------------------------------------------------------- 5. the approval dialog

def test_approval_dialog_shows_what_and_asks_reason_before_pin(app, modals):
    sign_in(app)
    screen = open_receipt(app, BIG)
    typed(app, "3")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    seen = {}

    def act(dialog):
        seen["what"] = dialog.findChild(QLabel, "approvalList").text()
        wait_focus_in(app, dialog)
        app.qtbot.keyClicks(focus(), "m1")
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
        assert focus().objectName() == "reasonCode"
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)  # no reason chosen: stays, says so, no PIN try spent
        seen["message"] = dialog.findChild(QWidget, "message").text()
        seen["focus"] = focus().objectName()
        for _ in range(2):
            app.qtbot.keyClick(focus(), Qt.Key.Key_Down)
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
        app.qtbot.keyClicks(focus(), "9999")
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)

    modals.expect("approvalDialog", act)
    app.key(Qt.Key.Key_F8)
    modals.check()
    assert "Rain jacket" in seen["what"] and "\u00d73" in seen["what"] and "$415.06" in seen["what"]
    assert "approval.large_refund" in seen["what"] and "Refunds over $250.00 need a manager." in seen["what"]
    # the line is marked as the receipt screen marks it before the approval: never "Approved" in this dialog
    assert "! Needs manager" in seen["what"] and "\u2714" not in seen["what"]
    assert seen["message"].startswith("\u26a0 Choose the reason") and seen["focus"] == "reasonCode"
    assert app.store.query("SELECT * FROM events WHERE kind = 'pin_failed'") == []
    [row] = app.store.query("SELECT reason_code FROM approvals")
    assert row["reason_code"] == app.ctx.policy.approval.reason_codes[1]  # the one chosen, not a default


@pytest.mark.parametrize("lang", ["en", "vi", "cs", "zh_Hant"])
def test_approval_messages_have_room_in_every_language_and_lockout_says_until(app, modals, lang):
    from pos_returns.services.counter import LOCKOUT
    sign_in(app)
    screen = open_receipt(app, BIG)
    typed(app, "3")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    app.window.set_language(lang)
    seen = []

    def act(dialog):
        keys_in_dialog(app, dialog, "m2", "0000")
        for _ in range(5):
            message = dialog.findChild(QWidget, "message")
            app.qtbot.waitUntil(lambda: message.isVisible(), timeout=2000)
            dialog.layout().activate()
            inside = dialog.rect().contains(message.geometry())
            room = message.height() >= message.heightForWidth(message.width())
            seen.append((message.text(), inside, room))
            app.qtbot.keyClicks(focus(), "0000")
            app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
        app.qtbot.keyClick(focus(), Qt.Key.Key_Escape)

    modals.expect("approvalDialog", act)
    app.key(Qt.Key.Key_F8)
    modals.check()
    assert seen[0][0] == "\u26a0 " + tr(lang, WRONG, staff_id="m2", remaining=4)
    assert seen[4][0] == "\u26a0 " + tr(lang, LOCKED, staff_id="m2", until=NOW + LOCKOUT)
    assert all(inside and room for _, inside, room in seen), seen


# ----------------------------------------------------------------------------- 6. one truth on screen

def test_headline_line_marks_and_buttons_agree_before_and_after_approval(app, modals):
    sign_in(app)
    screen = open_receipt(app, BIG)
    typed(app, "3")
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    assert headline(screen) == "! Needs manager"
    assert line_mark(screen) == "! Needs manager"  # never "Approved" under "! Needs manager"
    assert screen.approve_button.isEnabled()
    modals.expect("approvalDialog", lambda d: keys_in_dialog(app, d, "m1", "9999"))
    app.key(Qt.Key.Key_F8)
    modals.check()
    assert headline(screen) == "\u2714 Approved" and line_mark(screen) == "\u2714 Approved"
    head = screen.panel.headline  # green, not amber: the colour the application's style sheet gives it
    assert head.property("outcome") == "approved"
    assert head.palette().color(head.foregroundRole()).name() == style.COLOR["approved"].lower()
    assert "Needs a manager" not in screen.panel.details.toPlainText()
    assert not screen.approve_button.isEnabled() and screen.finish_button.isEnabled()
