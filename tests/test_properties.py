"""Properties of the money and the engine, with Hypothesis.

(a) a refund never exceeds what was paid, per tender and in total, however a sale is returned;
(b) returning a sale piece by piece in any order refunds exactly what returning it at once does;
(c) ``allocate`` splits an amount exactly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit import ask, mini_policy_text, sample_policy, write_policy
from pos_returns.case import read_case
from pos_returns.engine import evaluate
from pos_returns.money import Money, allocate
from pos_returns.policy import load_policy

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TAX_RATES = ["0", "0.05", "0.075", "0.08", "0.1", "0.12", "0.21"]
TENDER_TYPES = ["cash", "check", "credit", "debit", "gift_card", "store_credit"]
CENT = Decimal("0.01")


# ----------------------------------------------------------------------------- policies

@pytest.fixture(scope="module")
def plain_policies(tmp_path_factory):
    """Policies with nothing that changes a refund's total: no fees, no cash rounding, no limits."""
    folder = tmp_path_factory.mktemp("prop-policies")
    usd = load_policy(write_policy(folder, mini_policy_text(default_days=3650), "usd.toml"))
    czk = load_policy(write_policy(folder, mini_policy_text(currency="CZK", locale="cs_CZ", include_tax=True,
                                                            default_days=3650), "czk.toml"))
    return {"USD": usd, "CZK": czk}


# ----------------------------------------------------------------------------- sale strategy

@st.composite
def sales(draw, categories=("general", "home")):
    """A sale JSON dict plus the total the customer paid, computed here independently of the engine."""
    include_tax = draw(st.booleans())
    n = draw(st.integers(1, 4))
    lines = []
    nets = []
    for number in range(1, n + 1):
        qty = draw(st.integers(1, 5))
        price = Decimal(draw(st.integers(1, 200000))) * CENT
        discount = Decimal(draw(st.integers(0, int(price * qty / CENT)))) * CENT if draw(st.booleans()) else Decimal(0)
        rate = draw(st.sampled_from(TAX_RATES))
        lines.append({"line": number, "sku": f"S{number}", "name": f"Item {number}",
                      "category": draw(st.sampled_from(categories)), "qty": qty, "unit_price": str(price),
                      "discount": str(discount), "tax_rate": rate, "tags": []})
        nets.append(price * qty - discount)
    net_total = sum(nets, Decimal(0))
    sale_discount = None
    if draw(st.booleans()) and net_total > 0:
        sale_discount = Decimal(draw(st.integers(0, int(net_total / CENT)))) * CENT
    return {"include_tax": include_tax, "lines": lines, "sale_discount": sale_discount, "nets": nets}


def paid_total(sale: dict, currency: str) -> Decimal:
    """What the customer paid: nets after the sale discount (remainder to the largest), plus tax if excluded."""
    nets = [Money(n, currency) for n in sale["nets"]]
    if sale["sale_discount"]:
        shares = allocate(Money(sale["sale_discount"], currency), [n.amount for n in nets])
        nets = [n - s for n, s in zip(nets, shares)]
    total = Decimal(0)
    for net, line in zip(nets, sale["lines"]):
        total += net.rounded().amount
        if not sale["include_tax"]:
            total += (net.amount * Decimal(line["tax_rate"])).quantize(CENT, rounding="ROUND_HALF_UP")
    return total


@st.composite
def tender_split(draw, total: Decimal):
    """1-3 tenders whose amounts add up exactly to ``total``."""
    cents = int(total / CENT)
    k = draw(st.integers(1, 3)) if cents >= 3 else 1
    cuts = sorted(draw(st.lists(st.integers(1, max(cents - 1, 1)), min_size=k - 1, max_size=k - 1, unique=True))) \
        if k > 1 else []
    bounds = [0] + cuts + [cents]
    tenders = []
    for i in range(k):
        kind = draw(st.sampled_from(TENDER_TYPES))
        amount = Decimal(bounds[i + 1] - bounds[i]) * CENT
        t = {"type": kind, "amount": str(amount)}
        if kind in ("credit", "debit"):
            t["last4"] = f"{1000 + i * 1111:04d}"
        tenders.append(t)
    return tenders


