"""Returns without a receipt are priced from the store's own sales, never from the case file, and "ID checked"
is the act of the signed-in cashier, recorded with who did it.

`record` reads the real clock, so the towel is sold three days before the real today (inside the look-back).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.services import counter as services
from pos_returns.storage import store as st
from pos_returns.domain.money import Money

CUSTOMER_ID = "QZ7751234987"
TOWEL_SALE = "0001-900001"


ok, usage_error = h.ok, h.usage_error  # exit 0 / exit 2 with a message, never a traceback


def no_receipt_case(path: Path, sku: str, price: str, *, category: str = "home", tax: str = h.TAX,
                    customer: dict | None = None) -> Path:
    request = {"type": "return",
               "no_receipt_items": [{"sku": sku, "category": category, "qty": 1, "lowest_price": price,
                                     "tax_rate": tax}],
               "customer": customer or {"id": CUSTOMER_ID, "id_verified": True}}
    path.write_text(json.dumps({"sale": None, "request": request}, indent=1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def towel_db(tmp_path_factory) -> Path:
    """db init, a cashier and a manager, and one sale: a bath towel at 16.99 (no product list, as a CSV till
    export gives it)."""
    folder = tmp_path_factory.mktemp("noreceipt")
    db = folder / "towel.db"
    ok(h.run_cli("db", "init", "--db", str(db), cwd=folder))
    ok(h.run_cli("staff", "add", "c1", "Alice Nguyen", "--role", "cashier", "--db", str(db), stdin="1111\n",
                 cwd=folder))
    ok(h.run_cli("staff", "add", "m1", "Marta Novakova", "--role", "manager", "--db", str(db), stdin="9999\n",
                 cwd=folder))
    sales = h.write_sales_json(folder / "sales.json", {TOWEL_SALE: [("TOWEL", "Bath towel", "home", 1, "16.99")]})
    ok(h.run_cli("import-sales", str(sales), "--db", str(db), cwd=folder))
    return db


@pytest.fixture
def db(towel_db, tmp_path) -> Path:
    return h.copy_db(towel_db, tmp_path / "store.db")


def entries(db: Path) -> list[dict]:
    with h.raw(db) as conn:
        return [json.loads(p) for (p,) in conn.execute("SELECT payload FROM journal ORDER BY rowid")]


def events(db: Path, kind: str) -> list[dict]:
    with h.raw(db) as conn:
        return [dict(actor=a, **json.loads(d)) for a, d in
                conn.execute("SELECT actor, detail FROM events WHERE kind = ? ORDER BY id", (kind,))]


def manager_price_policy(folder: Path) -> Path:
    text = h.POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace('\nunknown_sku = "refuse"', '\nunknown_sku = "manager_price"', 1)
    assert '\nunknown_sku = "manager_price"' in text
    path = folder / "policy-manager-price.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the price

def test_a_no_receipt_towel_is_refunded_at_the_price_the_store_sold_it_not_the_files(db, tmp_path):
    case = no_receipt_case(tmp_path / "towel.json", "TOWEL", "99.00")
    out = ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path))
    txno, outcome, _refund, amount = out.split()[:4]
    assert outcome == "approved"
    assert amount == "18.22"  # 16.99 + 7.25 % tax (1.23), not 99.00 + tax
    payload = entries(db)[-1]
    assert payload["case"]["request"]["no_receipt_items"][0]["lowest_price"] == "16.99"
    assert payload["decision"]["refund_total"] == "18.22"


def test_a_file_cannot_change_the_category_or_tax_of_a_sku_the_store_knows(db, tmp_path):
    case = no_receipt_case(tmp_path / "towel.json", "TOWEL", "16.99", tax="0.9")
    out = ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path))
    assert out.split()[3] == "18.22"  # the store's 7.25 %, not the file's 90 %


def test_a_sku_the_store_never_sold_is_refused_with_a_message(db, tmp_path):
    case = no_receipt_case(tmp_path / "ghost.json", "GHOST-9", "95.00")
    before = len(entries(db))
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n",
                                cwd=tmp_path))
    assert "GHOST-9" in err and "not sold" in err and "90 days" in err
    assert len(entries(db)) == before


def test_policy_manager_price_needs_a_manager_who_states_the_price(db, tmp_path):
    policy = manager_price_policy(tmp_path)
    case = no_receipt_case(tmp_path / "ghost.json", "GHOST-9", "95.00")
    before = len(entries(db))
    # without a stated price: refused, saying what to do
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--policy", str(policy),
                                stdin="1111\n", cwd=tmp_path))
    assert "GHOST-9" in err and "manager must state the price" in err and "--price GHOST-9=" in err
    # a stated price without a manager is refused before anything else
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--policy", str(policy),
                                "--price", "GHOST-9=12.00", stdin="1111\n", cwd=tmp_path))
    assert "--approver" in err
    # the cashier cannot approve their own price
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--policy", str(policy),
                                "--price", "GHOST-9=12.00", "--approver", "c1", stdin="1111\n1111\n",
                                cwd=tmp_path))
    assert len(entries(db)) == before
    # the manager m1 states 12.00 and approves with their PIN: refunded at 12.00, recorded with who stated it
    out = ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--policy", str(policy),
                       "--price", "GHOST-9=12.00", "--approver", "m1", stdin="1111\n9999\n", cwd=tmp_path))
    assert out.split()[1] == "needs_approval" and out.split()[3] == "12.87"  # 12.00 + 0.87 tax, not 95.00
    payload = entries(db)[-1]
    assert payload["case"]["request"]["no_receipt_items"][0]["lowest_price"] == "12.00"
    assert payload["case"]["request"]["no_receipt_items"][0]["price_stated"] is True
    [approval] = payload["approvals"]
    assert approval["manager"] == "m1" and approval["stated_prices"] == {"GHOST-9": "12.00"}
    assert "no_receipt.stated_price" in approval["rules"]
    assert events(db, "approval")[-1]["stated_prices"] == {"GHOST-9": "12.00"}
    assert events(db, "approval")[-1]["actor"] == "m1"


def test_a_stated_price_does_not_replace_the_stores_price(db, tmp_path):
    policy = manager_price_policy(tmp_path)
    case = no_receipt_case(tmp_path / "towel.json", "TOWEL", "99.00")
    out = ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), "--policy", str(policy),
                       "--price", "TOWEL=99.00", "--approver", "m1", stdin="1111\n9999\n", cwd=tmp_path))
    assert out.split()[1] == "approved" and out.split()[3] == "18.22"


def test_unknown_sku_policy_key_is_checked_with_its_line(tmp_path):
    text = h.POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace('\nunknown_sku = "refuse"', '\nunknown_sku = "trust_the_file"', 1)
    assert "trust_the_file" in text
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("unknown_sku"))
    proc = h.run_cli("policy", "check", str(path), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert f"{path}:{line}: no_receipt.unknown_sku:" in out and "manager_price" in out


# ----------------------------------------------------------------------------- who checked the ID

def test_id_checked_is_recorded_as_the_act_of_the_signed_in_cashier(db, tmp_path):
    case = no_receipt_case(tmp_path / "towel.json", "TOWEL", "16.99")
    out = ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path))
    txno = out.split()[0]
    payload = entries(db)[-1]
    assert payload["case"]["request"]["customer"]["id_checked_by"] == "c1"
    event = events(db, "transaction")[-1]
    assert event["actor"] == "c1" and event["id_checked_by"] == "c1"
    with h.raw(db) as conn:
        assert conn.execute("SELECT txno FROM events WHERE kind = 'transaction' ORDER BY id DESC").fetchone()[0] \
            == txno


def test_a_file_cannot_say_someone_else_checked_the_id(db, tmp_path):
    case = no_receipt_case(tmp_path / "towel.json", "TOWEL", "16.99",
                           customer={"id": CUSTOMER_ID, "id_verified": True, "id_checked_by": "m1"})
    ok(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path))
    assert entries(db)[-1]["case"]["request"]["customer"]["id_checked_by"] == "c1"
    assert events(db, "transaction")[-1]["id_checked_by"] == "c1"


def test_services_price_from_the_store_and_record_the_checker(tmp_path):
    """The Python services (what the counter screens call) do the same as record."""
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c, "c2"), None, h.no_receipt_request("D1234567", price="99.00"))
        assert pending.case.request.no_receipt_items[0].lowest_price.plain() == "19.99"
        assert pending.case.request.customer.id_checked_by == "c2"
        tx = c.commit(pending)
        assert tx.decision.refund_total.plain() == "21.44"
        with pytest.raises(services.ServiceError) as refused:
            c.prepare(h.signed_in(c, "c2"), None, h.no_receipt_request("D1234567", sku="NOSUCH", price="95.00"))
        assert "NOSUCH" in str(refused.value) and "Traceback" not in str(refused.value)


def test_id_checked_without_an_id_number_is_refused(tmp_path):
    """A checked ID has a number: without it the customer's no-receipt limits could not be counted."""
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        request = h.no_receipt_request("D1234567")
        request = replace(request, customer=replace(request.customer, id=None))
        with pytest.raises(services.ServiceError) as refused:
            c.prepare(h.signed_in(c, "c1"), None, request)
        assert "ID number" in str(refused.value)


def test_commit_refuses_a_prepared_return_whose_price_is_not_the_stores(tmp_path):
    """A caller that edits the prepared return (the price, and the decision to match) is stopped at the commit."""
    from pos_returns.domain.engine import evaluate
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c, "c1"), None, h.no_receipt_request("D1234567"))
        case = pending.case
        item = replace(case.request.no_receipt_items[0], lowest_price=Money.parse("99.00", "USD"))
        request = replace(case.request, no_receipt_items=(item,))
        forged = replace(pending, case=replace(case, request=request),
                         decision=evaluate(c.policy, None, request, case.history, case.now))
        with pytest.raises(st.Conflict) as refused:
            c.commit(forged)
        assert "TOWEL" in str(refused.value)
        assert store.one("SELECT COUNT(*) AS n FROM journal WHERE kind = 'no_receipt'")["n"] == 0
        assert c.commit(pending).decision.refund_total.plain() == "21.44"
