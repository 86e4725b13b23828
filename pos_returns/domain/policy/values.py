"""Typed reads of one policy value: each returns the value or raises :class:`Invalid` saying what is wrong.

The builder calls them through :meth:`PolicyChecker.get`, which records the problem at the value's path
and carries on with a default, so one file's every problem is reported at once.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

from pos_returns.domain.money import MoneyError, currency_digits, to_decimal
from pos_returns.domain.policy.model import MAX_DAYS, MonthDay
from pos_returns.domain.validate import Invalid, Validator


class PolicyChecker(Validator):
    """Collects every problem of one policy file; reads values with type checks."""

    def known_keys(self, table: dict, path: tuple, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
                self.error(path + (key,), f"unknown key '{key}'{hint}")

    # typed readers: return a default (None or given) after recording the problem
    def get(self, table: dict, path: tuple, key: str, kind: Callable[[Any, tuple], Any], *,
            required: bool = False, default: Any = None) -> Any:
        if key not in table:
            if required:
                self.error(path, f"missing required key '{key}'")
            return default
        return self.read(table[key], path + (key,), kind, default)


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a decimal number", str: "a string",
            list: "a list", dict: "a table", date: "a date"}.get(type(value), type(value).__name__)


def _str(value: Any, path: tuple) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string, not {_type_name(value)}")
    if not value.strip():
        raise Invalid("must not be empty")
    return value


def _bool(value: Any, path: tuple) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, not {_type_name(value)}")
    return value


def _days(value: Any, path: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be a whole number of days, not {_type_name(value)}")
    if value < 0:
        raise Invalid(f"must not be negative (got {value})")
    if value > MAX_DAYS:
        raise Invalid(f"{value} days is more than {MAX_DAYS} (ten years); is it a typo?")
    return value


def _count(value: Any, path: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be a whole number, not {_type_name(value)}")
    if value < 0:
        raise Invalid(f"must not be negative (got {value})")
    if value > 10000:
        raise Invalid(f"{value} is absurdly large; is it a typo?")
    return value


def _decimal_text(value: Any, path: tuple, what: str = "amount") -> Decimal:
    if isinstance(value, float):
        raise Invalid(f'write decimals as a string, e.g. "{value}", so they are exact')
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid(f"must be a decimal string, not {_type_name(value)}")
    try:
        number = to_decimal(value, what)
    except MoneyError as exc:
        raise Invalid(str(exc)) from None
    if number < 0:
        raise Invalid(f"must not be negative (got {value})")
    return number


def _percent(value: Any, path: tuple) -> Decimal:
    number = _decimal_text(value, path, "percent")
    if number > 100:
        raise Invalid(f"a percentage must be between 0 and 100 (got {value})")
    return number


def _date(value: Any, path: tuple) -> date:
    if type(value) is not date:
        raise Invalid(f"must be a date written as YYYY-MM-DD without quotes, not {_type_name(value)}")
    return value


def _id(value: Any, path: tuple) -> str:
    text = _str(value, path)
    if any(ch.isspace() for ch in text):
        raise Invalid(f"rule id '{text}' must not contain spaces")
    return text


def _str_list(value: Any, path: tuple) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"must be a list of strings, not {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise Invalid(f"item {i + 1} must be a non-empty string, not {_type_name(item)}")
    if len(set(value)) != len(value):
        dupes = sorted({v for v in value if value.count(v) > 1})
        raise Invalid(f"lists {', '.join(dupes)} more than once")
    return tuple(value)


def _some_str_list(value: Any, path: tuple) -> tuple[str, ...]:
    values = _str_list(value, path)
    if not values:
        raise Invalid("must list at least one entry (a manager picks one with every approval)")
    return values


def _choice(options: Iterable[str]) -> Callable[[Any, tuple], str]:
    options = tuple(options)

    def check(value: Any, path: tuple) -> str:
        text = _str(value, path)
        if text not in options:
            raise Invalid(f"'{text}' is not one of: {', '.join(options)}{_did_you_mean([text], options)}")
        return text
    return check


def _choices(options: Iterable[str]) -> Callable[[Any, tuple], tuple[str, ...]]:
    options = tuple(options)

    def check(value: Any, path: tuple) -> tuple[str, ...]:
        items = _str_list(value, path)
        bad = [v for v in items if v not in options]
        if bad:
            raise Invalid(f"{', '.join(repr(b) for b in bad)} not one of: {', '.join(options)}"
                          f"{_did_you_mean(bad, options)}")
        return items
    return check


def _did_you_mean(bad: Iterable[str], options: tuple[str, ...]) -> str:
    """' (did you mean 'opened'?)' for a misspelt choice ('opend'), else nothing."""
    close = [m[0] for b in bad if (m := difflib.get_close_matches(b, options, n=1))]
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""



def _money_reader(currency: str) -> Callable[[Any, tuple], Decimal]:
    def read(value: Any, path: tuple) -> Decimal:
        number = _decimal_text(value, path)
        digits = currency_digits(currency)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            raise Invalid(f"{value} has more decimals than {currency} allows ({digits})")
        return number
    return read



UNLIMITED = "unlimited"


def _window_days(value: Any, path: tuple) -> int | None:
    """A window's ``days``: a whole number of days, or ``"unlimited"`` (None): returnable at any time."""
    if value == UNLIMITED:
        return None
    if isinstance(value, str):
        raise Invalid(f'"{value}" is not a number of days: write a whole number (e.g. 30) or "{UNLIMITED}" '
                      f'for no time limit')
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_DAYS:
        raise Invalid(f'{value} days is more than {MAX_DAYS} (ten years); for no time limit write '
                      f'days = "{UNLIMITED}"')
    return _days(value, path)


_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


def _season_day(value: Any, path: tuple) -> date | MonthDay:
    """A seasonal date: a date of one year (``2026-01-15``) or a day of every year (``"01-15"``)."""
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise Invalid(f'must be a date (YYYY-MM-DD without quotes) or a day of every year ("MM-DD" in quotes, '
                      f'e.g. "12-24"), not {_type_name(value)}')
    m = _MONTH_DAY.fullmatch(value.strip())
    if not m:
        raise Invalid(f'"{value}" is neither a date (YYYY-MM-DD without quotes) nor a day of every year '
                      f'("MM-DD" in quotes, e.g. "12-24")')
    month, day = int(m.group(1)), int(m.group(2))
    if (month, day) == (2, 29):
        raise Invalid('"02-29" does not come every year; write "02-28" or "03-01"')
    try:
        date(2001, month, day)
    except ValueError:
        raise Invalid(f'"{value}" is not a day of the year (a month 01-12, then a day that month has)') from None
    return MonthDay(month, day)
