"""No tender ever gets back more than it paid, even when two tills return different lines of one receipt.

Each till scans the receipt before either commits; the commit re-reads inside its write transaction what each
tender already gave back, and when that changes the decision it refuses, carrying the new decision to show.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import storehelpers as h
from pos_returns.storage import store as st
from pos_returns.services.importer import import_file
from pos_returns.domain.money import Money
from pos_returns.services import counter as services
from pos_returns.services.counter import Counter

SPLIT = "0001-870001"  # two lines of 50.00 (no tax), paid 60.00 by card and 40.00 in cash
CARD = "0001-870002"   # the same two lines, paid 100.00 by card


def split_sale_file(path):
    def sale(receipt, tenders):
        return {"receipt": receipt, "store": "0001", "register": "R9", "sold_at": h.SOLD.isoformat(),
                "lines": [{"line": n, "sku": "JEANS", "name": "Slim jeans", "category": "apparel", "qty": 1,
                           "unit_price": "50.00", "tax_rate": "0"} for n in (1, 2)],
                "tenders": tenders}
    sales = [sale(SPLIT, [{"type": "credit", "amount": "60.00", "last4": "4242"},
                          {"type": "cash", "amount": "40.00"}]),
             sale(CARD, [{"type": "credit", "amount": "100.00", "last4": "4242"}])]
    path.write_text(json.dumps({"sales": sales}), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path):
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        result = import_file(store, h.policy(), split_sale_file(tmp_path / "split.json"), h.SOLD + timedelta(hours=9))
        assert result.added == 2, result
    return path


def refunded_to(store, receipt, kind):
    row = store.one("SELECT COALESCE(SUM(amount), 0) AS n FROM journal_tenders WHERE receipt = ? AND type = ?",
                    (receipt, kind))
    return Money.from_minor(row["n"], h.policy().currency)


def money(text):
    return Money.parse(text, h.policy().currency)


def tenders(decision):
    return sorted((t.type, t.amount.plain()) for t in decision.refund_tenders)


def test_two_tills_returning_different_lines_never_over_refund_the_card(db):
    with st.open_store(db, create=False) as store_a, st.open_store(db, create=False) as store_b:
        till_a, till_b = h.counter(store_a, "R1"), h.counter(store_b, "R2")
        # both tills scan the receipt before either commits
        pending_a = till_a.prepare(h.signed_in(till_a, "c1"), till_a.lookup(SPLIT), h.return_request(line=1))
        pending_b = till_b.prepare(h.signed_in(till_b, "c2"), till_b.lookup(SPLIT), h.return_request(line=2))
        assert tenders(pending_a.decision) == [("credit", "50.00")]
        assert tenders(pending_b.decision) == [("credit", "50.00")]

        till_a.commit(pending_a)
        with pytest.raises(st.Conflict) as info:
            till_b.commit(pending_b)
        assert isinstance(info.value, services.DecisionChanged)
        # nothing was written by the refused commit
        assert refunded_to(store_a, SPLIT, "credit") == money("50.00")
        # the refusal says what and where, and carries the new decision: the card has only 10.00 left
        assert SPLIT in str(info.value)
        fresh = info.value.pending
        assert fresh.decision is info.value.decision
        assert tenders(fresh.decision) == [("cash", "40.00"), ("credit", "10.00")]
        assert fresh.decision.refund_total == money("50.00")

        tx = till_b.commit(fresh)
        assert tx.decision is fresh.decision
        assert refunded_to(store_a, SPLIT, "credit") == money("60.00")
        assert refunded_to(store_a, SPLIT, "cash") == money("40.00")
        assert st.verify_journal(store_a) == []


def test_whichever_till_commits_second_gets_the_new_decision(db):
    with st.open_store(db, create=False) as store_a, st.open_store(db, create=False) as store_b:
        till_a, till_b = h.counter(store_a, "R1"), h.counter(store_b, "R2")
        pending_b = till_b.prepare(h.signed_in(till_b, "c2"), till_b.lookup(SPLIT), h.return_request(line=2))
        pending_a = till_a.prepare(h.signed_in(till_a, "c1"), till_a.lookup(SPLIT), h.return_request(line=1))
        till_b.commit(pending_b)
        with pytest.raises(st.Conflict):
            till_a.commit(pending_a)
        again = till_a.prepare(h.signed_in(till_a, "c1"), till_a.lookup(SPLIT), h.return_request(line=1))
        assert tenders(again.decision) == [("cash", "40.00"), ("credit", "10.00")]
        till_a.commit(again)
        assert refunded_to(store_a, SPLIT, "credit") == money("60.00")
        assert st.verify_journal(store_a) == []


def test_an_unchanged_decision_commits_after_another_tills_return(db):
    """When the card still covers both lines, the second till's decision stands and it commits as it is."""
    with st.open_store(db, create=False) as store_a, st.open_store(db, create=False) as store_b:
        till_a, till_b = h.counter(store_a, "R1"), h.counter(store_b, "R2")
        pending_a = till_a.prepare(h.signed_in(till_a, "c1"), till_a.lookup(CARD), h.return_request(line=1))
        pending_b = till_b.prepare(h.signed_in(till_b, "c2"), till_b.lookup(CARD), h.return_request(line=2))
        till_a.commit(pending_a)
        till_b.commit(pending_b)
        assert refunded_to(store_a, CARD, "credit") == money("100.00")
        assert st.verify_journal(store_a) == []


