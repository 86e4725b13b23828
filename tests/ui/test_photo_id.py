"""The photo ID on the receipt screen (issue 12, item 9), driven by keys: a policy that asks for a photo ID for
every return and allows one return with a receipt per customer in 30 days."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from counter_kit import FULL, NOW, PARTIAL, POLICY_PATH, App, journal
from pos_returns.domain.policy import load_policy

ID_NUMBER = "D 123-4567"


@pytest.fixture
def id_app(qtbot, store, tmp_path):
    from ui.context import AppContext
    from ui.main_window import MainWindow
    path = tmp_path / "policies.toml"
    path.write_text(POLICY_PATH.read_text(encoding="utf-8") + "\n[photo_id]\nalways = true\n\n"
                    "[customer_limits]\nid = \"limit.customer\"\nlimit_count = 1\nlimit_days = 30\n",
                    encoding="utf-8")
    policy = load_policy(path)
    ctx = AppContext(store=store, policy=policy, policy_path=path, clock=lambda: NOW, lang="en")
    window = MainWindow(ctx, printing=None)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    yield App(window, ctx, qtbot, store)
    window.idle.stop()
    window.close()


def test_receipt_return_asks_photo_id_records_it_masked_and_counts_it(id_app, modals):
    app = id_app
    app.sign_in("c1")
    screen = app.scan(FULL)
    entry = screen.id_entry
    assert entry.isVisible()
    app.set_qty(screen, 0, 1)
    assert screen.panel.headline.text().startswith("\u2716"), screen.panel.headline.text()
    assert not screen.finish_button.isEnabled()
    # "ID checked" (Ctrl+I to the number, Tab to the box, Space) without typing the number: the screen says so
    app.key(Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is entry.number
    app.key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is entry.checked
    app.key(Qt.Key.Key_Space)
    assert "Type the number of the customer's photo ID" in screen.message.text()
    app.type_into(entry.number, ID_NUMBER)
    assert screen.panel.headline.text() == "\u2714 Approved", screen.message.text()
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    [row] = journal(app.store, receipt=FULL)
    assert row["customer_key"].startswith("id:") and "4567" not in row["customer_key"]
    assert ID_NUMBER not in row["payload"] and "1234567" not in row["payload"]
    assert json.loads(row["payload"])["case"]["request"]["customer"]["id"] == "****4567"

    # the same customer again, within 30 days: the limit of one return with a receipt is reached
    app.key(Qt.Key.Key_Return)  # next customer
    screen = app.scan(PARTIAL)
    assert screen.id_entry.number.text() == "" and not screen.id_entry.checked.isChecked()
    app.set_qty(screen, 0, 1)
    app.type_into(screen.id_entry.number, "d1234567")  # spaces, dashes and case do not matter
    screen.id_entry.checked.setFocus()
    app.key(Qt.Key.Key_Space)
    assert screen.panel.headline.text().startswith("\u2716")
    assert "This customer already made 1 returns with a receipt in 30 days; the limit is 1." in \
        screen.panel.details.toPlainText()
    assert "limit.customer" in {r for d in screen.pending.decision.lines for r in d.rules}


def test_no_id_entry_when_the_policy_asks_for_none(app):
    app.sign_in("c1")
    screen = app.scan(FULL)
    assert not screen.id_entry.isVisible()
