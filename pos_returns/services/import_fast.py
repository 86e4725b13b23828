"""The import's quick pass over a well-formed sale: the same checks as the full one, compiled once per file.

The full check (:func:`.importer._normal_sale`: the case reader's :func:`read_sale`, the import's text limits and
:func:`.importer._plausible`) builds Money, SaleLine and Sale objects and a reader per sale, so that it can say
exactly what is wrong and where; for a 60,000-line file that was most of the import. :class:`QuickSales` is
compiled once per file (the currency's digits, the amount pattern, the limits in minor units, the plausible
dates) and reads a sale straight into the rows the database takes, integer minor units parsed from the text.

Its contract: :meth:`QuickSales.sale` returns a sale only when the full check would find nothing wrong with it,
and then exactly the rows the full check returns; anything it does not recognise as plainly well-formed (a
problem, but also a rare form such as an amount with spaces or an exponent, a ``returned`` map, a refunded
tender) gives ``None``, and the caller runs the full check, which accepts it or says what is wrong. So every
message is the full check's own, and a file is accepted or refused exactly as before.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pos_returns.domain.money import MAX_AMOUNT, Money, _quantum, allocate, currency_digits
from pos_returns.domain.policy import TENDERS, Policy
from pos_returns.services.import_rules import CODE_LENGTH, EARLIEST_SALE, LATEST_AHEAD, NAME_LENGTH, text_problem

_SALE_REQUIRED = frozenset(("receipt", "sold_at", "lines", "tenders"))
_SALE_KEYS = _SALE_REQUIRED | {"gift_receipt", "discount", "promotions", "store", "register", "customer", "barcode"}
_LINE_REQUIRED = frozenset(("line", "sku", "category", "qty", "unit_price"))
_LINE_KEYS = _LINE_REQUIRED | {"name", "discount", "tax_rate", "tags", "serial"}
_TENDER_REQUIRED = frozenset(("type", "amount"))
_TENDER_KEYS = _TENDER_REQUIRED | {"last4"}
_PROMOTION_KEYS = frozenset(("id", "lines", "discount"))
_EXTRAS = ("store", "register", "customer", "barcode")
_TENDER_TYPES = frozenset(TENDERS)
#: the whole part of an amount the quick pass reads: 15 digits at most, so always below 10^15 as Money.parse asks
_WHOLE_DIGITS = 15
#: a tax rate the quick pass reads: 0 or 0.x with up to 6 decimals (``str(Decimal(text))`` is then the text)
_RATE = re.compile(r"0(?:\.[0-9]{1,6})?", re.ASCII)
_NO_TAGS = "[]"


def _code(value: Any) -> bool:
    """A code (receipt, SKU, category, serial, store, register, customer, barcode) the full check accepts:
    a string, not blank, at most 64 characters, no control, invisible formatting or right-to-left character."""
    return (type(value) is str and len(value) <= CODE_LENGTH and bool(value.strip())
            and ((value.isascii() and value.isprintable()) or text_problem(value, CODE_LENGTH, True) is None))


def _name(value: Any) -> bool:
    return (type(value) is str and len(value) <= NAME_LENGTH and bool(value.strip())
            and ((value.isascii() and value.isprintable()) or text_problem(value, NAME_LENGTH, False) is None))


class QuickSales:
    """The quick pass, compiled for one file: ``sale(data)`` -> the sale's rows, or None (run the full check)."""

    def __init__(self, policy: Policy, now: datetime):
        currency = policy.currency
        digits = currency_digits(currency)
        self.currency, self.digits, self.scale = currency, digits, 10 ** digits
        self.limit = int(MAX_AMOUNT) * self.scale  # 10^15 in minor units: no line or sale reaches it
        self.amount = re.compile(r"([0-9]{1,%d})(?:\.([0-9]{1,%d}))?" % (_WHOLE_DIGITS, digits) if digits
                                 else r"([0-9]{1,%d})()" % _WHOLE_DIGITS, re.ASCII)
        self.quantum = _quantum(currency)
        self.store_id = policy.store.id
        self.included = policy.store.prices_include_tax
        self.earliest, self.latest = EARLIEST_SALE, now + LATEST_AHEAD
        self.cash_slack: int | None = 0
        if policy.store.cash_rounding:
            try:  # as the full check works it out per sale; one it cannot work out is left to it
                self.cash_slack = Money(policy.store.cash_rounding, currency).minor()
            except Exception:  # noqa: BLE001 - the full check raises it, with its own words
                self.cash_slack = None
        # each converter is a pure function of its text: cached per file (a till's prices, rates, SKUs repeat)
        self._minor: dict[str, int | None] = {}
        self._rates: dict[str, tuple[Decimal, str, dict[int, int]] | None] = {}
        self._tags: dict[tuple[str, ...], str | None] = {}
        self._codes: set[str] = set()  # codes and names already found acceptable
        self._names: set[str] = set()

    # converters -------------------------------------------------------------------------------------------
    def minor(self, value: Any) -> int | None:
        """An amount in minor units, as ``Money.parse(value).minor()`` has it, when it is a plain one (digits,
        an optional point and at most the currency's decimals, or a JSON whole number), else None."""
        if type(value) is str:
            try:
                return self._minor[value]
            except KeyError:
                pass
            m = self.amount.fullmatch(value)
            found = None
            if m:
                frac = m.group(2)
                found = int(m.group(1)) * self.scale + (int(frac.ljust(self.digits, "0")) if frac else 0)
            self._minor[value] = found
            return found
        if type(value) is int and 0 <= value < 10 ** _WHOLE_DIGITS:  # MAX_AMOUNT
            return value * self.scale
        return None

    def rate(self, value: Any) -> tuple[Decimal, str, dict[int, int]] | None:
        """A tax rate, its text as stored (``str(to_decimal(value))``) and its taxes by net so far, when it is a
        plain one."""
        if type(value) is not str:
            return None
        try:
            return self._rates[value]
        except KeyError:
            pass
        found = None
        if _RATE.fullmatch(value):
            rate = Decimal(value)
            found = (rate, str(rate), {})
        self._rates[value] = found
        return found

    def tax(self, net: int, rate: tuple[Decimal, str, dict[int, int]]) -> int:
        """A line's tax in minor units where prices exclude it: the Decimal operations of
        ``engine.amounts.tax_of`` on ``net`` (where prices include tax, what was paid is the nets alone)."""
        found = rate[2].get(net)
        if found is None:
            value = Decimal(net).scaleb(-self.digits) * rate[0]
            found = rate[2][net] = int(value.quantize(self.quantum, rounding=ROUND_HALF_UP).scaleb(self.digits))
        return found

    def tags(self, value: Any) -> str | None:
        """The tags as stored (JSON of the sorted set), when they are a list of acceptable strings."""
        if type(value) is not list:
            return None
        key = tuple(value)
        try:
            return self._tags[key]
        except KeyError:
            pass
        except TypeError:  # a list or an object among the tags: the full check says what is wrong
            return None
        found = None
        if all(type(t) is str and text_problem(t, CODE_LENGTH, True) is None for t in key):
            found = json.dumps(sorted(frozenset(key)))
        self._tags[key] = found
        return found

    def _code(self, value: str) -> bool:
        if _code(value):
            self._codes.add(value)
            return True
        return False

    def _name(self, value: str) -> bool:
        if _name(value):
            self._names.add(value)
            return True
        return False

    # one sale ---------------------------------------------------------------------------------------------
    def sale(self, d: Any) -> dict[str, Any] | None:  # noqa: C901 - one pass over the sale
        """The sale's rows in minor units (as :func:`.importer._normal_sale` returns them), or None."""
        if type(d) is not dict or not d.keys() <= _SALE_KEYS or not _SALE_REQUIRED <= d.keys():
            return None
        receipt = d["receipt"]
        if not _code(receipt):
            return None
        extra = {}
        for key in _EXTRAS:
            value = d.get(key)
            if value is not None and not (type(value) is str and (value in self._codes or self._code(value))):
                return None
            extra[key] = value
        sold_at = d["sold_at"]
        if type(sold_at) is not str:
            return None
        try:
            moment = datetime.fromisoformat(sold_at)
        except ValueError:
            return None
        if moment.tzinfo is not None:
            moment = moment.replace(tzinfo=None)
        if not self.earliest <= moment <= self.latest:
            return None
        gift = d.get("gift_receipt", False)
        if type(gift) is not bool:
            return None
        discount = self.minor(d["discount"]) if "discount" in d else 0
        if discount is None:
            return None
        lines = self._lines(d["lines"], not discount and not self.included)
        if lines is None:
            return None
        rows, nets, rates, gross, net, tax = lines
        if discount > net:  # the sale discount is more than the sale
            return None
        tenders = self._tenders(d["tenders"])
        if tenders is None:
            return None
        tender_rows, paid, cash = tenders
        promotions = self._promotions(d["promotions"], rows) if "promotions" in d else []
        if promotions is None:
            return None
        slack = len(rows)  # per-line tax rounding at the till
        if cash and self.cash_slack:
            slack += self.cash_slack
        elif cash and self.cash_slack is None:
            return None
        if discount:
            total = self._total(nets, rates, discount)
        else:
            total = net if self.included else net + tax
        if abs(paid - total) > slack:
            return None
        return {
            "receipt": receipt, "store_id": extra["store"] or self.store_id, "register": extra["register"],
            "sold_at": moment.isoformat(timespec="seconds"), "currency": self.currency, "gift_receipt": gift,
            "discount": discount, "customer_id": extra["customer"], "barcode": extra["barcode"],
            "lines": rows, "tenders": tender_rows, "promotions": promotions,
        }

    def _lines(self, raw: Any, taxed: bool):  # noqa: C901 - the hot loop, kept in one piece
        """The lines' rows, nets, rates, gross and net amount, and (``taxed``: tax added, no sale discount to
        spread first) their tax; None at the first thing that is not plainly right."""
        if type(raw) is not list or not raw:
            return None
        minor_of, minor, rates_of, codes, names = self._minor, self.minor, self._rates, self._codes, self._names
        rows, nets, rates, numbers = [], [], [], set()
        gross = line_discounts = tax = 0
        limit = self.limit
        for ld in raw:
            if type(ld) is not dict:
                return None
            keys = ld.keys()
            if not keys <= _LINE_KEYS or not _LINE_REQUIRED <= keys:
                return None
            number, qty = ld["line"], ld["qty"]
            if type(number) is not int or type(qty) is not int or not 0 < number <= 100000 or \
                    not 0 < qty <= 100000 or number in numbers:
                return None
            numbers.add(number)
            value = ld["unit_price"]
            price = minor_of.get(value) if type(value) is str else None
            if price is None and (price := minor(value)) is None:
                return None
            amount = price * qty
            discount = 0
            if "discount" in keys:
                value = ld["discount"]
                discount = minor_of.get(value) if type(value) is str else None
                if discount is None and (discount := minor(value)) is None:
                    return None
            if discount > amount or amount >= limit:
                return None
            sku, category, name, serial = ld["sku"], ld["category"], ld.get("name"), ld.get("serial")
            if type(sku) is not str or (sku not in codes and not self._code(sku)):
                return None
            if type(category) is not str or (category not in codes and not self._code(category)):
                return None
            if name is None:
                name = sku
            elif type(name) is not str or (name not in names and not self._name(name)):
                return None
            if serial is not None and not _code(serial):
                return None
            tags = self.tags(ld["tags"]) if "tags" in keys else _NO_TAGS
            value = ld.get("tax_rate", "0")
            rate = rates_of.get(value) if type(value) is str else None
            if tags is None or (rate is None and (rate := self.rate(value)) is None):
                return None
            gross += amount
            line_discounts += discount
            amount -= discount  # the line's net
            if taxed:
                found = rate[2].get(amount)
                tax += found if found is not None else self.tax(amount, rate)
            nets.append(amount)
            rates.append(rate)
            rows.append({"line": number, "sku": sku, "name": name, "category": category, "qty": qty,
                         "unit_price": price, "discount": discount, "tax_rate": rate[1], "tags": tags,
                         "serial": serial})
        if gross >= limit:
            return None
        return rows, nets, rates, gross, gross - line_discounts, tax

    def _tenders(self, raw: Any):
        if type(raw) is not list:
            return None
        minor_of, minor = self._minor, self.minor
        rows, paid, cash = [], 0, False
        for td in raw:
            if type(td) is not dict:
                return None
            keys = td.keys()
            if not keys <= _TENDER_KEYS or not _TENDER_REQUIRED <= keys:
                return None
            kind, value, last4 = td["type"], td["amount"], td.get("last4")
            if type(kind) is not str or kind not in _TENDER_TYPES:
                return None
            if last4 is not None and not (type(last4) is str and len(last4) == 4 and last4.isdigit()):
                return None
            amount = minor_of.get(value) if type(value) is str else None
            if amount is None and (amount := minor(value)) is None:
                return None
            paid += amount
            if kind == "cash":
                cash = True
            rows.append({"type": kind, "amount": amount, "last4": last4})
        return rows, paid, cash

    def _promotions(self, raw: Any, lines: list[dict]) -> list[dict] | None:
        if raw is None:
            return []
        if type(raw) is not list:
            return None
        numbers = {line["line"] for line in lines}
        rows = []
        for pd in raw:
            if type(pd) is not dict or pd.keys() != _PROMOTION_KEYS:
                return None
            promo, on = pd["id"], pd["lines"]
            if type(promo) is not str or not promo.strip():
                return None
            if type(on) is not list or not on or not all(type(n) is int and n in numbers for n in on):
                return None
            discount = self.minor(pd["discount"])
            if discount is None:
                return None
            rows.append({"id": promo, "lines": list(on), "discount": discount})
        return rows

    def _total(self, nets: list[int], rates: list, discount: int) -> int:
        """What the customer paid, in minor units, as ``engine.sale_total`` works it out with a sale discount:
        spread over the lines by ``money.allocate`` first."""
        shares = allocate(Money.from_minor(discount, self.currency), [Decimal(n).scaleb(-self.digits) for n in nets])
        nets = [n - s.minor() for n, s in zip(nets, shares)]
        total = sum(nets)
        if not self.included:
            total += sum(self.tax(n, rate) for n, rate in zip(nets, rates))
        return total
