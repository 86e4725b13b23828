"""The schema the upgrades build is the one the SQL scripts of schemas 2-5 built before sqlite-utils wrote
them (tables, columns, constraints, indexes), for a new file and for a file of schema 1 upgraded."""

from __future__ import annotations

import sqlite3

from pos_returns.storage import store as st

# schemas 2-6 exactly as they were shipped as SQL text (5: policy versions, issue 12 item 10; 6: the signed
# journal and sealed staff rows, issue 14)
_SHIPPED = ["""
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, logged_by TEXT NOT NULL, txno TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'compliment')), category TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5), text TEXT NOT NULL,
    resolution TEXT, follow_up TEXT, closed_at TEXT);
CREATE INDEX complaints_at ON complaints(at);
CREATE INDEX journal_kind ON journal(kind);
CREATE INDEX journal_corrects ON journal(corrects);
CREATE INDEX journal_customer_at ON journal(customer_key, at);
DROP INDEX journal_customer;
""", """
ALTER TABLE approvals ADD COLUMN receipt TEXT;
ALTER TABLE approvals ADD COLUMN register TEXT;
ALTER TABLE approvals ADD COLUMN lines TEXT;
ALTER TABLE approvals ADD COLUMN seal TEXT;
""", """
CREATE INDEX sale_lines_sku ON sale_lines(sku);
""", """
CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL UNIQUE, version TEXT, effective_from TEXT,
    applies_to_earlier_sales TEXT NOT NULL DEFAULT 'no', text TEXT NOT NULL, path TEXT NOT NULL,
    loaded_at TEXT NOT NULL, loaded_by TEXT, how TEXT NOT NULL);
""", """
ALTER TABLE sale_lines ADD COLUMN sold_at TEXT;
CREATE INDEX sale_lines_sku_sold ON sale_lines(sku, sold_at, unit_price);
DROP INDEX sale_lines_sku;
""", """
ALTER TABLE journal ADD COLUMN business_day TEXT;
CREATE INDEX journal_business_day ON journal(business_day);
""", """
CREATE TABLE signatures (
    signer TEXT NOT NULL, counter INTEGER NOT NULL CHECK (counter > 0), register TEXT NOT NULL,
    seq INTEGER NOT NULL, txno TEXT NOT NULL UNIQUE, store TEXT NOT NULL, at TEXT NOT NULL, total INTEGER NOT NULL,
    currency TEXT NOT NULL, hash TEXT NOT NULL, fingerprint TEXT NOT NULL, signature TEXT NOT NULL,
    PRIMARY KEY (signer, counter));
CREATE TABLE register_keys (
    signer TEXT NOT NULL, from_counter INTEGER NOT NULL, public_key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    at TEXT NOT NULL, approved_by TEXT, reason TEXT, previous TEXT, old_key_signature TEXT,
    new_key_signature TEXT, PRIMARY KEY (signer, from_counter, fingerprint));
ALTER TABLE staff ADD COLUMN seal TEXT;
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures BEGIN SELECT RAISE(ABORT, 'signatures is append-only: write a correction instead'); END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures BEGIN SELECT RAISE(ABORT, 'signatures is append-only: write a correction instead'); END;
CREATE TRIGGER register_keys_no_update BEFORE UPDATE ON register_keys BEGIN SELECT RAISE(ABORT, 'register_keys is append-only: write a correction instead'); END;
CREATE TRIGGER register_keys_no_delete BEFORE DELETE ON register_keys BEGIN SELECT RAISE(ABORT, 'register_keys is append-only: write a correction instead'); END;
"""]


def _shape(path) -> dict:
    conn = sqlite3.connect(path)
    out = {}
    for name, kind, table, sql in conn.execute("SELECT name, type, tbl_name, sql FROM sqlite_master "
                                               "WHERE name NOT LIKE 'sqlite_%' ORDER BY name"):
        if kind == "table":
            out[name] = (kind, conn.execute(f"PRAGMA table_xinfo({name})").fetchall(),
                         sorted(conn.execute(f"PRAGMA index_list({name})").fetchall()),
                         "CHECK" in sql, "WITHOUT ROWID" in sql, "AUTOINCREMENT" in sql)
        elif kind == "index":
            out[name] = (kind, table, conn.execute(f"PRAGMA index_xinfo({name})").fetchall())
        else:
            out[name] = (kind, table, sql)
    conn.close()
    return out


