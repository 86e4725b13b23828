"""Fixtures for the counter-app tests: one demo database per session, copied per test; a real MainWindow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from counter_kit import (NOW, POLICY_PATH, SALES, TODAY, App, ModalDriver, prepare_history,  # noqa: E402
                         write_import, copy_db)
from pos_returns.services import demo  # noqa: E402
from pos_returns.storage import store as st  # noqa: E402
from pos_returns.storage import db as storage_db  # noqa: E402
from pos_returns.services.importer import import_file  # noqa: E402
from pos_returns.domain.policy import load_policy  # noqa: E402


@pytest.fixture(scope="session")
def policy():
    return load_policy(POLICY_PATH)


@pytest.fixture(scope="session")
def base_db(tmp_path_factory, policy) -> Path:
    folder = tmp_path_factory.mktemp("base")
    path = folder / "demo.db"
    store = st.open_store(path)
    try:
        demo.build_demo(store, policy, today=TODAY, receipts=400)
        sales_file = folder / "sales.json"
        write_import(sales_file, policy)
        result = import_file(store, policy, sales_file, NOW - timedelta(days=4))
        assert result.added == len(SALES), result
        prepare_history(store, policy)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return path


@pytest.fixture
def db_path(base_db, tmp_path) -> Path:
    return copy_db(base_db, tmp_path / "store.db")


@pytest.fixture
def store(request, db_path, monkeypatch):
    marker = request.node.get_closest_marker("busy_timeout_ms")
    if marker is not None:
        monkeypatch.setattr(storage_db, "BUSY_TIMEOUT_MS", marker.args[0])  # read by the connection
    s = st.open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def make_app(qtbot, store, policy):
    """Build a window on the test's database copy (more than one may be made, e.g. to 'restart')."""
    from ui.context import AppContext
    from ui.main_window import MainWindow

    made = []

    def make(db: st.Database | None = None, lang: str = "en") -> App:
        target = db or store
        ctx = AppContext(store=target, policy=policy, policy_path=POLICY_PATH, clock=lambda: NOW, lang=lang)
        window = MainWindow(ctx, printing=None)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        made.append(window)
        return App(window, ctx, qtbot, target)

    yield make
    app = QApplication.instance()
    for window in made:
        if window.ctx.lang != "en":
            window.set_language("en")  # also removes the Qt translator it installed
        app.removeEventFilter(window)
        window.idle.stop()
        window.close()


@pytest.fixture
def app(make_app) -> App:
    return make_app()


@pytest.fixture
def modals(qtbot):
    driver = ModalDriver(qtbot)
    yield driver
    driver.timer.stop()


def pytest_configure(config):
    config.addinivalue_line("markers", "busy_timeout_ms(ms): open the test's database with this busy timeout")
