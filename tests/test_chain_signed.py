"""Issue 15 with issue 14: the central database checks each entry's signature on arrival against the register's
key it holds (trust on first use), holds back a register whose key changed without the old key's signature, and
anchors each register's head so ``journal verify --central`` catches a rolled-back till. Real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3

import psycopg

from chainkit import STORE_A, TV, cli, do_return, ok, sale, sync, till

OTHER = "0042-000002"


def key_file(register: str):
    return os.path.join(os.environ["POS_RETURNS_CONFIG"], f"signing-{register}.key")


def central_txnos(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT txno FROM journal ORDER BY register, seq").fetchall()]


def central_keys(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute("SELECT signer, fingerprint, status FROM register_keys "
                                               "ORDER BY from_counter").fetchall()]


def local_keys(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT fingerprint FROM register_keys ORDER BY from_counter")]


def two_sales_till(tmp_path, name: str):
    return till(tmp_path, name, STORE_A, [sale(TV, STORE_A), sale(OTHER, STORE_A)])


def new_key(db, register: str, reason: str) -> str:
    return ok(cli("journal", "new-key", "--db", db, "--register", register, "--manager", "m1", "--reason", reason,
                  stdin="9999\n"))


def test_an_honest_till_sends_its_signatures_and_its_first_key_is_pinned(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    first = do_return(a, central_url, TV, register="RP")
    result = sync(a, central_url)
    assert result.entries == 1 and result.conflicts == [] and result.stopped == []
    assert central_keys(central_url) == [("RP", local_keys(a)[0], "pinned")]
    with psycopg.connect(central_url) as conn:
        assert conn.execute("SELECT txno, counter FROM signatures").fetchall() == [(first.txno, 1)]
        assert conn.execute("SELECT register, seq, counter FROM heads").fetchall() == [("RP", 1, 1)]


def test_a_forged_entry_written_with_the_projects_code_but_another_key_is_refused_at_sync(
        tmp_path, central_url, monkeypatch):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    honest = do_return(a, central_url, TV, register="RF")
    assert sync(a, central_url).entries == 1
    from pos_returns import signing
    from pos_returns.storage import signatures
    forger = signing.Signer("RF", os.urandom(32))
    known = signatures.current_key
    # the project's code, signing with the forger's key while the journal still names the register's own key
    monkeypatch.setattr(signing, "register_signer", lambda register, environ=None: forger)
    monkeypatch.setattr(signatures, "current_key", lambda conn, signer: (known(conn, signer)[0],
                                                                          forger.public_text, forger.fingerprint))
    forged = do_return(a, central_url, OTHER, register="RF")
    monkeypatch.undo()
    assert local_keys(a) == [local_keys(a)[0]]  # no key of the forger's recorded: it passes for the register's own
    proc = cli("sync", "--db", a, central=central_url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"conflict: bad_signature: {forged.txno}: its signature #2 does not verify" in proc.stdout
    assert f"signed by an unknown key {forger.fingerprint}" in proc.stdout
    assert "register RF: not sent past the conflict above" in proc.stdout
    assert central_txnos(central_url) == [honest.txno]
    with psycopg.connect(central_url) as conn:
        assert [r[0] for r in conn.execute("SELECT kind FROM conflicts").fetchall()] == ["bad_signature"]
        assert conn.execute("SELECT seq FROM heads WHERE register = 'RF'").fetchone() == (1,)
    # the exception report lists it, like chain_broken
    out = cli("report", "--chain", "--from", "2000-01-01", "--to", "2100-01-01", central=central_url).stdout
    assert "bad_signature" in out and forged.txno in out


def test_a_till_whose_key_file_was_replaced_is_held_back_until_head_office_confirms(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    before = do_return(a, central_url, TV, register="RK")
    assert sync(a, central_url).entries == 1
    with open(key_file("RK"), "w", encoding="ascii") as fh:  # the till's key file replaced
        fh.write(os.urandom(32).hex() + "\n")
    assert "NOT signed by the old key" in new_key(a, "RK", "till replaced")
    after = do_return(a, central_url, OTHER, register="RK")
    new_fp = local_keys(a)[-1]
    result = sync(a, central_url)
    assert result.entries == 0 and result.stopped == ["RK"]
    assert [c["kind"] for c in result.conflicts] == ["key_changed"]
    assert new_fp in result.conflicts[0]["detail"] and "held back" in result.conflicts[0]["detail"]
    assert central_txnos(central_url) == [before.txno]
    assert [k[2] for k in central_keys(central_url)] == ["pinned", "unconfirmed"]
    assert sync(a, central_url).entries == 0  # still held back on the next sync, not reported twice
    out = ok(cli("central", "confirm-key", "--store", STORE_A, "--register", "RK", "--fingerprint", new_fp,
                 "--by", "head office", central=central_url))
    assert "confirmed by head office" in out
    result = sync(a, central_url)
    assert result.entries == 1 and result.stopped == [] and result.conflicts == []
    assert central_txnos(central_url) == [before.txno, after.txno]


def test_a_key_change_signed_by_the_old_key_passes(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    before = do_return(a, central_url, TV, register="RH")
    assert sync(a, central_url).entries == 1
    assert "signed by the old key" in new_key(a, "RH", "scheduled change")
    after = do_return(a, central_url, OTHER, register="RH")
    result = sync(a, central_url)
    assert result.entries == 1 and result.conflicts == [] and result.stopped == []
    assert [k[2] for k in central_keys(central_url)] == ["pinned", "handed_over"]
    assert central_txnos(central_url) == [before.txno, after.txno]


def _copy(src, dst):
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def test_a_rolled_back_till_is_caught_by_journal_verify_central_and_at_sync(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    do_return(a, central_url, TV, register="RB")
    assert sync(a, central_url).entries == 1  # the copy below knows its till id
    old = _copy(a, tmp_path / "older.db")
    newest = do_return(a, central_url, OTHER, register="RB")
    assert sync(a, central_url).entries == 1
    out = ok(cli("journal", "verify", "--db", a, "--central", central_url))  # the real till holds it all
    assert "2 entries the central database holds from this till compared" in out
    shutil.copy(old, a)  # rolled back to the older copy
    assert cli("journal", "verify", "--db", a).returncode == 0  # it verifies on its own: it was once true
    proc = cli("journal", "verify", "--db", a, "--central", central_url)
    assert proc.returncode == 1, proc.stdout
    assert "register RB: the central database holds #2 from this till, no longer in its journal" in proc.stdout
    assert "the central database holds signature #2, the till's last is #1" in proc.stdout
    result = sync(a, central_url)
    assert result.stopped == ["RB"] and [c["kind"] for c in result.conflicts] == ["rolled_back"]
    assert newest.txno in central_txnos(central_url)


def test_a_till_with_its_newest_entry_removed_with_its_signature_is_caught(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    do_return(a, central_url, TV, register="RD")
    last = do_return(a, central_url, OTHER, register="RD")
    assert sync(a, central_url).entries == 2
    with sqlite3.connect(a) as conn:  # behind the app's back: the triggers dropped, the entry and its rows gone
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        for table in ("journal_lines", "journal_tenders", "journal_draws", "signatures", "journal"):
            conn.execute(f"DELETE FROM {table} WHERE txno = ?", (last.txno,))
    proc = cli("journal", "verify", "--db", a, "--central", central_url)
    assert proc.returncode == 1, proc.stdout
    assert "register RD: the central database holds #2 from this till, no longer in its journal" in proc.stdout


def test_a_synced_entry_rewritten_at_the_till_is_named_by_verify_central_and_at_sync(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = two_sales_till(tmp_path, "a")
    first = do_return(a, central_url, TV, register="RW")
    assert sync(a, central_url).entries == 1
    with sqlite3.connect(a) as conn:  # the past rewritten (its hash recomputed by whoever rewrote it)
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("UPDATE journal SET hash = ? WHERE txno = ?", ("ab" * 32, first.txno))
    proc = cli("journal", "verify", "--db", a, "--central", central_url)
    assert proc.returncode == 1
    assert f"register RW #1 {first.txno}: differs from the copy the central database received" in proc.stdout
    result = sync(a, central_url)
    assert result.stopped == ["RW"] and [c["kind"] for c in result.conflicts] == ["chain_broken"]
    assert "rewritten after it was synced" in result.conflicts[0]["detail"]
