"""One money type: a Decimal amount with an ISO 4217 currency.

Rules (house rules of DESIGN.md):
- built from ``str``, ``int`` or ``Decimal`` only; a ``float`` is refused;
- two amounts of different currencies never mix;
- rounding is explicit: :meth:`Money.rounded` to the currency's minor unit
  (digits from Babel), :meth:`Money.cash_rounded` to a cash increment;
- storage is integer minor units (:meth:`Money.minor` / :meth:`Money.from_minor`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision


class MoneyError(ValueError):
    """An amount that cannot be money (a float, a bad string, mixed currencies)."""


#: what a number written as text may look like: ASCII digits, one point, an optional sign and exponent.
#: ``Decimal`` itself also reads Arabic-Indic or fullwidth digits and ``1_0.00``; a till never writes those.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)

#: no amount a store handles comes near this; larger input is a typo or an attack, refused when parsed
MAX_AMOUNT = Decimal(10) ** 15


@lru_cache(maxsize=None)
def currency_digits(currency: str) -> int:
    """Digits of the currency's minor unit, from Babel's CLDR data (USD 2, VND 0, CZK 2)."""
    return get_currency_precision(currency)


@lru_cache(maxsize=None)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(currency))


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """The one Decimal constructor: str, int or Decimal; never float or bool."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{what} must be a string of decimals, not a {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise MoneyError(f"{what} is empty")
        if not _NUMBER.fullmatch(text):
            raise MoneyError(f"{what} {_shown(value)} is not a decimal number (write the digits 0-9 and a point, "
                             "e.g. 49.99)")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{what} {value!r} is not a decimal number") from None
    else:
        raise MoneyError(f"{what} must be a string of decimals, not {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{what} {value!r} is not a finite number")
    return result


