"""Issue 12 item 10 at the counter: the till runs a new, shorter policy version, and a receipt from before it
is decided under the version it was sold under; the decision panel says which one (driven by keys)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication

from counter_kit import FULL, NOW, POLICY_PATH, SOLD, TODAY, App, journal
from pos_returns.domain.policy import parse_policy
from pos_returns.services.counter import note_policy


def _version(text: str, label: str, start) -> bytes:
    return (f'[policy]\nversion = "{label}"\neffective_from = {start.isoformat()}\n\n' + text).encode("utf-8")


@pytest.fixture
def versioned_app(qtbot, store):
    """The sample policy as version "old" (90 days for apparel, from a year ago), kept in the store; the till
    runs version "new" from two days ago, whose default window is 3 days. FULL (jeans) was sold 5 days ago."""
    from ui.context import AppContext
    from ui.main_window import MainWindow
    text = POLICY_PATH.read_text(encoding="utf-8")
    old = parse_policy(_version(text, "old", TODAY - timedelta(days=365)), "old.toml")
    short, n = re.subn(r'(id = "window.default"\ndays = )90', r"\g<1>3", text)
    assert n == 1
    new = parse_policy(_version(short, "new", TODAY - timedelta(days=2)), "new.toml")
    assert SOLD.date() < new.version.effective_from
    note_policy(store, old, "m1", NOW - timedelta(days=300))
    note_policy(store, new, "m1", NOW - timedelta(days=3))
    ctx = AppContext(store=store, policy=new, policy_path=POLICY_PATH, clock=lambda: NOW, lang="en")
    window = MainWindow(ctx, printing=None)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    yield App(window, ctx, qtbot, store)
    QApplication.instance().removeEventFilter(window)
    window.idle.stop()
    window.close()


def test_a_receipt_from_before_the_new_version_is_decided_under_the_old_one(versioned_app, modals):
    app = versioned_app
    app.sign_in("c1")
    screen = app.scan(FULL)
    assert screen.objectName() == "receiptScreen"
    app.set_qty(screen, 0, 1)
    assert screen.panel.headline.text() == "\u2714 Approved"  # 5 days: inside old's 90, outside new's 3
    details = screen.panel.details.toPlainText()
    sold = SOLD.date()
    start = TODAY - timedelta(days=365)
    assert (f"Sold on {sold:%b} {sold.day}, {sold.year}: decided under the policy in force then, version old "
            f"(from {start:%b} {start.day}, {start.year}).") in details, details
    modals.confirm({})
    app.click(screen.finish_button)
    modals.check()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    [entry] = journal(app.store, txno=app.screen.number.text())
    assert entry["policy_sha256"] == app.ctx.store.one(
        "SELECT sha256 FROM policy_versions WHERE version = 'old'")["sha256"] != app.ctx.policy.sha256
