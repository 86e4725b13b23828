"""`python main.py` really starts: first start builds the demo store, the window comes up, no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

from counter_kit import ROOT


def _events(db, kind):
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or still being set up


def test_main_starts_and_builds_demo_database(tmp_path):
    db = tmp_path / "first-start" / "pos-returns.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", POS_RETURNS_DB=str(db), PYTHONFAULTHANDLER="1")
    env.pop("POS_RETURNS_LANG", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        # the last thing before the window is built: the policy in use is noted in the new database
        while time.monotonic() < deadline and proc.poll() is None and not _events(db, "policy_loaded"):
            time.sleep(0.2)
        assert proc.poll() is None, f"main.py exited with {proc.returncode}: {proc.stderr.read()}"
        assert _events(db, "policy_loaded"), "the window never came up"
        time.sleep(1.5)  # the window shows and the event loop runs
        assert proc.poll() is None, f"main.py exited with {proc.returncode}: {proc.stderr.read()}"
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert "Traceback" not in err, err
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sales = conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
        staff = {row[0] for row in conn.execute("SELECT id FROM staff")}
    finally:
        conn.close()
    assert sales > 0
    assert staff == {"c1", "c2", "m1", "m2"}