def _shown(value: str) -> str:
    """A bad input as it may be repeated in a message: short, and never a whole card number."""
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(re.sub(r"[0-9]{13,}", lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text))


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        elif not self.amount.is_finite():
            raise MoneyError("amount is not a finite number")
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()
                and self.currency.isupper()):
            raise MoneyError(f"currency {self.currency!r} is not an ISO 4217 code")

    # construction -------------------------------------------------------
    @classmethod
    def _new(cls, amount: Decimal, currency: str) -> "Money":
        """Internal: an already checked Decimal and currency (results of arithmetic on Money). Sets the two
        slots through their descriptors (no frozen-__setattr__ detour: an evaluation makes dozens of these)."""
        money = _object_new(cls)
        _set_amount(money, amount)
        _set_currency(money, currency)
        return money

    @classmethod
    def parse(cls, value: object, currency: str, what: str = "amount") -> "Money":
        """Parse user or file input; refuses more decimals than the currency has."""
        amount = to_decimal(value, what)
        if abs(amount) >= MAX_AMOUNT:
            raise MoneyError(f"{what} {_shown(str(value))} is too large to be an amount")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > currency_digits(currency):
            raise MoneyError(
                f"{what} {_shown(str(value))} has more decimals than {currency} allows ({currency_digits(currency)})")
        return cls(amount, currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        if cls is Money:  # immutable: one zero per currency, checked once (every evaluation asks for it)
            return _zero(currency)
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> "Money":
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise MoneyError("minor units must be an integer")
        return cls(Decimal(minor).scaleb(-currency_digits(currency)), currency)

    def minor(self) -> int:
        """Integer minor units; the amount must already be rounded to the currency."""
        scaled = self.amount.scaleb(currency_digits(self.currency))
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{self} is not rounded to {self.currency} minor units")
        return int(scaled)

    # arithmetic ---------------------------------------------------------
    def _same(self, other: object) -> "Money":
        if type(other) is Money and other.currency == self.currency:
            return other
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")
        return other

    # The operations below inline the checks of _same and the making of _new for the common case (the same
    # currency, a plain Money): an evaluation does a few dozen of them; anything else goes the general way.
    def __add__(self, other: "Money") -> "Money":
        if type(other) is Money and other.currency == self.currency:
            money = _object_new(Money)
            _set_amount(money, self.amount + other.amount)
            _set_currency(money, self.currency)
            return money
        return Money._new(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        if type(other) is Money and other.currency == self.currency:
            money = _object_new(Money)
            _set_amount(money, self.amount - other.amount)
            _set_currency(money, self.currency)
            return money
        return Money._new(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> "Money":
        return Money._new(-self.amount, self.currency)

    def __mul__(self, factor: object) -> "Money":
        if type(factor) is int:
            money = _object_new(Money)
            _set_amount(money, self.amount * factor)
            _set_currency(money, self.currency)
            return money
        if isinstance(factor, Money) or isinstance(factor, float):
            raise TypeError("Money can only be multiplied by an int or a Decimal")
        return Money._new(self.amount * to_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> "Money":
        if isinstance(divisor, Money) or isinstance(divisor, float):
            raise TypeError("Money can only be divided by an int or a Decimal")
        if type(divisor) is int:
            return Money._new(self.amount / divisor, self.currency)
        return Money._new(self.amount / to_decimal(divisor, "divisor"), self.currency)

    def __lt__(self, other: "Money") -> bool:
        if type(other) is Money and other.currency == self.currency:
            return self.amount < other.amount
        return self.amount < self._same(other).amount

    def __le__(self, other: "Money") -> bool:
        if type(other) is Money and other.currency == self.currency:
            return self.amount <= other.amount
        return self.amount <= self._same(other).amount

    def __gt__(self, other: "Money") -> bool:
        if type(other) is Money and other.currency == self.currency:
            return self.amount > other.amount
        return self.amount > self._same(other).amount

    def __ge__(self, other: "Money") -> bool:
        if type(other) is Money and other.currency == self.currency:
            return self.amount >= other.amount
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def is_zero(self) -> bool:
        return self.amount == 0

    def min(self, other: "Money") -> "Money":
        if type(other) is Money and other.currency == self.currency:
            return self if self.amount <= other.amount else other
        return self if self <= other else other

    def max(self, other: "Money") -> "Money":
        if type(other) is Money and other.currency == self.currency:
            return self if self.amount >= other.amount else other
        return self if self >= other else other

    # rounding -----------------------------------------------------------
    def rounded(self) -> "Money":
        """Round half up to the currency's minor unit."""
        money = _object_new(Money)
        _set_amount(money, self.amount.quantize(_quantum(self.currency), rounding=ROUND_HALF_UP))
        _set_currency(money, self.currency)
        return money

    def cash_rounded(self, increment: Decimal | None, *, down: bool = False) -> "Money":
        """Round half up (or ``down``) to a cash increment (e.g. CZK 1.00); ``None`` or 0 leaves minor-unit
        rounding."""
        if not increment:
            return self.rounded()
        steps = (self.amount / increment).quantize(Decimal(1), rounding=ROUND_FLOOR if down else ROUND_HALF_UP)
        return Money(steps * increment, self.currency).rounded()

    # output -------------------------------------------------------------
    def plain(self) -> str:
        """The amount as a plain decimal string with the currency's digits ("485.99", "25000")."""
        return str(self.rounded().amount)

    def __str__(self) -> str:
        return f"{self.plain()} {self.currency}"


@lru_cache(maxsize=64)
def _zero(currency: str) -> Money:
    return Money(Decimal(0), currency)


_object_new = object.__new__
_set_amount = Money.__dict__["amount"].__set__  # the slots' own descriptors (Money is a slots dataclass)
_set_currency = Money.__dict__["currency"].__set__


def total(amounts, zero: Money) -> Money:
    """``sum(amounts, zero)``: the same Decimal additions in the same order, one Money made (an evaluation sums a
    dozen short lists). Mixing currencies, or something that is no Money, fails as ``+`` fails."""
    currency = zero.currency
    acc = zero.amount
    added = False
    for money in amounts:
        if type(money) is not Money or money.currency != currency:
            zero._same(money)  # raises as zero + money would (a Money subclass of the currency passes)
        acc = acc + money.amount
        added = True
    return Money._new(acc, currency) if added else zero


def net_refund(item: Money, fee: Money, takeback: Money, tax: Money) -> Money:
    """``item - fee - takeback + tax``: the same Decimal operations in the same order, one Money made."""
    currency = item.currency
    if fee.currency != currency or takeback.currency != currency or tax.currency != currency \
            or type(item) is not Money or type(fee) is not Money or type(takeback) is not Money \
            or type(tax) is not Money:
        return item - fee - takeback + tax  # raises as ever on mixed currencies
    return Money._new(item.amount - fee.amount - takeback.amount + tax.amount, currency)


def allocate(total: Money, weights: list[Decimal]) -> list[Money]:
    """Split ``total`` in proportion to ``weights``, in minor units, summing exactly to ``total``.

    Each share is rounded down; the remainder minor units go to the largest weight
    (the first of equal largest), as DESIGN.md asks for sale-level discounts.
    """
    total = total.rounded()
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    currency = total.currency
    total_minor = total.minor()
    if weight_sum == 0:
        shares = [0] * len(weights)
    else:
        shares = [int((Decimal(total_minor) * w / weight_sum).to_integral_value(rounding="ROUND_FLOOR"))
                  for w in weights]
    remainder = total_minor - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-weights[i], i))  # largest first
    scale = Decimal(1).scaleb(currency_digits(currency))
    for i in order:  # the largest takes the remainder, never more than its own weight (a line's net)
        if remainder <= 0:
            break
        room = int((weights[i] * scale).to_integral_value(rounding="ROUND_FLOOR")) - shares[i]
        take = remainder if weight_sum < total.amount else min(remainder, max(room, 0))
        shares[i] += take
        remainder -= take
    shares[order[0]] += remainder  # only when the total is more than all the weights
    return [Money.from_minor(s, currency) for s in shares]
