"""A fast reader for cases the store itself journaled (the what-if replay reads a year of them).

Every case in the journal was read and checked when it was recorded, and was written back by ``case_to_json``
in one shape: amounts as strings of decimals, every key where it belongs. A replay still reads it against a
*new* policy, so what depends on the policy is checked again here exactly as :func:`read_case` checks it
(categories, reasons, tiers, the store, the currency's digits), and so are the cheap checks of the case's own
consistency (kinds, quantities, line numbers, what was returned, discounts, the time). What this reader skips
is the full reader's bookkeeping of where each problem is: on the first thing that is not exactly as
``case_to_json`` writes it, it hands the case to :func:`read_case`, whose result (or :class:`CaseError`, with
every problem and its place) is the answer. So a malformed entry is refused with the same clear message, and
an accepted one is the same :class:`Case` the full reader builds.

Per policy, the reader keeps what repeats over a year of returns: parsed amounts, tax rates, tag sets, sale and
request lines, customers and stores (each keyed by its values, checked before the key where True == 1 matters).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson

from pos_returns.domain.case.read import Case, read_case
from pos_returns.domain.model import (Customer, ExchangeItem, NoReceiptItem, PastReturn, Promotion, Request,
                                      RequestLine, Sale, SaleLine, Tender)
from pos_returns.domain.money import Money, currency_digits, to_decimal
from pos_returns.domain.policy import Policy
from pos_returns.domain.case.trusted_parts import (
    _CASE, _CONDITIONS, _CUSTOMER, _EXCHANGE, _HISTORY, _LINE, _MISSING, _NO_OVERRIDES, _NO_RECEIPT, _PROMOTION,
    _REQUEST, _REQUEST_LINE, _SALE, _STORE, _TENDER, _TENDERS, _Untrusted, _flag, _fromiso, _keys, _list,
    _new_case, _new_line, _new_request, _new_request_line, _new_sale, _new_tender, _optional_text, _qty, _text,
    _when)


_fast_loads = orjson.loads  # JSONDecodeError is a ValueError

_KEEP = 100_000  # sale lines and request lines kept per reader (a year of returns has fewer distinct ones)


class TrustedReader:
    """Reads journaled cases against one policy; reuse one reader for a whole replay."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.currency = policy.currency
        self.categories = frozenset(policy.categories)
        self.reasons = frozenset(policy.reasons)
        self.tiers = frozenset(policy.tiers)
        self._money: dict[str, Money] = {}
        self._rates: dict[str, Decimal] = {}
        self._tags: dict[tuple[str, ...], frozenset[str]] = {}
        self._lines: dict[tuple, SaleLine] = {}
        self._asked: dict[tuple, RequestLine] = {}
        self._customers: dict[tuple, Customer] = {}
        self._places: dict[tuple, tuple[str | None, str | None]] = {}
        self.zero = Money.zero(self.currency)
        digits = currency_digits(self.currency)  # below 10 ** 15 (Money.parse's bound), never negative
        self._plain = re.compile(r"[0-9]{1,15}" + (rf"(?:\.[0-9]{{1,{digits}}})?" if digits else "")).fullmatch
        self.fallbacks = 0  # cases handed to the full reader (for the benchmark and the tests)

    def read(self, data: Any, source: str = "case") -> Case:
        """The case, as :func:`read_case` reads it; raises its :class:`CaseError` for a case it refuses."""
        try:
            return self._case(data)
        except (_Untrusted, KeyError, TypeError, ValueError, AttributeError):
            self.fallbacks += 1
            return read_case(data, self.policy, source)

    def read_text(self, text: str, source: str = "case") -> Case:
        """:meth:`read` of ``json.loads(text)``, the same case or the same error (and ``json.loads``'s own error
        for text that is no JSON). orjson parses the text first (twice as fast): what it gives differs from
        ``json.loads`` only where this reader refuses it anyway (a float for an integer past 64 bits), so a case
        accepted here is the same case, and anything else is parsed again by ``json.loads`` for the full reader."""
        try:
            return self._case(_fast_loads(text))
        except (_Untrusted, KeyError, TypeError, ValueError, AttributeError):
            self.fallbacks += 1
            return read_case(json.loads(text), self.policy, source)

    # values ---------------------------------------------------------------------------------------------------
    def _amount(self, d: dict, key: str) -> Money:
        text = d.get(key)
        money = self._money.get(text) if type(text) is str else None
        if money is None:
            if type(text) is not str:
                raise _Untrusted
            if self._plain(text):  # digits and at most the currency's decimals: what Money.parse makes of it
                money = Money(Decimal(text), self.currency)
            else:
                money = Money.parse(text, self.currency)  # MoneyError (a ValueError): more digits than allowed
                if money.amount < 0:
                    raise _Untrusted
            if len(self._money) >= _KEEP:
                self._money.clear()
            self._money[text] = money
        return money

    def _rate(self, d: dict) -> Decimal:
        text = d.get("tax_rate", "0")
        rate = self._rates.get(text) if type(text) is str else None
        if rate is None:
            if type(text) is not str:
                raise _Untrusted
            rate = to_decimal(text, "tax rate")
            if not Decimal(0) <= rate < Decimal(1):
                raise _Untrusted
            self._rates[text] = rate
        return rate

    def _tagset(self, d: dict) -> frozenset[str]:
        value = d.get("tags", [])
        if type(value) is not list:
            raise _Untrusted
        key = tuple(value)
        tags = self._tags.get(key)
        if tags is None:
            if not all(type(t) is str for t in value):
                raise _Untrusted
            tags = self._tags[key] = frozenset(value)
        return tags

    def _category(self, d: dict) -> str:
        value = _text(d, "category")
        if value not in self.categories:
            raise _Untrusted
        return value

    # the case -------------------------------------------------------------------------------------------------
    # The hot path checks inline what the helpers above check (a replay reads every case of a year; a call per
    # check was a third of the reading), and builds the model's immutable records without their frozen
    # __init__ (see _maker): the same records, the same checks, in fewer steps.
    def _case(self, data: Any) -> Case:
        if type(data) is not dict or not _CASE.issuperset(data) or "now" not in data or "sale" not in data or \
                "request" not in data:
            raise _Untrusted
        now = data["now"]
        if type(now) is not str:
            raise _Untrusted
        now = _fromiso(now)  # ValueError: the full reader names it
        if now.tzinfo is not None:
            now = now.replace(tzinfo=None)
        raw_sale = data["sale"]
        sale = self._sale(raw_sale) if raw_sale is not None else None
        region = store_id = None
        raw_store = data.get("store")
        if raw_store is not None:
            if type(raw_store) is not dict or not _STORE.issuperset(raw_store):
                raise _Untrusted
            key = (raw_store.get("id"), raw_store.get("region"))  # only strings and None are kept (see _place)
            place = self._places.get(key)
            if place is None:
                place = self._places[key] = self._place(raw_store)
            region, store_id = place
        request, history = self._request(data["request"], sale, region, store_id)
        if sale is not None and now < sale.sold_at:
            raise _Untrusted
        return _new_case({"now": now, "sale": sale, "request": request, "history": history})

    def _place(self, raw: dict) -> tuple[str | None, str | None]:
        """(region, store id) of a case's store; only strings and None get here from the cache's key."""
        if self.policy.chain is not None:  # which store and region a chain's case is: the full reader's rules
            raise _Untrusted
        store = _keys(raw, _STORE)
        region = _optional_text(store, "region")
        store_id = _optional_text(store, "id")
        if store_id and store_id != self.policy.store.id:
            raise _Untrusted
        return region or (self.policy.region_of(store_id) if store_id else None), store_id or None

    def _sale(self, d: Any) -> Sale:
        if type(d) is not dict or not _SALE.issuperset(d) or "receipt" not in d or "sold_at" not in d or \
                "lines" not in d or "tenders" not in d:
            raise _Untrusted
        receipt = d["receipt"]
        if type(receipt) is not str or not receipt.strip():
            raise _Untrusted
        sold_at = d["sold_at"]
        if type(sold_at) is not str:
            raise _Untrusted
        sold_at = _fromiso(sold_at)
        if sold_at.tzinfo is not None:
            sold_at = sold_at.replace(tzinfo=None)
        raw_lines = d["lines"]
        if type(raw_lines) is not list or not raw_lines:
            raise _Untrusted
        lines = tuple(map(self._sale_line, raw_lines))
        sold = {line.line: line.qty for line in lines} if len(lines) > 1 else {lines[0].line: lines[0].qty}
        if len(sold) != len(lines):  # a line number twice
            raise _Untrusted
        raw_tenders = d["tenders"]
        if raw_tenders:
            if type(raw_tenders) is not list:
                raise _Untrusted
            tenders = tuple(map(self._tender, raw_tenders))
        elif raw_tenders is None or type(raw_tenders) is list:
            tenders = ()
        else:
            raise _Untrusted
        returned: dict[int, int] = {}
        raw_returned = d.get("returned", {}) or {}
        if type(raw_returned) is not dict:
            raise _Untrusted
        for key, qty in raw_returned.items():
            if not key.isdigit() or int(key) not in sold or type(qty) is not int or not 0 <= qty <= sold[int(key)]:
                raise _Untrusted
            returned[int(key)] = qty
        promotions: tuple[Promotion, ...] = ()
        if d.get("promotions"):
            promotions = tuple(self._promotion(raw, sold) for raw in _list(d, "promotions"))
        elif "promotions" in d and d["promotions"] is not None and type(d["promotions"]) is not list:
            raise _Untrusted
        discount = self._amount(d, "discount") if "discount" in d else None
        if tenders and discount is not None:
            net = sum((line.unit_price * line.qty - line.discount for line in lines), self.zero) - discount
            if net.amount < 0:
                raise _Untrusted
        gift = d.get("gift_receipt", False)
        if type(gift) is not bool:
            raise _Untrusted
        return _new_sale({"receipt": receipt, "sold_at": sold_at, "lines": lines, "tenders": tenders,
                          "gift_receipt": gift, "returned": returned, "discount": discount,
                          "promotions": promotions, "store_id": None})

    def _tender(self, raw: Any) -> Tender:
        td = _keys(raw, _TENDER)
        kind = td.get("type")
        if kind not in _TENDERS:
            raise _Untrusted
        last4 = _optional_text(td, "last4")
        if last4 is not None and not (len(last4) == 4 and last4.isdigit()):
            raise _Untrusted
        amount = self._amount(td, "amount")
        refunded = self._amount(td, "refunded") if "refunded" in td else None
        if refunded is not None and refunded > amount:
            raise _Untrusted
        return _new_tender({"type": kind, "amount": amount, "last4": last4, "refunded": refunded})

    def _promotion(self, raw: Any, sold: dict[int, int]) -> Promotion:
        pd = _keys(raw, _PROMOTION)
        if "id" not in pd or "lines" not in pd or "discount" not in pd:
            raise _Untrusted
        members = pd["lines"]
        if type(members) is not list or not members or not all(type(n) is int and n in sold for n in members):
            raise _Untrusted
        return Promotion(_text(pd, "id"), tuple(members), self._amount(pd, "discount"))

    def _sale_line(self, ld: Any) -> SaleLine:
        """A sale line; the same line (same SKU, price, quantity, ...) recurs over a year of returns, and is
        read once (its key is its values; a SaleLine is immutable). A serial number makes most lines of
        electronics new: the line without it is kept, and a serialized line is that one with its serial."""
        if type(ld) is not dict or not _LINE.issuperset(ld):
            raise _Untrusted
        get = ld.get
        number, qty = get("line"), get("qty")  # ints checked first: True == 1 in a key
        if type(number) is not int or type(qty) is not int or not 1 <= number <= 100000 or not 1 <= qty <= 100000:
            raise _Untrusted
        tags = get("tags", _MISSING)
        key = (number, qty, get("sku", _MISSING), get("name", _MISSING), get("category", _MISSING),
               get("unit_price", _MISSING), get("discount", _MISSING), get("tax_rate", _MISSING),
               tuple(tags) if type(tags) is list else tags)
        line = self._lines.get(key)
        if line is None:
            price = self._amount(ld, "unit_price")
            discount = self._amount(ld, "discount") if "discount" in ld else self.zero
            if discount > price * qty:
                raise _Untrusted
            sku, name, category = key[2], key[3], key[4]
            if type(sku) is not str or not sku.strip() or type(category) is not str or \
                    not category.strip() or category not in self.categories:
                raise _Untrusted
            if name is _MISSING or name is None:
                name = ""
            elif type(name) is not str or not name.strip():
                raise _Untrusted
            line = _new_line({"line": number, "sku": sku, "name": name, "category": category, "qty": qty,
                              "unit_price": price, "discount": discount, "tax_rate": self._rate(ld),
                              "tags": self._tagset(ld), "serial": None})
            if len(self._lines) >= _KEEP:
                self._lines.clear()
            self._lines[key] = line
        serial = get("serial")
        if serial is None:
            return line
        if type(serial) is not str or not serial.strip():
            raise _Untrusted
        return _new_line({"line": number, "sku": line.sku, "name": line.name, "category": line.category, "qty": qty,
                          "unit_price": line.unit_price, "discount": line.discount, "tax_rate": line.tax_rate,
                          "tags": line.tags, "serial": serial})

    def _request_line(self, ld: Any) -> RequestLine:
        if type(ld) is not dict or not _REQUEST_LINE.issuperset(ld):
            raise _Untrusted
        get = ld.get
        number, qty = get("line"), get("qty")
        if type(number) is not int or type(qty) is not int or not 1 <= number <= 100000 or not 1 <= qty <= 100000:
            raise _Untrusted
        key = (number, qty, get("condition", _MISSING), get("reason", _MISSING))
        line = self._asked.get(key)
        if line is None:
            condition, reason = key[2], key[3]
            if type(reason) is not str or not reason.strip() or reason not in self.reasons or \
                    condition not in _CONDITIONS:
                raise _Untrusted
            line = _new_request_line({"line": number, "qty": qty, "condition": condition, "reason": reason,
                                      "serial": None})
            if len(self._asked) >= _KEEP:
                self._asked.clear()
            self._asked[key] = line
        serial = get("serial")
        if serial is None:
            return line
        if type(serial) is not str or not serial.strip():
            raise _Untrusted
        return _new_request_line({"line": number, "qty": qty, "condition": line.condition, "reason": line.reason,
                                  "serial": serial})

    def _request(self, d: Any, sale: Sale | None, region: str | None, store: str | None = None
                 ) -> tuple[Request, tuple[PastReturn, ...]]:
        if type(d) is not dict or not _REQUEST.issuperset(d):
            raise _Untrusted
        get = d.get
        kind = get("type")
        if kind not in ("return", "exchange"):
            raise _Untrusted
        raw_lines = get("lines")
        if raw_lines:
            if type(raw_lines) is not list or sale is None:
                raise _Untrusted
            lines = tuple(map(self._request_line, raw_lines))
            if len(lines) == 1:  # most returns are of one line
                number = lines[0].line
                for sold in sale.lines:
                    if sold.line == number:
                        break
                else:
                    raise _Untrusted
            else:
                numbers = {line.line for line in lines}
                if len(numbers) != len(lines) or not numbers.issubset({line.line for line in sale.lines}):
                    raise _Untrusted
        elif raw_lines is None or type(raw_lines) is list:
            lines = ()
        else:
            raise _Untrusted
        raw_items = get("no_receipt_items")
        no_receipt = tuple(self._no_receipt(raw, sale) for raw in _list(d, "no_receipt_items")) if raw_items else ()
        if not raw_items and raw_items is not None and type(raw_items) is not list:
            raise _Untrusted
        raw_exchange = get("exchange_items")
        exchange = tuple(self._exchange(raw) for raw in _list(d, "exchange_items")) if raw_exchange else ()
        if not raw_exchange and raw_exchange is not None and type(raw_exchange) is not list:
            raise _Untrusted
        if (kind == "exchange") != bool(exchange) or (sale is not None and not lines) or \
                (sale is None and not no_receipt):
            raise _Untrusted
        cd = get("customer", {}) or {}
        if type(cd) is not dict or not _CUSTOMER.issuperset(cd):
            raise _Untrusted
        tier = cd.get("tier")
        if tier is not None and tier not in self.tiers:
            raise _Untrusted
        raw_history = cd.get("history")
        history = tuple(self._past(raw) for raw in _list(cd, "history")) if raw_history else ()
        if not raw_history and raw_history is not None and type(raw_history) is not list:
            raise _Untrusted
        verified = cd.get("id_verified", False)
        if type(verified) is not bool:  # checked before the key: True == 1
            raise _Untrusted
        who = (verified, tier, cd.get("id"), cd.get("id_checked_by"))
        customer = self._customers.get(who)
        if customer is None:
            customer = Customer(id_verified=verified, tier=tier, id=_optional_text(cd, "id"),
                                id_checked_by=_optional_text(cd, "id_checked_by"))
            if len(self._customers) >= _KEEP:
                self._customers.clear()
            self._customers[who] = customer
        overrides = get("overrides", [])
        if type(overrides) is not list:
            raise _Untrusted
        if overrides:
            if not all(type(o) is str for o in overrides):
                raise _Untrusted
            overrides = frozenset(overrides)
        else:
            overrides = _NO_OVERRIDES
        request = _new_request({"type": kind, "lines": lines, "no_receipt_items": no_receipt,
                                "exchange_items": exchange, "customer": customer, "overrides": overrides,
                                "region": region, "store": store})
        return request, history

    def _no_receipt(self, raw: Any, sale: Sale | None) -> NoReceiptItem:
        idd = _keys(raw, _NO_RECEIPT)
        condition = idd.get("condition", "unopened")
        if sale is not None or "lowest_price" not in idd or condition not in _CONDITIONS:
            raise _Untrusted
        return NoReceiptItem(
            sku=_text(idd, "sku"), category=self._category(idd), qty=_qty(idd, "qty"),
            lowest_price=self._amount(idd, "lowest_price"), tax_rate=self._rate(idd), tags=self._tagset(idd),
            condition=condition, reason=_optional_text(idd, "reason"), name=_optional_text(idd, "name"),
            price_stated=_flag(idd, "price_stated"))

    def _exchange(self, raw: Any) -> ExchangeItem:
        xd = _keys(raw, _EXCHANGE)
        return ExchangeItem(
            sku=_text(xd, "sku"), category=self._category(xd) if "category" in xd else "", qty=_qty(xd, "qty"),
            unit_price=self._amount(xd, "unit_price"), tax_rate=self._rate(xd), name=_optional_text(xd, "name"))

    def _past(self, raw: Any) -> PastReturn:
        hd = _keys(raw, _HISTORY)
        return PastReturn(_when(hd["at"]), self._amount(hd, "amount"), _flag(hd, "no_receipt"))


def read_journaled(policy: Policy):
    """A function reading one journaled case (JSON already parsed) under ``policy``, for a replay."""
    return TrustedReader(policy).read


__all__ = ["TrustedReader", "read_journaled"]