def case_json(sale: dict, tenders: list[dict], asks: list[dict], returned: dict[int, int],
              refunded: dict[int, Decimal], conditions: dict[int, str] | None = None, *, now: str) -> dict:
    tender_rows = []
    for i, t in enumerate(tenders):
        row = dict(t)
        if refunded.get(i):
            row["refunded"] = str(refunded[i])
        tender_rows.append(row)
    out_sale = {"receipt": "0001-000042", "sold_at": "2026-03-01T10:00:00", "lines": sale["lines"],
                "tenders": tender_rows, "returned": {str(k): v for k, v in returned.items() if v}}
    if sale["sale_discount"] is not None:
        out_sale["discount"] = str(sale["sale_discount"])
    return {"now": now, "sale": out_sale,
            "request": {"type": "return", "lines": asks, "customer": {"id_verified": False, "tier": None}}}


def run(policy, data):
    c = read_case(data, policy)
    return evaluate(policy, c.sale, c.request, c.history, c.now)


def policy_for(plain_policies, sale):
    return plain_policies["CZK" if sale["include_tax"] else "USD"]


def steps_strategy(sale: dict):
    """A random way to return some units of a sale: a list of steps, each {line: qty}."""
    units = [line["line"] for line in sale["lines"] for _ in range(line["qty"])]
    return st.permutations(units).flatmap(
        lambda order: st.lists(st.booleans(), min_size=len(order), max_size=len(order)).map(
            lambda cuts: _chunks(order, cuts)))


def _chunks(order, cuts):
    steps, current = [], defaultdict(int)
    for unit, cut in zip(order, cuts):
        current[unit] += 1
        if cut:
            steps.append(dict(current))
            current = defaultdict(int)
    if current:
        steps.append(dict(current))
    return steps


def apply_steps(policy, sale, tenders, steps, conditions=None, now="2026-03-10T12:00:00"):
    """Return step by step, feeding returned quantities and tender refunds forward. Yields each decision."""
    returned: dict[int, int] = defaultdict(int)
    refunded: dict[int, Decimal] = defaultdict(Decimal)
    for step in steps:
        asks = [ask(line, qty, (conditions or {}).get(line, "unopened")) for line, qty in sorted(step.items())]
        decision = run(policy, case_json(sale, tenders, asks, returned, refunded, now=now))
        for d in decision.lines:
            if d.outcome != "denied":
                returned[d.line] += d.qty
        for index, amount in decision.tender_draws:
            refunded[index] += amount.amount
        yield decision, dict(refunded)


# ============================================================================ (a) never more than paid

@SETTINGS
@given(data=st.data())
def test_refund_never_exceeds_what_was_paid(plain_policies, data):
    sale = data.draw(sales())
    policy = policy_for(plain_policies, sale)
    total = paid_total(sale, policy.currency)
    tenders = data.draw(tender_split(total))
    steps = data.draw(steps_strategy(sale))
    # return only some of the steps: a random subset of the units, in pieces
    steps = steps[:data.draw(st.integers(1, len(steps)))]
    refunded_total = Decimal(0)
    for decision, refunded in apply_steps(policy, sale, tenders, steps):
        refunded_total += decision.refund_total.amount
        assert decision.refund_total.amount >= 0
        paid_out = sum((t.amount.amount for t in decision.refund_tenders), Decimal(0))
        assert paid_out == decision.refund_total.amount, "the tenders pay out exactly the refund"
        assert sum((a.amount for _, a in decision.tender_draws), Decimal(0)) == paid_out
        for index, amount in refunded.items():
            assert amount <= Decimal(tenders[index]["amount"]), (index, amount, tenders)
        assert refunded_total <= total


@SETTINGS
@given(data=st.data())
def test_refund_never_exceeds_what_was_paid_under_the_sample_policy(data):
    """The same with fees, approvals, mailed checks and uncleared checks of the sample policy."""
    policy = sample_policy()
    sale = data.draw(sales(categories=("apparel", "home", "electronics", "appliances")))
    sale["include_tax"] = False  # the sample store's prices exclude tax
    total = paid_total(sale, "USD")
    tenders = data.draw(tender_split(total))
    steps = data.draw(steps_strategy(sale))
    steps = steps[:data.draw(st.integers(1, len(steps)))]
    conditions = {line["line"]: data.draw(st.sampled_from(["unopened", "opened", "defective"]))
                  for line in sale["lines"]}
    now = data.draw(st.sampled_from(["2026-03-03T12:00:00", "2026-03-20T12:00:00"]))
    refunded_total = Decimal(0)
    for decision, refunded in apply_steps(policy, sale, tenders, steps, conditions, now=now):
        refunded_total += decision.refund_total.amount
        for d in decision.lines:
            assert d.fee.amount >= 0
            assert d.refund.amount <= (d.item + d.tax).amount
        for index, amount in refunded.items():
            assert amount <= Decimal(tenders[index]["amount"])
        assert refunded_total <= total


