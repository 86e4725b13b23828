"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, pg_ctl on a Unix socket only.

The binaries are found on PATH, else in /usr/lib/postgresql/*/bin (Debian's ``postgresql`` package, which
tools/test.sh installs when it may). PostgreSQL refuses to run as root: as root the server runs as the
``postgres`` user the package creates. Where no server can be had the tests that need one skip, saying why;
under CI=true they fail instead (CI must test the chain).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    return None


class PgServer:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.sock = root / "sock"
        self.initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root and no runuser to start PostgreSQL as 'postgres'")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
            root.chmod(0o755)

    def _run(self, *args: str) -> None:
        proc = subprocess.run(self.as_user + list(args), capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {proc.stdout}{proc.stderr}")

    def start(self) -> None:
        self.sock.mkdir()
        if self.as_user:
            shutil.chown(self.sock, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "pos", "--no-sync", "-E", "UTF8")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o",
                  f"-k {self.sock} -h '' -c fsync=off -c max_connections=60", "start")

    def stop(self) -> None:
        subprocess.run(self.as_user + [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)

    def url(self, dbname: str = "postgres") -> str:
        return f"host={self.sock} user=pos dbname={dbname}"

    def new_database(self, name: str) -> str:
        import psycopg
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


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
