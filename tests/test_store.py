"""The database itself: schema version and connection settings, a newer file refused, a full disk and a
read-only file failing cleanly, and the data promises (no card numbers, customer IDs only as salted hashes)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import storehelpers as h
from pos_returns.services import demo
from pos_returns import keys
from pos_returns.storage import store as st
from pos_returns.services.importer import SalesImportError, import_file
from pos_returns.services.counter import Counter


# ----------------------------------------------------------------------------- schema and connection

def test_new_database_has_schema_version_wal_and_full_sync(tmp_path):
    with st.open_store(tmp_path / "new.db") as store:
        assert store.one("PRAGMA user_version")["user_version"] == st.SCHEMA_VERSION
        assert store.one("PRAGMA journal_mode")["journal_mode"] == "wal"
        assert store.one("PRAGMA synchronous")["synchronous"] == 2  # FULL
        assert store.one("PRAGMA busy_timeout")["timeout"] == st.BUSY_TIMEOUT_MS
        tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"sales", "journal", "journal_lines", "journal_tenders", "staff", "approvals", "events"} <= tables
    # reopening an up-to-date database changes nothing
    with st.open_store(tmp_path / "new.db") as store:
        assert store.one("PRAGMA user_version")["user_version"] == st.SCHEMA_VERSION


def test_open_without_create_refuses_a_missing_file(tmp_path):
    with pytest.raises(st.NotFound, match="no database here"):
        st.open_store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_upgrade_from_version_1_runs_in_order(tmp_path):
    path = tmp_path / "v1.db"
    conn = h.raw(path)
    for statement in st._statements(st.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with st.open_store(path) as store:
        assert store.one("PRAGMA user_version")["user_version"] == st.SCHEMA_VERSION
        assert store.one("SELECT name FROM sqlite_master WHERE name = 'complaints'") is not None


def test_newer_database_is_refused_and_left_unchanged(tmp_path):
    path = h.fresh_db(tmp_path)
    conn = h.raw(path)
    conn.execute(f"PRAGMA user_version = {st.SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = h.sha256_file(path)
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(st.NewerDatabase) as info:
        st.open_store(path)
    assert isinstance(info.value, st.StoreError)
    message = str(info.value)
    assert str(path) in message and "newer" in message and str(st.SCHEMA_VERSION + 1) in message
    assert h.sha256_file(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    proc = h.run_cli("journal", "verify", "--db", str(path))
    assert proc.returncode == 2 and "newer" in proc.stderr and "Traceback" not in proc.stderr
    assert h.sha256_file(path) == before


# ----------------------------------------------------------------------------- a full disk, a read-only file

def _journal_snapshot(store: st.Database) -> tuple:
    return (store.query("SELECT * FROM journal ORDER BY register, seq"),
            store.query("SELECT * FROM journal_lines ORDER BY rowid"),
            store.query("SELECT * FROM journal_tenders ORDER BY rowid"),
            store.query("SELECT * FROM journal_draws ORDER BY rowid"))


def test_disk_full_fails_cleanly_and_loses_nothing(tmp_path):
    """The file is capped a few pages above its size; returns are committed until one no longer fits."""
    path = h.fresh_db(tmp_path)
    h.record_returns(path, 3)
    with st.open_store(path, create=False) as store:
        pages = store.one("PRAGMA page_count")["page_count"]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        c = h.counter(store)
        committed = 3
        for _ in range(500):
            before = _journal_snapshot(store)
            pending = c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())
            try:
                c.commit(pending)
            except st.StorageFull as exc:
                error = exc
                break
            committed += 1
        else:
            pytest.fail("the capped database never filled up")
        assert isinstance(error, st.StoreError)
        message = str(error)
        assert str(path) in message and "full" in message and "nothing was written" in message
        assert _journal_snapshot(store) == before  # no partial entry, nothing before it lost
        assert len(before[0]) == committed
        assert not store.conn.in_transaction
        assert st.verify_journal(store) == []
        # room again: the same return goes through
        store.conn.execute("PRAGMA max_page_count = 1073741823")
        tx = c.commit(pending)
        assert tx.entry.seq == committed + 1
    with st.open_store(path, create=False) as store:
        assert st.count(store, "journal") == committed + 1
        assert st.verify_journal(store) == []
        assert store.one("PRAGMA integrity_check")["integrity_check"] == "ok"


def _read_only_store(path: Path) -> st.Database:
    """The file made read-only. chmod 0444 stops a normal user; root ignores file modes, so then (as here in
    a root container) the database is opened through SQLite's read-only mode instead."""
    os.chmod(path, 0o444)
    if not os.access(path, os.W_OK):
        return st.open_store(path, create=False)
    return h.open_readonly(path)


