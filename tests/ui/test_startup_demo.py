"""Demo data never lands in a store's own database.

The app's real start-up (``ui.app.main``, offscreen) builds the demo store only on a first start with no database
file, or with ``--demo`` into a new database; a demo database is marked and says DEMO in the window title. A
database made with ``db init`` and ``staff add`` starts as it is: no demo sales, no demo managers with known PINs.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from counter_kit import POLICY_PATH, ROOT, TODAY, tr
from ui import app as ui_app
from ui.main_window import MainWindow


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), POS_RETURNS_POLICY=str(POLICY_PATH), POS_RETURNS_LANG="en")
    env.pop("POS_RETURNS_DB", None)
    proc = subprocess.run([sys.executable, "-m", "pos_returns", *args], input=stdin, capture_output=True, text=True,
                          cwd=str(ROOT), env=env, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    return proc


def start_app(*args: str) -> tuple[int, list[str]]:
    """Run the app's start-up as ``main.py`` does; as soon as its window is shown, note the title and quit.

    Its event loop is ended with exit(0), with quit-on-last-window-closed off meanwhile: the quit that closing
    the last window sets off leaves this process's QApplication half shut down (a table's cell editor no
    longer takes Enter), which broke the screen tests that ran after these in the same process."""
    titles: list[str] = []
    app = QApplication.instance()

    def when_shown() -> None:
        if returned:  # this start is over (e.g. it refused before a window): stop polling, or the next start's
            return    # window would be noted here and closed
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, when_shown)  # still building the demo store (or failed before a window)
            return
        titles.append(windows[0].windowTitle())
        windows[0].close()
        app.exit(0)

    returned: list[bool] = []
    QTimer.singleShot(0, when_shown)
    app.setQuitOnLastWindowClosed(False)
    try:
        code = ui_app.main(["--lang", "en", *args])
    finally:
        app.setQuitOnLastWindowClosed(True)
    returned.append(True)
    return code, titles


def contents(db) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "sales": conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0],
            "staff": {r[0] for r in conn.execute("SELECT id FROM staff")},
            "journal": conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
            "demo": conn.execute("SELECT value FROM settings WHERE key = 'demo'").fetchone(),
        }
    finally:
        conn.close()


def test_a_store_database_made_with_db_init_and_staff_add_gets_no_demo_data(qapp, tmp_path):
    db = tmp_path / "store.db"
    cli("db", "init", "--db", str(db))
    cli("staff", "add", "s1", "Sam Store", "--role", "manager", "--db", str(db), stdin="4711\n")
    code, titles = start_app("--db", str(db))
    assert code == 0
    assert titles and "DEMO" not in titles[0], titles
    after = contents(db)
    assert after["staff"] == {"s1"}  # no c1/c2/m1/m2 with known PINs
    assert after["sales"] == 0 and after["journal"] == 0
    assert after["demo"] is None


def test_a_database_with_only_db_init_gets_no_demo_data_either(qapp, tmp_path):
    db = tmp_path / "store.db"
    cli("db", "init", "--db", str(db))
    code, titles = start_app("--db", str(db))
    assert code == 0 and titles and "DEMO" not in titles[0], titles
    after = contents(db)
    assert after["staff"] == set() and after["sales"] == 0 and after["demo"] is None


def test_demo_flag_refuses_a_store_database_with_its_own_staff(qapp, tmp_path, capsys):
    db = tmp_path / "store.db"
    cli("staff", "add", "s1", "Sam Store", "--db", str(db), stdin="4711\n")
    code, titles = start_app("--db", str(db), "--demo")
    err = capsys.readouterr().err
    assert code == 2 and titles == []
    assert tr("en", "{path} already has staff of its own; demo data goes into a new database.", path=str(db)) in err
    assert "Traceback" not in err
    after = contents(db)
    assert after["staff"] == {"s1"} and after["sales"] == 0 and after["demo"] is None


def test_first_start_without_a_file_builds_a_marked_demo_store_titled_demo(qapp, tmp_path):
    db = tmp_path / "new" / "pos-returns.db"
    code, titles = start_app("--db", str(db))
    assert code == 0
    assert titles and "DEMO" in titles[0], titles
    first = contents(db)
    assert first["demo"] == ("1",)
    assert first["sales"] > 0 and {"c1", "c2", "m1", "m2"} <= first["staff"]
    # the next start opens the same demo store as it is (still DEMO, nothing added twice)
    code, titles = start_app("--db", str(db))
    assert code == 0 and titles and "DEMO" in titles[0], titles
    again = contents(db)
    assert (again["sales"], again["staff"], again["journal"]) == (first["sales"], first["staff"], first["journal"])


def test_demo_flag_builds_the_demo_store_in_a_new_database(qapp, tmp_path):
    db = tmp_path / "demo.db"
    cli("db", "init", "--db", str(db))  # an empty file: no staff, no sales
    code, titles = start_app("--db", str(db), "--demo")
    assert code == 0 and titles and "DEMO" in titles[0], titles
    after = contents(db)
    assert after["demo"] == ("1",) and after["sales"] > 0 and "m1" in after["staff"]


def test_demo_data_command_marks_its_database(tmp_path):
    db = tmp_path / "cli-demo.db"
    cli("demo-data", "--db", str(db), "--receipts", "30")
    assert contents(db)["demo"] == ("1",)


def test_a_first_start_stopped_while_building_the_demo_is_built_again_with_its_staff(qapp, tmp_path):
    """The demo goes in in batches; a first start closed or killed half-way left 500 sales, no staff and a DEMO
    window nobody could sign in to ("No active staff member with id c1"). The next start builds it again."""
    from pos_returns.domain.policy import load_policy
    from pos_returns.services import demo
    from pos_returns.storage import store as st

    class Stopped(Exception):
        pass

    def stop(done, total):
        raise Stopped  # the app closed after the first batch

    db = tmp_path / "new" / "pos-returns.db"
    db.parent.mkdir()
    with st.open_store(db) as store:
        try:
            demo.build_demo(store, load_policy(POLICY_PATH), today=TODAY, receipts=1200, batch=500, progress=stop)
        except Stopped:
            pass
    half = contents(db)
    assert half["demo"] == ("1",) and half["sales"] == 500 and half["staff"] == set()
    code, titles = start_app("--db", str(db))
    assert code == 0 and titles and "DEMO" in titles[0], titles
    again = contents(db)
    assert again["sales"] > 500 and {"c1", "c2", "m1", "m2"} <= again["staff"]
