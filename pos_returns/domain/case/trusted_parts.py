"""What the trusted reader (:mod:`.trusted`) checks a journaled case with, and how it builds its records.

The checks are those of :func:`~pos_returns.domain.case.read_case` that a case the store wrote passes (any
other value raises :class:`_Untrusted`, and the full reader decides). The records are the model's own frozen
dataclasses, built without their ``__init__`` (:func:`_maker`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_returns.domain.case.read import Case
from pos_returns.domain.model import Request, RequestLine, Sale, SaleLine, Tender, record_maker
from pos_returns.domain.policy import CONDITIONS, TENDERS


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


_fromiso = datetime.fromisoformat


def _when(value: Any) -> datetime:
    if type(value) is not str:
        raise _Untrusted
    moment = _fromiso(value)  # ValueError: the full reader names it
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _list(d: dict, key: str) -> list:
    value = d.get(key)
    if value is None:
        return []
    if type(value) is not list:
        raise _Untrusted
    return value



_maker = record_maker  # one mechanism for the records built without their __init__ (domain/model.py)


_new_case, _new_sale, _new_tender, _new_request, _new_line, _new_request_line = (
    _maker(c) for c in (Case, Sale, Tender, Request, SaleLine, RequestLine))
_NO_OVERRIDES: frozenset[str] = frozenset()
