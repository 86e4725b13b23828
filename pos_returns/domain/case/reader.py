"""Typed reads of parsed JSON, checked against the policy a case is decided under.

:class:`CaseReader` is the shared :class:`~pos_returns.domain.validate.Validator` with the JSON wording:
``where`` is the path of the object read (``("sale", "lines", 0)``), problems land at the object or at its
key (``sale.lines[0].unit_price: ...``), and a bad value reads as a placeholder so the rest is still checked.
The sales import reads a till's file with the same reader.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_returns.domain.case.jsontext import _Float
from pos_returns.domain.money import Money, MoneyError, to_decimal
from pos_returns.domain.policy import Policy
from pos_returns.domain.validate import Path, Validator


class CaseReader(Validator):
    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy
        self.currency = policy.currency

    def obj(self, value: Any, where: Path, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.error(where, f"must be an object, not {kind_of(value)}")
            return {}
        for key in required:
            if key not in value:
                self.error(where, f"missing '{key}'")
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.error(where + (key,), f"unknown key (expected: {', '.join(sorted(allowed))})")
        return value

    def text(self, d: dict, key: str, where: Path, default: Any = None, required: bool = False) -> Any:
        if key not in d or d[key] is None:
            if required:
                self.error(where, f"missing '{key}'")
            return default
        value = d[key]
        if not isinstance(value, str) or not value.strip():
            self.error(where + (key,), f"must be a non-empty string, not {kind_of(value)}")
            return default
        return value

    def flag(self, d: dict, key: str, where: Path, default: bool = False) -> bool:
        value = d.get(key, default)
        if not isinstance(value, bool):
            self.error(where + (key,), f"must be true or false, not {kind_of(value)}")
            return default
        return value

    def qty(self, d: dict, key: str, where: Path, minimum: int = 1) -> int:
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where + (key,), f"must be a whole number, not {kind_of(value)}")
            return 0
        if value < minimum:
            self.error(where + (key,), f"must be {minimum} or more (got {value})")
            return 0
        if value > 100000:
            self.error(where + (key,), f"{value} is not a plausible quantity")
            return 0
        return value

    def money(self, d: dict, key: str, where: Path, required: bool = True) -> Money | None:
        if key not in d:
            if required:
                self.error(where, f"missing '{key}'")
            return None
        value = d[key]
        if isinstance(value, _Float):
            self.error(where + (key,), f'amounts are strings of decimals: write "{value}", not {value}')
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(where + (key,), f"must be an amount as a string of decimals, not {kind_of(value)}")
            return None
        try:
            money = Money.parse(value, self.currency, "amount")
        except MoneyError as exc:
            self.error(where + (key,), str(exc))
            return None
        if money.amount < 0:
            self.error(where + (key,), f"must not be negative (got {value})")
            return None
        return money

    def rate(self, d: dict, key: str, where: Path) -> Decimal:
        value = d.get(key, "0")
        if isinstance(value, _Float):
            self.error(where + (key,), f'write the rate as a string: "{value}"')
            return Decimal(0)
        try:
            rate = to_decimal(value, "tax rate")
        except MoneyError as exc:
            self.error(where + (key,), str(exc))
            return Decimal(0)
        if not Decimal(0) <= rate < Decimal(1):
            self.error(where + (key,), f"a tax rate is a fraction between 0 and 1, e.g. \"0.08\" (got {value})")
            return Decimal(0)
        return rate

    def when(self, d: dict, key: str, where: Path) -> datetime | None:
        value = d.get(key)
        if not isinstance(value, str):
            self.error(where + (key,) if key in d else where,
                       f"missing '{key}'" if key not in d else f"must be an ISO 8601 time string, not {kind_of(value)}")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.error(where + (key,), f"'{value}' is not an ISO 8601 time like 2026-01-10T15:00:00")
            return None
        if moment.tzinfo is not None:
            moment = moment.replace(tzinfo=None)  # times are local store time
        return moment

    def choice(self, d: dict, key: str, where: Path, options: tuple[str, ...], default: str | None = None,
               required: bool = True) -> str | None:
        value = d.get(key, default)
        if value is None:
            if required:
                self.error(where, f"missing '{key}'")
            return None
        if value not in options:
            self.error(where + (key,), f"{value!r} is not one of: {', '.join(options)}")
            return default
        return value

    def tags(self, d: dict, key: str, where: Path) -> frozenset[str]:
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.error(where + (key,), "must be a list of strings")
            return frozenset()
        return frozenset(value)

    def category(self, d: dict, where: Path) -> str:
        # a department the policy does not name falls under its default rules (the decision says so)
        return self.text(d, "category", where, default="", required=True)

    def items(self, value: Any, where: Path) -> list[tuple[int, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, f"must be a list, not {kind_of(value)}")
            return []
        return list(enumerate(value))


def kind_of(value: Any) -> str:
    if isinstance(value, _Float):
        return "a JSON number with decimals"
    return {bool: "true/false", int: "a number", str: "a string", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)
