"""The journal's promises: append-only, hash-chained, gapless per register, named when tampered with, safe
against two tills at once and against a till killed in the middle of its work."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.storage import store as st

N_ENTRIES = 5


@pytest.fixture(scope="module")
def journal_db(tmp_path_factory) -> tuple[Path, list[str]]:
    """A database with N_ENTRIES returns on register R1 (never changed: tests work on copies)."""
    path = h.fresh_db(tmp_path_factory.mktemp("journal"), "journal.db")
    txnos = h.record_returns(path, N_ENTRIES)
    return path, txnos


@pytest.fixture
def tampered(journal_db, tmp_path):
    """A copy of the journal database with its triggers dropped, and a raw connection to it."""
    source, txnos = journal_db
    path = h.copy_db(source, tmp_path / "tampered.db")
    conn = h.raw(path)
    dropped = h.drop_triggers(conn)
    assert len(dropped) == 2 * (len(st.APPEND_ONLY_TABLES) + len(st.SIGNATURE_TABLES))
    yield path, conn, txnos
    conn.close()


def verify_both(path: Path) -> tuple[list[st.VerifyProblem], str, int]:
    """The problems store.verify_journal finds, and what `journal verify` prints (and its exit code)."""
    with st.open_store(path, create=False) as store:
        problems = st.verify_journal(store)
    proc = h.run_cli("journal", "verify", "--db", str(path))
    assert "Traceback" not in proc.stderr + proc.stdout
    return problems, proc.stdout + proc.stderr, proc.returncode


def row_of(conn: sqlite3.Connection, txno: str) -> dict:
    cur = conn.execute("SELECT * FROM journal WHERE txno = ?", (txno,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone()))


# ----------------------------------------------------------------------------- intact journal and triggers

def test_intact_journal_verifies(journal_db):
    path, txnos = journal_db
    problems, out, code = verify_both(path)
    assert problems == []
    assert code == 0, out
    assert f"{N_ENTRIES} entries intact" in out


def test_seq_is_gapless_and_chained(journal_db):
    path, txnos = journal_db
    with h.raw(path) as conn:
        rows = conn.execute("SELECT seq, txno, prev_hash, hash FROM journal WHERE register = 'R1' "
                            "ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == list(range(1, N_ENTRIES + 1))
    assert [r[1] for r in rows] == txnos
    assert rows[0][2] == st.GENESIS
    for before, after in zip(rows, rows[1:]):
        assert after[2] == before[3]


@pytest.mark.parametrize("table", st.APPEND_ONLY_TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET txno = txno", "DELETE FROM {t}"])
def test_triggers_reject_update_and_delete(journal_db, tmp_path, table, statement):
    path = h.copy_db(journal_db[0], tmp_path / "copy.db")
    conn = h.raw(path)
    before = h.table_counts(conn)
    assert before[table] > 0
    sql = statement.format(t=table)
    if table == "events":
        sql = sql.replace("txno = txno", "kind = kind")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(sql)
    assert h.table_counts(conn) == before
    conn.close()
    with st.open_store(path, create=False) as store:
        assert st.verify_journal(store) == []


def test_store_write_refuses_an_edit_with_a_store_error(journal_db, tmp_path):
    path = h.copy_db(journal_db[0], tmp_path / "copy.db")
    with st.open_store(path, create=False) as store:
        with pytest.raises(st.StoreError, match="append-only"):
            with store.write() as c:
                c.execute("UPDATE journal SET refund_total = 1 WHERE seq = 2")
        assert st.verify_journal(store) == []


# ----------------------------------------------------------------------------- tampering is named

def test_edited_amount_is_named(tampered):
    path, conn, txnos = tampered
    conn.execute("UPDATE journal SET refund_total = refund_total + 10000 WHERE register = 'R1' AND seq = 3")
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert [(p.kind, p.register, p.seq, p.txno) for p in problems] == [("edited", "R1", 3, txnos[2])]
    assert txnos[2] in out and "#3" in out and "R1" in out and "edited" in out


def test_edited_payload_is_named(tampered):
    path, conn, txnos = tampered
    payload = json.loads(row_of(conn, txnos[1])["payload"])
    payload["decision"]["refund_total"] = "999.99"
    conn.execute("UPDATE journal SET payload = ? WHERE txno = ?", (st.canonical(payload), txnos[1]))
    problems, out, code = verify_both(path)
    assert code == 1
    assert ("edited", 2, txnos[1]) in [(p.kind, p.seq, p.txno) for p in problems]
    assert txnos[1] in out


def test_edited_line_refund_is_named(tampered):
    path, conn, txnos = tampered
    conn.execute("UPDATE journal_lines SET refund = refund * 10 WHERE txno = ?", (txnos[3],))
    problems, out, code = verify_both(path)
    assert code == 1
    assert [(p.kind, p.txno) for p in problems] == [("mismatch", txnos[3])]
    assert txnos[3] in out


def test_deleted_middle_entry_is_named(tampered):
    path, conn, txnos = tampered
    conn.execute("DELETE FROM journal WHERE register = 'R1' AND seq = 3")
    problems, out, code = verify_both(path)
    assert code == 1, out
    removed = [p for p in problems if p.kind == "removed"]
    assert any(p.register == "R1" and p.seq == 3 for p in removed), problems
    assert "#3" in out and "R1" in out and "missing" in out
    assert txnos[2] in out  # the removed transaction itself is named (its event and lines remain)


def test_deleted_middle_entry_with_its_details_is_named(tampered):
    path, conn, txnos = tampered
    for table in ("journal", "journal_lines", "journal_tenders", "journal_draws"):
        conn.execute(f"DELETE FROM {table} WHERE txno = ?", (txnos[2],))
    problems, out, code = verify_both(path)
    assert code == 1
    assert any(p.kind == "removed" and p.register == "R1" and p.seq == 3 for p in problems)
    assert "#3" in out


def test_deleted_last_entry_is_named(tampered):
    path, conn, txnos = tampered
    last = txnos[-1]
    conn.execute("DELETE FROM journal WHERE txno = ?", (last,))
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert any(p.txno == last for p in problems), problems
    assert last in out


def test_deleted_last_entry_with_its_details_is_named(tampered):
    path, conn, txnos = tampered
    last = txnos[-1]
    for table in ("journal", "journal_lines", "journal_tenders", "journal_draws"):
        conn.execute(f"DELETE FROM {table} WHERE txno = ?", (last,))
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert [(p.kind, p.txno) for p in problems] == [("removed", last)]
    assert last in out and "removed" in out


def test_truncated_tail_with_every_trace_removed_is_named(tampered):
    path, conn, txnos = tampered
    last = txnos[-1]
    for table in ("journal", "journal_lines", "journal_tenders", "journal_draws", "events"):
        conn.execute(f"DELETE FROM {table} WHERE txno = ?", (last,))
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert last in out or "#5" in out


def test_inserted_entry_is_named(tampered):
    """An entry added at the end, self-consistent (its own hash recomputed) but not chained to #5."""
    path, conn, txnos = tampered
    row = row_of(conn, txnos[1])
    forged = dict(row, seq=N_ENTRIES + 1, txno="0001-R1-999999", refund_total=12345)
    forged["hash"] = st.entry_hash(forged, forged["prev_hash"])  # prev_hash still that of entry #2
    cols = list(forged)
    conn.execute(f"INSERT INTO journal ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [forged[c] for c in cols])
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert any(p.register == "R1" and p.seq == N_ENTRIES + 1 and p.txno == "0001-R1-999999" for p in problems)
    assert "0001-R1-999999" in out and f"#{N_ENTRIES + 1}" in out


def test_forged_entry_chained_to_the_last_is_named(tampered):
    path, conn, txnos = tampered
    row = row_of(conn, txnos[-1])
    forged = dict(row, seq=N_ENTRIES + 1, txno="0001-R1-666666", prev_hash=row["hash"], refund_total=99999)
    forged["hash"] = st.entry_hash(forged, forged["prev_hash"])
    cols = list(forged)
    conn.execute(f"INSERT INTO journal ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [forged[c] for c in cols])
    for table, columns in (("journal_lines", "receipt, line, sku, qty, outcome, refund"),
                           ("journal_tenders", "receipt, type, amount, last4"),
                           ("journal_draws", "receipt, source_seq, amount")):
        conn.execute(f"INSERT INTO {table} (txno, {columns}) SELECT '0001-R1-666666', {columns} FROM {table} "
                     f"WHERE txno = ?", (txnos[-1],))
    problems, out, code = verify_both(path)
    assert code == 1, out
    assert "0001-R1-666666" in out


def test_entry_inserted_in_the_middle_is_named(tampered):
    """Entries #3.. are renumbered to make room for a forged #3 correctly chained to #2."""
    path, conn, txnos = tampered
    conn.execute("UPDATE journal SET seq = -seq WHERE register = 'R1' AND seq >= 3")
    conn.execute("UPDATE journal SET seq = 1 - seq WHERE register = 'R1' AND seq < 0")
    second = row_of(conn, txnos[1])
    forged = dict(second, seq=3, txno="0001-R1-777777", prev_hash=second["hash"])
    forged["hash"] = st.entry_hash(forged, forged["prev_hash"])
    cols = list(forged)
    conn.execute(f"INSERT INTO journal ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [forged[c] for c in cols])
    problems, out, code = verify_both(path)
    assert code == 1, out
    named = {(p.register, p.seq) for p in problems}
    assert ("R1", 4) in named  # the entry pushed down no longer verifies where it now stands
    assert txnos[2] in out


def test_lines_without_an_entry_are_named(tampered):
    path, conn, txnos = tampered
    conn.execute("INSERT INTO journal_lines (txno, receipt, line, sku, qty, outcome, refund) "
                 "VALUES ('0001-R1-888888', ?, 1, 'TSHIRT', 5, 'approved', 8040)", (h.BULK,))
    problems, out, code = verify_both(path)
    assert code == 1
    assert [(p.kind, p.txno) for p in problems] == [("inserted", "0001-R1-888888")]
    assert "0001-R1-888888" in out


def test_verify_of_a_tampered_copy_leaves_the_original_intact(journal_db, tampered):
    path, conn, txnos = tampered
    conn.execute("UPDATE journal SET refund_total = 1 WHERE seq = 1")
    assert verify_both(path)[2] == 1
    assert verify_both(journal_db[0])[2] == 0


# ----------------------------------------------------------------------------- two tills, one receipt line

def test_two_tills_returning_the_same_line_at_once(tmp_path):
    """Both tills prepare the return of the same single item, then commit at the same moment (a barrier of
    files): exactly one succeeds, the other is refused with a message naming the receipt."""
    path = h.fresh_db(tmp_path)
    sync = tmp_path / "sync"
    sync.mkdir()
    tills = ("R1", "R2")
    procs = {r: h.child("race", str(path), r, str(sync), *h.RACE) for r in tills}
    try:
        for n in range(len(h.RACE)):
            for r in tills:
                h.wait_for(sync / f"ready-{n}-{r}")
            (sync / f"go-{n}").touch()
        outputs = {r: p.communicate(timeout=120) for r, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
    for r, (out, err) in outputs.items():
        assert procs[r].returncode == 0, err
    results: dict[int, list[str]] = {}
    for out, _err in outputs.values():
        for line in out.splitlines():
            status, n, rest = line.split(" ", 2)
            results.setdefault(int(n), []).append(f"{status} {rest}")
    with st.open_store(path, create=False) as store:
        for n, receipt in enumerate(h.RACE):
            got = sorted(results[n])
            assert len(got) == 2, got
            assert got[0].startswith("OK "), got
            assert got[1].startswith("REFUSED "), got
            refused = got[1].split(" ", 2)
            assert refused[1] in ("Conflict", "NotRecordable"), got
            assert receipt in refused[2] or "nothing" in refused[2].lower(), got
            entries = store.query("SELECT txno FROM journal WHERE receipt = ?", (receipt,))
            assert len(entries) == 1, entries
            assert entries[0]["txno"] == got[0].split()[1]
            qty = store.one("SELECT SUM(qty) AS q FROM journal_lines WHERE receipt = ?", (receipt,))["q"]
            assert qty == 1
        assert st.verify_journal(store) == []


# ----------------------------------------------------------------------------- a till killed mid-work

@pytest.mark.parametrize("acknowledged_before_kill", [3, 11, 24])
def test_sigkill_in_a_commit_loop_loses_nothing_acknowledged(tmp_path, acknowledged_before_kill):
    path = h.fresh_db(tmp_path)
    proc = h.child("loop", str(path), "R3", h.BULK)
    acked: list[str] = []
    try:
        while len(acked) < acknowledged_before_kill:
            line = proc.stdout.readline()
            assert line.endswith("\n"), proc.stderr.read()
            acked.append(line.strip())
        os.kill(proc.pid, signal.SIGKILL)
        # the rest through proc.stdout itself: readline() may already hold more lines in its buffer, and
        # communicate() reads the pipe beneath it, so those acknowledged lines would be lost to the test
        proc.wait(timeout=60)
        rest, err = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    acked += [x for x in rest.split("\n")[:-1] if x]  # only complete lines were acknowledged
    with h.raw(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with st.open_store(path, create=False) as store:
        entries = [r["txno"] for r in store.query("SELECT txno FROM journal WHERE register = 'R3' ORDER BY seq")]
        assert entries[:len(acked)] == acked
        assert len(entries) - len(acked) in (0, 1)  # at most the one committed but not yet printed
        for txno in entries:  # each entry whole: its line and its tender
            assert store.one("SELECT COUNT(*) AS n FROM journal_lines WHERE txno = ?", (txno,))["n"] == 1
            assert store.one("SELECT COUNT(*) AS n FROM journal_tenders WHERE txno = ?", (txno,))["n"] == 1
        orphans = store.query("SELECT txno FROM journal_lines WHERE txno NOT IN (SELECT txno FROM journal) "
                              "UNION SELECT txno FROM journal_tenders WHERE txno NOT IN (SELECT txno FROM journal)")
        assert orphans == []
        returned = store.one("SELECT SUM(qty) AS q FROM journal_lines WHERE receipt = ?", (h.BULK,))["q"]
        assert returned == len(entries)
        assert st.verify_journal(store) == []
        # the till carries on where it stopped
        c = h.counter(store, "R3")
        tx = c.commit(c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request()))
        assert tx.entry.seq == len(entries) + 1
        assert st.verify_journal(store) == []
