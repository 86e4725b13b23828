"""Issue 13, items 7, 8, 10, 12: the money at the till, true times, reprints in the customer's language.

Every step is a key press on the widget that has the keyboard focus (as a cashier types); the oracles are
hand-computed amounts, the journal row and the text of the PDF an auditor reads (pdftotext).
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from counter_kit import EXCHANGE_UP, NOW, SOLD, STAFF, TAX, journal
from pos_returns.services import paperwork
from pos_returns.services.importer import import_file

MAILED = "0001-900109"  # two coats at 299.00 paid in cash: 598.00 + 7.25 % tax = 641.36 (43.355 -> 43.36)


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def focus():
    return QApplication.focusWidget()


def press(app, key, modifier=Qt.KeyboardModifier.NoModifier):
    app.qtbot.keyClick(focus(), key, modifier)


def focus_in(app, dialog) -> None:
    """Wait until the keyboard focus is inside ``dialog`` (what a window manager does when it opens)."""
    inside = lambda: focus() is not None and (focus() is dialog or dialog.isAncestorOf(focus()))  # noqa: E731
    if not inside():
        dialog.activateWindow()
    app.qtbot.waitUntil(inside, timeout=3000)


def pick_first_line(app, screen, qty: int = 1) -> None:
    """On the receipt screen the focus is on line 1's quantity: type it and Enter."""
    assert focus() is screen.table
    app.qtbot.keyClicks(focus(), str(qty))
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == qty, timeout=2000)
    app.qtbot.waitUntil(lambda: focus() is screen.table, timeout=2000)


def approve_by_keys(app, dialog, manager: str = "m1") -> None:
    """In the approval dialog: the manager's ID, Enter, a reason (Down: none is chosen in advance), Enter, the
    PIN, Enter."""
    focus_in(app, dialog)
    assert focus() is dialog.findChild(QWidget, "managerId")
    app.qtbot.keyClicks(focus(), manager)
    press(app, Qt.Key.Key_Return)
    assert focus().objectName() == "reasonCode"
    app.qtbot.keyClick(focus(), Qt.Key.Key_Down)
    app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
    assert focus().objectName() == "managerPin"
    app.qtbot.keyClicks(focus(), STAFF[manager])
    press(app, Qt.Key.Key_Return)


@pytest.fixture
def mailed_sale(store, policy, tmp_path):
    sale = {"receipt": MAILED, "store": "0001", "sold_at": SOLD.isoformat(), "register": "R1",
            "lines": [{"line": 1, "sku": "COAT2", "name": "Wool coat", "category": "apparel", "qty": 2,
                       "unit_price": "299.00", "tax_rate": TAX}],
            "tenders": [{"type": "cash", "amount": "641.36"}]}
    path = tmp_path / "mailed.json"
    path.write_text(json.dumps({"sales": [sale]}), encoding="utf-8")
    assert import_file(store, policy, path, NOW - timedelta(days=4)).added == 1
    return MAILED


# ----------------------------------------------------------------------------- 7. exchanges are whole