def test_read_only_database_fails_cleanly_and_loses_nothing(tmp_path):
    path = h.fresh_db(tmp_path)
    h.record_returns(path, 2)
    before_bytes = h.sha256_file(path)
    store = _read_only_store(path)
    try:
        before = _journal_snapshot(store)
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request())
        with pytest.raises(st.ReadOnlyDatabase) as info:
            c.commit(pending)
        assert isinstance(info.value, st.StoreError)
        assert "read-only" in str(info.value) and str(path) in str(info.value)
        assert _journal_snapshot(store) == before
        # reading still works, and verifying a read-only copy is allowed (the integrity event is just skipped)
        assert c.verify() == []
        with pytest.raises(st.ReadOnlyDatabase):
            st.record_event(store, h.NOW, "note", "c1")
    finally:
        store.close()
    os.chmod(path, 0o644)
    assert h.sha256_file(path) == before_bytes
    with st.open_store(path, create=False) as store:
        assert len(_journal_snapshot(store)[0]) == 2
        assert st.verify_journal(store) == []


def test_query_only_connection_is_refused_as_read_only(tmp_path):
    path = h.fresh_db(tmp_path)
    with st.open_store(path, create=False) as store:
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(st.ReadOnlyDatabase, match="read-only"):
            store.set_setting("x", "1")
        store.conn.execute("PRAGMA query_only = OFF")
        assert store.setting("x") is None


# ----------------------------------------------------------------------------- data promises

def test_no_full_card_number_anywhere_after_demo_data_and_imports(tmp_path):
    path = tmp_path / "demo.db"
    pol = h.policy()
    with st.open_store(path) as store:
        # with its staff: the demo's earlier returns are recorded by its signed-in cashiers
        demo.build_demo(store, pol, today=h.TODAY, receipts=300)
        sales = h.write_sales_json(tmp_path / "sales.json", products=h.PRODUCTS)
        assert import_file(store, pol, sales, h.NOW).added == len(h.SALES)
        bad = h.sale_json("0001-700001", h.SALES[h.JEANS])
        bad["tenders"][0]["last4"] = "4111111111111111"
        bad_file = tmp_path / "bad.json"
        bad_file.write_text(__import__("json").dumps({"sales": [bad]}), encoding="utf-8")
        with pytest.raises(SalesImportError):
            import_file(store, pol, bad_file, h.NOW)
        bad_csv = tmp_path / "bad.csv"
        bad_csv.write_text("receipt,sold_at,line,sku,category,qty,unit_price,tax_rate,tenders\n"
                           f"0001-700002,{h.SOLD.isoformat()},1,JEANS,apparel,1,49.99,0,credit:49.99:5500000000000004\n",
                           encoding="utf-8")
        with pytest.raises(SalesImportError):
            import_file(store, pol, bad_csv, h.NOW)
        c = Counter(store, pol, clock=lambda: h.NOW)
        c.commit(c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request()))
        assert st.count(store, "journal") > 1  # the demo's earlier returns and ours
        barcodes = {r["barcode"] for r in store.query("SELECT barcode FROM products UNION SELECT barcode FROM sales")
                    if r["barcode"]}
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checked = 0
    with h.raw(path) as conn:
        for table, column, value in h.text_values(conn):
            checked += 1
            runs = [m for m in h.CARD_RUN.findall(value) if m not in barcodes]
            assert not runs, f"{table}.{column}: {runs[0]} looks like a card number"
        last4 = {v for (v,) in conn.execute("SELECT last4 FROM sale_tenders UNION SELECT last4 FROM journal_tenders")}
    assert checked > 1000
    assert last4 - {None} and all(len(v) == 4 and v.isdigit() for v in last4 - {None})
    data = h.db_bytes(path)
    assert b"4111111111111111" not in data and b"5500000000000004" not in data


