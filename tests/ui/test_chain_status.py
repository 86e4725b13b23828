"""Issue 15: the counter of a chain's till syncs in the background and says, in the status line, whether it
reaches the central database; a till alone shows nothing of it."""

from __future__ import annotations

import pytest

from counter_kit import NOW, POLICY_PATH
from chainkit import OFFLINE_URL


def window(qtbot, store, policy, central):
    from ui.context import AppContext
    from ui.main_window import MainWindow
    ctx = AppContext(store=store, policy=policy, policy_path=POLICY_PATH, clock=lambda: NOW, lang="en",
                     central=central)
    win = MainWindow(ctx, printing=None)
    qtbot.addWidget(win)
    win.show()
    return win


def _close(win):
    from PySide6.QtWidgets import QApplication
    QApplication.instance().removeEventFilter(win)
    win.idle.stop()
    win.chain_status.timer.stop()
    win.chain_status.background._stop()
    win.close()


def test_online_the_counter_sends_its_outbox_in_the_background_and_says_online(qtbot, store, policy, central_url):
    from pos_returns.services import chain
    chain.init_central(central_url)
    win = window(qtbot, store, policy, central_url)
    try:
        qtbot.waitUntil(lambda: win.chain_status.text() == "Central: online", timeout=60000)
        assert win.chain_status.isVisibleTo(win)
        import psycopg
        with psycopg.connect(central_url) as conn:
            from pos_returns.storage import store as st
            assert conn.execute("SELECT count(*) FROM sales").fetchone()[0] == st.count(store, "sales")
            assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == st.count(store, "journal")
    finally:
        _close(win)


def test_with_the_network_cut_it_says_offline_and_the_till_still_works(qtbot, store, policy):
    win = window(qtbot, store, policy, OFFLINE_URL)
    try:
        qtbot.waitUntil(lambda: win.chain_status.text() == "Central: offline", timeout=20000)
        assert "cannot be reached" in win.chain_status.toolTip()
        assert win.stack.currentWidget() is win.signin  # the counter is there to sign in to
    finally:
        _close(win)


@pytest.mark.parametrize("central", [None])
def test_a_till_alone_shows_no_chain_indicator(qtbot, store, policy, central):
    win = window(qtbot, store, policy, central)
    try:
        assert not win.chain_status.isVisibleTo(win)
    finally:
        _close(win)
