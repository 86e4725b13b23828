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

Per policy, the reader keeps what repeats over a year of returns: parsed amounts, tax rates and tag sets.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from pos_returns.domain.case.read import Case, read_case
from pos_returns.domain.model import (Customer, ExchangeItem, NoReceiptItem, PastReturn, Promotion, Request,
                                      RequestLine, Sale, SaleLine, Tender)
from pos_returns.domain.money import Money, to_decimal
from pos_returns.domain.policy import CONDITIONS, TENDERS, Policy


_fast_loads = orjson.loads  # JSONDecodeError is a ValueError

_KEEP = 100_000  # sale lines and request lines kept per reader (a year of returns has fewer distinct ones)


_MISSING = object()  # a key left out, in a cache key (not the same as a key given as null)


class _Untrusted(Exception):
    """Not exactly as the store writes it: the full reader decides."""


_CASE = frozenset(("now", "sale", "request", "store", "expect", "description"))
_STORE = frozenset(("id", "region"))
_SALE = frozenset(("receipt", "sold_at", "lines", "tenders", "gift_receipt", "returned", "discount", "promotions",
                   "store"))
_SALE_REQUIRED = ("receipt", "sold_at", "lines", "tenders")
_LINE = frozenset(("line", "sku", "category", "qty", "unit_price", "name", "discount", "tax_rate", "tags", "serial"))
_TENDER = frozenset(("type", "amount", "last4", "refunded"))
_PROMOTION = frozenset(("id", "lines", "discount"))
_REQUEST = frozenset(("type", "lines", "no_receipt_items", "exchange_items", "customer", "overrides"))
_REQUEST_LINE = frozenset(("line", "qty", "condition", "reason", "serial"))
_NO_RECEIPT = frozenset(("sku", "category", "qty", "lowest_price", "tax_rate", "tags", "condition", "reason", "name",
                         "price_stated"))
_EXCHANGE = frozenset(("sku", "qty", "unit_price", "category", "tax_rate", "name"))
_CUSTOMER = frozenset(("id", "id_verified", "id_checked_by", "tier", "history"))
_HISTORY = frozenset(("at", "amount", "no_receipt"))
_CONDITIONS = frozenset(CONDITIONS)
_TENDERS = frozenset(TENDERS)


def _keys(d: Any, allowed: frozenset[str]) -> dict:
    if type(d) is not dict or not allowed.issuperset(d):
        raise _Untrusted
    return d


def _text(d: dict, key: str) -> str:
    """A required non-empty string."""
    value = d.get(key)
    if type(value) is not str or not value.strip():
        raise _Untrusted
    return value


