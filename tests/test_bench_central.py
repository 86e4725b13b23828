"""The central-lookup benchmark (bench/central.py) runs and reports its metric (small size; timing not asserted)."""

import json
import os
import subprocess
import sys

import pytest

from casekit import ROOT
from pgkit import unavailable


def test_the_central_lookup_benchmark_reports_its_metric_beside_its_floor(tmp_path):
    why = unavailable()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the chain benchmark: {why}")
        pytest.skip(why)
    out = tmp_path / "central.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "central.py"), "--lines", "20000", "--samples", "50",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["data"]["sale_lines"] == 20000 and result["data"]["sales"] == 8000
    for name in ("central_lookup", "central_lookup_kept", "floor"):
        m = result["metrics"][name]
        assert m["n"] == 50 and 0 < m["median_ms"] <= m["p95_ms"] and m["result"] in ("pass", "miss"), m
