"""The floor of a durable commit: the same rows our commit wrote, inserted with raw SQL, durably.

After each timed commit, every row it wrote is read back from the benchmark's database (the journal entry, its
lines, tenders and draws, its signature, the 'transaction' event; not timed) and written again with plain
INSERTs in one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``, WAL, ``synchronous=FULL``; timed) into a file
made with the same schema as the benchmark's database (those tables with their indexes and append-only
triggers): the same work with nothing of ours in the way (no re-reads, no decision, no hashing or signing, no
JSON), sample by sample in turn with ours. The floor's tables start empty, so its indexes are shallower than
the benchmark's year of returns: it errs on the fast side."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from dataset import _remove  # noqa: E402 - bench/ is on the path (run.py puts it there)

TABLES = ("journal", "journal_lines", "journal_tenders", "journal_draws", "signatures", "events")


class CommitFloor:
    """A file of the same schema; :meth:`replay` writes again, durably, the rows one commit wrote."""

    def __init__(self, db: Path):
        self.source = sqlite3.connect(str(db))
        self.path = db.parent / (db.name + ".floor.db")
        _remove(self.path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        for (sql,) in self.source.execute(
                f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({', '.join('?' * len(TABLES))}) "
                "AND sql IS NOT NULL ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
                TABLES):
            self.conn.execute(sql)
        self.columns = {t: [r[1] for r in self.source.execute(f"PRAGMA table_info({t})") if r[1] != "id"]
                        for t in TABLES}
        self.rows = 0
        self.payload_chars = 0
        self.commits = 0

    def rows_of(self, txno: str) -> list[tuple[str, tuple]]:
        out = []
        for table, cols in self.columns.items():
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for row in self.source.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE txno = ? ORDER BY rowid",
                                           (txno,)):
                out.append((sql, tuple(row)))
                if table == "journal":
                    self.payload_chars += len(row[cols.index("payload")])
        return out

    def replay(self, txno: str) -> float:
        """The wall time (ms) of writing again, raw and durably, the rows the commit of ``txno`` wrote."""
        rows = self.rows_of(txno)
        t = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        for sql, values in rows:
            self.conn.execute(sql, values)
        self.conn.execute("COMMIT")
        elapsed = (time.perf_counter() - t) * 1000.0
        self.rows += len(rows)
        self.commits += 1
        return elapsed

    def info(self) -> dict:
        n = max(1, self.commits)
        return {"rows_per_commit": round(self.rows / n, 1), "payload_chars": round(self.payload_chars / n)}

    def close(self) -> None:
        self.source.close()
        self.conn.close()
        _remove(self.path)