def test_exchange_lists_new_items_with_tax_and_takes_the_balance_in_a_tender_chosen_by_key(app, modals):
    app.sign_in("c1")
    app.qtbot.keyClicks(focus(), EXCHANGE_UP)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    pick_first_line(app, screen)
    press(app, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E: the exchange scan field
    assert focus() is screen.exchange_scan
    app.qtbot.keyClicks(focus(), "JACKET")
    press(app, Qt.Key.Key_Return)
    assert screen.exchange_list.count() == 1
    seen = {}

    def confirm(dialog):
        focus_in(app, dialog)
        seen["summary"] = dialog.findChild(QWidget, "summary").toPlainText()
        press(app, Qt.Key.Key_Return)  # no tender chosen yet: refused, the dialog stays
        seen["refused"] = dialog.isVisible()
        seen["message"] = dialog.findChild(QWidget, "message").text()
        press(app, Qt.Key.Key_F6)  # card ...
        press(app, Qt.Key.Key_F5)  # ... no, cash
        seen["choice"] = dialog.findChild(QWidget, "paymentChoice").text()
        seen["summary_paid"] = dialog.findChild(QWidget, "summary").toPlainText()
        press(app, Qt.Key.Key_Return)
        assert not dialog.isVisible()

    modals.expect("confirmDialog", confirm)
    press(app, Qt.Key.Key_F12)
    modals.check()
    # rain jacket 129.00 + 7.25 % tax 9.35 (9.3525) = 138.35; T-shirt back 14.99 + 1.09 = 16.08; 138.35 - 16.08
    assert "Rain jacket (JACKET)" in seen["summary"] and "$129.00" in seen["summary"]
    assert "tax $9.35" in seen["summary"] and "$138.35" in seen["summary"]
    assert seen["refused"] and "choose how they pay" in seen["message"]
    assert "\u25c9 Cash" in seen["choice"] and "\u25cb Card" in seen["choice"]
    assert "Customer pays $122.27 by Cash" in seen["summary_paid"]
    done = app.screen
    assert done.objectName() == "doneScreen"
    assert done.money.text() == "Customer pays $122.27 by Cash"
    [entry] = journal(app.store, txno=done.number.text())
    assert json.loads(entry["payload"])["customer_payment"] == {"type": "cash", "amount": 12227}
    text = pdf_text(paperwork.document_pdf(app.store, entry["txno"], "receipt", "en"))
    assert "Paid by Cash $122.27" in text and "New items total $138.35" in text


# ----------------------------------------------------------------------------- 8. mailed checks

def test_a_mailed_check_is_never_shown_as_money_from_the_till(mailed_sale, make_app, modals):
    app = make_app()
    app.sign_in("c1")
    app.qtbot.keyClicks(focus(), mailed_sale)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    pick_first_line(app, screen, 2)
    decision = screen.pending.decision
    assert [(t.type, t.amount.plain()) for t in decision.refund_tenders] == [("mailed_check", "641.36")]
    balance = screen.panel.total_labels["balance"][1].text()
    seen = {}

    def confirm(dialog):
        focus_in(app, dialog)
        seen["summary"] = dialog.findChild(QWidget, "summary").toPlainText()
        press(app, Qt.Key.Key_Return)
        assert not dialog.isVisible()

    modals.expect("approvalDialog", lambda d: approve_by_keys(app, d)).expect("confirmDialog", confirm)
    press(app, Qt.Key.Key_F12)
    modals.check()
    said = "Check of $641.36 mailed from head office; nothing paid at the till"
    assert balance == said and said in seen["summary"]
    done = app.screen
    assert done.objectName() == "doneScreen" and done.money.text() == said
    assert "Store refunds" not in balance + seen["summary"] + done.money.text()
    text = pdf_text(paperwork.document_pdf(app.store, done.number.text(), "receipt", "en"))
    assert said in text
    vi = pdf_text(paperwork.document_pdf(app.store, done.number.text(), "receipt", "vi"))
    assert "641" in vi and "Check of" not in vi  # translated, not English


# ----------------------------------------------------------------------------- 10. audit times

def test_entry_receipt_and_slip_carry_the_commit_time_and_the_approval_precedes_it(mailed_sale, make_app, modals):
    app = make_app()
    now = [NOW]
    app.ctx.clock = lambda: now[0]
    app.sign_in("c1")
    app.qtbot.keyClicks(focus(), mailed_sale)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    pick_first_line(app, screen, 2)  # decided at 12:00:00

    def approve(dialog):
        now[0] = NOW + timedelta(minutes=2, seconds=5)  # the manager arrives
        approve_by_keys(app, dialog)

    def confirm(dialog):
        now[0] = NOW + timedelta(minutes=4, seconds=30)  # the customer checks the summary, the cashier confirms
        focus_in(app, dialog)
        press(app, Qt.Key.Key_Return)
        assert not dialog.isVisible()

    modals.expect("approvalDialog", approve).expect("confirmDialog", confirm)
    press(app, Qt.Key.Key_F12)
    modals.check()
    txno = app.screen.number.text()
    [entry] = journal(app.store, txno=txno)
    payload = json.loads(entry["payload"])
    assert entry["at"] == (NOW + timedelta(minutes=4, seconds=30)).isoformat()
    assert payload["approvals"][0]["at"] == (NOW + timedelta(minutes=2, seconds=5)).isoformat()
    assert payload["case"]["now"] == NOW.isoformat()  # the decision's own time stays in the case
    receipt = pdf_text(paperwork.document_pdf(app.store, txno, "receipt", "en"))
    slip = pdf_text(paperwork.document_pdf(app.store, txno, "override", "en"))
    for text in (receipt, slip):
        assert "12:04:30\u202fPM" in text or "12:04:30 PM" in text
        assert "12:02:05" in text
        assert "12:00:00" not in text


# ----------------------------------------------------------------------------- 12. reprints

def test_reprint_comes_out_in_the_customers_language_and_says_so_as_success(app, modals, monkeypatch):
    from ui import printing
    monkeypatch.setattr(printing, "default_printer", lambda: None)  # a counter without a printer: PDF files
    app.window.printing = printing.Paper()
    app.sign_in("c1")
    app.qtbot.keyClicks(focus(), EXCHANGE_UP)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    pick_first_line(app, screen)

    def confirm(dialog):
        focus_in(app, dialog)
        box = dialog.findChild(QWidget, "paperLanguage")
        for _ in range(8):  # Tab to the customer's language
            if focus() is box:
                break
            press(app, Qt.Key.Key_Tab)
        assert focus() is box
        while box.currentData() != "cs":
            press(app, Qt.Key.Key_Down)
        press(app, Qt.Key.Key_Return)
        assert not dialog.isVisible()

    modals.expect("confirmDialog", confirm)
    press(app, Qt.Key.Key_F12)
    modals.check()
    done = app.screen
    txno = done.number.text()
    assert json.loads(journal(app.store, txno=txno)[0]["payload"])["paper_lang"] == "cs"
    app.key(Qt.Key.Key_Return)  # next customer: the customer's language is forgotten
    assert app.screen is app.window.home and app.ctx.customer_lang is None

    def ask(dialog):
        focus_in(app, dialog)
        app.qtbot.keyClicks(focus(), txno)
        press(app, Qt.Key.Key_Return)

    app.reactivate()
    app.qtbot.waitUntil(lambda: focus() is app.window.home.scan, timeout=3000)
    modals.expect("reprintDialog", ask)
    app.key(Qt.Key.Key_F4)  # to the focused scan field; the button's animated click opens the dialog
    app.qtbot.waitUntil(lambda: "reprintDialog" in modals.seen and QApplication.activeModalWidget() is None,
                        timeout=5000)
    modals.check()
    strip = app.window.home.message
    assert strip.property("kind") == "success", strip.text()
    assert f"Reprinted {txno} (marked DUPLICATE)" in strip.text()
    folder = paperwork.paperwork_dir(app.store)
    assert (folder / f"{txno}-receipt-cs-copy2.pdf").exists()
    assert not list(folder.glob(f"{txno}-receipt-en-copy2.pdf"))
    text = pdf_text((folder / f"{txno}-receipt-cs-copy2.pdf").read_bytes())
    assert "DUPLIK" in text.upper()  # the Czech DUPLICATE banner
