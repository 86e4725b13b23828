"""The what-if replay reads journaled cases with the trusted fast reader (domain.case.TrustedReader): it must
decide exactly what the full validating reader decides, and what the counter recorded.

The journal is a varied one recorded through the real ``services.Counter.commit`` (the benchmark's year of
returns, scaled down: returns of one or more lines, partial quantities, every condition and reason,
exchanges, returns without a receipt, manager approvals) on the demo store. The oracle is the recorded
decision of each entry, read from the file with plain SQL and json.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections import Counter as Tally

import pytest

import storehelpers as h
from pos_returns.domain.case import CaseError, TrustedReader, read_case
from pos_returns.domain.engine import evaluate
from pos_returns.domain.policy import load_policy
from pos_returns.manager import reports as manager
from pos_returns.services import demo
from pos_returns.storage import store as st


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    sys.path.insert(0, str(h.ROOT / "bench"))
    try:
        import dataset
    finally:
        sys.path.remove(str(h.ROOT / "bench"))
    policy = h.policy()
    path = tmp_path_factory.mktemp("trusted") / "year.db"
    with st.open_store(path) as store:
        demo.build_demo(store, policy, today=dataset.TODAY, receipts=1500, returns=False)
    counts = dataset.add_year_of_returns(path, policy, per_day=12, days=40, progress=lambda _m: None)
    return path, counts


def recorded(path) -> list[tuple[str, dict, dict]]:
    """(txno, case, recorded decision) of every real return, exchange and no-receipt return, in journal order."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT txno, payload FROM journal WHERE training = 0 AND kind IN "
                            "('return', 'exchange', 'no_receipt') ORDER BY at, rowid").fetchall()
    finally:
        conn.close()
    return [(txno, p["case"], p["decision"]) for txno, p in ((t, json.loads(text)) for t, text in rows)]


def test_the_journal_is_varied(journal):
    path, counts = journal
    entries = recorded(path)
    kinds = Tally(case["request"]["type"] if case["sale"] else "no_receipt" for _t, case, _d in entries)
    outcomes = Tally(d["outcome"] for _t, _c, d in entries)
    conditions = {ln["condition"] for _t, c, _d in entries for ln in c["request"]["lines"]}
    assert kinds["return"] > 100 and kinds["exchange"] > 5 and kinds["no_receipt"] > 3, kinds
    assert outcomes["approved"] and outcomes["needs_approval"] and outcomes["partial"], outcomes
    assert conditions == {"unopened", "opened", "defective", "damaged"}
    assert any(len(c["request"]["lines"]) > 2 for _t, c, _d in entries)
    assert counts["approved_by_manager"] > 0


def test_each_journaled_case_reads_the_same_and_decides_what_was_recorded(journal):
    path, _counts = journal
    policy = h.policy()
    reader = TrustedReader(policy)
    for txno, case_json, was in recorded(path):
        fast = reader.read(case_json, txno)
        assert fast == read_case(case_json, policy, txno), txno
        now = evaluate(policy, fast.sale, fast.request, fast.history, fast.now)
        assert (now.outcome, now.refund_total.plain(), now.exchange_total.plain(), now.balance_due.plain()) == \
            (was["outcome"], was["refund_total"], was["exchange_total"], was["balance_due"]), txno
        assert [(ln.line, ln.qty, ln.outcome, ln.refund.plain(), ln.fee.plain(), list(ln.rules))
                for ln in now.lines] == \
            [(ln["line"], ln["qty"], ln["outcome"], ln["refund"], ln["fee"], ln["rules"]) for ln in was["lines"]], txno
        assert [(t.type, t.amount.plain()) for t in now.refund_tenders] == \
            [(t["type"], t["amount"]) for t in was["refund_tenders"]], txno
    assert reader.fallbacks == 0  # every entry the counter wrote is read on the fast path


def test_a_replay_under_the_same_policy_changes_nothing(journal):
    path, counts = journal
    with st.open_store(path, create=False) as store:
        result = manager.what_if(store, h.policy())
    assert result.replayed == counts["entries"] == len(recorded(path))
    assert result.changed == [] and result.unreadable == [] and result.difference == 0


