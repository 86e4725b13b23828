"""A throwaway PostgreSQL server in a folder: initdb, then pg_ctl on a Unix socket (and, if asked, on the
loopback). Used by the tests (tests/pgkit.py) and the benchmark (bench/central.py).

The binaries are found on PATH, else in /usr/lib/postgresql/*/bin (Debian's ``postgresql`` package).
PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path


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

    def start(self, *, tcp_port: int | None = None, settings: str = "-c fsync=off") -> None:
        """Start on the Unix socket only, or also on 127.0.0.1:``tcp_port`` (the loopback)."""
        self.sock.mkdir()
        if self.as_user:
            shutil.chown(self.sock, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "pos", "--no-sync", "-E", "UTF8")
        listen = f"-h 127.0.0.1 -p {tcp_port}" if tcp_port else "-h ''"
        self.tcp_port = tcp_port
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o",
                  f"-k {self.sock} {listen} {settings} -c max_connections=60", "start")

    def stop(self) -> None:
        subprocess.run(self.as_user + [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)

    def url(self, dbname: str = "postgres", *, tcp: bool = False) -> str:
        if tcp:
            return f"host=127.0.0.1 port={self.tcp_port} user=pos dbname={dbname}"
        port = f" port={self.tcp_port}" if getattr(self, "tcp_port", None) else ""
        return f"host={self.sock}{port} user=pos dbname={dbname}"

    def new_database(self, name: str, *, tcp: bool = False) -> str:
        import psycopg
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name, tcp=tcp)
