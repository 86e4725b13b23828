"""The database commands end to end: db init, demo-data, import-sales, record (a return, an exchange, a return
needing a manager, a return without a receipt), journal verify and export; and the mistakes a user makes, which
must end with exit 2 and a message, never a traceback.

The end-to-end test runs each command in its own ``python -m pos_returns`` process (h.run_cli_process); the
others run the command line in this process (h.run_cli), which checks the same exit codes and messages.

`record` reads the real clock, so our receipts are sold three days before the real today.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.storage import store as st
from pos_returns.manager.export import verify_export

CUSTOMER_ID = "QZ7751234987"


ok, usage_error = h.ok, h.usage_error  # exit 0 / exit 2 with a message, never a traceback


def write_case(path: Path, receipt: str | None, request: dict) -> Path:
    sale = None if receipt is None else {"receipt": receipt}
    path.write_text(json.dumps({"sale": sale, "request": request}, indent=1), encoding="utf-8")
    return path


RETURN = {"type": "return", "lines": [{"line": 1, "qty": 1, "condition": "unopened", "reason": "changed_mind"}]}
EXCHANGE = {"type": "exchange",
            "lines": [{"line": 1, "qty": 1, "condition": "unopened", "reason": "wrong_size"}],
            "exchange_items": [{"sku": "TSHIRT", "category": "apparel", "qty": 1, "unit_price": "14.99",
                                "tax_rate": h.TAX}]}
BIG_RETURN = {"type": "return", "lines": [{"line": 1, "qty": 2, "condition": "unopened", "reason": "changed_mind"}]}
NO_RECEIPT = {"type": "return",
              "no_receipt_items": [{"sku": "TOWEL", "category": "home", "qty": 1, "lowest_price": "19.99",
                                    "tax_rate": h.TAX}],
              "customer": {"id": CUSTOMER_ID, "id_verified": True}}


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    """db init + one cashier (added through the CLI, PIN on stdin) + our sales."""
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "small.db"
    ok(h.run_cli("db", "init", "--db", str(db), cwd=folder))
    out = ok(h.run_cli("staff", "add", "c1", "Alice Nguyen", "--role", "cashier", "--db", str(db),
                       stdin="1111\n", cwd=folder))
    assert "added cashier c1" in out
    sales = h.write_sales_json(folder / "sales.json", products=h.PRODUCTS)
    ok(h.run_cli("import-sales", str(sales), "--db", str(db), cwd=folder))
    return db


@pytest.fixture
def db(small_db, tmp_path) -> Path:
    return h.copy_db(small_db, tmp_path / "store.db")


def journal_count(db: Path) -> int:
    with h.raw(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]


# ----------------------------------------------------------------------------- end to end

def test_end_to_end_demo_store_records_verifies_and_exports(tmp_path):
    db = tmp_path / "store.db"
    out = ok(h.run_cli_process("db", "init", "--db", str(db), cwd=tmp_path))
    assert "created" in out and f"schema {st.SCHEMA_VERSION}" in out
    out = ok(h.run_cli_process("db", "init", "--db", str(db), cwd=tmp_path))
    assert "already" in out
    out = ok(h.run_cli_process("demo-data", "--db", str(db), "--receipts", "300", "--today", h.TODAY.isoformat(),
                       cwd=tmp_path))
    assert "300 receipts" in out
    demo_entries = journal_count(db)

    sales = h.write_sales_json(tmp_path / "till.json")
    out = ok(h.run_cli_process("import-sales", str(sales), "--db", str(db), cwd=tmp_path))
    assert f"{len(h.SALES)} sales added, 0 already present" in out
    out = ok(h.run_cli_process("import-sales", str(sales), "--db", str(db), cwd=tmp_path))
    assert "imported before; nothing added" in out

    txnos = []
    for name, receipt, request, extra, pins, expected in [
            ("return", h.JEANS, RETURN, [], "1111\n", "approved"),
            ("exchange", h.SHIRT, EXCHANGE, [], "1111\n", "approved"),
            # the decision needed a manager; m1 approved it and it was recorded
            ("big", h.BIG, BIG_RETURN, ["--approver", "m1"], "1111\n9999\n", "needs_approval"),
            ("no-receipt", None, NO_RECEIPT, ["--register", "R2"], "2222\n", "approved")]:
        case = write_case(tmp_path / f"{name}.json", receipt, request)
        cashier = "c2" if name == "no-receipt" else "c1"
        out = ok(h.run_cli_process("record", str(case), "--cashier", cashier, "--db", str(db), *extra, stdin=pins,
                           cwd=tmp_path))
        txno, outcome = out.split()[:2]
        assert outcome == expected, out
        txnos.append(txno)
    assert txnos[-1].startswith("0001-R2-")
    with st.open_store(db, create=False) as store:
        kinds = {r["txno"]: r["kind"] for r in store.query("SELECT txno, kind FROM journal")}
        assert [kinds[t] for t in txnos] == ["return", "exchange", "return", "no_receipt"]
        approval = store.one("SELECT * FROM approvals WHERE used_by = ?", (txnos[2],))
        assert approval["manager"] == "m1" and approval["cashier"] == "c1"
        assert st.verify_journal(store) == []
    assert journal_count(db) == demo_entries + 4

    out = ok(h.run_cli_process("journal", "verify", "--db", str(db), cwd=tmp_path))
    assert f"{demo_entries + 4} entries intact" in out

    export = tmp_path / "export"
    out = ok(h.run_cli_process("journal", "export", "--db", str(db), "--out", str(export), cwd=tmp_path))
    assert "SHA256SUMS" in out
    assert verify_export(export) == []
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["entries"] == demo_entries + 4
    assert len((export / "journal.jsonl").read_text(encoding="utf-8").splitlines()) == demo_entries + 4
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=export, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    # an auditor's check notices a changed export
    lines = (export / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["refund_total"] += 100
    lines[0] = st.canonical(record)
    (export / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = verify_export(export)
    assert any("journal.jsonl: does not match" in p for p in problems)
    assert any(p.startswith("journal.jsonl:1:") for p in problems)

    assert CUSTOMER_ID.encode() not in h.db_bytes(db)


def test_record_without_a_needed_approver_exits_1_and_records_nothing(db, tmp_path):
    case = write_case(tmp_path / "big.json", h.BIG, BIG_RETURN)
    proc = h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "approval.large_refund" in proc.stderr and "--approver" in proc.stderr
    assert journal_count(db) == 0


# ----------------------------------------------------------------------------- user mistakes: exit 2, a message

def test_journal_verify_of_a_missing_database(tmp_path):
    missing = tmp_path / "nowhere" / "missing.db"
    err = usage_error(h.run_cli("journal", "verify", "--db", str(missing), cwd=tmp_path))
    assert str(missing) in err and "no database" in err
    assert not missing.exists() and not missing.parent.exists()


def test_record_with_a_wrong_pin(db, tmp_path):
    case = write_case(tmp_path / "r.json", h.JEANS, RETURN)
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="0000\n",
                                cwd=tmp_path))
    assert "Wrong PIN for c1" in err and "4 tries left" in err
    assert journal_count(db) == 0


def test_record_without_a_pin_on_stdin(db, tmp_path):
    case = write_case(tmp_path / "r.json", h.JEANS, RETURN)
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="", cwd=tmp_path))
    assert "PIN for c1" in err
    assert journal_count(db) == 0


def test_record_of_an_unknown_receipt(db, tmp_path):
    case = write_case(tmp_path / "r.json", "0001-424242", RETURN)
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n",
                                cwd=tmp_path))
    assert "0001-424242" in err and "not in this store's sales" in err
    assert journal_count(db) == 0


def test_record_of_a_case_that_is_not_json(db, tmp_path):
    case = tmp_path / "r.json"
    case.write_text("{not json", encoding="utf-8")
    err = usage_error(h.run_cli("record", str(case), "--cashier", "c1", "--db", str(db), stdin="1111\n",
                                cwd=tmp_path))
    assert str(case) in err


def test_import_of_a_bad_file_names_the_row(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("receipt,sold_at,line,sku,category,qty,unit_price\n"
                   f"0001-500001,{h.SOLD.isoformat()},1,JEANS,apparel,1,49.99\n"
                   f"0001-500002,{h.SOLD.isoformat()},1,JEANS,apparel,many,49.99\n", encoding="utf-8")
    err = usage_error(h.run_cli("import-sales", str(bad), "--db", str(db), cwd=tmp_path))
    assert f"{bad}:3:" in err and "nothing was added" in err
    with h.raw(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sales WHERE receipt LIKE '0001-5%'").fetchone()[0] == 0


def test_demo_data_refuses_a_database_with_sales(db, tmp_path):
    err = usage_error(h.run_cli("demo-data", "--db", str(db), "--receipts", "10", cwd=tmp_path))
    assert "already has sales" in err


def test_staff_add_with_a_bad_pin(db, tmp_path):
    err = usage_error(h.run_cli("staff", "add", "c9", "Someone", "--db", str(db), stdin="12\n", cwd=tmp_path))
    assert "4 to 12 digits" in err
