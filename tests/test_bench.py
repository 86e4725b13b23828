"""The quick benchmark runs in CI: it must complete and report every budget of DESIGN.md.

Timing is measured, never asserted here (a slow CI machine is not a failure); the figures are in README.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {"ui_start", "scan_to_decision", "evaluate_20_lines", "commit_durable", "receipt_pdf", "monthly_report"}


def test_quick_benchmark_reports_every_budget(tmp_path):
    out = tmp_path / "results.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # a smaller store than --quick's own, in a cache of its own: this checks that the bench runs and reports,
    # not how fast (a fresh clone has no cache, and building the quick store took most of this test's time)
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--receipts", "5000",
                          "--per-day", "20", "--cache", str(tmp_path / "cache"), "--out", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    results = json.loads(out.read_text())
    metrics = results["metrics"]
    missing = {name for name in BUDGETS if not any(key.startswith(name) for key in metrics)}
    assert not missing, f"no figure for {missing}; got {sorted(metrics)}"
    for name, metric in metrics.items():
        assert metric["n"] >= 1, name
        assert 0 < metric["median_ms"] <= metric["p95_ms"], name
        assert metric["budget_ms"] > 0 and metric["result"].lower() in ("pass", "miss"), name
    assert results["data"]["sale_lines"] > results["data"]["sales"] > 0
