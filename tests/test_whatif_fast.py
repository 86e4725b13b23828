"""The what-if replay's shortcuts change no result.

- ``RuleMemo`` (what a replay keeps per policy: the rule lists of an item, a sale line's paid amount, the policy's
  departments and tags as sets): a decision made with it is the very Decision made without it, for every
  journaled case of a varied journal, under the policy that recorded it and under a changed one; and a few
  amounts worked out by hand, with and without a sale-level discount.
- ``TrustedReader.read_text`` (orjson first, json.loads for anything it refuses): the same case, or the same
  problems, as the full reader given ``json.loads`` of the same text, also for what orjson reads differently
  (integers past 64 bits, NaN, lone surrogates).
"""

from __future__ import annotations

import json
import random

import pytest

import storehelpers as h
from casekit import ask, case, sale_line, sample_policy, tender
from pos_returns.domain.case import CaseError, TrustedReader, read_case
from pos_returns.domain.engine import RuleMemo, evaluate
from test_whatif_trusted import _mutated, changed_policy, journal, recorded  # noqa: F401 - journal: the fixture


def test_a_decision_with_the_replay_memo_is_the_decision_without_it(journal, tmp_path):
    path, _counts = journal
    cases = [c for _t, c, _d in recorded(path)]
    discounted = [c for c in cases if c["sale"] and c["sale"].get("discount") not in (None, "0.00")]
    plain = [c for c in cases if c["sale"] and c["sale"].get("discount") in (None, "0.00")]
    assert discounted and plain and any(c["sale"] is None for c in cases)  # both ways of working out what was paid
    for policy in (h.policy(), changed_policy(tmp_path)):
        memo = RuleMemo(policy)
        differing = []
        for data in cases:
            try:
                c = read_case(data, policy)
            except CaseError:
                continue  # the changed policy has no reason unwanted_gift
            without = evaluate(policy, c.sale, c.request, c.history, c.now)
            with_memo = evaluate(policy, c.sale, c.request, c.history, c.now, memo=memo)
            if with_memo != without:
                differing.append(data)
        assert differing == []


@pytest.mark.parametrize("sale_discount, want", [
    # 3 x 10.00 at 8 %, 1 returned: a third of the line's 30.00 and of its tax 2.40 -> 10.00 + 0.80
    (None, ("10.80", "10.00", "0.80")),
    # with 6.00 off the sale (lines 30.00 and 20.00 net): the first line bears 6.00 x 30/50 = 3.60, so it paid
    # 26.40 and 2.11 tax (26.40 x 0.08 = 2.112); one of three gives back 8.80 + 0.70 (2.11 / 3 = 0.703)
    ("6.00", ("9.50", "8.80", "0.70")),
])
def test_amounts_worked_out_by_hand_with_and_without_the_memo(sale_discount, want):
    policy = sample_policy()
    data = case(lines=[sale_line(1, category="home", qty=3, price="10.00", tax="0.08"),
                       sale_line(2, category="home", qty=1, price="20.00", tax="0.08")],
                tenders=[tender("credit", "54.00" if sale_discount is None else "47.52", "4242")],
                asks=[ask(1, 1)], sale_discount=sale_discount)
    c = read_case(data, policy)
    memo = RuleMemo(policy)
    for _ in range(2):  # the second time from what the memo kept
        d = evaluate(policy, c.sale, c.request, c.history, c.now, memo=memo)
        line = d.lines[0]
        assert (d.outcome, d.refund_total.plain(), line.item.plain(), line.tax.plain()) == ("approved", *want)
        assert d == evaluate(policy, c.sale, c.request, c.history, c.now)


_ORJSON_ODD = [2 ** 70, -(2 ** 65), float("nan"), float("inf"), "\ud800", "x\udfffy"]


def test_reading_the_text_gives_what_the_full_reader_gives_of_json_loads(journal):
    """Journaled cases broken at random (also with values orjson reads otherwise than json.loads), 2,000 times,
    written as JSON text: read_text gives the full reader's case of json.loads(text), or its CaseError with the
    same problems."""
    path, _counts = journal
    policy = h.policy()
    cases = [c for _t, c, _d in recorded(path)]
    rng = random.Random(20261202)
    reader = TrustedReader(policy)
    accepted = refused = odd = 0
    for n in range(2000):
        data = _mutated(rng.choice(cases), rng)
        if n % 3 == 0:  # put one of orjson's odd values somewhere a value is
            parent, key = data, None
            while isinstance(parent, (dict, list)) and parent:
                key = rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(len(parent))
                if not isinstance(parent[key], (dict, list)) or rng.random() < 0.3:
                    break
                parent = parent[key]
            if key is not None and isinstance(parent, (dict, list)) and parent:
                parent[key] = rng.choice(_ORJSON_ODD)
                odd += 1
        text = json.dumps(data)
        try:
            want = read_case(json.loads(text), policy, "x")
        except CaseError as err:
            with pytest.raises(CaseError) as got:
                reader.read_text(text, "x")
            assert got.value.problems == err.problems, text
            refused += 1
        except Exception as exc:  # noqa: BLE001 - the full reader may fail on odd input; the fast one likewise
            with pytest.raises(type(exc)):
                reader.read_text(text, "x")
        else:
            assert reader.read_text(text, "x") == want, text
            accepted += 1
    assert accepted > 100 and refused > 600 and odd > 500, (accepted, refused, odd)


