"""Every error a user can meet at the counter is a message in the interface language, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from counter_kit import FULL, OTHER_STORE, RETURNED, SPARE, journal, tr
from ui import app as ui_app
from ui.receipt import C_DECISION, C_QTY

LANGS = ("en", "vi", "cs", "zh_Hant")
WARN = "\u26a0 "
NO_PRINTER = "No printing set up: the transaction is recorded and can be reprinted."


def _in_every_language(app, check):
    for lang in LANGS:
        app.window.set_language(lang)
        check(lang)
    app.window.set_language("en")


def test_unknown_receipt(app):
    app.sign_in("c1")
    msgid = "Receipt {receipt} is not in this store's sales."

    def check(lang):
        app.scan("0001-999999")
        assert app.screen is app.window.home
        assert app.window.home.message.text() == WARN + tr(lang, msgid, receipt="0001-999999")
        assert app.window.home.scan.text() == ""  # ready for the next scan

    assert tr("cs", msgid) != msgid
    _in_every_language(app, check)


def test_empty_scan(app):
    app.sign_in("c1")
    app.window.set_language("cs")
    app.scan("")
    assert app.window.home.message.text() == WARN + tr("cs", "Scan or type a receipt number.")


def test_receipt_of_another_store(app):
    app.sign_in("c1")
    msgid = ("Receipt {receipt} is from store {other}, not this store ({store}); return it there, or as a return "
             "without a receipt.")

    def check(lang):
        app.scan(OTHER_STORE)
        assert app.screen is app.window.home
        assert app.window.home.message.text() == WARN + tr(lang, msgid, receipt=OTHER_STORE, other="0002",
                                                              store="0001")

    _in_every_language(app, check)


def test_everything_already_returned(app):
    app.sign_in("c1")
    msgid = "Everything on receipt {receipt} has already been returned."

    def check(lang):
        screen = app.scan(RETURNED)
        assert screen.objectName() == "receiptScreen"
        assert screen.message.text() == WARN + tr(lang, msgid, receipt=RETURNED)
        assert screen.model.index(0, C_DECISION).data() == tr(lang, "Already returned")
        assert not screen.finish_button.isEnabled()
        assert not screen.model.flags(screen.model.index(0, C_QTY)) & Qt.ItemFlag.ItemIsEditable
        app.key(Qt.Key.Key_Escape)
        assert app.screen is app.window.home

    _in_every_language(app, check)


@pytest.mark.busy_timeout_ms(150)
def test_busy_database(app, modals, db_path):
    app.sign_in("c1")
    app.window.set_language("cs")
    screen = app.scan(SPARE)
    app.set_qty(screen, 0, 1)
    other_till = sqlite3.connect(str(db_path), timeout=0.1, isolation_level=None)
    try:
        other_till.execute("BEGIN IMMEDIATE")  # another till is writing
        modals.confirm()
        app.click(screen.finish_button)
        modals.check()
        assert app.screen is screen  # nothing recorded, still on the receipt
        msgid = "{path}: the database is busy (another till is writing); try again."
        assert tr("cs", msgid) != msgid
        assert screen.message.text() == WARN + tr("cs", msgid, path=str(db_path))
        assert journal(app.store, receipt=SPARE) == []
    finally:
        other_till.execute("ROLLBACK")
        other_till.close()
    # the other till is done: trying again records it
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    assert len(journal(app.store, receipt=SPARE)) == 1


@pytest.mark.parametrize("lang", ["en", "cs"])
def test_invalid_policy_file(qapp, tmp_path, capsys, lang):
    broken = tmp_path / "broken.toml"
    broken.write_text('[store]\nid = "0001"\nname = "Broken"\ncurrency = "USD"\n\n[[window]]\nid = "w"\n'
                      'days = -5\n\n[[window]]\nid = "w2"\ndays = "many"\n', encoding="utf-8")
    code = ui_app.main(["--db", str(tmp_path / "new.db"), "--policy", str(broken), "--lang", lang])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    heading = tr(lang, "The policy file has errors:")
    assert err.startswith(heading), err
    problems = err.strip().splitlines()[1:]
    assert problems and all(line.startswith(str(broken) + ":") for line in problems), err
    assert any(":8:" in line for line in problems) and any(":12:" in line for line in problems), err


def test_invalid_policy_syntax(qapp, tmp_path, capsys):
    broken = tmp_path / "syntax.toml"
    broken.write_text("[store\nid = 0001\n", encoding="utf-8")
    code = ui_app.main(["--db", str(tmp_path / "new.db"), "--policy", str(broken)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "The policy file has errors:" in err and str(broken) in err


def test_unknown_language_argument(qapp, tmp_path, capsys):
    code = ui_app.main(["--db", str(tmp_path / "new.db"), "--lang", "klingon"])
    err = capsys.readouterr().err
    assert code == 2 and "klingon" in err and "Traceback" not in err


def _return_one(app, modals, receipt):
    screen = app.scan(receipt)
    app.set_qty(screen, 0, 1)
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    return app.screen


def test_no_printer_says_recorded_and_reprintable(app, modals):
    app.sign_in("c1")
    app.window.set_language("cs")
    done = _return_one(app, modals, FULL)
    assert tr("cs", NO_PRINTER) != NO_PRINTER
    assert done.message.text() == tr("cs", NO_PRINTER)
    assert len(journal(app.store, txno=done.number.text())) == 1  # committed although nothing printed
    app.key(Qt.Key.Key_F4)  # reprint
    assert done.message.text() == WARN + tr("cs", NO_PRINTER)


def test_reprint_from_home_without_printer(app, modals):
    app.sign_in("c1")
    txno = _return_one(app, modals, FULL).number.text()
    app.key(Qt.Key.Key_Return)
    app.scan(txno)  # our own transaction number scanned at home means "reprint"
    assert app.window.home.message.text() == WARN + tr("en", NO_PRINTER)


def test_wrong_sign_in_pin_and_unknown_staff(app):
    signin = app.window.signin
    app.window.set_language("vi")
    app.sign_in("c2", pin="0000")
    assert app.screen is signin
    assert signin.message.text() == WARN + tr("vi", "Wrong PIN for {staff_id}; {remaining} tries left before a "
                                                    "15-minute lockout.", staff_id="c2", remaining=4)
    signin.staff_id.selectAll()  # the ID stays after a wrong PIN; type over it
    app.type_into(signin.staff_id, "nobody")
    app.type_into(signin.pin, "1234")
    assert signin.message.text() == WARN + tr("vi", "No active staff member with id {staff_id}.", staff_id="nobody")


def test_manager_tools_refused_for_cashier(app):
    app.sign_in("c1")
    app.window.set_language("zh_Hant")
    app.key(Qt.Key.Key_F5)  # the big button's shortcut animates a click
    expected = WARN + tr("zh_Hant", "Only a manager can open the manager tools; sign in as a manager.")
    app.qtbot.waitUntil(lambda: app.window.home.message.text() == expected, timeout=2000)
    assert app.screen is app.window.home
