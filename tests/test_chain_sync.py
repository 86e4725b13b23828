"""Issue 15, sync: every sale, journal entry and event of a till arrives once, whatever happens in between;
the hash chain is checked on arrival; a register used by two tills is named. Against a real PostgreSQL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import psycopg
import pytest

from casekit import ROOT
from chainkit import STORE_A, TV, cli, do_return, ok, sale, sync, till


def central_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sales", "journal", "events")}


def local_counts(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sales", "journal", "events")}


def same_journal(db, url: str) -> bool:
    with sqlite3.connect(db) as conn:
        mine = sorted(conn.execute("SELECT txno, hash FROM journal").fetchall())
    with psycopg.connect(url) as conn:
        theirs = sorted(tuple(r) for r in conn.execute("SELECT txno, hash FROM journal").fetchall())
    return mine == theirs


@pytest.fixture(scope="module")
def demo_till(tmp_path_factory):
    """A demo store of 1,500 receipts with its earlier returns (journal entries) and events."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    ok(cli("demo-data", "--db", db, "--receipts", "1500", "--policy", ROOT / "policies.toml"))
    return db


def test_sync_sends_everything_once_and_a_second_sync_sends_nothing(demo_till, tmp_path, central_url):
    import shutil
    db = shutil.copy(demo_till, tmp_path / "till.db")
    ok(cli("central", "init", central=central_url))
    out = ok(cli("sync", "--db", db, "--policy", ROOT / "policies.toml", central=central_url))
    local = local_counts(db)
    assert out.startswith(f"sent {local['sales']} sales, {local['journal']} journal entries"), out
    assert central_counts(central_url) == local
    again = ok(cli("sync", "--db", db, "--policy", ROOT / "policies.toml", central=central_url))
    assert again.startswith("sent 0 sales, 0 journal entries, 0 events"), again
    assert same_journal(db, central_url)


def test_a_till_killed_in_the_middle_of_a_sync_loses_and_duplicates_nothing(demo_till, tmp_path, central_url):
    """``sync`` in a real process, killed with SIGKILL while it sends (small batches: many central
    transactions); the next sync completes it: the central database then holds exactly the till's rows."""
    import shutil
    db = shutil.copy(demo_till, tmp_path / "till.db")
    ok(cli("central", "init", central=central_url))
    env = dict(os.environ, POS_RETURNS_DB="", POS_RETURNS_CENTRAL=central_url)
    killed_at = []
    for _round in range(2):  # two kills at different points, then a clean sync
        proc = subprocess.Popen([sys.executable, "-m", "pos_returns", "sync", "--db", str(db), "--policy",
                                 str(ROOT / "policies.toml"), "--batch", "7"], cwd=str(ROOT), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        start = central_counts(central_url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = central_counts(central_url)
            if sum(now.values()) > sum(start.values()) + 50:  # it is sending
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        killed_at.append(central_counts(central_url))
    local = local_counts(db)
    assert any(sum(k.values()) < sum(local.values()) for k in killed_at), (killed_at, local)  # killed mid-way
    ok(cli("sync", "--db", db, "--policy", ROOT / "policies.toml", central=central_url))
    assert central_counts(central_url) == local
    assert same_journal(db, central_url)


def _forge(db, sql: str, params=()):
    """Change the till's file behind the app's back (the append-only triggers dropped first)."""
    with sqlite3.connect(db) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql, params)


def test_an_entry_edited_before_it_arrives_is_refused_with_the_rest_of_its_register(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = till(tmp_path, "a", STORE_A, [sale(TV, STORE_A), sale("0042-000002", STORE_A)])
    first = do_return(a, central_url, TV, qty=1)
    second = do_return(a, central_url, "0042-000002", qty=1)
    _forge(a, "UPDATE journal SET refund_total = 1 WHERE txno = ?", (first.txno,))
    proc = cli("sync", "--db", a, central=central_url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"conflict: chain_broken: {first.txno}: its hash does not match its content" in proc.stdout
    with psycopg.connect(central_url) as conn:
        assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == 0  # neither it nor what follows
        assert conn.execute("SELECT kind FROM conflicts").fetchall() == [("chain_broken",)]
    assert second.txno  # recorded locally, held back until the register's chain is put right


def test_two_tills_of_one_store_on_the_same_register_are_named_not_merged(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = till(tmp_path, "a", STORE_A, [sale(TV, STORE_A)])
    a2 = till(tmp_path, "a2", STORE_A, [sale("0042-000002", STORE_A)])
    do_return(a, central_url, TV, qty=1)
    do_return(a2, central_url, "0042-000002", qty=1)  # register R1 too: the same txno 0042-R1-000001
    assert sync(a, central_url).entries == 1
    result = sync(a2, central_url)
    assert result.entries == 0 and result.stopped == ["R1"]
    assert result.conflicts[0]["kind"] == "register_clash"


def test_a_till_with_another_secret_is_refused_before_anything_is_sent(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = till(tmp_path, "a", STORE_A, [sale(TV, STORE_A)])
    ok(cli("sync", "--db", a, central=central_url))
    os.environ["POS_RETURNS_SECRET"] = "11" * 32
    try:
        proc = cli("sync", "--db", a, central=central_url)
    finally:
        os.environ.pop("POS_RETURNS_SECRET")
    assert proc.returncode == 2 and "secret is not the chain's" in proc.stderr and "Traceback" not in proc.stderr


def test_sync_without_a_central_database_or_with_it_down_says_so(tmp_path):
    a = till(tmp_path, "a", STORE_A)
    proc = cli("sync", "--db", a)
    assert proc.returncode == 2 and "no central database" in proc.stderr
    proc = cli("sync", "--db", a, central="host=/nonexistent-pos user=pos dbname=x connect_timeout=1")
    assert proc.returncode == 2 and "cannot be reached" in proc.stderr and "Traceback" not in proc.stderr
