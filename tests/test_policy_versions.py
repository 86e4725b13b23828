"""Issue 12 item 10: the policy version in force when the item was sold decides the return.

The arithmetic of each situation is hand-checked in the scenario files' descriptions
(examples/policy-versions/*/scenarios); these tests run them through the command line as a manager would,
and check the ``[policy]`` table's validation (each misuse named at its line)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from casekit import ROOT, ask, case, cli_in_process, line_no, mini_policy_text, sale_line, tender, write_policy
from pos_returns.domain.policy import PolicyError, load_policy

VERSIONS = ROOT / "examples" / "policy-versions"


def cli(*args: str):
    unset = {k: None for k in os.environ if k.startswith("POS_RETURNS_")}
    return cli_in_process(args, cwd=ROOT, env=unset)


def only_problem(path: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert len(info.value.problems) == 1, info.value.problems
    return str(info.value.problems[0])


@pytest.mark.parametrize("suite", ["shorter", "longer"])
def test_versioned_scenarios_pass_under_the_version_of_the_sale_date(suite):
    folder = VERSIONS / suite
    policies = sorted(folder.glob("*.toml"))
    files = sorted((folder / "scenarios").glob("*.json"))
    assert len(policies) == 2 and len(files) >= 4
    result = cli("policy", "test", *map(str, policies), str(folder / "scenarios"))
    assert result.stdout.strip().splitlines()[-1] == f"{len(files)} passed, 0 failed", result.stdout + result.stderr
    assert result.returncode == 0


def test_the_same_scenarios_fail_under_the_newest_version_alone():
    """Proof that the version matters: under the 14-day policy alone, the 30-day sale would be refused."""
    folder = VERSIONS / "shorter"
    scenario = folder / "scenarios" / "01-sold-under-30-days-returned-after-change-to-14.json"
    result = cli("policy", "test", str(folder / "2026-14-days.toml"), str(scenario))
    assert result.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"
    assert result.returncode == 1


def evaluate(*policies: str | Path, case_file: Path) -> dict:
    args = ["evaluate"]
    for p in policies:
        args += ["--policy", str(p)]
    result = cli(*args, str(case_file))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_evaluate_takes_policy_twice_or_a_folder_and_names_the_version():
    folder = VERSIONS / "shorter"
    scenario = folder / "scenarios" / "01-sold-under-30-days-returned-after-change-to-14.json"
    twice = evaluate(folder / "2026-14-days.toml", folder / "2025-30-days.toml", case_file=scenario)
    by_folder = evaluate(folder, case_file=scenario)
    assert twice == by_folder
    assert twice["outcome"] == "approved" and twice["refund_total"] == "108.00"
    assert twice["policy_version"] == {"id": "2025", "sha256": load_policy(folder / "2025-30-days.toml").sha256,
                                       "effective_from": "2025-01-01"}
    assert twice["policy_sha256"] == twice["policy_version"]["sha256"]
    alone = evaluate(folder / "2026-14-days.toml", case_file=scenario)
    assert alone["outcome"] == "denied"
    assert alone["policy_version"]["id"] == "2026-03"
    assert "policy.version" not in alone["rules"]  # one policy: decided exactly as without versions


def test_without_versions_the_decision_is_as_before_and_names_the_file(tmp_path):
    path = write_policy(tmp_path, mini_policy_text())
    data = case(lines=[sale_line(1, price="10.00")], tenders=[tender("cash", "10.00")], asks=[ask(1)])
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(data), encoding="utf-8")
    out = evaluate(path, case_file=case_file)
    sha = load_policy(path).sha256
    assert out["policy_version"] == {"id": sha[:12], "sha256": sha, "effective_from": None}
    assert out["rules"] == [r for r in out["rules"] if not r.startswith("policy.version")]


def test_evaluate_refuses_versions_that_cannot_be_told_apart(tmp_path):
    a = write_policy(tmp_path, mini_policy_text(), "a.toml")
    b = write_policy(tmp_path, mini_policy_text(default_days=14), "b.toml")
    scenario = VERSIONS / "shorter" / "scenarios" / "02-sold-under-14-days-denied-on-day-18.json"
    result = cli("evaluate", "--policy", str(a), "--policy", str(b), str(scenario))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{a}: a policy given with other versions needs [policy] effective_from" in result.stderr
    same_day = '[policy]\neffective_from = 2026-03-01\n'
    c = write_policy(tmp_path, mini_policy_text(body=same_day), "c.toml")
    d = write_policy(tmp_path, mini_policy_text(default_days=14, body=same_day), "d.toml")
    result = cli("evaluate", "--policy", str(c), "--policy", str(d), str(scenario))
    assert result.returncode == 2
    assert f"{d}: effective_from 2026-03-01 is also the start of {c}" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("evaluate", "--policy", str(empty), str(scenario))
    assert result.returncode == 2 and "the folder has no policy files" in result.stderr


# ----------------------------------------------------------------------------- validation, each with its line

def test_policy_table_reads_version_and_dates(tmp_path):
    path = write_policy(tmp_path, mini_policy_text(body='[policy]\nversion = "2026-spring"\n'
                                                        'effective_from = 2026-03-01\n'
                                                        'applies_to_earlier_sales = "when_more_generous"\n'))
    policy = load_policy(path)
    assert policy.version_id == "2026-spring"
    assert str(policy.version.effective_from) == "2026-03-01"
    assert policy.version.applies_to_earlier_sales == "when_more_generous"


@pytest.mark.parametrize("body, needle, key, message", [
    ('[policy]\neffective_from = "2026-03-01"\n', "effective_from", "policy.effective_from",
     "must be a date written as YYYY-MM-DD without quotes, not a string"),
    ('[policy]\neffective_from = 2026-03-01\napplies_to_earlier_sales = "always"\n', "applies_to_earlier_sales",
     "policy.applies_to_earlier_sales", "'always' is not one of: no, when_more_generous"),
    ('[policy]\neffective_from = 2026-03-01\napplies_to_earlier = "no"\n', "applies_to_earlier =",
     "policy.applies_to_earlier", "unknown key 'applies_to_earlier' (did you mean 'applies_to_earlier_sales'?)"),
    ('[policy]\neffective_from = 2026-03-01\nversion = ""\n', "version =", "policy.version", "must not be empty"),
])
def test_policy_table_misuse_is_named_at_its_line(tmp_path, body, needle, key, message):
    text = mini_policy_text(body=body)
    path = write_policy(tmp_path, text)
    assert only_problem(path) == f"{path}:{line_no(text, needle)}: {key}: {message}"


def test_applies_to_earlier_sales_without_a_start_day_is_refused(tmp_path):
    text = mini_policy_text(body='[policy]\napplies_to_earlier_sales = "when_more_generous"\n')
    path = write_policy(tmp_path, text)
    problem = only_problem(path)
    assert problem.startswith(f"{path}:{line_no(text, '[policy]')}: policy: missing required key 'effective_from'")


def test_policy_written_as_a_value_is_refused(tmp_path):
    text = mini_policy_text().replace("[store]", 'policy = "2026"\n\n[store]')
    path = write_policy(tmp_path, text)
    assert only_problem(path) == f"{path}:{line_no(text, 'policy =')}: policy: must be a table [policy], not a string"


# ----------------------------------------------------------------------------- at the counter: kept, decided, journaled

def _store_with_versions(tmp_path):
    """A till database that loaded version 2025 (30 days) in January and version 2026-03 (14 days) in February,
    with a drill sold on 2026-02-20 (100.00 + 8.00 tax by card 4242) and one sold on 2026-03-02."""
    from datetime import datetime
    from pos_returns.services.counter import Counter, note_policy
    from pos_returns.services.importer import import_file
    from pos_returns.storage import store as st
    folder = VERSIONS / "shorter"
    old, new = load_policy(folder / "2025-30-days.toml"), load_policy(folder / "2026-14-days.toml")
    store = st.open_store(tmp_path / "till.db")
    setup = Counter(store, old, clock=lambda: datetime(2025, 1, 2, 9))
    setup.add_staff("c1", "Alice", "cashier", "1111")
    assert note_policy(store, old, "m1", datetime(2025, 1, 2, 9), "counter")
    assert note_policy(store, new, "m1", datetime(2026, 2, 27, 18), "cli")
    assert not note_policy(store, new, "m1", datetime(2026, 2, 28, 9))  # the same text again: nothing new
    sales = {"sales": [
        {"receipt": r, "store": "0001", "register": "R9", "sold_at": at,
         "lines": [{"line": 1, "sku": "DR-18V", "name": "18V cordless drill", "category": "general", "qty": 1,
                    "unit_price": "100.00", "tax_rate": "0.08"}],
         "tenders": [{"type": "credit", "amount": "108.00", "last4": "4242"}]}
        for r, at in (("0001-007001", "2026-02-20T12:00:00"), ("0001-007002", "2026-03-02T12:00:00"))]}
    (tmp_path / "sales.json").write_text(json.dumps(sales), encoding="utf-8")
    assert import_file(store, new, tmp_path / "sales.json", datetime(2026, 3, 3, 8)).added == 2
    return store, old, new


def test_the_store_keeps_every_version_it_loaded(tmp_path):
    from pos_returns.storage import store as st
    store, old, new = _store_with_versions(tmp_path)
    rows = st.policy_versions(store)
    store.close()
    assert [(r["sha256"], r["version"], r["effective_from"], r["loaded_by"], r["how"]) for r in rows] == [
        (old.sha256, "2025", "2025-01-01", "m1", "counter"), (new.sha256, "2026-03", "2026-03-01", "m1", "cli")]
    assert rows[0]["text"] == (VERSIONS / "shorter" / "2025-30-days.toml").read_text(encoding="utf-8")
    assert rows[1]["loaded_at"] == "2026-02-27T18:00:00"


def test_the_counter_decides_under_the_version_of_the_sale_and_the_paperwork_names_it(tmp_path):
    from datetime import datetime
    from pos_returns.domain.model import Request, RequestLine
    from pos_returns.services import paperwork
    from pos_returns.services.counter import Counter
    store, old, new = _store_with_versions(tmp_path)
    counter = Counter(store, new, clock=lambda: datetime(2026, 3, 15, 10))  # the till runs the 14-day version
    cashier = counter.sign_in("c1", "1111")
    ask_one = Request(type="return", lines=(RequestLine(line=1, qty=1, condition="unopened", reason="changed_mind"),))
    # sold 2026-02-20 under 30 days (until 2026-03-22): day 23 is approved, 100.00 + 8.00 tax back to the card
    pending = counter.prepare(cashier, counter.lookup("0001-007001"), ask_one)
    assert (pending.decision.outcome, pending.decision.refund_total.plain()) == ("approved", "108.00")
    assert pending.decision.policy_version.id == "2025"
    tx = counter.commit(pending, [])
    # sold 2026-03-02 under 14 days (until 2026-03-16): day 13 still approved; the journal names version 2026-03
    later = counter.prepare(cashier, counter.lookup("0001-007002"), ask_one)
    assert later.decision.policy_version.id == "2026-03" and later.decision.outcome == "approved"
    entry = counter.store.one("SELECT policy_sha256, payload FROM journal WHERE txno = ?", (tx.txno,))
    assert entry["policy_sha256"] == old.sha256
    assert json.loads(entry["payload"])["decision"]["policy_version"] == {
        "id": "2025", "sha256": old.sha256, "effective_from": "2025-01-01"}
    record = paperwork.load_transaction(store, tx.txno)
    assert (record.policy_version, str(record.policy_from), record.policy_sha256) == ("2025", "2025-01-01",
                                                                                       old.sha256)
    from pos_returns.documents import receipts
    texts = [getattr(el, "text", "") for el in receipts.receipt_doc(record, "en").elements]
    assert "Policy version 2025, in force from January 1, 2025" in texts, texts
    assert any("policy.version" in t for t in texts)
    store.close()


def test_whatif_names_the_versions_that_decided_and_what_a_dated_version_changes(tmp_path):
    from datetime import datetime
    from pos_returns.domain.model import Request, RequestLine
    from pos_returns.services.counter import Counter
    store, old, new = _store_with_versions(tmp_path)
    counter = Counter(store, new, clock=lambda: datetime(2026, 3, 15, 10))
    cashier = counter.sign_in("c1", "1111")
    ask_one = Request(type="return", lines=(RequestLine(line=1, qty=1, condition="unopened", reason="changed_mind"),))
    for receipt in ("0001-007001", "0001-007002"):  # day 23 under 2025 (30 days), day 13 under 2026-03 (14 days)
        counter.commit(counter.prepare(cashier, counter.lookup(receipt), ask_one), [])
    store.close()
    # a 7-day version from 2026-06-01: both returns were more than 7 days after the sale
    week = (VERSIONS / "shorter" / "2026-14-days.toml").read_text(encoding="utf-8")
    week = week.replace('version = "2026-03"', 'version = "2026-06"').replace("2026-03-01", "2026-06-01")
    week = week.replace("days = 14", "days = 7")
    candidate = write_policy(tmp_path, week, "2026-06.toml")
    result = cli("whatif", "--db", str(tmp_path / "till.db"), "--policy", str(candidate), "--details",
                 "--from", "2026-03-01", "--to", "2026-03-31")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 returns replayed, 2 decisions change" in out
    assert "[decided under 2025 (2025-01-01)]" in out and "[decided under 2026-03 (2026-03-01)]" in out
    assert ("new policy version 2026-06, in force from 2026-06-01 "
            "(earlier sales keep the version they were sold under)") in out
    assert "changed decisions by the version that made them: 2025 (2025-01-01): 1, 2026-03 (2026-03-01): 1" in out
    assert "2 of the changes are of sales before 2026-06-01: at the counter they keep their decision" in out


def test_policy_show_names_each_version_and_what_it_does_for_earlier_sales():
    folder = VERSIONS / "longer"
    result = cli("policy", "show", str(folder))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    old, new = load_policy(folder / "2025-14-days.toml"), load_policy(folder / "2026-30-days.toml")
    assert lines[0] == f"{folder / '2025-14-days.toml'}: Maple Street Hardware (0001), sha256 {old.sha256[:12]}"
    assert lines[1] == ("Policy version 2025, in force for sales from Jan 1, 2025. Earlier sales keep the version "
                        "they were sold under.")
    head = [i for i, ln in enumerate(lines) if ln.startswith(str(folder / "2026-30-days.toml"))]
    assert len(head) == 1 and lines[head[0]].endswith(f"sha256 {new.sha256[:12]} [in force today]")
    assert lines[head[0] + 1] == ("Policy version 2026-03, in force for sales from Mar 1, 2026. It also decides "
                                  "earlier sales where it is more generous on every line of the return.")
    assert ("fee.electronics_opened  (Restocking fee; categories: electronics) [overridable]\n"
            "    Restocking fee of 10% of the price paid, for items that are: opened.") in result.stdout
    vi = cli("policy", "show", "--lang", "vi", str(folder / "2026-30-days.toml"))
    assert vi.returncode == 0 and "2026-03" in vi.stdout.splitlines()[1]
    assert "Policy version" not in vi.stdout  # translated


def test_policy_keep_stores_earlier_versions_for_a_store_that_never_loaded_them(tmp_path):
    from pos_returns.storage import store as st
    db = tmp_path / "till.db"
    assert cli("db", "init", "--db", str(db)).returncode == 0
    folder = VERSIONS / "shorter"
    first = cli("policy", "keep", "--db", str(db), "--by", "m1", str(folder))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [f"{folder / '2025-30-days.toml'}: version 2025 from 2025-01-01: kept",
                                         f"{folder / '2026-14-days.toml'}: version 2026-03 from 2026-03-01: kept"]
    again = cli("policy", "keep", "--db", str(db), str(folder / "2025-30-days.toml"))
    assert again.stdout.strip().endswith("version 2025 from 2025-01-01: already kept")
    with st.open_store(db, create=False) as store:
        rows = st.policy_versions(store, with_text=False)
    assert [(r["version"], r["loaded_by"], r["how"]) for r in rows] == [("2025", "m1", "cli"), ("2026-03", "m1", "cli")]
    undated = cli("policy", "keep", "--db", str(db), "policies.toml", str(folder / "2025-30-days.toml"))
    assert undated.returncode == 2 and "needs [policy] effective_from" in undated.stderr


def test_journal_export_carries_every_kept_version_an_auditor_can_hash(tmp_path):
    from datetime import datetime
    from pos_returns.manager.export import export_journal, verify_export
    store, old, new = _store_with_versions(tmp_path)
    out = tmp_path / "export"
    manifest = export_journal(store, out, datetime(2026, 3, 20, 18))
    store.close()
    assert [(v["version"], v["sha256"], v["effective_from"]) for v in manifest["policy_versions"]] == [
        ("2025", old.sha256, "2025-01-01"), ("2026-03", new.sha256, "2026-03-01")]
    assert (out / f"policy-{old.sha256}.toml").read_bytes() == (VERSIONS / "shorter" / "2025-30-days.toml").read_bytes()
    assert f"policy-{new.sha256}.toml" in (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert verify_export(out) == []
    changed = out / f"policy-{old.sha256}.toml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("days = 30", "days = 60"), encoding="utf-8")
    problems = verify_export(out)
    assert f"policy-{old.sha256}.toml: does not match SHA256SUMS" in problems
    assert f"policy-{old.sha256}.toml: the text is not the policy {old.sha256[:12]} the journal names" in problems


def test_no_receipt_before_every_version_and_a_version_not_yet_in_force(tmp_path):
    # no receipt, on a day before the earliest version: the earliest decides, and the decision says so
    nr = json.loads((VERSIONS / "shorter" / "scenarios" / "04-no-receipt-uses-version-in-force-today.json")
                    .read_text(encoding="utf-8"))
    nr["now"] = "2024-12-30T10:00:00"
    case_file = tmp_path / "early.json"
    case_file.write_text(json.dumps(nr), encoding="utf-8")
    out = evaluate(VERSIONS / "shorter", case_file=case_file)
    assert out["policy_version"]["id"] == "2025" and "policy.version.earliest" in out["rules"]
    assert out["reasons"][-1] == ("No receipt, and no policy version is in force yet today: decided under the "
                                  "earliest, version 2025 (from Jan 1, 2025).")
    # a more generous version that starts after today does not decide yet: day 20 of a 14-day window is refused
    folder = VERSIONS / "longer"
    later = (folder / "2026-30-days.toml").read_text(encoding="utf-8").replace("2026-03-01", "2026-04-01")
    coming = write_policy(tmp_path, later, "coming.toml")
    scenario = folder / "scenarios" / "01-sold-under-14-days-newer-30-day-version-applies.json"
    out = evaluate(folder / "2025-14-days.toml", coming, case_file=scenario)
    assert (out["outcome"], out["refund_total"], out["policy_version"]["id"]) == ("denied", "0.00", "2025")
