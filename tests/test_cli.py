"""End to end through ``python -m pos_returns``: exit codes, output, and messages for a user's mistakes.

Most tests run the command line in this process (``cli``: ``cli.main`` with its streams captured); the few
marked ``cli_process`` start the real ``python -m pos_returns``, where the process is the point (the entry
point, exit codes and usage errors as the shell sees them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from casekit import ask, case, cli_in_process, mini_policy_text, sale_line, tender, write_policy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "policies.toml"
SCENARIOS = ROOT / "scenarios"
KEPT = ("POS_RETURNS_CONFIG", "POS_RETURNS_TEST_SCRYPT_LOG_N")  # the suite's own set-up (tests/conftest.py)


def cli_process(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """The real ``python -m pos_returns``, without the caller's POS_RETURNS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_RETURNS_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "pos_returns", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def cli(*args: str) -> subprocess.CompletedProcess:
    """The command line in this process, without the caller's POS_RETURNS_* settings."""
    unset = {k: None for k in os.environ if k.startswith("POS_RETURNS_") and k not in KEPT}
    return cli_in_process(args, cwd=ROOT, env=unset)


def assert_user_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def good_case() -> dict:
    return case(lines=[sale_line(1, sku="TV55", category="electronics", price="499.99", discount="50.00",
                                 tax="0.08", tags=("serialized",), serial="SN1")],
                tenders=[tender("credit", "485.99", "4242")],
                asks=[ask(1, 1, "opened", serial="SN1")],
                sold_at="2025-12-01T11:20:00", now="2026-01-10T15:00:00")


def write_json(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- policy check

def test_policy_check_sample_ok():
    result = cli_process("policy", "check", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert result.stderr == ""


def test_policy_check_errors_exit_2_with_file_line_path(tmp_path):
    text = mini_policy_text(body="""
        [[window]]
        id = "window.grocery"
        categories = ["grocery"]
        dayz = 7

        [approval]
        refund_over = "-5"
    """)
    path = write_policy(tmp_path, text)
    result = cli_process("policy", "check", str(path))
    assert_user_error(result)
    lines = result.stderr.splitlines()
    dayz_line = next(n for n, line in enumerate(text.splitlines(), 1) if "dayz" in line)
    over_line = next(n for n, line in enumerate(text.splitlines(), 1) if "refund_over" in line)
    assert any(line.startswith(f"{path}:{dayz_line}: window[2].dayz: unknown key 'dayz'") for line in lines), lines
    assert any(line.startswith(f"{path}:{over_line}: approval.refund_over: ") for line in lines), lines
    assert result.stdout == ""


def test_policy_check_syntax_error(tmp_path):
    path = write_policy(tmp_path, mini_policy_text(body='[approval]\nrefund_over = "250\n'))
    result = cli("policy", "check", str(path))
    assert_user_error(result, str(path), "(syntax)")


def test_policy_check_missing_file(tmp_path):
    result = cli("policy", "check", str(tmp_path / "missing.toml"))
    assert_user_error(result, "missing.toml", "not found")


# ----------------------------------------------------------------------------- policy test

# The sample's scenarios against the sample policy, and each example store's scenarios against its own policy.
# Every one must pass: a wrong expected refund (or a wrong engine) is a red test, never an accepted exit 1.
SCENARIO_SUITES = {
    "sample": (SAMPLE, SCENARIOS),
    **{name: (ROOT / "examples" / name / "policies.toml", ROOT / "examples" / name / "scenarios")
       for name in ("prague", "hanoi", "taipei", "electronics", "furniture", "chain",
                    "bestbuy", "costco", "homedepot", "ikea", "alza", "cantho", "target")},
}


def scenario_suite(name: str) -> tuple[Path, Path, list[Path]]:
    """The suite's policy, folder and scenario files; a missing policy, folder or an empty folder fails."""
    policy, folder = SCENARIO_SUITES[name]
    assert policy.is_file(), f"{policy} is missing"
    assert folder.is_dir(), f"the scenario folder {folder} is missing"
    files = sorted(folder.rglob("*.json"))
    assert files, f"the scenario folder {folder} has no scenario files"
    return policy, folder, files


def summary_counts(result: subprocess.CompletedProcess) -> tuple[int, int]:
    summary = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"(\d+) passed, (\d+) failed", summary)
    assert match, (summary, result.stdout, result.stderr)
    return int(match[1]), int(match[2])


def test_every_example_store_has_a_scenario_suite():
    examples = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "policies.toml").is_file())
    assert examples and set(examples) <= set(SCENARIO_SUITES), (examples, sorted(SCENARIO_SUITES))


@pytest.mark.parametrize("suite", sorted(SCENARIO_SUITES))
def test_policy_test_every_scenario_passes(suite):
    policy, folder, files = scenario_suite(suite)
    result = cli("policy", "test", str(policy), str(folder))
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert summary_counts(result) == (len(files), 0), result.stdout


@pytest.mark.parametrize("suite", sorted(SCENARIO_SUITES))
def test_policy_test_goes_red_on_a_wrong_expected_refund(suite, tmp_path):
    """The suite above can fail: one expected refund off by one minor unit in a copy of the folder is named."""
    policy, folder, files = scenario_suite(suite)
    copy = tmp_path / "scenarios"
    shutil.copytree(folder, copy)
    victim = next(f for f in files if "refund_total" in json.loads(f.read_text(encoding="utf-8"))["expect"])
    target = copy / victim.relative_to(folder)
    data = json.loads(target.read_text(encoding="utf-8"))
    expected = Decimal(data["expect"]["refund_total"])
    data["expect"]["refund_total"] = str(expected + Decimal(1).scaleb(expected.as_tuple().exponent))
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    result = cli("policy", "test", str(policy), str(copy))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert summary_counts(result) == (len(files) - 1, 1), result.stdout
    assert victim.name in result.stdout and "refund_total" in result.stdout, result.stdout


