"""Issue 15: return anywhere, once; a till with the network cut works under the policy's [chain] offline rules;
conflicts found at sync reach the exception report; chain-wide no-receipt limits. Against a real PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from chainkit import OFFLINE_URL, STORE_A, STORE_B, TV, cli, do_return, ok, sale, sync, till
from pos_returns.services.records import ServiceError
from pos_returns.storage.db import Conflict, StoreError


@pytest.fixture
def chain(tmp_path, central_url):
    ok(cli("central", "init", central=central_url))
    a = till(tmp_path, "a", STORE_A, [sale(TV, STORE_A), sale("0042-000002", STORE_A, qty=1, price="300.00"),
                                      sale("0042-000003", STORE_A, qty=3, price="10.00")])
    b = till(tmp_path, "b", STORE_B)
    sync(a, central_url)
    return central_url, a, b


def journal(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT txno, kind, refund_total FROM journal ORDER BY register, seq").fetchall()


def test_two_stores_racing_for_the_last_units_of_one_receipt_return_them_once(chain, tmp_path):
    """Two tills of two stores commit the same two lamps at the same moment (threads, two connections each):
    the central lock lets one through; the other is refused and writes nothing."""
    url, a, b = chain
    a2 = till(tmp_path, "a2", STORE_A)  # a second till of store A (its own file)
    results, barrier = {}, threading.Barrier(2)

    def run(name, db, register):
        barrier.wait()
        try:
            results[name] = do_return(db, url, TV, qty=2, register=register).txno
        except (Conflict, ServiceError, StoreError) as exc:
            results[name] = exc

    threads = [threading.Thread(target=run, args=("b", b, "R1")), threading.Thread(target=run, args=("a2", a2, "R2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    won = [k for k, v in results.items() if isinstance(v, str)]
    assert len(won) == 1, results
    lost = "a2" if won == ["b"] else "b"
    assert isinstance(results[lost], (Conflict, ServiceError)), results
    assert journal(a2 if lost == "a2" else b) == []
    # and a third attempt, at the selling store itself, sees the lamps gone
    with pytest.raises(ServiceError):
        do_return(a, url, TV, qty=1)
    assert journal(a) == []


def test_a_tender_is_not_refunded_twice_across_stores(chain):
    """Three lamps paid 32.18 by card: store B takes back two, store A the third; together they refund the
    card exactly once (32.18), never more."""
    url, a, b = chain
    first = do_return(b, url, "0042-000003", qty=2)
    second = do_return(a, url, "0042-000003", qty=1)
    assert first.decision.refund_total.plain() == "21.45" and second.decision.refund_total.plain() == "10.73"
    with pytest.raises(ServiceError):
        do_return(b, url, "0042-000003", qty=1)
    import psycopg
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT SUM(amount) FROM draws WHERE receipt = '0042-000003'").fetchone()[0] == 3218


def test_with_the_network_cut_a_till_works_under_its_offline_rules(chain):
    """examples/chain: offline = { own_store_only = true, max_refund = "200.00", no_receipt = false }."""
    url, a, b = chain
    do_return(b, url, "0042-000003", qty=1)  # online: store B keeps a copy of store A's sale
    # the network is cut: store A's own receipt, under 200.00, is taken back
    tx = do_return(a, OFFLINE_URL, TV, qty=1)
    assert tx.decision.refund_total.plain() == "107.25"
    # over 200.00 it waits for the network
    with pytest.raises(ServiceError) as err:
        do_return(a, OFFLINE_URL, "0042-000002", qty=1)
    assert "refunds over 200.00 wait" in str(err.value)
    # store B takes back no receipt of another store while offline, even one it has a copy of
    with pytest.raises(ServiceError) as err:
        do_return(b, OFFLINE_URL, "0042-000003", qty=1)
    assert "only this store's receipts" in str(err.value)
    assert len(journal(a)) == 1 and len(journal(b)) == 1
    # the network is back: sync sends the offline return, marked as done offline
    result = sync(a, url)
    assert result.entries == 1 and result.conflicts == []
    import psycopg
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT offline FROM journal WHERE txno = %s", (tx.txno,)).fetchone()[0] is True


def test_a_unit_returned_twice_while_offline_is_a_conflict_at_sync_in_the_exception_report(chain, central_url):
    """Store B returns two of three items online; store A, offline, returns two of the same receipt (it could
    not know): sync accepts A's entry (the till's journal is the truth of what happened) and flags the
    conflict."""
    url, a, b = chain
    do_return(b, url, "0042-000003", qty=2)
    offline = do_return(a, OFFLINE_URL, "0042-000003", qty=2)
    assert offline.decision.refund_total.plain() == "21.45"
    result = sync(a, url)
    kinds = [c["kind"] for c in result.conflicts]
    assert "unit_returned_twice" in kinds, result.conflicts
    with sqlite3.connect(a) as conn:
        events = [json.loads(d) for (d,) in conn.execute("SELECT detail FROM events WHERE kind = 'chain_conflict'")]
    assert any(e["kind"] == "unit_returned_twice" and "4 returned across the chain, 3 sold" in e["detail"]
               for e in events), events
    report = ok(cli("report", "--chain", "--period", "day", central=url))
    assert "unit_returned_twice" in report and "4 returned across the chain, 3 sold" in report


def _no_receipt(customer: str) -> dict:
    return {"type": "return", "no_receipt_items": [{"sku": "LAMP", "category": "home", "qty": 1, "lowest_price": "1.00",
                                                    "tax_rate": "0.0725"}],
            "customer": {"id": customer, "id_verified": True}}


def _decide(db, url, request):
    from chainkit import office, policy
    from pos_returns.services import counter as services
    pol = policy()
    with office(db, url) as o:
        counter = o.counter(pol)
        req = services.request_from_json(pol, {"request": request}, None, counter.clock())
        return counter.prepare(counter.sign_in("c1", "1111"), None, req).decision


def test_no_receipt_limits_count_a_customers_returns_at_every_store(chain, tmp_path):
    """examples/chain: 3 returns without a receipt per customer in 90 days. Three at store A, then a fourth at
    store B is over the limit; another customer at store B is not. The ID's keyed hash is the chain's."""
    url, a, b = chain
    from chainkit import cli as run, sale as a_sale
    import json as _json
    path = tmp_path / "b-sales.json"
    path.write_text(_json.dumps({"sales": [a_sale("0077-000001", STORE_B, qty=1)]}), encoding="utf-8")
    ok(run("import-sales", path, "--db", b))  # store B sold lamps too: it has a price for one
    for _ in range(3):
        do_return(a, url, None, request=_no_receipt("D 1234 567"))
    sync(a, url)
    fourth = _decide(b, url, _no_receipt("d1234567"))
    assert fourth.outcome != "approved"
    assert any("no_receipt" in r for line in fourth.lines for r in line.rules), fourth
    assert _decide(b, url, _no_receipt("X7654321")).outcome == "approved"


def test_once_offline_a_scan_does_not_wait_for_the_network_again_until_a_retry_is_due(monkeypatch):
    """A cut network would cost every scan the connect timeout: after one failed attempt the till's link fails
    at once for 30 s, then tries again."""
    from pos_returns.services import chain
    from pos_returns.storage import central
    tries = []

    def cut(url, **kw):
        tries.append(url)
        raise central.CentralUnreachable("The central database cannot be reached ({error}); this till works "
                                         "offline.", error="timeout expired")

    monkeypatch.setattr(central, "connect", cut)
    clock = [100.0]
    link = chain.Link("host=central.example user=pos", monotonic=lambda: clock[0])
    for _ in range(3):
        with pytest.raises(central.CentralUnreachable) as err:
            link.call(central.central_sale, "0042-000001")
        assert "timeout expired" in str(err.value)
    assert len(tries) == 1 and link.online is False
    clock[0] += chain.RETRY_OFFLINE_S + 1
    with pytest.raises(central.CentralUnreachable):
        link.call(central.central_sale, "0042-000001")
    assert len(tries) == 2