def changed_policy(folder):
    """Windows cut to a third and the reason unwanted_gift gone: many decisions change, and the returns for an
    unwanted gift cannot be read under it."""
    text = (h.ROOT / "policies.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(days\s*=\s*)(\d+)", lambda m: f"{m.group(1)}{max(1, int(m.group(2)) // 3)}", text)
    text, n = re.subn(r'"unwanted_gift",?\s*', "", text)
    assert n
    path = folder / "changed.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_fast_and_full_readers_replay_a_changed_policy_the_same(journal, tmp_path):
    path, _counts = journal
    policy = changed_policy(tmp_path)
    with st.open_store(path, create=False) as store:
        fast = manager.what_if(store, policy)
        full = manager.what_if(store, policy, full_reader=True)
    assert fast.changed and fast.unreadable  # the comparison is about something
    assert (fast.replayed, fast.changed, fast.unreadable, fast.old_total, fast.new_total, fast.reasons) == \
        (full.replayed, full.changed, full.unreadable, full.old_total, full.new_total, full.reasons)
    # not replayed: exactly the returns giving an unwanted gift as a reason, named as the full reader names it
    gifts = {t for t, c, _d in recorded(path) if any(ln["reason"] == "unwanted_gift" for ln in c["request"]["lines"])}
    assert {u.split(":")[0] for u in fast.unreadable} == gifts
    assert all("'unwanted_gift' is not a reason of the policy" in u for u in fast.unreadable)


