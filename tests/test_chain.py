"""Issue 15: several tills and a chain of stores on one central PostgreSQL (a real server, tests/pgkit.py).

The done-when of the issue, through the command line: central init; two till databases of different stores; a
sale imported at one store returned at the other once, and refused the second time at the first; both journals
verify; the chain report adds both stores."""

from __future__ import annotations

import sqlite3

import pytest

from chainkit import STORE_A, STORE_B, TV, cli, ok, return_case, sale, till


@pytest.fixture
def chain(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = till(tmp_path, "a", STORE_A, [sale(TV, STORE_A)])
    b = till(tmp_path, "b", STORE_B)
    return central_url, a, b


def test_central_init_is_idempotent_and_refuses_a_newer_schema(central_url):
    assert "created: schema 0 -> 1" in ok(cli("central", "init", "--central", central_url))
    assert "already at schema 1" in ok(cli("central", "init", central=central_url))
    import psycopg
    with psycopg.connect(central_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    proc = cli("central", "init", central=central_url)
    assert proc.returncode == 2 and "schema 99, newer than" in proc.stderr and "Traceback" not in proc.stderr


def test_a_sale_of_one_store_is_returned_at_the_other_once_and_refused_the_second_time(chain, tmp_path):
    url, a, b = chain
    assert "sent 1 sales, 0 journal entries" in ok(cli("sync", "--db", a, central=url))
    # store B, another store, takes back both lamps (2 x 100.00 + 7.25 % = 214.50) of store A's receipt
    out = ok(cli("record", return_case(tmp_path, TV, qty=2), "--cashier", "c1", "--db", b, stdin="1111\n",
                 central=url))
    assert out.startswith(f"{STORE_B}-R1-000001 approved refund 214.50 USD")
    # at store A, the receipt's own store, the same lamps are refused: they were returned at store B
    proc = cli("record", return_case(tmp_path, TV, qty=1, name="again"), "--cashier", "c1", "--db", a,
               stdin="1111\n", central=url)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Nothing on this return can be accepted" in proc.stderr, proc.stderr
    with sqlite3.connect(a) as conn:
        assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == 0
    assert "1 journal entries" in ok(cli("sync", "--db", b, central=url))
    assert "entries intact" in ok(cli("journal", "verify", "--db", a))
    assert "entries intact" in ok(cli("journal", "verify", "--db", b))
    # a return at store A of its own receipt, of a unit not yet returned anywhere, adds store A to the report
    ok(cli("import-sales", _sales_file(tmp_path, [sale("0042-000002", STORE_A, qty=1, price="40.00")]), "--db", a))
    ok(cli("record", return_case(tmp_path, "0042-000002", name="own"), "--cashier", "c1", "--db", a, stdin="1111\n",
           central=url))
    ok(cli("sync", "--db", a, central=url))
    report = ok(cli("report", "--chain", "--period", "day", central=url))
    rows = {line.split()[1]: line.split() for line in report.splitlines() if line.startswith(("store", "chain"))}
    assert rows[STORE_A][2:5] == ["1", "tx", "42.90"], report  # 40.00 + 7.25 %
    assert rows[STORE_B][2:5] == ["1", "tx", "214.50"], report
    assert rows["(2"][3:6] == ["2", "tx", "257.40"], report  # both stores added up


def _sales_file(folder, sales):
    import json
    path = folder / "more.json"
    path.write_text(json.dumps({"sales": sales}), encoding="utf-8")
    return path