def test_text_that_is_no_json_fails_as_json_loads_fails():
    reader = TrustedReader(sample_policy())
    for text in ("", "{", '{"now": }', "[1, 2"):
        with pytest.raises(json.JSONDecodeError) as got:
            reader.read_text(text, "x")
        with pytest.raises(json.JSONDecodeError) as want:
            json.loads(text)
        assert str(got.value) == str(want.value)


def _example_stores():
    root = h.ROOT
    stores = [(root / "policies.toml", sorted((root / "scenarios").rglob("*.json")))]
    for folder in sorted((root / "examples").iterdir()):
        if (folder / "policies.toml").exists() and (folder / "scenarios").is_dir():
            stores.append((folder / "policies.toml", sorted((folder / "scenarios").rglob("*.json"))))
    return stores


@pytest.mark.parametrize("policy_path, scenarios", _example_stores(), ids=lambda v: getattr(v, "parent", None)
                         and v.parent.name if not isinstance(v, list) else "")
def test_every_scenario_decided_with_one_memo_is_decided_as_without_it(policy_path, scenarios):
    """Each example store's scenarios (exchanges for the identical item and refunds of the same item, store
    credit only, departments the policy does not name, overrides, ...) decided one after another with one memo,
    forwards and backwards (so a line repeats what another case's line did): each the Decision made without it."""
    from pos_returns.domain.policy import load_policy
    policy = load_policy(policy_path)
    cases = []
    for path in scenarios:
        try:
            cases.append((path.name, read_case(json.loads(path.read_text(encoding="utf-8")), policy)))
        except (CaseError, ValueError):
            continue  # a scenario of a malformed case
    assert len(cases) >= 3
    memo = RuleMemo(policy)
    for name, c in cases + cases[::-1]:
        assert evaluate(policy, c.sale, c.request, c.history, c.now, memo=memo) == \
            evaluate(policy, c.sale, c.request, c.history, c.now), name


def test_one_item_decided_many_ways_with_one_memo_is_decided_as_without_it(tmp_path):
    """One item, one memo: exchanged for itself (no fee) and refunded (a fee), the same with a manager's override
    of a rule and without, store credit only with and without a receipt's other tenders: each decision, in any
    order, is the one made without the memo (so what a line repeats is keyed by all the steps look at)."""
    from casekit import mini_policy
    policy = mini_policy(tmp_path, body="""
        [[exchange_only]]
        id = "exchange.opened"
        categories = ["electronics"]
        conditions = ["opened"]

        [[restocking_fee]]
        id = "fee.opened"
        categories = ["electronics"]
        conditions = ["opened"]
        percent = "10"

        [[not_returnable]]
        id = "final.sale"
        tags = ["final_sale"]
        overridable = true

        [[store_credit_only]]
        id = "credit.grocery"
        categories = ["grocery"]
        """)
    game = [sale_line(1, sku="GAME", category="electronics", price="60.00", qty=2),
            sale_line(2, sku="OIL", category="grocery", price="10.00", tags=("final_sale",))]
    same = [{"sku": "GAME", "category": "electronics", "qty": 1, "unit_price": "60.00", "tax_rate": "0"}]
    other = [{"sku": "OTHER", "category": "electronics", "qty": 1, "unit_price": "60.00", "tax_rate": "0"}]
    paid = [tender("credit", "130.00", "4242")]
    variants = [
        case(lines=game, tenders=paid, asks=[ask(1, 1, "opened")], request_type="exchange", exchange_items=same),
        case(lines=game, tenders=paid, asks=[ask(1, 1, "opened")], request_type="exchange", exchange_items=other),
        case(lines=game, tenders=paid, asks=[ask(1, 2, "opened")], request_type="exchange", exchange_items=same),
        case(lines=game, tenders=paid, asks=[ask(1, 1, "opened")]),
        case(lines=game, tenders=paid, asks=[ask(1, 1, "unopened")]),
        case(lines=game, tenders=paid, asks=[ask(2, 1)]),
        case(lines=game, tenders=paid, asks=[ask(2, 1)], overrides=["final.sale"]),
        case(lines=game, tenders=paid, asks=[ask(1, 1, "opened"), ask(2, 1)], overrides=["final.sale"],
             request_type="exchange", exchange_items=same),
    ]
    cases = [read_case(v, policy) for v in variants]
    without = [evaluate(policy, c.sale, c.request, c.history, c.now) for c in cases]
    assert len({(d.outcome, d.refund_total, d.balance_due, tuple(d.rules)) for d in without}) >= 5  # they differ
    rng = random.Random(7)
    for _ in range(5):
        memo = RuleMemo(policy)
        order = [rng.randrange(len(cases)) for _ in range(3 * len(cases))]
        for i in order:
            c = cases[i]
            assert evaluate(policy, c.sale, c.request, c.history, c.now, memo=memo) == without[i], variants[i]