@pytest.mark.parametrize("break_it, message", [
    (lambda c: c["request"]["lines"][0].update(qty="1"), "request.lines[0].qty: must be a whole number, not a string"),
    (lambda c: c["sale"]["lines"][0].update(unit_price=9.99),
     "sale.lines[0].unit_price: must be an amount as a string of decimals, not float"),
    (lambda c: c["sale"].update(colour="red"), "sale.colour: unknown key"),
    (lambda c: c["request"]["lines"][0].update(line=99), "request.lines[0].line: receipt"),
])
def test_a_malformed_journaled_case_is_not_replayed_and_says_what_is_wrong(journal, tmp_path, break_it, message):
    path, _counts = journal
    copy = h.copy_db(path, tmp_path / "broken.db")
    conn = sqlite3.connect(copy)
    with conn:
        row = conn.execute("SELECT * FROM journal WHERE kind = 'return' AND training = 0 ORDER BY rowid LIMIT 1")
        names = [d[0] for d in row.description]
        entry = dict(zip(names, row.fetchone()))
        payload = json.loads(entry["payload"])
        break_it(payload["case"])
        entry.update(payload=json.dumps(payload), seq=10**6, txno="BROKEN-1")
        conn.execute(f"INSERT INTO journal ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     [entry[n] for n in names])
    conn.close()
    with pytest.raises(CaseError) as full:
        read_case(payload["case"], h.policy(), "BROKEN-1")
    with st.open_store(copy, create=False) as store:
        result = manager.what_if(store, h.policy())
    [unreadable] = result.unreadable
    assert unreadable.startswith("BROKEN-1: ") and message in unreadable
    assert unreadable == "BROKEN-1: " + "; ".join(full.value.problems)


# ----------------------------------------------------------------------------- progress, workers, cancel

def test_progress_counts_up_to_every_return_in_one_process_and_in_two(journal, tmp_path, monkeypatch):
    from pos_returns.manager import whatif
    path, counts = journal
    policy = changed_policy(tmp_path)
    with st.open_store(path, create=False) as store:
        ticks: list[tuple[int, int]] = []
        one = manager.what_if(store, policy, progress=lambda d, t: ticks.append((d, t)), every=50)
        monkeypatch.setattr(whatif, "PARALLEL_FROM", 1)  # this journal is small; split it anyway
        parallel_ticks: list[tuple[int, int]] = []
        two = manager.what_if(store, policy, progress=lambda d, t: parallel_ticks.append((d, t)), workers=2)
    total = counts["entries"]
    for seen in (ticks, parallel_ticks):
        assert len(seen) >= 5 and seen[-1] == (total, total)
        assert [d for d, _t in seen] == sorted(d for d, _t in seen) and {t for _d, t in seen} == {total}
    assert (two.replayed, two.changed, two.unreadable, two.old_total, two.new_total) == \
        (one.replayed, one.changed, one.unreadable, one.old_total, one.new_total)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_replay_stops_when_its_progress_says_cancel(journal, monkeypatch, workers):
    from pos_returns.manager import whatif
    monkeypatch.setattr(whatif, "PARALLEL_FROM", 1)
    path, _counts = journal
    seen: list[int] = []

    def cancel(done: int, total: int) -> None:
        seen.append(done)
        raise whatif.Cancelled()

    with st.open_store(path, create=False) as store:
        with pytest.raises(whatif.Cancelled) as err:
            manager.what_if(store, h.policy(), progress=cancel, every=10, workers=workers)
    assert len(seen) == 1 and seen[0] < len(recorded(path))
    assert "cancelled" in str(err.value)


def test_whatif_shows_progress_on_stderr_when_asked_and_not_otherwise(journal, tmp_path):
    path, counts = journal
    args = ("whatif", "--db", str(path), "--policy", str(h.ROOT / "policies.toml"))
    quiet = h.run_cli(*args)
    assert h.ok(quiet).startswith(f"{counts['entries']} returns replayed, 0 decisions change")
    assert "replaying" not in quiet.stderr
    shown = h.run_cli(*args, "--progress")
    assert h.ok(shown) == quiet.stdout
    lines = shown.stderr.splitlines()
    assert lines[-1] == f"replaying: {counts['entries']} of {counts['entries']} returns (100 %)"
    assert len(lines) > 1 and all(re.fullmatch(r"replaying: \d+ of \d+ returns \(\d+ %\)", ln) for ln in lines)
    assert "--workers" in h.usage_error(h.run_cli(*args, "--workers", "0"))


def test_whatif_on_a_terminal_rewrites_one_progress_line(journal):
    import os
    import pty
    import subprocess
    path, counts = journal
    master, slave = pty.openpty()
    proc = subprocess.run([h.PY, "-m", "pos_returns", "whatif", "--db", str(path), "--policy",
                           str(h.ROOT / "policies.toml")], stdout=subprocess.PIPE, stderr=slave, text=True,
                          cwd=str(h.ROOT), env=h.cli_env(), timeout=300)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.returncode == 0
    text = out.decode()
    assert "\r" in text and text.rstrip().endswith(f"replaying: {counts['entries']} of {counts['entries']} returns "
                                                   "(100 %)")
    assert proc.stdout.startswith(f"{counts['entries']} returns replayed")


# ----------------------------------------------------------------------------- never more lenient than the full reader

_ODD_VALUES = [None, True, False, 0, 1, -1, 2.5, "", " ", "x", "-1.00", "1.001", "1e3", "9.99", [], {}, ["a", 1],
               100001, "2026-13-01T00:00:00", "2026-01-01T10:00:00+02:00", "apparel", "electronics", "software",
               "changed_mind", "gift", "opened", "broken", "credit", "bitcoin", "12ab", "1234", "0001", "9999"]


def _paths(value, path=()):
    """Every (path, value) inside a parsed JSON value."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _mutated(case: dict, rng) -> dict:
    import copy
    out = copy.deepcopy(case)
    for _ in range(rng.randint(1, 3)):
        places = [p for p, _v in _paths(out) if p]
        path = rng.choice(places)
        parent = out
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        action = rng.random()
        if action < 0.15 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.25 and isinstance(parent, dict):
            parent["colour" if rng.random() < 0.5 else rng.choice(["expect", "serial", "discount", "tags"])] = \
                rng.choice(_ODD_VALUES)
        elif action < 0.35 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))  # a duplicated line, tender or item
        else:
            parent[key] = rng.choice(_ODD_VALUES)
    return out


def test_the_trusted_reader_accepts_nothing_the_full_reader_refuses(journal):
    """Journaled cases broken at random, 3,000 times: the trusted reader gives exactly the full reader's case,
    or the full reader's CaseError with the same problems."""
    import random
    path, _counts = journal
    policy = h.policy()
    cases = [c for _t, c, _d in recorded(path)]
    rng = random.Random(20261201)
    reader = TrustedReader(policy)
    accepted = refused = 0
    crashed: list[str] = []
    for n in range(3000):
        data = _mutated(rng.choice(cases), rng)
        try:
            want = read_case(data, policy, "x")
        except CaseError as err:
            with pytest.raises(CaseError) as got:
                reader.read(data, "x")
            assert got.value.problems == err.problems, data
            refused += 1
        except Exception as exc:  # noqa: BLE001 - the full reader may fail on odd input; the fast one likewise
            with pytest.raises(type(exc)):
                reader.read(data, "x")
            crashed.append(f"{type(exc).__name__}: {exc}")
        else:
            assert reader.read(data, "x") == want, data
            accepted += 1
    assert accepted > 150 and refused > 1000, (accepted, refused)  # both kinds were tried
