"""Money: one Decimal constructor, no floats, no mixed currencies, explicit rounding, minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_returns.domain.money import Money, MoneyError, allocate, currency_digits, to_decimal


# ----------------------------------------------------------------------------- construction

@pytest.mark.parametrize("bad", [0.1, 1.0, float("nan")])
def test_float_is_refused_everywhere(bad):
    with pytest.raises(MoneyError):
        to_decimal(bad)
    with pytest.raises(MoneyError):
        Money(bad, "USD")
    with pytest.raises(MoneyError):
        Money.parse(bad, "USD")


@pytest.mark.parametrize("bad", [True, False])
def test_bool_is_refused(bad):
    with pytest.raises(MoneyError):
        to_decimal(bad)
    with pytest.raises(MoneyError):
        Money(bad, "USD")
    with pytest.raises(MoneyError):
        Money.from_minor(bad, "USD")


def test_multiplying_by_a_float_is_refused():
    with pytest.raises(TypeError):
        Money("1.00", "USD") * 1.5
    with pytest.raises(TypeError):
        Money("1.00", "USD") / 2.0


@pytest.mark.parametrize("text", ["", "  ", "abc", "1,00", "NaN", "Infinity"])
def test_text_that_is_not_a_finite_decimal_is_refused(text):
    with pytest.raises(MoneyError):
        Money.parse(text, "USD")


def test_accepts_str_int_and_decimal():
    assert Money("12.30", "USD").amount == Decimal("12.30")
    assert Money(12, "USD").amount == Decimal(12)
    assert Money(Decimal("0.05"), "USD").amount == Decimal("0.05")
    assert Money.parse(" 7.5 ", "USD").amount == Decimal("7.5")


def test_parse_refuses_more_decimals_than_the_currency_has():
    with pytest.raises(MoneyError):
        Money.parse("1.001", "USD")
    with pytest.raises(MoneyError):
        Money.parse("25000.5", "VND")
    assert Money.parse("25000", "VND").amount == Decimal(25000)


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "12A"])
def test_currency_must_be_an_iso_code(code):
    with pytest.raises(MoneyError):
        Money("1", code)


# ----------------------------------------------------------------------------- currencies never mix

def test_mixed_currencies_are_refused():
    usd, czk = Money("1.00", "USD"), Money("1.00", "CZK")
    with pytest.raises(MoneyError):
        usd + czk
    with pytest.raises(MoneyError):
        usd - czk
    with pytest.raises(MoneyError):
        usd < czk
    with pytest.raises(MoneyError):
        usd.max(czk)


def test_money_does_not_combine_with_plain_numbers():
    with pytest.raises(TypeError):
        Money("1.00", "USD") + Decimal("1")
    with pytest.raises(TypeError):
        Money("1.00", "USD") * Money("2", "USD")


def test_same_currency_arithmetic():
    a, b = Money("10.25", "USD"), Money("0.75", "USD")
    assert a + b == Money("11.00", "USD")
    assert a - b == Money("9.50", "USD")
    assert (a * 2).amount == Decimal("20.50")
    assert -a == Money("-10.25", "USD")
    assert b < a and a.min(b) == b and a.max(b) == a


# ----------------------------------------------------------------------------- rounding

@pytest.mark.parametrize("code, digits", [("USD", 2), ("VND", 0), ("CZK", 2), ("JPY", 0), ("TWD", 2)])
def test_currency_digits_from_babel(code, digits):
    assert currency_digits(code) == digits


@pytest.mark.parametrize("code, amount, expected", [
    ("USD", "1.005", "1.01"),    # half up
    ("USD", "1.004", "1.00"),
    ("USD", "-1.005", "-1.01"),  # half away from zero for refunds too
    ("VND", "12345.5", "12346"),
    ("VND", "12345.4", "12345"),
    ("CZK", "10.499", "10.50"),
])
def test_rounded_to_the_currency_minor_unit(code, amount, expected):
    result = Money(amount, code).rounded()
    assert result.amount == Decimal(expected)
    assert str(result.amount) == expected  # the exponent is the currency's


@pytest.mark.parametrize("amount, expected", [
    ("10.49", "10.00"),
    ("10.50", "11.00"),
    ("10.51", "11.00"),
    ("10.00", "10.00"),
    ("0.49", "0.00"),
])
def test_cash_rounding_to_one_crown(amount, expected):
    assert Money(amount, "CZK").cash_rounded(Decimal("1.00")).amount == Decimal(expected)


def test_cash_rounding_to_five_cents_and_no_increment():
    assert Money("1.02", "USD").cash_rounded(Decimal("0.05")).amount == Decimal("1.00")
    assert Money("1.03", "USD").cash_rounded(Decimal("0.05")).amount == Decimal("1.05")
    assert Money("1.034", "USD").cash_rounded(None).amount == Decimal("1.03")


def test_plain_uses_currency_digits():
    assert Money("485.99", "USD").plain() == "485.99"
    assert Money("5", "USD").plain() == "5.00"
    assert Money("25000", "VND").plain() == "25000"


# ----------------------------------------------------------------------------- minor units

@pytest.mark.parametrize("code, amount, minor", [
    ("USD", "485.99", 48599), ("USD", "-0.01", -1), ("VND", "25000", 25000), ("CZK", "249.90", 24990),
    ("USD", "0", 0),
])
def test_minor_units_round_trip(code, amount, minor):
    money = Money(amount, code)
    assert money.minor() == minor
    assert Money.from_minor(minor, code) == money
    assert Money.from_minor(money.minor(), code).minor() == minor


def test_minor_refuses_an_unrounded_amount():
    with pytest.raises(MoneyError):
        Money("1.005", "USD").minor()
    with pytest.raises(MoneyError):
        Money("0.5", "VND").minor()


def test_from_minor_refuses_non_integers():
    with pytest.raises(MoneyError):
        Money.from_minor("100", "USD")
    with pytest.raises(MoneyError):
        Money.from_minor(Decimal("1.5"), "USD")


# ----------------------------------------------------------------------------- allocate

def test_allocate_sums_exactly_and_remainder_goes_to_largest_weight():
    shares = allocate(Money("10.00", "USD"), [Decimal(1), Decimal(1), Decimal(1)])
    assert sum(s.minor() for s in shares) == 1000
    # 1000 / 3 = 333 each, 1 cent left; equal weights: the first largest gets it
    assert [s.minor() for s in shares] == [334, 333, 333]

    shares = allocate(Money("1.00", "USD"), [Decimal("10"), Decimal("30"), Decimal("20")])
    # floors 16, 50, 33 = 99; the remaining cent goes to the weight 30
    assert [s.minor() for s in shares] == [16, 51, 33]


def test_allocate_proportional_without_remainder():
    shares = allocate(Money("50.00", "USD"), [Decimal("300.00"), Decimal("200.00")])
    assert shares == [Money("30.00", "USD"), Money("20.00", "USD")]


def test_allocate_zero_decimal_currency():
    shares = allocate(Money("1000", "VND"), [Decimal(1), Decimal(2), Decimal(4)])
    assert sum(s.minor() for s in shares) == 1000
    assert [s.minor() for s in shares] == [142, 285, 573]
    assert all(s.currency == "VND" for s in shares)


def test_allocate_edge_cases():
    assert allocate(Money("5.00", "USD"), []) == []
    zero_weights = allocate(Money("5.00", "USD"), [Decimal(0), Decimal(0)])
    assert sum(s.minor() for s in zero_weights) == 500
