"""A short soak in CI: two tills (processes) on one database, then every journal and money invariant."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_two_tills_keep_every_invariant(tmp_path):
    db = tmp_path / "soak.db"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "soak.py"), "--count", "200", "--processes", "2",
                           "--db", str(db), "--receipts", "1500", "--json"],
                          capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert "Traceback" not in proc.stderr, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["violations"] == [], summary["violations"]
    assert proc.returncode == 0, proc.stderr
    assert summary["committed"] > 20, summary
    assert summary["days_closed"] >= 1
    outcomes = summary["outcomes"]
    assert outcomes.get("committed_return", 0) > 0
    assert not any(k.startswith("VIOLATION") for k in outcomes)


def test_soak_reports_a_violation(tmp_path):
    """The checker is not vacuous: a sale line returned twice over is named and exits 1."""
    sys.path.insert(0, str(ROOT / "tools"))
    import soak
    from pos_returns.storage import store as st

    db = tmp_path / "bad.db"
    soak.build_store(db, 200, 3)
    with st.open_store(db, create=False) as store:
        line = store.one("SELECT receipt, line, qty, sku FROM sale_lines LIMIT 1")
        with store.write() as c:  # forge the detail row only (the journal verify must also name it)
            c.execute("INSERT INTO journal_lines (txno, receipt, line, sku, qty, outcome, refund) "
                      "VALUES ('X-1', ?, ?, ?, ?, 'approved', 0)",
                      (line["receipt"], line["line"], line["sku"], line["qty"] + 1))
    problems, _ = soak.check(db, [])
    assert any(f"receipt {line['receipt']} line {line['line']}" in p for p in problems), problems
    assert any("journal verify" in p for p in problems), problems


def test_four_tills_returning_different_lines_of_the_same_receipts_over_refund_no_tender(tmp_path):
    """Each of 4 tills (processes) returns its own line of the same split-tender receipts, scanning a few before
    committing any: no tender gets back more than it paid, every line is returned once, and each receipt refunds
    exactly what it was paid."""
    db = tmp_path / "lines.db"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "soak.py"), "--workload", "different-lines",
                           "--count", "40", "--processes", "4", "--db", str(db), "--receipts", "200", "--json"],
                          capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert "Traceback" not in proc.stderr, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["violations"] == [], summary["violations"]
    assert proc.returncode == 0, proc.stderr
    assert summary["workload"] == "different-lines" and summary["processes"] == 4
    assert summary["committed"] == 40 * 4, summary
    assert not any(k.startswith("VIOLATION") for k in summary["outcomes"])
