"""People and approvals: the cashier is the signed-in person, an approval is good for one transaction only and
cannot be written into the file by hand, corrections need a third manager, and parallel PIN guesses are capped.

Every PIN check at OWASP cost takes about half a second; the parallel-guess tests use a member whose PIN hash
has a lower scrypt cost (the stored hash names its own cost), so ten checks at once stay cheap.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.services import counter as services
from pos_returns.storage import store as st
from pos_returns.services.importer import import_file
from pos_returns.security import hash_pin
from pos_returns.services.counter import ApprovalRefused, AuthError, LockedOut, NotSignedIn, Session, WrongPin

# two receipts of our own: jackets on two lines of one receipt (same price), and a copy of BIG
TWO_LINES = "0001-820001"
BIG_TOO = "0001-820002"
EXTRA = {TWO_LINES: [("JACKET", "Rain jacket", "apparel", 3, "200.00"),
                     ("JACKET", "Rain jacket", "apparel", 3, "200.00")],
         BIG_TOO: [("JACKET", "Rain jacket", "apparel", 6, "200.00")]}
QUICK = "m9"  # a manager whose PIN hash is cheap to check (parallel-guess tests)
QUICK_PIN = "4321"


@pytest.fixture
def db(tmp_path):
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        sales = h.write_sales_json(tmp_path / "extra.json", EXTRA)
        assert import_file(store, h.policy(), sales, h.NOW).added == len(EXTRA)
        with store.write() as c:
            st.insert_staff(c, QUICK, "Quick Manager", "manager", hash_pin(QUICK_PIN, log_n=14))
        h.checkpoint(store)
    return path


@pytest.fixture
def store(db):
    with st.open_store(db, create=False) as s:
        yield s


def _pending(c, receipt=h.BIG, line=1, qty=2, cashier="c1"):
    pending = c.prepare(h.signed_in(c, cashier), c.lookup(receipt), h.return_request(line=line, qty=qty))
    assert pending.decision.outcome == "needs_approval", pending.decision
    return pending


def _journal(store):
    return st.count(store, "journal")


# ----------------------------------------------------------------------------- 5. one approval, one transaction

def test_an_approval_row_written_into_the_file_by_hand_is_refused(db, store):
    c = h.counter(store)
    pending = _pending(c)
    # someone with the database file writes the approval a manager never gave, filling in every column
    raw = h.raw(db)
    columns = [r[1] for r in raw.execute("PRAGMA table_info(approvals)")]
    row = {"id": "f0rged01", "pending": pending.id, "manager": "m1", "cashier": "c1",
           "rules": json.dumps(["approval.large_refund"]), "reason_code": h.REASON,
           "amount": st.minor(pending.payout), "at": st.iso(h.NOW), "used_by": None,
           "receipt": h.BIG, "register": "R1",
           "lines": st.canonical({"lines": [[1, "JACKET", 2]], "exchange": []}), "seal": secrets.token_hex(32)}
    row = {k: v for k, v in row.items() if k in columns}
    raw.execute(f"INSERT INTO approvals ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    raw.close()
    grant = services.Grant(id="f0rged01", pending=pending.id, manager="m1", rules=("approval.large_refund",),
                           reason_code=h.REASON, amount=pending.payout)
    with pytest.raises(ApprovalRefused) as info:
        c.commit(pending, [grant])
    assert "f0rged01" in str(info.value) and "seal" in str(info.value)
    assert _journal(store) == 0


def test_a_real_approval_edited_by_hand_for_a_bigger_return_is_refused(db, store):
    c = h.counter(store)
    small = _pending(c, qty=2)
    grant = c.approve(small, "m1", h.PIN["m1"], h.REASON)
    bigger = _pending(c, qty=4)
    # the row is rewritten to fit the bigger return: its transaction, amount and lines
    raw = h.raw(db)
    columns = {r[1] for r in raw.execute("PRAGMA table_info(approvals)")}
    raw.execute("UPDATE approvals SET pending = ?, amount = ? WHERE id = ?",
                (bigger.id, st.minor(bigger.payout), grant.id))
    if "lines" in columns:
        raw.execute("UPDATE approvals SET lines = ? WHERE id = ?",
                    (st.canonical({"lines": [[1, "JACKET", 4]], "exchange": []}), grant.id))
    raw.close()
    with pytest.raises(ApprovalRefused, match="seal"):
        c.commit(bigger, [replace(grant, pending=bigger.id, amount=bigger.payout)])
    assert _journal(store) == 0


def test_an_approval_is_bound_to_its_receipt_and_lines_not_only_the_amount(store):
    c = h.counter(store)
    approved = _pending(c, TWO_LINES, line=1, qty=2)
    grant = c.approve(approved, "m1", h.PIN["m1"], h.REASON)
    # the same amount on the other line of the receipt, under the approved transaction's id
    other_line = _pending(c, TWO_LINES, line=2, qty=2)
    assert other_line.payout == approved.payout
    with pytest.raises(ApprovalRefused, match="lines or quantities changed"):
        c.commit(replace(other_line, id=approved.id), [grant])
    # the same amount on another receipt
    other_receipt = _pending(c, BIG_TOO, qty=2)
    assert other_receipt.payout == approved.payout
    with pytest.raises(ApprovalRefused, match="another transaction"):
        c.commit(replace(other_receipt, id=approved.id), [grant])
    assert _journal(store) == 0
    assert c.commit(approved, [grant]).txno


def test_an_approval_is_bound_to_its_cashier_and_register(store):
    c = h.counter(store)
    pending = _pending(c)
    grant = c.approve(pending, "m1", h.PIN["m1"], h.REASON)
    # another cashier takes over the approved transaction
    with pytest.raises(ApprovalRefused, match="another transaction"):
        c.commit(replace(pending, session=h.signed_in(c, "c2")), [grant])
    # the approved transaction is committed at another register
    with pytest.raises((ApprovalRefused, NotSignedIn)):
        h.counter(store, "R2").commit(pending, [grant])
    assert _journal(store) == 0
    assert st.get_approval(store.conn, grant.id)["used_by"] is None


def test_the_approver_recorded_is_the_one_whose_pin_was_checked(store):
    c = h.counter(store)
    pending = _pending(c)
    grant = c.approve(pending, "m1", h.PIN["m1"], h.REASON)
    tx = c.commit(pending, [replace(grant, manager="m2")])  # a name passed alongside the grant
    assert [a["manager"] for a in json.loads(tx.entry.payload)["approvals"]] == ["m1"]
    assert [g.manager for g in tx.approvals] == ["m1"]


# ----------------------------------------------------------------------------- 6. separation of duties

def test_the_cashier_is_the_signed_in_person_not_a_free_string(store):
    c = h.counter(store)
    with pytest.raises(NotSignedIn):
        c.prepare("c1", c.lookup(h.JEANS), h.return_request())
    forged = Session("c1", "Alice Nguyen", "cashier", "R1", st.iso(h.NOW), "0" * 64)
    with pytest.raises(NotSignedIn):
        c.prepare(forged, c.lookup(h.JEANS), h.return_request())
    session = h.signed_in(c, "c1")
    with pytest.raises(NotSignedIn, match="R2"):  # signed in at R1, not at R2
        h.counter(store, "R2").prepare(session, c.lookup(h.JEANS), h.return_request())
    assert _journal(store) == 0
    tx = c.commit(c.prepare(session, c.lookup(h.JEANS), h.return_request()))
    assert tx.entry.cashier == "c1"


def test_a_signed_in_manager_cannot_approve_their_own_return(store):
    c = h.counter(store)
    pending = _pending(c, cashier="m1")  # m1 is signed in and does the return
    assert pending.cashier == "m1"
    with pytest.raises(ApprovalRefused, match="own transaction"):
        c.approve(pending, "m1", h.PIN["m1"], h.REASON)
    with pytest.raises(ApprovalRefused):
        c.commit(pending)
    assert _journal(store) == 0


def test_a_correction_needs_a_manager_who_neither_recorded_nor_approved_it(store):
    c = h.counter(store)
    by_manager = c.commit(c.prepare(h.signed_in(c, "m2"), c.lookup(h.JEANS), h.return_request()))
    pending = _pending(c)
    approved = c.commit(pending, [c.approve(pending, "m1", h.PIN["m1"], h.REASON)])
    with pytest.raises(ApprovalRefused, match="recorded"):
        c.correct(by_manager.txno, h.signed_in(c, "m2"), "wrong line")
    with pytest.raises(ApprovalRefused, match="approved"):
        c.correct(approved.txno, h.signed_in(c, "m1"), "wrong line")
    with pytest.raises(NotSignedIn):  # a manager's name without their PIN
        c.correct(approved.txno, services.StaffMember("m2", "Chen Wei-Ling", "manager"), "wrong line")
    before = _journal(store)
    assert before == 2
    assert c.correct(approved.txno, h.signed_in(c, "m2"), "wrong line").corrects == approved.txno
    assert c.correct(by_manager.txno, h.signed_in(c, "m1"), "wrong line").corrects == by_manager.txno


def test_cli_correct_by_the_approving_manager_is_refused(db, tmp_path):
    case = tmp_path / "big.json"
    case.write_text(json.dumps({"sale": {"receipt": h.BIG}, "request": {"type": "return", "lines": [
        {"line": 1, "qty": 2, "condition": "unopened", "reason": "changed_mind"}]}}), encoding="utf-8")
    rec = h.run_cli("record", str(case), "--cashier", "c1", "--approver", "m1", "--db", str(db),
                    stdin="1111\n9999\n", cwd=tmp_path)
    assert rec.returncode == 0, rec.stdout + rec.stderr
    txno = rec.stdout.split()[0]
    proc = h.run_cli("correct", txno, "--manager", "m1", "--reason", "typo", "--db", str(db), stdin="9999\n",
                     cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "m1 approved " + txno in proc.stderr
    with st.open_store(db, create=False) as store:
        assert st.corrected_by(store.conn, txno) is None
    proc = h.run_cli("correct", txno, "--manager", "m2", "--reason", "typo", "--db", str(db), stdin="8888\n",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ----------------------------------------------------------------------------- 7. parallel PIN guesses

def _lock_state(db):
    with st.open_store(db, create=False) as store:
        row = st.get_staff(store, QUICK)
        fails = store.query("SELECT * FROM events WHERE kind = 'pin_failed' AND actor = ?", (QUICK,))
        return row, len(fails)


def test_ten_wrong_pins_from_ten_processes_check_at_most_five_then_lock(db, tmp_path):
    sync = tmp_path / "sync"
    sync.mkdir()
    guesses = [f"{1000 + n}" for n in range(10)]
    procs = [h.child("pin", str(db), QUICK, pin, str(sync), str(n)) for n, pin in enumerate(guesses)]
    try:
        for n in range(len(procs)):
            h.wait_for(sync / f"ready-{n}", timeout=120)
        (sync / "go").touch()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = [out.strip() for out, _err in outs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in outs]
    assert all(r.startswith(("WrongPin", "LockedOut")) for r in results), results
    row, checked = _lock_state(db)
    assert checked <= 5, results
    assert row["locked_until"] is not None
    assert sum(r.startswith("LockedOut") for r in results) >= 5
    with st.open_store(db, create=False) as store:  # and the right PIN afterwards: locked
        with pytest.raises(LockedOut):
            h.counter(store).check_pin(QUICK, QUICK_PIN)


def test_the_right_pin_in_a_burst_of_wrong_ones_is_refused(db, monkeypatch):
    """Ten wrong PINs are sent at once from ten tills; while their checks run the right PIN arrives."""
    real = services.verify_pin
    gate = threading.Event()
    lock = threading.Lock()
    seen = {"checked": 0, "done": 0}

    def slow_verify(pin, stored):  # holds every hash check until the burst is in (stands for a slow scrypt)
        with lock:
            seen["checked"] += 1
        gate.wait(60)
        return real(pin, stored)

    monkeypatch.setattr(services, "verify_pin", slow_verify)
    results: dict[str, object] = {}

    def till(name, pin):
        with st.open_store(db, create=False) as store:
            try:
                results[name] = h.counter(store, register=name).check_pin(QUICK, pin)
            except AuthError as err:
                results[name] = err
        with lock:
            seen["done"] += 1

    def settled(n):  # every till either waits in its hash check or has its answer
        deadline = time.monotonic() + 60
        while seen["checked"] + seen["done"] < n:
            if time.monotonic() > deadline:
                raise TimeoutError(seen)
            time.sleep(0.005)

    threads = [threading.Thread(target=till, args=(f"T{n}", f"{1000 + n}")) for n in range(10)]
    for t in threads:
        t.start()
    settled(10)
    right = threading.Thread(target=till, args=("RIGHT", QUICK_PIN))
    right.start()
    settled(11)
    gate.set()
    for t in threads + [right]:
        t.join(60)
    assert isinstance(results["RIGHT"], LockedOut), results["RIGHT"]
    assert all(isinstance(results[f"T{n}"], (WrongPin, LockedOut)) for n in range(10))
    assert seen["checked"] <= 5
    row, checked = _lock_state(db)
    assert checked <= 5 and row["locked_until"] is not None
