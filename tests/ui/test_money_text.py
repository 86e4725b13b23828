"""The counter writes each amount once (ui.context keeps the texts it made): the text is exactly the one the
store's format gives, for every sign, size and currency, whatever was written before it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from pos_returns.domain.money import Money
from ui.context import AppContext


def ctx_for(policy, locale: str, lang: str = "en") -> AppContext:
    store = replace(policy.store, locale=locale)
    return AppContext(store=None, policy=replace(policy, store=store), policy_path=None, lang=lang)


CASES = [  # (locale, amount, currency, text)
    ("en_US", "53.61", "USD", "$53.61"),
    ("en_US", "53.6", "USD", "$53.60"),
    ("en_US", "53.605", "USD", "$53.61"),  # rounded half up to the cent, as the receipt is
    ("en_US", "-0.50", "USD", "-$0.50"),
    ("en_US", "0", "USD", "$0.00"),
    ("en_US", "1234567.891", "USD", "$1,234,567.89"),
    ("cs_CZ", "1234.5", "CZK", "1\xa0234,50\xa0K\u010d"),
    ("vi_VN", "125000", "VND", "125.000\xa0\u20ab"),
]


def test_amounts_are_written_as_the_store_writes_them_every_time(policy):
    for locale, amount, currency, text in CASES * 2:  # the second round is answered from what was kept
        assert ctx_for(policy, locale).money(Money(Decimal(amount), currency)) == text, (locale, amount)


def test_equal_amounts_of_another_scale_or_sign_are_not_confused(policy):
    ctx = ctx_for(policy, "en_US")
    assert ctx.money(Money(Decimal("-0.001"), "USD")) == ctx.money(Money(Decimal("-0.00"), "USD"))
    assert ctx.money(Money(Decimal("2.5"), "USD")) == ctx.money(Money(Decimal("2.50"), "USD")) == "$2.50"
    assert ctx.money(Money(Decimal("-2.5"), "USD")) == "-$2.50"
