"""Issue 15: the manager screen of a chain's till adds every store, by store and in total (Chain tab, F5)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from counter_kit import NOW, POLICY_PATH, App
from test_manager_ui import WAIT, cell_texts, open_manager, tab


def test_the_chain_tab_adds_every_store_by_store_and_in_total(qtbot, store, policy, central_url, tmp_path):
    from chainkit import STORE_B, do_return, sale, sync, till
    from pos_returns.services import chain
    from ui.context import AppContext
    from ui.main_window import MainWindow
    chain.init_central(central_url)
    chain.sync(store, policy, central_url)  # the demo store (its year of returns) ...
    other = till(tmp_path, "b", STORE_B, [sale("0077-000001", STORE_B, qty=1, price="40.00")])
    do_return(other, central_url, "0077-000001")  # ... and store 0077 with one return of 42.90
    sync(other, central_url)
    here = store.one("SELECT count(*) AS n FROM journal WHERE training = 0 AND kind IN ('return', 'exchange', "
                     "'no_receipt') AND substr(at, 1, 10) = ?", (NOW.date().isoformat(),))["n"]

    ctx = AppContext(store=store, policy=policy, policy_path=POLICY_PATH, clock=lambda: NOW, lang="en",
                     central=central_url)
    window = MainWindow(ctx, printing=None)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    app = App(window, ctx, qtbot, store)
    try:
        screen = open_manager(app)
        chain_tab = tab(screen, "Chain")
        app.click(chain_tab.run_button)  # the period picker starts on today
        qtbot.waitUntil(lambda: chain_tab.table is not None, timeout=WAIT)
        table = chain_tab.table
        stores = cell_texts(table, 0)
        assert stores[-1] == "All stores" and STORE_B in stores, stores
        row = stores.index(STORE_B)
        assert cell_texts(table, 1)[row] == "1" and cell_texts(table, 2)[row] == "$42.90"
        counts = [int(x) for x in cell_texts(table, 1)]
        assert counts[-1] == sum(counts[:-1]) == here + 1
    finally:
        from PySide6.QtWidgets import QApplication
        QApplication.instance().removeEventFilter(window)
        window.idle.stop()
        window.chain_status.timer.stop()
        window.chain_status.background._stop()
        window.close()