def test_customer_id_is_stored_only_as_keyed_hash_and_last4(tmp_path):
    path = h.fresh_db(tmp_path)
    document = "QZ7751234987"  # a driving licence number, typed by the cashier
    imported = "PX99887766"
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c), None, h.no_receipt_request(document))
        assert pending.decision.outcome == "approved", pending.decision
        tx = c.commit(pending)
        salt = keys.store_secret()  # kept outside the database
        digest, last4 = st.hash_customer_id(salt, document)
        assert last4 == "4987"
        assert tx.entry.customer_key == "id:" + digest
        assert digest != st.hash_customer_id(b"", document)[0]  # salted
        assert store.one("SELECT customer_key FROM journal WHERE txno = ?", (tx.txno,))["customer_key"] == "id:" + digest
        # an import's customer list is hashed the same way
        sales = h.write_sales_json(tmp_path / "cust.json", {"0001-600001": h.SALES[h.JEANS]},
                                   customers=[{"id": "K77", "name": "Kim", "id_number": imported}])
        import_file(store, h.policy(), sales, h.NOW)
        row = store.one("SELECT * FROM customers WHERE id = 'K77'")
        assert (row["id_hash"], row["id_last4"]) == st.hash_customer_id(salt, imported)
        # the same customer again is recognised by the hash (for rolling limits)
        assert c.no_receipt_standing(c.customer_key(document))[0] == 1
    data = h.db_bytes(path)
    for secret in (document, imported):
        assert secret.encode() not in data
        assert secret.lower().encode() not in data
        assert secret.encode("utf-16-le") not in data
    with h.raw(path) as conn:
        for table, column, value in h.text_values(conn):
            assert document not in value and imported not in value, f"{table}.{column}"


def test_customer_id_cannot_be_recovered_from_a_copy_of_the_database(tmp_path):
    """Someone with the database file alone (not the store's secret in its config folder) tries every ID of a
    small ID space against the stored hashes, with every value stored in the file as the salt: nothing matches.
    The cashier may type the same ID with spaces and in lower case: it is the same customer."""
    path = h.fresh_db(tmp_path)
    document = "D1004217"  # a small ID space: D1000000 .. D1009999
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        tx = c.commit(c.prepare(h.signed_in(c, "c1"), None, h.no_receipt_request(document)))
        sales = h.write_sales_json(tmp_path / "cust.json", {"0001-600002": h.SALES[h.JEANS]},
                                   customers=[{"id": "K78", "name": "Kim", "id_number": "D1009876"}])
        import_file(store, h.policy(), sales, h.NOW)
        again = c.prepare(h.signed_in(c, "c1"), None, h.no_receipt_request(" d100 4217 "))
        assert again.customer_key == tx.entry.customer_key
        assert c.no_receipt_standing(again.customer_key)[0] == 1
        h.checkpoint(store)
    copy = h.copy_db(path, tmp_path / "stolen.db")
    with h.raw(copy) as conn:
        stored = {k.removeprefix("id:") for (k,) in conn.execute(
            "SELECT customer_key FROM journal WHERE customer_key IS NOT NULL UNION "
            "SELECT id_hash FROM customers WHERE id_hash IS NOT NULL")}
        values = [v for (v,) in conn.execute("SELECT value FROM settings")]
        last4 = {v for (v,) in conn.execute("SELECT id_last4 FROM customers WHERE id_last4 IS NOT NULL")}
    assert len(stored) == 2 and last4 == {"9876"}
    salts = [b""]
    for value in values:
        salts.append(value.encode())
        try:
            salts.append(bytes.fromhex(value))
        except ValueError:
            pass
    found = [(salt, n) for salt in salts for n in range(10000)
             for guess in (f"D100{n:04d}",)
             if hashlib.sha256(salt + guess.encode()).hexdigest() in stored
             or hashlib.sha256(guess.encode() + salt).hexdigest() in stored]
    assert not found, f"ID numbers recovered from the file alone: {found}"


def test_an_older_file_still_counts_a_customers_returns_recorded_under_its_salted_hash(tmp_path, monkeypatch):
    """A database written before the keyed hash kept a salt in its settings and sha256(salt + ID) keys in its
    journal. After the upgrade the same customer's earlier no-receipt return still counts for the limits, and the
    new entry carries the keyed hash only."""
    path = h.fresh_db(tmp_path)
    salt = bytes.fromhex("00112233445566778899aabbccddeeff")
    document = "QZ7751234987"
    with h.raw(path) as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('id_salt', ?)", (salt.hex(),))
    with st.open_store(path, create=False) as store:
        with monkeypatch.context() as m:  # what the older version wrote
            m.setattr(Counter, "customer_key", lambda self, doc: st.legacy_customer_key(salt, doc))
            till = h.counter(store)
            old = till.commit(till.prepare(h.signed_in(till, "c1"), None, h.no_receipt_request(document)))
        c = h.counter(store)
        key = c.customer_key("qz 775 123 4987")
        assert key != old.entry.customer_key
        assert c.no_receipt_standing(key)[0] == 1
        new = c.commit(c.prepare(h.signed_in(c, "c1"), None, h.no_receipt_request(document)))
        assert new.entry.customer_key == key
        assert c.no_receipt_standing(key)[0] == 2
