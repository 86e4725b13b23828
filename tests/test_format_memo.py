"""i18n.format_value keeps each formatted value (a commit renders its decision's sentences in every language):
whatever the order and however often asked, the text is Babel's own for that value, language and currency
locale, computed here by calling Babel directly (the expectation does not go through the cache)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from pos_returns.domain.money import Money
from pos_returns.i18n import LANGUAGES, Percent, Text, format_money, format_value, render


def babel(value, lang: str, currency_locale: str | None) -> str:
    loc = LANGUAGES[lang]
    if isinstance(value, Money):
        return format_currency(value.rounded().amount, value.currency, locale=currency_locale or loc)
    if isinstance(value, Percent):
        return format_percent(value.value / 100, locale=loc, format="#,##0.##%")
    if isinstance(value, datetime):
        return format_datetime(value, format="medium", locale=loc)
    if isinstance(value, date):
        return format_date(value, format="medium", locale=loc)
    return format_decimal(value, locale=loc)


def values() -> list:
    rng = random.Random(5)
    out: list = [Decimal("5.0"), Decimal("5.00"), Decimal("5"), Decimal("1234567.891"), Decimal("-0.5"), 0, 7,
                 1234567, Percent(Decimal("15")), Percent(Decimal("12.5")), Percent(Decimal("12.50")),
                 Money.parse("5.00", "USD"), Money.parse("5", "USD"), Money.parse("1234.5", "CZK"),
                 Money.parse("120000", "VND"), Money.parse("99.99", "TWD"), Money.parse("-3.10", "USD"),
                 date(2026, 6, 30), datetime(2026, 6, 30, 15, 4, 5),
                 datetime(2026, 6, 30, 15, 4, 5, tzinfo=timezone.utc),
                 datetime(2026, 6, 30, 15, 4, 5, tzinfo=timezone(timedelta(hours=7)))]
    for _ in range(60):
        out.append(Money.from_minor(rng.randint(-10**7, 10**7), rng.choice(["USD", "CZK", "TWD", "EUR"])))
        out.append(Decimal(rng.randint(0, 10**6)) / Decimal(10 ** rng.randint(0, 4)))
        out.append(date(2020, 1, 1) + timedelta(days=rng.randint(0, 3000)))
    return out


def test_every_value_in_every_language_is_babels_text_asked_once_or_many_times_in_any_order():
    cases = [(v, lang, loc) for v in values() for lang in LANGUAGES for loc in (None, "cs_CZ", "zh_Hant_TW")]
    rng = random.Random(9)
    for round_ in range(3):  # the first round fills the cache, the others read it, in another order each time
        rng.shuffle(cases)
        for value, lang, loc in cases:
            expected = babel(value, lang, loc)
            assert format_value(value, lang, loc) == expected, (round_, value, lang, loc)
            if isinstance(value, Money):
                assert format_money(value, lang, loc) == expected


def test_equal_decimals_of_another_exponent_keep_their_own_text():
    for lang in LANGUAGES:
        for a in ("5.0", "5.00", "5.000", "5"):
            assert format_value(Decimal(a), lang) == format_decimal(Decimal(a), locale=LANGUAGES[lang])
    assert format_value(Decimal("0.125"), "en") == "0.125" and format_value(Decimal("0.1250"), "en") == "0.125"


def test_a_sentence_renders_as_before_in_every_language():
    text = Text("Refund {amount} by {day}", {"amount": Money.parse("12.50", "USD"), "day": date(2026, 7, 1)},
                literal=True)
    for lang in LANGUAGES:
        assert render(text, lang, "en_US") == (f"Refund {format_currency(Decimal('12.50'), 'USD', locale='en_US')} "
                                               f"by {format_date(date(2026, 7, 1), format='medium', locale=LANGUAGES[lang])}")