def _optional_text(d: dict, key: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if type(value) is not str or not value.strip():
        raise _Untrusted
    return value


def _qty(d: dict, key: str) -> int:
    value = d.get(key)
    if type(value) is not int or not 1 <= value <= 100000:
        raise _Untrusted
    return value


def _flag(d: dict, key: str) -> bool:
    value = d.get(key, False)
    if type(value) is not bool:
        raise _Untrusted
    return value


def _when(value: Any) -> datetime:
    if type(value) is not str:
        raise _Untrusted
    moment = datetime.fromisoformat(value)  # ValueError: the full reader names it
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _list(d: dict, key: str) -> list:
    value = d.get(key)
    if value is None:
        return []
    if type(value) is not list:
        raise _Untrusted
    return value


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
        self.zero = Money.zero(self.currency)
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
            money = Money.parse(text, self.currency)  # MoneyError (a ValueError): more digits than the currency
            if money.amount < 0:
                raise _Untrusted
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
    def _case(self, data: Any) -> Case:
        top = _keys(data, _CASE)
        if "now" not in top or "sale" not in top or "request" not in top:
            raise _Untrusted
        now = _when(top["now"])
        sale = self._sale(top["sale"]) if top["sale"] is not None else None
        region = store_id = None
        if top.get("store") is not None:
            if self.policy.chain is not None:  # which store and region a chain's case is: the full reader's rules
                raise _Untrusted
            store = _keys(top["store"], _STORE)
            region = _optional_text(store, "region")
            store_id = _optional_text(store, "id")
            if store_id and store_id != self.policy.store.id:
                raise _Untrusted
            region = region or (self.policy.region_of(store_id) if store_id else None)
        request, history = self._request(top["request"], sale, region, store_id or None)
        if sale is not None and now < sale.sold_at:
            raise _Untrusted
        return Case(now=now, sale=sale, request=request, history=history)

    def _sale(self, value: Any) -> Sale:
        d = _keys(value, _SALE)
        for key in _SALE_REQUIRED:
            if key not in d:
                raise _Untrusted
        receipt = _text(d, "receipt")
        sold_at = _when(d["sold_at"])
        lines: list[SaleLine] = []
        numbers: set[int] = set()
        zero = self.zero
        for raw in _list(d, "lines"):
            line = self._sale_line(raw)
            if line.line in numbers:
                raise _Untrusted
            numbers.add(line.line)
            lines.append(line)
        if not lines:
            raise _Untrusted
        tenders: list[Tender] = []
        for raw in _list(d, "tenders"):
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
            tenders.append(Tender(kind, amount, last4, refunded))
        returned: dict[int, int] = {}
        raw_returned = d.get("returned", {}) or {}
        if type(raw_returned) is not dict:
            raise _Untrusted
        sold = {line.line: line.qty for line in lines}
        for key, qty in raw_returned.items():
            if not key.isdigit() or int(key) not in sold or type(qty) is not int or not 0 <= qty <= sold[int(key)]:
                raise _Untrusted
            returned[int(key)] = qty
        promotions: list[Promotion] = []
        for raw in _list(d, "promotions"):
            pd = _keys(raw, _PROMOTION)
            if "id" not in pd or "lines" not in pd or "discount" not in pd:
                raise _Untrusted
            members = pd["lines"]
            if type(members) is not list or not members or not all(type(n) is int and n in sold for n in members):
                raise _Untrusted
            promotions.append(Promotion(_text(pd, "id"), tuple(members), self._amount(pd, "discount")))
        discount = self._amount(d, "discount") if "discount" in d else None
        if tenders and discount is not None:
            net = sum((line.unit_price * line.qty - line.discount for line in lines), zero) - discount
            if net.amount < 0:
                raise _Untrusted
        return Sale(receipt=receipt, sold_at=sold_at, lines=tuple(lines), tenders=tuple(tenders),
                    gift_receipt=_flag(d, "gift_receipt"), returned=returned, discount=discount,
                    promotions=tuple(promotions))

    def _sale_line(self, raw: Any) -> SaleLine:
        """A sale line; the same line (same SKU, price, quantity, ...) recurs over a year of returns, and is
        read once (its key is its values; a SaleLine is immutable)."""
        ld = _keys(raw, _LINE)
        number, qty = _qty(ld, "line"), _qty(ld, "qty")  # ints checked first: True == 1 in a key
        tags = ld.get("tags", _MISSING)
        get = ld.get
        key = (number, qty, get("sku", _MISSING), get("name", _MISSING), get("category", _MISSING),
               get("unit_price", _MISSING), get("discount", _MISSING), get("tax_rate", _MISSING),
               tuple(tags) if type(tags) is list else tags, get("serial", _MISSING))
        line = self._lines.get(key)
        if line is None:
            price = self._amount(ld, "unit_price")
            discount = self._amount(ld, "discount") if "discount" in ld else self.zero
            if discount > price * qty:
                raise _Untrusted
            line = SaleLine(line=number, sku=_text(ld, "sku"), name=_optional_text(ld, "name") or "",
                            category=self._category(ld), qty=qty, unit_price=price, discount=discount,
                            tax_rate=self._rate(ld), tags=self._tagset(ld), serial=_optional_text(ld, "serial"))
            if len(self._lines) >= _KEEP:
                self._lines.clear()
            self._lines[key] = line
        return line

    def _request_line(self, raw: Any) -> RequestLine:
        ld = _keys(raw, _REQUEST_LINE)
        number, qty = _qty(ld, "line"), _qty(ld, "qty")
        key = (number, qty, ld.get("condition", _MISSING), ld.get("reason", _MISSING), ld.get("serial", _MISSING))
        line = self._asked.get(key)
        if line is None:
            reason, condition = _text(ld, "reason"), ld.get("condition")
            if reason not in self.reasons or condition not in _CONDITIONS:
                raise _Untrusted
            line = RequestLine(line=number, qty=qty, condition=condition, reason=reason,
                               serial=_optional_text(ld, "serial"))
            if len(self._asked) >= _KEEP:
                self._asked.clear()
            self._asked[key] = line
        return line

    def _request(self, value: Any, sale: Sale | None, region: str | None, store: str | None = None
                 ) -> tuple[Request, tuple[PastReturn, ...]]:
        d = _keys(value, _REQUEST)
        kind = d.get("type")
        if kind not in ("return", "exchange"):
            raise _Untrusted
        lines: list[RequestLine] = []
        asked: set[int] = set()
        for raw in _list(d, "lines"):
            line = self._request_line(raw)
            if sale is None or sale.line(line.line) is None or line.line in asked:
                raise _Untrusted
            asked.add(line.line)
            lines.append(line)
        no_receipt: list[NoReceiptItem] = []
        for raw in _list(d, "no_receipt_items"):
            idd = _keys(raw, _NO_RECEIPT)
            condition = idd.get("condition", "unopened")
            if sale is not None or "lowest_price" not in idd or condition not in _CONDITIONS:
                raise _Untrusted
            no_receipt.append(NoReceiptItem(
                sku=_text(idd, "sku"), category=self._category(idd), qty=_qty(idd, "qty"),
                lowest_price=self._amount(idd, "lowest_price"), tax_rate=self._rate(idd), tags=self._tagset(idd),
                condition=condition, reason=_optional_text(idd, "reason"), name=_optional_text(idd, "name"),
                price_stated=_flag(idd, "price_stated")))
        exchange: list[ExchangeItem] = []
        for raw in _list(d, "exchange_items"):
            xd = _keys(raw, _EXCHANGE)
            exchange.append(ExchangeItem(
                sku=_text(xd, "sku"), category=self._category(xd) if "category" in xd else "", qty=_qty(xd, "qty"),
                unit_price=self._amount(xd, "unit_price"), tax_rate=self._rate(xd), name=_optional_text(xd, "name")))
        if (kind == "exchange") != bool(exchange) or (sale is not None and not lines) or \
                (sale is None and not no_receipt):
            raise _Untrusted
        cd = _keys(d.get("customer", {}) or {}, _CUSTOMER)
        tier = cd.get("tier")
        if tier is not None and tier not in self.tiers:
            raise _Untrusted
        history: list[PastReturn] = []
        for raw in _list(cd, "history"):
            hd = _keys(raw, _HISTORY)
            history.append(PastReturn(_when(hd["at"]), self._amount(hd, "amount"), _flag(hd, "no_receipt")))
        overrides = d.get("overrides", [])
        if type(overrides) is not list or not all(type(o) is str for o in overrides):
            raise _Untrusted
        request = Request(type=kind, lines=tuple(lines), no_receipt_items=tuple(no_receipt),
                          exchange_items=tuple(exchange),
                          customer=Customer(id_verified=_flag(cd, "id_verified"), tier=tier,
                                            id=_optional_text(cd, "id"),
                                            id_checked_by=_optional_text(cd, "id_checked_by")),
                          overrides=frozenset(overrides), region=region, store=store)
        return request, tuple(history)


def read_journaled(policy: Policy):
    """A function reading one journaled case (JSON already parsed) under ``policy``, for a replay."""
    return TrustedReader(policy).read


__all__ = ["TrustedReader", "read_journaled"]
