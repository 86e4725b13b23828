"""Issue 10, item 11: inputs that used to end in a traceback end with exit 2 and a message that says what and where.

Each test runs the command line in this process (``cli.main``) and checks the exit code, the message and that no
traceback is printed. A full disk is the kernel's own: ``/dev/full`` answers every write with ENOSPC.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.cli import main as cli
from pos_returns.storage import store as st

SAMPLE = h.POLICY_PATH
FULL = Path("/dev/full")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    return code, out, err


def refused(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err)
    assert err.strip(), out
    return err


# ----------------------------------------------------------------------------- deeply nested files

def deep_json(path: Path, depth: int = 100_000, wrap: bool = False) -> Path:
    inner = "[" * depth + "]" * depth
    path.write_text('{"sales": ' + inner + "}" if wrap else inner, encoding="utf-8")
    return path


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("wrap", [False, True])
def test_deeply_nested_json_is_refused_by_import_sales(capsys, tmp_path, depth, wrap):
    path = deep_json(tmp_path / "deep.json", depth, wrap)
    err = refused(capsys, "import-sales", "--db", tmp_path / "s.db", "--policy", SAMPLE, path)
    assert f"{path}: " in err and "nested too deeply" in err, err
    assert "not imported" in err


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_refused_by_evaluate(capsys, tmp_path, depth):
    path = deep_json(tmp_path / "case.json", depth)
    err = refused(capsys, "evaluate", "--policy", SAMPLE, path)
    assert f"{path}: " in err and "nested too deeply" in err, err


def test_deeply_nested_scenario_is_refused_by_policy_test(capsys, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    deep_json(folder / "deep.json")
    code, out, err = run(capsys, "policy", "test", SAMPLE, folder)
    assert code in (1, 2) and "nested too deeply" in out + err, (code, out, err)


@pytest.mark.parametrize("toml", ["x = " + "[" * 100_000 + "]" * 100_000,
                                  "x = " + "{a = " * 5000 + "1" + "}" * 5000,
                                  "x = " + "[" * 400 + "]" * 400])
def test_deeply_nested_toml_is_refused_by_policy_check(capsys, tmp_path, toml):
    path = tmp_path / "deep.toml"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + "\n[extra]\n" + toml + "\n", encoding="utf-8")
    err = refused(capsys, "policy", "check", path)
    assert re.search(rf"{re.escape(str(path))}:\d+: ", err) and "nested too deeply" in err, err


def test_deeply_nested_policy_is_refused_by_evaluate_and_import(capsys, tmp_path):
    policy = tmp_path / "deep.toml"
    policy.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text("{}", encoding="utf-8")
    assert "nested too deeply" in refused(capsys, "evaluate", "--policy", policy, case)
    assert "nested too deeply" in refused(capsys, "import-sales", "--db", tmp_path / "s.db", "--policy", policy, case)


# ----------------------------------------------------------------------------- amounts too large to store

def test_huge_quantity_times_huge_price_is_refused_at_import(capsys, tmp_path):
    sale = h.sale_json("0001-500001", h.SALES[h.JEANS])
    sale["lines"][0].update(qty=100_000, unit_price="999999999999999")
    sale["tenders"] = []
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"sales": [sale]}), encoding="utf-8")
    db = tmp_path / "s.db"
    err = refused(capsys, "import-sales", "--db", db, "--policy", SAMPLE, path)
    assert f"{path}: sales[0].lines[0]: " in err and "too large" in err, err
    with st.open_store(db) as store:
        assert st.count(store, "sales") == 0


# ----------------------------------------------------------------------------- policy files

def test_empty_reason_codes_are_refused_by_policy_check_with_their_line(capsys, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    text, n = re.subn(r"reason_codes = \[[^\]]*\]", "reason_codes = []", text)
    assert n == 1
    path = tmp_path / "empty-codes.toml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("reason_codes"))
    err = refused(capsys, "policy", "check", path)
    assert f"{path}:{line}: approval.reason_codes: " in err, err


def test_policy_file_with_a_byte_order_mark_is_accepted(capsys, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    code, out, err = run(capsys, "policy", "check", path)
    assert code == 0 and f"{path}: OK" in out, (out, err)
    bad = tmp_path / "bom-bad.toml"
    bad.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b'refund_over = "250.00"', b'refund_over = "x"'))
    line = SAMPLE.read_text(encoding="utf-8").splitlines().index('refund_over = "250.00"') + 1
    assert f"{bad}:{line}: approval.refund_over: " in refused(capsys, "policy", "check", bad)  # lines still right


# ----------------------------------------------------------------------------- a full disk

@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, str]:
    """A database with one recorded return."""
    folder = tmp_path_factory.mktemp("full")
    db = h.copy_db(h.base_db(), folder / "store.db")
    txno = h.record_returns(db, 1, receipt=h.JEANS)[0]
    return db, txno


def test_report_csv_on_a_full_disk(capsys, recorded):
    db, _ = recorded
    err = refused(capsys, "report", "--db", db, "--policy", SAMPLE, "--csv", FULL)
    assert str(FULL) in err and "disk is full" in err, err


def test_paperwork_on_a_full_disk(capsys, recorded):
    db, txno = recorded
    err = refused(capsys, "paperwork", txno, "--db", db, "--doc", "receipt", "--lang", "en", "--out", FULL)
    assert str(FULL) in err and "disk is full" in err, err


def test_journal_export_on_a_full_disk_leaves_no_complete_looking_export(capsys, recorded, tmp_path):
    db, _ = recorded
    out = tmp_path / "export"
    out.mkdir()
    (out / "events.jsonl").symlink_to(FULL)  # the second file of the export lands on a full disk
    err = refused(capsys, "journal", "export", "--db", db, "--out", out)
    assert "events.jsonl" in err and "disk is full" in err, err
    assert not (out / "SHA256SUMS").exists() and not (out / "manifest.json").exists()


def test_journal_export_over_an_earlier_export_on_a_full_disk_removes_its_claims(capsys, recorded, tmp_path):
    db, _ = recorded
    out = tmp_path / "export"
    code, _out, _err = run(capsys, "journal", "export", "--db", db, "--out", out)
    assert code == 0 and (out / "SHA256SUMS").exists()
    (out / "events.jsonl").unlink()
    (out / "events.jsonl").symlink_to(FULL)
    refused(capsys, "journal", "export", "--db", db, "--out", out)
    assert not (out / "SHA256SUMS").exists() and not (out / "manifest.json").exists()


# ----------------------------------------------------------------------------- odd schema versions

def _with_version(path: Path, version: int, tables: bool) -> Path:
    if tables:
        h.copy_db(h.base_db(), path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    return path


def test_database_with_user_version_minus_one_is_refused(capsys, tmp_path):
    db = _with_version(tmp_path / "odd.db", -1, tables=True)
    before = db.read_bytes()
    err = refused(capsys, "staff", "list", "--db", db)
    assert str(db) in err and "-1" in err, err
    assert db.read_bytes() == before


def test_database_with_user_version_one_but_not_our_schema_is_refused(capsys, tmp_path):
    db = _with_version(tmp_path / "v1.db", 1, tables=False)
    err = refused(capsys, "staff", "list", "--db", db)
    assert str(db) in err and "not a pos-returns database" in err, err


def test_database_of_schema_one_is_upgraded(capsys, tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript("BEGIN;" + st.MIGRATIONS[0] + "PRAGMA user_version = 1; COMMIT;")
    conn.close()
    code, out, err = run(capsys, "staff", "list", "--db", db)
    assert code == 0, (out, err)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == st.SCHEMA_VERSION
    conn.close()


# ----------------------------------------------------------------------------- the store's secret, typed wrong

@pytest.mark.parametrize("secret", ["not-hex", "abcd", "zz" * 32])
def test_a_store_secret_that_is_not_64_hex_digits_is_refused_with_a_message(capsys, tmp_path, monkeypatch, secret):
    monkeypatch.setenv("POS_RETURNS_SECRET", secret)
    err = refused(capsys, "demo-data", "--db", tmp_path / "demo.db", "--policy", SAMPLE)
    assert "POS_RETURNS_SECRET" in err and "64 hexadecimal digits" in err, err


def test_a_store_secret_file_edited_by_hand_is_named_in_the_message(capsys, tmp_path, monkeypatch):
    from pos_returns import keys
    monkeypatch.setenv("POS_RETURNS_CONFIG", str(tmp_path / "config"))  # this test's own, not the suite's
    secret_file = keys.config_dir() / keys.SECRET_FILE
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.write_text("0123 not a key\n", encoding="ascii")
    err = refused(capsys, "demo-data", "--db", tmp_path / "demo.db", "--policy", SAMPLE)
    assert str(secret_file) in err and "64 hexadecimal digits" in err, err
