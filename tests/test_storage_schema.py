"""The schema the upgrades build is the one the SQL scripts of schemas 2-4 built before sqlite-utils wrote
them (tables, columns, constraints, indexes), for a new file and for a file of schema 1 upgraded."""

from __future__ import annotations

import sqlite3

from pos_returns.storage import store as st

# schemas 2-4 exactly as they were shipped as SQL text
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
ALTER TABLE journal ADD COLUMN business_day TEXT;
CREATE INDEX journal_business_day ON journal(business_day);
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
