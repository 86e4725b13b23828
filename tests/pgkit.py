"""The tests' throwaway PostgreSQL server (tools/pgserver.py): one per test session, in a temporary folder,
on a Unix socket only; each test that asks for ``central_url`` gets an empty database of its own.

tools/test.sh installs Debian's ``postgresql`` when it may. Where no server can be had the tests that need one
skip, saying why; under CI=true they fail instead (CI must test the chain).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from pgserver import PgServer, find_bin  # noqa: E402


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    if not find_bin("initdb") or not find_bin("pg_ctl"):
        return "PostgreSQL's initdb/pg_ctl are not installed (Debian package postgresql; tools/test.sh installs it as root)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser"
    return None


@pytest.fixture(scope="session")
def pg_server():
    why = unavailable()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the chain tests: {why}")
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="pos-pg-"))
    server = PgServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


_count = [0]


@pytest.fixture
def central_url(pg_server):
    """A fresh, empty central database for one test (schema not made: tests run central init)."""
    _count[0] += 1
    return pg_server.new_database(f"central_{os.getpid()}_{_count[0]}")