def test_policy_test_on_a_missing_scenario_folder_fails(tmp_path):
    result = cli("policy", "test", str(SAMPLE), str(tmp_path / "no-such-folder"))
    assert_user_error(result, "no-such-folder")


def test_policy_test_counts_passes_and_failures(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    good = good_case()
    good["expect"] = {"outcome": "needs_approval", "refund_total": "418.49",
                      "lines": [{"line": 1, "fee": "67.50", "rules": ["serial.match", "window.holiday",
                                                                       "fee.electronics_opened"]}]}
    write_json(folder, "01-good.json", good)
    bad = good_case()
    bad["expect"] = {"outcome": "approved"}
    write_json(folder, "02-bad.json", bad)
    result = cli_process("policy", "test", str(SAMPLE), str(folder))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert "02-bad.json" in result.stdout
    assert "outcome" in result.stdout

    (folder / "02-bad.json").unlink()
    result = cli_process("policy", "test", str(SAMPLE), str(folder))
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"


# ----------------------------------------------------------------------------- evaluate

def test_evaluate_prints_the_decision_json(tmp_path):
    path = write_json(tmp_path, "case.json", good_case())
    result = cli_process("evaluate", "--policy", str(SAMPLE), str(path))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["outcome"] == "needs_approval"
    assert decision["currency"] == "USD"
    line = decision["lines"][0]
    assert (line["item"], line["fee"], line["tax"], line["refund"]) == ("449.99", "67.50", "36.00", "418.49")
    assert line["rules"] == ["serial.match", "window.holiday", "fee.electronics_opened"]
    assert decision["refund_tenders"] == [{"type": "credit", "amount": "418.49", "last4": "4242"}]
    assert [a["rule"] for a in decision["approvals"]] == ["approval.large_refund"]
    for key in ("refund_total", "exchange_total", "balance_due"):
        assert isinstance(decision[key], str)


def test_evaluate_in_another_language(tmp_path):
    path = write_json(tmp_path, "case.json", good_case())
    english = json.loads(cli("evaluate", "--policy", str(SAMPLE), str(path)).stdout)
    result = cli("evaluate", "--policy", str(SAMPLE), "--locale", "cs", str(path))
    assert result.returncode == 0, result.stderr
    czech = json.loads(result.stdout)
    assert czech["refund_total"] == english["refund_total"]
    assert czech["lines"][0]["rules"] == english["lines"][0]["rules"]
    assert czech["lines"][0]["reasons"] != english["lines"][0]["reasons"]


def test_evaluate_missing_file(tmp_path):
    missing = tmp_path / "nope.json"
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(missing)), "nope.json", "not found")


def test_evaluate_bad_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "now": "2026-01-10T15:00:00",\n  "sale": {,\n}\n', encoding="utf-8")
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)), "broken.json", "line 3")


def test_evaluate_json_float_amount(tmp_path):
    data = good_case()
    text = json.dumps(data, indent=2).replace('"unit_price": "499.99"', '"unit_price": 499.99')
    assert '"unit_price": 499.99' in text
    path = tmp_path / "float.json"
    path.write_text(text, encoding="utf-8")
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)),
                      "float.json", "sale.lines[0].unit_price", '"499.99"')


def test_evaluate_unknown_line_number(tmp_path):
    data = good_case()
    data["request"]["lines"][0]["line"] = 7
    path = write_json(tmp_path, "unknown-line.json", data)
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)),
                      "unknown-line.json", "request.lines[0].line", "no line 7")


def test_evaluate_negative_quantity(tmp_path):
    data = good_case()
    data["request"]["lines"][0]["qty"] = -1
    path = write_json(tmp_path, "negative.json", data)
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)),
                      "negative.json", "request.lines[0].qty", "-1")


def test_evaluate_unknown_locale(tmp_path):
    path = write_json(tmp_path, "case.json", good_case())
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), "--locale", "klingon", str(path)),
                      "--locale", "klingon")


def test_evaluate_with_a_broken_policy(tmp_path):
    policy = write_policy(tmp_path, mini_policy_text(body='[approval]\nrefund_ovr = "1"\n'))
    path = write_json(tmp_path, "case.json", good_case())
    assert_user_error(cli("evaluate", "--policy", str(policy), str(path)), str(policy), "approval.refund_ovr")


def test_evaluate_case_that_is_not_an_object(tmp_path):
    path = write_json(tmp_path, "list.json", [1, 2, 3])
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)), "list.json")


def test_unknown_subcommand():
    result = cli_process("frobnicate")
    assert_user_error(result, "frobnicate")


def test_no_subcommand_is_a_usage_error():
    result = cli_process()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_evaluate_absurd_amount_is_a_user_error(tmp_path):
    data = good_case()
    data["sale"]["lines"][0]["unit_price"] = "1e30"
    path = write_json(tmp_path, "huge.json", data)
    assert_user_error(cli("evaluate", "--policy", str(SAMPLE), str(path)), "huge.json", "sale.lines[0].unit_price")


# ----------------------------------------------------------------------------- house rules

def test_the_command_line_goes_through_services_not_storage():
    """No module of pos_returns/cli imports the storage layer (DESIGN.md: ui/CLI -> services -> storage)."""
    import ast
    found = []
    for path in sorted((ROOT / "pos_returns" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names] \
                if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}:{node.lineno}: {n}" for n in names if n.startswith("pos_returns.storage")]
    assert found == []
