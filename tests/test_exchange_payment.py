"""An exchange whose customer owes the difference is recorded only with the tender they pay it with (issue 13,
item 7, in the core): Counter.commit refuses it otherwise, whoever calls it; ``record`` takes ``--pay``.

Hand-checked figures (sample policy, prices without tax, tax 7.25%): returning the T-shirt of SHIRT refunds
14.99 + 1.09 tax = 16.08; a rain jacket of 129.00 costs 129.00 + 9.35 tax = 138.35; the customer owes
138.35 - 16.08 = 122.27 (12227 cents in the journal)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import storehelpers as h
from pos_returns.domain.model import ExchangeItem, Request, RequestLine
from pos_returns.domain.money import Money
from pos_returns.services import settlement
from pos_returns.services.counter import NotRecordable
from pos_returns.storage import store as st

JACKET = {"sku": "JACKET", "category": "apparel", "qty": 1, "unit_price": "129.00", "tax_rate": h.TAX,
          "name": "Rain jacket"}
OWES = {"type": "exchange", "lines": [{"line": 1, "qty": 1, "condition": "unopened", "reason": "wrong_size"}],
        "exchange_items": [JACKET]}
EVEN = dict(OWES, exchange_items=[dict(JACKET, sku="TSHIRT", unit_price="14.99", name="Cotton T-shirt")])


def jacket_exchange() -> Request:
    item = ExchangeItem(sku="JACKET", category="apparel", qty=1, unit_price=Money.parse("129.00", "USD"),
                        tax_rate=Decimal(h.TAX), name="Rain jacket")
    return Request(type="exchange", lines=(RequestLine(line=1, qty=1, condition="unopened", reason="wrong_size"),),
                   exchange_items=(item,))


@pytest.fixture
def store(tmp_path):
    with st.open_store(h.fresh_db(tmp_path)) as store:
        yield store


def journal(store) -> list[dict]:
    return [dict(r) for r in store.query("SELECT txno, kind, balance_due, payload FROM journal")]


def test_commit_refuses_an_owed_balance_without_the_payment_and_records_nothing(store):
    c = h.counter(store)
    pending = c.prepare(h.signed_in(c), c.lookup(h.SHIRT), jacket_exchange())
    assert pending.decision.balance_due == Money.parse("122.27", "USD")
    with pytest.raises(settlement.PaymentMissing) as err:
        c.commit(pending)
    assert isinstance(err.value, NotRecordable)
    assert "122.27" in str(err.value) and "cash or by card" in str(err.value)
    assert "122,27" in err.value.message("cs") and "hotově nebo kartou" in err.value.message("cs")
    assert journal(store) == []
    tx = c.commit(settlement.with_payment(pending, "card"))  # the same exchange, paid: recorded
    [row] = journal(store)
    assert row["txno"] == tx.txno and row["kind"] == "exchange" and row["balance_due"] == 12227
    assert json.loads(row["payload"])["customer_payment"] == {"type": "card", "amount": 12227}


def test_commit_refuses_a_payment_when_nothing_is_owed(store):
    from dataclasses import replace
    c = h.counter(store)
    pending = c.prepare(h.signed_in(c), c.lookup(h.SHIRT), h.exchange_request())  # T-shirt for a T-shirt
    assert pending.decision.balance_due.is_zero()
    with pytest.raises(NotRecordable) as err:
        c.commit(replace(pending, payment="cash"))  # a caller that skipped with_payment
    assert "Nothing is owed" in str(err.value)
    assert journal(store) == []
    c.commit(pending)
    assert len(journal(store)) == 1


def write_case(path, request):
    path.write_text(json.dumps({"sale": {"receipt": h.SHIRT}, "request": request}), encoding="utf-8")
    return path


def test_cli_record_needs_pay_when_the_customer_owes(tmp_path):
    db = h.fresh_db(tmp_path)
    case = write_case(tmp_path / "owes.json", OWES)
    err = h.usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n",
                                  cwd=tmp_path))
    assert "owes 122.27 USD" in err and "--pay cash" in err
    with st.open_store(db, create=False) as store:
        assert journal(store) == []
    bad = h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--pay", "cheque", stdin="1111\n",
                    cwd=tmp_path)
    assert bad.returncode == 2 and "--pay" in bad.stderr and "Traceback" not in bad.stderr
    out = h.ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--pay", "cash",
                         stdin="1111\n", cwd=tmp_path))
    txno = out.split()[0]
    assert "customer paid 122.27 USD by cash" in out
    with st.open_store(db, create=False) as store:
        [row] = journal(store)
    assert row["txno"] == txno and json.loads(row["payload"])["customer_payment"] == {"type": "cash",
                                                                                      "amount": 12227}


def test_cli_record_refuses_pay_when_nothing_is_owed(tmp_path):
    db = h.fresh_db(tmp_path)
    case = write_case(tmp_path / "even.json", EVEN)
    err = h.usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--pay", "card",
                                  stdin="1111\n", cwd=tmp_path))
    assert "nothing is owed" in err
    with st.open_store(db, create=False) as store:
        assert journal(store) == []
    out = h.ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path))
    assert "customer paid" not in out
