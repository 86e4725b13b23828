"""The engine's faster internal paths give exactly what the plain ones give (s13 weval)."""

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest

from pos_returns.domain.model import (Decision, LineDecision, TenderAmount, VersionRef, new_decision,
                                      new_line_decision, new_tender_amount, record_builder)
from pos_returns.domain.money import Money
from pos_returns.i18n import Text


def usd(text: str) -> Money:
    return Money(Decimal(text), "USD")


def test_record_builders_make_what_the_constructors_make():
    reasons = (Text("Restocking fee of {percent}.", {"percent": 15}),)
    args = (2, "SKU-1", 3, "approved", False, usd("30.00"), usd("4.50"), usd("2.40"), usd("0"), usd("27.90"),
            ("fees.opened",), reasons)
    plain, built = LineDecision(*args), new_line_decision(*args)
    assert built == plain and repr(built) == repr(plain)
    assert list(vars(built)) == [f.name for f in fields(LineDecision)]
    assert built.refund == usd("27.90") and built.rules == ("fees.opened",)
    with pytest.raises(Exception):
        built.refund = usd("1")  # still frozen

    tender = new_tender_amount("card", usd("27.90"), "4242")
    assert tender == TenderAmount("card", usd("27.90"), "4242") and tender.last4 == "4242"

    version = VersionRef("v2", "ab" * 32, date(2026, 1, 1))
    dargs = ("approved", "USD", (plain,), usd("27.90"), usd("0"), usd("0"), (tender,), (), usd("0"), (), (),
             "ab" * 32, ((0, usd("27.90")),), version)
    assert new_decision(*dargs) == Decision(*dargs)
    assert new_decision(*dargs).payout == usd("27.90")


def test_record_builder_refuses_a_record_that_checks_its_fields():
    with pytest.raises(TypeError):
        record_builder(Money)  # Money checks its amount and currency in __post_init__


def test_the_engines_texts_are_the_texts_of_the_constructors():
    from pos_returns.domain.engine.context import counted, explained, text
    from pos_returns.i18n import NP_, N_
    params = {"age": 3, "days": 30, "until": date(2026, 7, 1)}
    forms = NP_("Bought {age} day ago; returnable within {days} days, until {until}.",
                "Bought {age} days ago; returnable within {days} days, until {until}.")
    made = counted(forms, "age", params)
    assert made == Text.counted(forms, "age", params) and made.plural == forms[1] and made.count == "age"
    assert made.render("en") == "Bought 3 days ago; returnable within 30 days, until Jul 1, 2026."
    assert text(N_("Refunds over {limit} need a manager."), {"limit": usd("500")}) == \
        Text("Refunds over {limit} need a manager.", {"limit": usd("500")})

    class Rule:
        explain = "Phones: {days} days."
    assert explained(Rule(), made) == Text("Phones: {days} days.", dict(params), literal=True)


def test_total_and_net_refund_are_the_sums_of_money():
    from pos_returns.domain.money import MoneyError, net_refund, total
    zero = Money.zero("USD")
    amounts = [usd("10.005"), usd("2.50"), usd("-0.01")]
    assert total(amounts, zero) == usd("12.495") == sum(amounts, zero)
    assert str(total(amounts, zero).amount) == "12.495"
    assert total([], zero) is zero
    assert net_refund(usd("30.00"), usd("4.50"), usd("1.00"), usd("2.40")) == usd("26.90")
    vnd = Money(Decimal("25000"), "VND")
    assert str(net_refund(vnd, Money.zero("VND"), Money.zero("VND"), Money.zero("VND")).amount) == "25000"
    with pytest.raises(MoneyError):
        total([usd("1"), Money(Decimal("1"), "EUR")], zero)
    with pytest.raises(MoneyError):
        net_refund(usd("1"), Money(Decimal("1"), "EUR"), zero, zero)
    with pytest.raises(TypeError):
        total([usd("1"), Decimal("1")], zero)


FEES_AND_SEASONS = """
[[window]]
id = "window.electronics"
categories = ["electronics"]
days = 30

[[seasonal]]
id = "window.holiday"
bought_from = "11-01"
bought_to = "12-31"
returnable_until = "01-31"

[tiers.member]
extra_days = 10

[[restocking_fee]]
id = "fee.early"
categories = ["electronics"]
conditions = ["opened"]
percent = "10"
to_day = 14

[[restocking_fee]]
id = "fee.late"
categories = ["electronics"]
conditions = ["opened"]
percent = "20"
from_day = 15
"""