# ============================================================================ (b) piece by piece == at once

@SETTINGS
@given(data=st.data())
def test_returning_piece_by_piece_equals_returning_at_once(plain_policies, data):
    sale = data.draw(sales())
    policy = policy_for(plain_policies, sale)
    total = paid_total(sale, policy.currency)
    tenders = data.draw(tender_split(total))
    everything = {line["line"]: line["qty"] for line in sale["lines"]}

    [(at_once, at_once_refunded)] = list(apply_steps(policy, sale, tenders, [everything]))
    assert at_once.outcome == "approved"
    assert at_once.refund_total.amount == total, "returning everything refunds exactly what was paid"

    steps = data.draw(steps_strategy(sale))
    step_total = Decimal(0)
    refunded: dict[int, Decimal] = {}
    for decision, refunded in apply_steps(policy, sale, tenders, steps):
        assert decision.outcome == "approved"
        step_total += decision.refund_total.amount
    assert step_total == at_once.refund_total.amount
    assert {i: a for i, a in refunded.items() if a} == {i: a for i, a in at_once_refunded.items() if a}
    for index, t in enumerate(tenders):
        assert refunded.get(index, Decimal(0)) == Decimal(t["amount"])


@SETTINGS
@given(data=st.data())
def test_one_line_unit_by_unit_equals_the_line_at_once(plain_policies, data):
    """Per line too: the units of one line refunded one at a time add up to the line refunded at once."""
    sale = data.draw(sales())
    policy = policy_for(plain_policies, sale)
    tenders = data.draw(tender_split(paid_total(sale, policy.currency)))
    line = data.draw(st.sampled_from(sale["lines"]))
    [(whole, _)] = list(apply_steps(policy, sale, tenders, [{line["line"]: line["qty"]}]))
    pieces = list(apply_steps(policy, sale, tenders, [{line["line"]: 1}] * line["qty"]))
    assert sum((d.lines[0].item.amount for d, _ in pieces), Decimal(0)) == whole.lines[0].item.amount
    assert sum((d.lines[0].tax.amount for d, _ in pieces), Decimal(0)) == whole.lines[0].tax.amount
    assert sum((d.refund_total.amount for d, _ in pieces), Decimal(0)) == whole.refund_total.amount


# ============================================================================ (c) allocate

@SETTINGS
@given(cents=st.integers(0, 10**9),
       weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=12),
       currency=st.sampled_from(["USD", "CZK", "VND"]))
def test_allocate_adds_up_exactly(cents, weights, currency):
    total = Money.from_minor(cents, currency)
    dec_weights = [Decimal(w) / 100 for w in weights]
    shares = allocate(total, dec_weights)
    assert len(shares) == len(weights)
    assert sum((s for s in shares), Money.zero(currency)) == total
    assert all(s.currency == currency for s in shares)
    assert all(s.minor() >= 0 for s in shares)
    weight_sum = sum(dec_weights)
    if weight_sum:
        floors = [int(Decimal(cents) * w / weight_sum) for w in dec_weights]
        largest = max(range(len(weights)), key=lambda i: (dec_weights[i], -i))
        for i, share in enumerate(shares):
            if i != largest:
                assert share.minor() == floors[i]
        assert 0 <= shares[largest].minor() - floors[largest] < len(weights)


@SETTINGS
@given(minor=st.integers(-10**12, 10**12), currency=st.sampled_from(["USD", "CZK", "VND", "JPY", "TWD"]))
def test_minor_units_round_trip(minor, currency):
    money = Money.from_minor(minor, currency)
    assert money.minor() == minor
    assert Money.parse(money.plain(), currency) == money