def test_the_engine_caps_each_tender_at_what_it_still_can_give_back(db):
    with st.open_store(db, create=False) as store:
        till = h.counter(store)
        till.commit(till.prepare(h.signed_in(till, "c1"), till.lookup(SPLIT), h.return_request(line=1)))
        sale = till.lookup(SPLIT)
        assert [t.available() for t in sale.tenders] == [money("10.00"), money("40.00")]
        pending = till.prepare(h.signed_in(till, "c1"), sale, h.return_request(line=2))
        assert tenders(pending.decision) == [("cash", "40.00"), ("credit", "10.00")]


def over_refund(store, receipt=SPLIT):
    """Write, through the journal's own functions, an entry that gives the card 100.00 of the 60.00 it paid."""
    now = h.NOW
    payload = {"journal_lines": [{"line": 1, "sku": "JEANS", "qty": 1, "outcome": "approved", "refund": 10000,
                                  "fee": 0, "category": "apparel", "reason": "changed_mind"}],
               "journal_tenders": [{"type": "credit", "amount": 10000, "last4": "4242"}],
               "journal_draws": [{"source_seq": 1, "amount": 10000}]}
    fields = {"store_id": "0001", "register": "R7", "txno": None, "kind": "return", "at": st.iso(now),
              "cashier": "c1", "receipt": receipt, "corrects": None, "customer_key": None, "training": 0,
              "policy_sha256": h.policy().sha256, "currency": h.policy().currency, "refund_total": 10000,
              "exchange_total": 0, "balance_due": 0, "payload": st.canonical(payload)}
    with store.write() as c:
        entry = st.append_entry(c, fields, payload["journal_lines"], payload["journal_tenders"],
                                payload["journal_draws"])
        st.log_event(c, now, "transaction", "c1", entry.txno, type="return")
    return entry


def test_journal_verify_names_a_tender_that_got_back_more_than_it_paid(db):
    with st.open_store(db, create=False) as store:
        assert st.verify_journal(store) == []
        entry = over_refund(store)
        problems = [str(p) for p in st.verify_journal(store)]
    assert problems, "an over-refunded tender must be reported"
    assert any(SPLIT in p and "credit" in p and "4242" in p and "60.00" in p and "100.00" in p for p in problems), \
        problems
    proc = h.run_cli("journal", "verify", "--db", str(db))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert SPLIT in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert entry.txno in proc.stdout + proc.stderr


def test_a_correction_gives_the_tender_its_room_back(db):
    """Corrections count: a reversed refund no longer counts against the tender, and verify stays clean."""
    with st.open_store(db, create=False) as store:
        till = h.counter(store)
        first = till.commit(till.prepare(h.signed_in(till, "c1"), till.lookup(SPLIT), h.return_request(line=1)))
        till.correct(first.txno, h.signed_in(till, "m1"), "wrong line")
        tx = till.commit(till.prepare(h.signed_in(till, "c1"), till.lookup(SPLIT), h.return_request(line=1)))
        assert tenders(tx.decision) == [("credit", "50.00")]
        till.commit(till.prepare(h.signed_in(till, "c1"), till.lookup(SPLIT), h.return_request(line=2)))
        assert refunded_to(store, SPLIT, "credit") == money("60.00")
        assert st.verify_journal(store) == []


def test_journal_verify_counts_a_tender_per_training_flag(db):
    """Training returns live apart from real ones; neither alone is an over-refund."""
    with st.open_store(db, create=False) as store:
        real = h.counter(store)
        real.commit(real.prepare(h.signed_in(real, "c1"), real.lookup(SPLIT), h.return_request(line=1)))
        training = Counter(store, h.policy(), register="T1", clock=lambda: h.NOW, training=True)
        pending = training.prepare(h.signed_in(training, "c1"), training.lookup(SPLIT), h.return_request(line=2))
        training.commit(pending)
        assert st.verify_journal(store) == []