@pytest.mark.parametrize("sold, now, tier, condition, want", [
    # 100.00 electronics: days 0-14 a 10 % fee, from day 15 20 %; 30 days (a member 40), the holiday season
    # (bought 1 Nov - 31 Dec) until 31 Jan
    ("2026-03-01", "2026-03-10", None, "opened", ("approved", "90.00", ["window.electronics", "fee.early"])),
    ("2026-03-01", "2026-03-16", None, "opened", ("approved", "80.00", ["window.electronics", "fee.late"])),
    ("2026-03-01", "2026-03-16", None, "unopened", ("approved", "100.00", ["window.electronics"])),
    ("2026-03-01", "2026-04-01", None, "opened", ("denied", "0", ["window.electronics"])),
    ("2026-03-01", "2026-04-01", "member", "opened",
     ("approved", "80.00", ["window.electronics", "tiers.member", "fee.late"])),
    ("2026-03-01", "2026-04-11", "member", "unopened", ("denied", "0", ["window.electronics", "tiers.member"])),
    ("2026-12-01", "2027-01-20", None, "unopened", ("approved", "100.00", ["window.holiday"])),
    ("2026-12-01", "2027-02-01", None, "unopened", ("denied", "0", ["window.holiday"])),
    ("2026-12-01", "2027-01-20", "member", "opened", ("approved", "80.00", ["window.holiday", "fee.late"])),
])
def test_windows_seasons_and_fees_by_hand_with_one_memo_and_without(tmp_path, sold, now, tier, condition, want):
    """What a replay's memo keeps of a window (rules per item; deadline and season per rules, tier and day sold)
    and of a fee (per fee rules, condition, kind of request and age of the sale): the decisions worked out by
    hand, the same with one memo that has decided every other case before (in both orders) and without."""
    from casekit import ask, case, mini_policy, sale_line, tender
    from pos_returns.domain.case import read_case
    from pos_returns.domain.engine import RuleMemo, evaluate
    policy = mini_policy(tmp_path, body=FEES_AND_SEASONS)

    def make(sold, now, tier, condition):
        return read_case(case(lines=[sale_line(1, sku="TV", category="electronics", price="100.00")],
                              tenders=[tender("credit", "100.00", "4242")], asks=[ask(1, 1, condition)],
                              sold_at=sold + "T10:00:00", now=now + "T12:00:00", tier=tier), policy)

    others = [make(*p[:4]) for p in test_windows_seasons_and_fees_by_hand_with_one_memo_and_without.pytestmark[0]
              .args[1]]
    c = make(sold, now, tier, condition)
    without = evaluate(policy, c.sale, c.request, c.history, c.now)
    line = without.lines[0]
    outcome, refund, rules = want
    assert (line.outcome, line.refund, list(line.rules)) == (outcome, Money(Decimal(refund), "USD"), rules)
    for order in (others, others[::-1]):
        memo = RuleMemo(policy)
        for other in order:
            assert evaluate(policy, other.sale, other.request, other.history, other.now, memo=memo) == \
                evaluate(policy, other.sale, other.request, other.history, other.now)
        assert evaluate(policy, c.sale, c.request, c.history, c.now, memo=memo) == without


def test_over_a_limit_is_more_than_the_limit_as_money(tmp_path):
    from casekit import mini_policy
    from pos_returns.domain.engine.context import Evaluation
    from pos_returns.domain.model import Request
    from datetime import datetime
    ev = Evaluation(mini_policy(tmp_path), None, Request("return"), (), datetime(2026, 3, 10, 12))
    for limit in (Decimal("500.00"), Decimal("5E+2"), 500, "500.00"):
        assert ev.over(usd("500.01"), limit) and not ev.over(usd("500.00"), limit) and not ev.over(usd("499.99"), limit)
    from pos_returns.domain.money import MoneyError
    with pytest.raises(MoneyError):
        ev.over(Money(Decimal("600"), "EUR"), Decimal("500"))  # as Money > Money: currencies never mix
