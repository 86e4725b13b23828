"""Staff PINs (lockout that survives a restart) and the separation of duties around manager approvals.

Every PIN check costs about half a second (scrypt at OWASP parameters), so each test checks as few PINs as it
can; the staff are created once, in the base database every test copies.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

import storehelpers as h
from pos_returns.storage import store as st
from pos_returns.services.counter import (LOCKOUT, MAX_PIN_FAILURES, ApprovalRefused, AuthError, Grant, LockedOut,
                                  NotRecordable, WrongPin)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def db(tmp_path):
    return h.fresh_db(tmp_path)


@pytest.fixture
def store(db):
    with st.open_store(db, create=False) as s:
        yield s


# ----------------------------------------------------------------------------- PINs and lockout

@pytest.fixture
def owasp_store(tmp_path, monkeypatch):
    """A new database whose managers were added at the default cost (the suite's low test cost unset)."""
    from pos_returns.security import TEST_COST_ENV
    monkeypatch.delenv(TEST_COST_ENV)
    with st.open_store(tmp_path / "owasp.db") as s:
        c = h.counter(s)
        for staff_id in ("m1", "m2"):
            name, role, pin = h.STAFF[staff_id]
            c.add_staff(staff_id, name, role, pin)
        yield s


def test_pin_hash_is_slow_salted_scrypt(owasp_store):
    store = owasp_store
    row = st.get_staff(store, "m1")
    scheme, log_n, r, p, salt, digest = row["pin_hash"].split("$")
    assert (scheme, int(log_n), int(r), int(p)) == ("scrypt", 17, 8, 1)
    assert "9999" not in row["pin_hash"]
    other = st.get_staff(store, "m2")["pin_hash"].split("$")[4]
    assert salt != other and len(bytes.fromhex(salt)) >= 16


def test_the_test_suites_low_pin_cost_is_ignored_outside_a_test_run(capsys):
    from pos_returns.security import SCRYPT_LOG_N, TEST_COST_ENV, default_log_n
    assert SCRYPT_LOG_N == 17 and default_log_n({}) == 17
    assert default_log_n({TEST_COST_ENV: "10"}) == 17  # a stray variable on a till: ignored, and said so
    assert TEST_COST_ENV in capsys.readouterr().err
    assert default_log_n({TEST_COST_ENV: "10", "PYTEST_VERSION": "9"}) == 10
    assert default_log_n({TEST_COST_ENV: "30", "PYTEST_VERSION": "9"}) == 17  # never above the real cost


def test_five_wrong_pins_lock_out_for_15_minutes_across_a_restart(db):
    assert MAX_PIN_FAILURES == 5 and LOCKOUT == timedelta(minutes=15)
    clock = Clock(h.NOW)
    with st.open_store(db, create=False) as store:
        c = h.counter(store, clock=clock)
        for attempt in range(1, 5):
            with pytest.raises(WrongPin) as info:
                c.check_pin("m2", "0000")
            assert info.value.remaining == 5 - attempt
            assert "m2" in str(info.value)
        with pytest.raises(LockedOut) as info:
            c.check_pin("m2", "0000")
        assert info.value.until == h.NOW + timedelta(minutes=15)
        assert "locked out" in str(info.value)
        clock.now = h.NOW + timedelta(minutes=1)
        with pytest.raises(LockedOut):  # even the right PIN, while locked
            c.check_pin("m2", h.PIN["m2"])
        events = [r["kind"] for r in store.query("SELECT kind FROM events WHERE actor = 'm2' ORDER BY id")]
        assert events.count("pin_failed") == 5 and events.count("lockout") == 1
    # the till restarts: a new Database and a new Counter on the same file
    with st.open_store(db, create=False) as store:
        row = st.get_staff(store, "m2")
        assert row["locked_until"] == st.iso(h.NOW + timedelta(minutes=15))
        c = h.counter(store, clock=Clock(h.NOW + timedelta(minutes=14, seconds=59)))
        with pytest.raises(LockedOut):
            c.check_pin("m2", h.PIN["m2"])
        # other staff are not affected
        assert st.get_staff(store, "m1")["locked_until"] is None
    with st.open_store(db, create=False) as store:
        c = h.counter(store, clock=Clock(h.NOW + timedelta(minutes=15)))
        member = c.check_pin("m2", h.PIN["m2"])
        assert member.id == "m2" and member.is_manager
        row = st.get_staff(store, "m2")
        assert row["failed"] == 0 and row["locked_until"] is None


def test_unknown_staff_is_refused_and_logged(store):
    c = h.counter(store)
    with pytest.raises(AuthError, match="zz9"):
        c.check_pin("zz9", "1234")
    assert store.one("SELECT kind FROM events WHERE actor = 'zz9'")["kind"] == "pin_failed"


# ----------------------------------------------------------------------------- separation of duties

def _big_pending(c, cashier="c1", qty=2):
    pending = c.prepare(h.signed_in(c, cashier), c.lookup(h.BIG), h.return_request(qty=qty))
    assert pending.decision.outcome == "needs_approval", pending.decision
    assert [a.rule for a in pending.decision.approvals] == ["approval.large_refund"]
    return pending


def test_commit_without_approval_is_refused(store):
    c = h.counter(store)
    pending = _big_pending(c)
    with pytest.raises(ApprovalRefused, match="approval.large_refund"):
        c.commit(pending)
    assert st.count(store, "journal") == 0


def test_manager_cannot_approve_their_own_transaction(store):
    c = h.counter(store)
    pending = _big_pending(c, cashier="m1")
    with pytest.raises(ApprovalRefused, match="own transaction"):
        c.approve(pending, "m1", h.PIN["m1"], h.REASON)
    assert store.query("SELECT * FROM approvals") == []
    refused = store.one("SELECT * FROM events WHERE kind = 'approval_refused'")
    assert refused["actor"] == "m1" and json.loads(refused["detail"])["why"] == "self-approval"
    # nor by inventing an approval in their own name
    forged = Grant(id="f0rged", pending=pending.id, manager="m1", rules=("approval.large_refund",),
                   reason_code=h.REASON, amount=pending.payout)
    with pytest.raises(ApprovalRefused):
        c.commit(pending, [forged])
    assert st.count(store, "journal") == 0


def test_cashier_cannot_approve(store):
    c = h.counter(store)
    pending = _big_pending(c, cashier="c1")
    with pytest.raises(ApprovalRefused, match="not a manager"):
        c.approve(pending, "c2", h.PIN["c2"], h.REASON)
    assert store.query("SELECT * FROM approvals") == []
    with pytest.raises(ApprovalRefused):
        c.commit(pending)
    assert st.count(store, "journal") == 0


def test_approval_is_bound_to_one_pending_transaction(store):
    c = h.counter(store)
    first = _big_pending(c)
    second = _big_pending(c)
    grant = c.approve(first, "m1", h.PIN["m1"], h.REASON)
    assert grant.pending == first.id and grant.manager == "m1"
    with pytest.raises(ApprovalRefused, match="another transaction"):
        c.commit(second, [grant])
    assert st.count(store, "journal") == 0
    # a copy of the grant relabelled for the other transaction is refused too (the database keeps the binding)
    with pytest.raises(ApprovalRefused, match="another transaction"):
        c.commit(second, [replace(grant, pending=second.id)])
    tx = c.commit(first, [grant])
    assert st.get_approval(store.conn, grant.id)["used_by"] == tx.txno
    assert json.loads(tx.entry.payload)["approvals"][0]["manager"] == "m1"


def test_approval_cannot_be_used_twice(store):
    c = h.counter(store)
    pending = _big_pending(c)  # 2 of the 6 jackets: the same return fits twice
    grant = c.approve(pending, "m2", h.PIN["m2"], h.REASON)
    tx = c.commit(pending, [grant])
    with pytest.raises(ApprovalRefused, match="already used") as info:
        c.commit(pending, [grant])
    assert tx.txno in str(info.value)
    assert st.count(store, "journal") == 1
    assert store.one("SELECT SUM(qty) AS q FROM journal_lines WHERE receipt = ?", (h.BIG,))["q"] == 2


def test_approval_for_a_different_amount_is_refused(store):
    c = h.counter(store)
    pending = _big_pending(c, qty=2)
    grant = c.approve(pending, "m1", h.PIN["m1"], h.REASON)
    bigger = _big_pending(c, qty=3)
    assert bigger.payout != pending.payout
    changed = replace(bigger, id=pending.id)  # the quantity changed on the same transaction after approval
    with pytest.raises(ApprovalRefused, match="amount changed"):
        c.commit(changed, [grant])
    assert st.count(store, "journal") == 0
    assert st.get_approval(store.conn, grant.id)["used_by"] is None


def test_unknown_reason_code_is_refused_before_any_pin_check(store):
    c = h.counter(store)
    pending = _big_pending(c)
    with pytest.raises(ApprovalRefused, match="Reason code"):
        c.approve(pending, "m1", h.PIN["m1"], "because")
    assert store.query("SELECT * FROM events WHERE kind IN ('approval_pin', 'pin_failed')") == []


def test_denied_decision_is_not_recordable(store):
    c = h.counter(store)
    c.commit(c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request()))
    pending = c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request())
    assert pending.decision.outcome == "denied"
    with pytest.raises(NotRecordable):
        c.commit(pending)
    assert st.count(store, "journal") == 1
