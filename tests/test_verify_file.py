"""`journal verify` tells the truth about the file it is given, and never writes to it.

An empty, truncated or corrupted file is reported (exit 1); the file, its folder and its modification time are
the same afterwards (no -wal/-shm files left beside it, no schema upgrade); a read-only copy in a read-only
folder can be verified by a user who cannot write there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.storage import store as st

N_ENTRIES = 4


@pytest.fixture(scope="module")
def journal_db(tmp_path_factory) -> Path:
    path = h.fresh_db(tmp_path_factory.mktemp("verify"), "journal.db")
    h.record_returns(path, N_ENTRIES)
    assert not Path(str(path) + "-wal").exists()
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the folder: its bytes and modification time (ns)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def verify(path: Path, *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    prefix: list[str] = []
    if as_nobody and os.geteuid() == 0:
        # root ignores file permissions: run the auditor's command as an unprivileged user instead
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to check a read-only copy as a non-root user"
        prefix = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    proc = subprocess.run([*prefix, h.PY, "-m", "pos_returns", "journal", "verify", "--db", str(path)],
                          capture_output=True, text=True, cwd=str(h.ROOT), env=h.cli_env(), timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def test_an_empty_file_is_reported_and_left_empty(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    before = snapshot(tmp_path)
    proc = verify(path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert str(path) in out and "empty" in out
    assert "intact" not in out
    assert snapshot(tmp_path) == before  # not initialised, nothing created beside it


def test_a_truncated_file_is_reported(journal_db, tmp_path):
    path = tmp_path / "cut.db"
    data = journal_db.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = snapshot(tmp_path)
    proc = verify(path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert str(path) in out and "truncated" in out
    assert snapshot(tmp_path) == before


def _corrupt_index(path: Path) -> None:
    """Change one time stamp inside the journal_at index page only (the table itself still reads fine)."""
    with h.raw(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'journal_at'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        stamp = conn.execute("SELECT at FROM journal ORDER BY at LIMIT 1").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    page = bytes(data[start:start + page_size])
    at = page.index(stamp.encode())
    data[start + at: start + at + 4] = b"1999"
    path.write_bytes(bytes(data))


def test_a_corrupted_file_that_still_reads_is_caught_by_the_integrity_check(journal_db, tmp_path):
    path = h.copy_db(journal_db, tmp_path / "corrupt.db")
    _corrupt_index(path)
    with h.raw(path) as conn:  # the journal rows themselves are untouched and read back
        assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == N_ENTRIES
    conn.close()
    before = snapshot(tmp_path)
    proc = verify(path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert str(path) in out and "damaged" in out and "integrity check" in out
    assert "intact" not in out
    assert snapshot(tmp_path) == before


def test_garbage_and_foreign_databases_are_reported(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all\n" * 500)
    foreign = tmp_path / "other-app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    for path, words in ((garbage, "not a SQLite database"), (foreign, "not a pos-returns database")):
        proc = verify(path)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, out
        assert str(path) in out and words in out
    assert snapshot(tmp_path) == before


def test_an_older_schema_is_verified_without_being_upgraded(journal_db, tmp_path):
    path = h.copy_db(journal_db, tmp_path / "v1.db")
    with h.raw(path) as conn:  # what a version-1 file looks like
        conn.execute("DROP TABLE complaints")
        for name in ("journal_kind", "journal_corrects", "journal_customer_at"):
            conn.execute(f"DROP INDEX {name}")
        conn.execute("CREATE INDEX journal_customer ON journal(customer_key)")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    before = snapshot(tmp_path)
    proc = verify(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{N_ENTRIES} entries intact" in proc.stdout
    assert snapshot(tmp_path) == before
    with h.raw(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_a_read_only_copy_in_a_read_only_folder_can_be_verified():
    # not under pytest's tmp_path (mode 0700): the unprivileged auditor must be able to reach the folder
    folder = Path(tempfile.mkdtemp(prefix="pos-returns-ro-", dir="/tmp"))
    try:
        path = folder / "copy.db"
        source = h.fresh_db(folder, "source.db")
        h.record_returns(source, N_ENTRIES)
        shutil.copyfile(source, path)
        source.unlink()
        os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        before = snapshot(folder)
        proc = verify(path, as_nobody=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"{N_ENTRIES} entries intact" in proc.stdout
        proc = verify(path)  # and as the owner: still nothing written, nothing left beside it
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert snapshot(folder) == before
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_database_in_use_is_verified_with_what_is_still_in_its_write_ahead_log(journal_db, tmp_path):
    path = h.copy_db(journal_db, tmp_path / "live.db")
    store = st.open_store(path)  # a till has the file open; its last commit is only in the -wal
    try:
        c = h.counter(store)
        c.commit(c.prepare(h.signed_in(c, "c1"), c.lookup(h.BULK), h.return_request()))
        assert Path(str(path) + "-wal").stat().st_size > 0
        proc = verify(path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"{N_ENTRIES + 1} entries intact" in proc.stdout
    finally:
        store.close()