def _shipped_db(path, upto: int):
    conn = sqlite3.connect(path)
    conn.executescript("BEGIN;" + st.MIGRATIONS[0] + "".join(_SHIPPED[:upto - 1])
                       + f"PRAGMA user_version = {upto}; COMMIT;")
    conn.close()
    return path


def test_a_new_database_has_the_shipped_schema(tmp_path):
    assert st.SCHEMA_VERSION == 1 + len(_SHIPPED)
    st.open_store(tmp_path / "new.db").close()
    assert _shape(tmp_path / "new.db") == _shape(_shipped_db(tmp_path / "shipped.db", st.SCHEMA_VERSION))


def test_every_older_schema_upgrades_to_the_shipped_schema(tmp_path):
    want = _shape(_shipped_db(tmp_path / "shipped.db", st.SCHEMA_VERSION))
    for version in range(1, st.SCHEMA_VERSION):
        path = _shipped_db(tmp_path / f"v{version}.db", version)
        st.open_store(path).close()
        assert _shape(path) == want, version


def _towel_sales(conn, rows):
    for receipt, sold_at, price in rows:
        conn.execute("INSERT INTO sales (receipt, store_id, sold_at, currency) VALUES (?, '0001', ?, 'USD')",
                     (receipt, sold_at))
        conn.execute("INSERT INTO sale_lines (receipt, line, sku, name, category, qty, unit_price, tax_rate) "
                     "VALUES (?, 1, 'TOWEL', 'Bath towel', 'home', 1, ?, '0.0725')", (receipt, price))


# sold at 14.00 before the look-back, at 16.99 and 15.49 inside it, at 9.99 after it: the lowest inside is 15.49
_TOWELS = [("0001-1", "2026-01-05T10:00:00", 1400), ("0001-2", "2026-03-02T10:00:00", 1699),
           ("0001-3", "2026-03-20T10:00:00", 1549), ("0001-4", "2026-05-01T10:00:00", 999)]


def test_the_lowest_price_of_a_file_upgraded_from_schema_4_comes_from_its_old_sales(tmp_path):
    from datetime import datetime
    path = _shipped_db(tmp_path / "v4.db", 4)
    conn = sqlite3.connect(path)
    with conn:
        _towel_sales(conn, _TOWELS)
    conn.close()
    with st.open_store(path) as store:  # upgraded: each old line gets its sale's time
        assert st.lowest_price(store, "TOWEL", datetime(2026, 3, 1), datetime(2026, 3, 31)) == 1549
        assert st.lowest_price(store, "TOWEL", datetime(2026, 1, 1), datetime(2026, 3, 31)) == 1400
        assert st.lowest_price(store, "TOWEL", datetime(2026, 3, 10), datetime(2026, 5, 1, 10)) == 999
        assert st.sku_facts(store, "TOWEL")["name"] == "Bath towel"


def test_the_lowest_price_of_sales_written_now_is_looked_up_by_time(tmp_path):
    from datetime import datetime
    with st.open_store(tmp_path / "new.db") as store:
        with store.write() as c:
            st.insert_sales(c, [{"receipt": r, "store_id": "0001", "sold_at": at, "currency": "USD",
                                 "gift_receipt": False, "discount": 0,
                                 "lines": [{"line": 1, "sku": "TOWEL", "name": "Bath towel", "category": "home",
                                            "qty": 1, "unit_price": price, "discount": 0, "tax_rate": "0.0725",
                                            "tags": "[]"}],
                                 "tenders": [{"type": "cash", "amount": price}]} for r, at, price in _TOWELS])
        assert st.lowest_price(store, "TOWEL", datetime(2026, 3, 1), datetime(2026, 3, 31)) == 1549
        assert st.lowest_price(store, "TOWEL", datetime(2026, 6, 1), datetime(2026, 6, 30)) is None  # none sold, no catalog price
        plan = " ".join(r["detail"] for r in store.query(
            "EXPLAIN QUERY PLAN SELECT MIN(unit_price) FROM sale_lines WHERE sku = ? AND sold_at >= ? "
            "AND sold_at <= ?", ("TOWEL", "2026-03-01", "2026-03-31")))
        assert "COVERING INDEX sale_lines_sku_sold" in plan
