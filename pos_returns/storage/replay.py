"""Journal reads for the what-if replay: past returns streamed in batches, only the parts a replay needs.

A year of 500 returns a day is about 182,000 entries; reading them as one list of dicts with whole payloads
(``store.real_entries``) held every payload in memory at once. Here SQLite's own JSON functions cut each
payload down in C (the recorded case, the old outcome, total and lines) and a cursor hands
the rows out a batch at a time, so memory stays flat whatever the journal's size.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator, NamedTuple

from .db import Database, _translate

# the kinds a what-if replays (a correction is no request of a customer; it is skipped)
REPLAYED_KINDS = ("return", "exchange", "no_receipt")


class ReplayRow(NamedTuple):
    txno: str
    at: str
    case: str  # the recorded case, as JSON text
    outcome: str  # the recorded decision's outcome
    refund_total: str  # the recorded decision's refund total, as written ("12.34")
    lines: str  # JSON text: the recorded decision's lines (parsed only for a decision that changed)
    policy_sha256: str = ""  # the policy version that made the recorded decision


# ``+kind``: not through the kind index (which would sort every selected row, payload parts and all, in a temp
# b-tree before the first one comes out) but along ``journal_at``, which hands rows out in (at, rowid) order
_WHERE = (f"WHERE at >= ? AND at < ? AND training = 0 AND +kind IN ({', '.join('?' * len(REPLAYED_KINDS))})")


def count_replayable(store: Database, start: str, end: str) -> int:
    """How many returns :func:`replayable` yields for [start, end) (for a progress bar, and to split the work)."""
    row = store.one(f"SELECT COUNT(*) AS n FROM journal {_WHERE}", (start, end, *REPLAYED_KINDS))
    return int(row["n"]) if row else 0


def slices(store: Database, start: str, end: str, parts: int) -> tuple[int, list[tuple[tuple[str, int], int]]]:
    """How many entries :func:`replayable` yields for [start, end), and that order cut into ``parts`` slices:
    ((at, rowid) of the slice's first entry, how many), in one scan. A part of a parallel replay starts by the
    index at its first entry instead of skipping those before it (an OFFSET walks them: at 182,000 entries the
    last slices each stepped over 170,000 rows first)."""
    sql = (f"SELECT at, rid, n, total FROM (SELECT at, rowid AS rid, ROW_NUMBER() OVER (ORDER BY at, rowid) AS n, "
           f"COUNT(*) OVER () AS total FROM journal {_WHERE}) "
           "WHERE n = 1 OR (n - 1) * ? / total != (n - 2) * ? / total ORDER BY n")
    try:
        rows = store.conn.execute(sql, (start, end, *REPLAYED_KINDS, parts, parts)).fetchall()
    except sqlite3.Error as exc:
        raise _translate(exc, store.path) from None
    if not rows:
        return 0, []
    total = rows[0][3]
    firsts = [n for _at, _rid, n, _t in rows] + [total + 1]
    return total, [((at, rid), firsts[k + 1] - n) for k, (at, rid, n, _t) in enumerate(rows)]


def replayable(store: Database, start: str, end: str, batch: int = 1000, offset: int = 0,
               limit: int = -1, after: tuple[str, int] | None = None) -> Iterator[ReplayRow]:
    """Real (not training) returns, exchanges and no-receipt returns in [start, end), in journal order (time,
    then entry), streamed; ``offset``/``limit`` pick a slice of that order, ``after`` (an (at, rowid) from
    :func:`slices`) starts it at that entry (a part of a parallel replay)."""
    return map(ReplayRow._make, replay_rows(store, start, end, batch, offset, limit, after))


def replay_rows(store: Database, start: str, end: str, batch: int = 1000, offset: int = 0,
                limit: int = -1, after: tuple[str, int] | None = None) -> Iterator[tuple]:
    """:func:`replayable`'s rows as plain tuples in :class:`ReplayRow`'s order (a replay unpacks each one; a
    named tuple per row cost it more than the unpacking)."""
    since = ""
    params: tuple = (start, end, *REPLAYED_KINDS)
    if after is not None:
        since = " AND at >= ? AND (at > ? OR rowid >= ?)"
        params += (after[0], after[0], after[1])
    sql = ("SELECT txno, at, json_extract(payload, '$.case'), json_extract(payload, '$.decision.outcome'), "
           "json_extract(payload, '$.decision.refund_total'), json_extract(payload, '$.decision.lines'), "
           "policy_sha256 "
           f"FROM journal {_WHERE}{since} ORDER BY at, rowid LIMIT ? OFFSET ?")
    try:
        cur = store.conn.execute(sql, (*params, limit, offset))
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield from rows
    except sqlite3.Error as exc:
        raise _translate(exc, store.path) from None
