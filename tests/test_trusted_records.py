"""The trusted reader's quicker steps (domain.case.trusted_parts): records built without their dataclass
__init__, and what it keeps per replay (customers, stores, sale and request lines keyed by their values).

- every record it builds is the very record the model's own constructor builds, with every field set;
- a value that only *equals* a kept one (``1`` for ``True``, ``1.0`` for ``1``; Python's == and hash) after a
  good case was read and kept is still refused as the full reader refuses it, with the same problems.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import datetime
from decimal import Decimal

import pytest

import storehelpers as h
from pos_returns.domain.case import CaseError, TrustedReader, read_case
from pos_returns.domain.case.read import Case
from pos_returns.domain.case.trusted_parts import _maker
from pos_returns.domain.model import Request, RequestLine, Sale, SaleLine, Tender
from pos_returns.domain.money import Money
from test_whatif_trusted import journal, recorded  # noqa: F401 - journal: the fixture


def _all_set(obj) -> bool:
    return set(vars(obj)) == {f.name for f in fields(obj)}


def test_a_record_built_without_its_init_is_the_record_its_init_builds():
    usd = Money.parse("9.99", "USD")
    line = SaleLine(line=1, sku="OLIVE", name="Olive oil", category="grocery", qty=3, unit_price=usd,
                    discount=Money.zero("USD"), tax_rate=Decimal("0.0725"), tags=frozenset({"x"}), serial=None)
    values = {f.name: getattr(line, f.name) for f in fields(SaleLine)}
    made = _maker(SaleLine)(values)
    assert type(made) is SaleLine and made == line and hash(made) == hash(line) and repr(made) == repr(line)
    with pytest.raises(AttributeError):  # still frozen
        made.qty = 2
    tender = _maker(Tender)({"type": "credit", "amount": usd, "last4": "1234", "refunded": None})
    assert tender == Tender("credit", usd, "1234") and tender.available() == usd
    assert _maker(Money)({"amount": Decimal("1.00"), "currency": "USD"}) == Money.parse("1.00", "USD")  # slots


def test_every_record_of_a_journaled_case_has_every_field_and_equals_the_full_readers(journal):
    path, _counts = journal
    policy = h.policy()
    reader = TrustedReader(policy)
    n = 0
    for _txno, data, _decision in recorded(path):
        got = reader.read(data, "x")
        assert got == read_case(data, policy, "x")
        records = [got, got.request, got.request.customer, *got.request.lines]
        if got.sale is not None:
            records += [got.sale, *got.sale.lines, *got.sale.tenders]
        assert all(_all_set(r) for r in records), data
        assert type(got) is Case and type(got.request) is Request and \
            all(type(r) is RequestLine for r in got.request.lines)
        if got.sale is not None:
            assert type(got.sale) is Sale and all(type(x) is SaleLine for x in got.sale.lines)
            n += 1
    assert reader.fallbacks == 0 and n > 100


def _set(data, path, value):
    out = copy.deepcopy(data)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return out


@pytest.mark.parametrize("path, value", [
    (("request", "customer", "id_verified"), 0),  # == False
    (("request", "customer", "id_verified"), 1),  # == True
    (("request", "customer", "tier"), 1),
    (("sale", "lines", 0, "qty"), True),
    (("sale", "lines", 0, "line"), 1.0),
    (("sale", "lines", 0, "tags"), [1]),
    (("sale", "lines", 0, "serial"), ""),
    (("request", "lines", 0, "qty"), True),
    (("request", "lines", 0, "line"), 1.0),
    (("request", "lines", 0, "serial"), 7),
    (("store", "colour"), "red"),  # a key the store never writes, beside ones it does
    (("store", "id"), 1),
    (("request", "overrides"), [1]),
    (("request", "lines", 0, "line"), 99),  # a line the sale has not
    (("sale", "tenders"), {}),
    (("sale", "lines"), []),
])
def test_a_value_equal_to_a_kept_one_is_refused_as_the_full_reader_refuses_it(journal, path, value):
    _path, _counts = journal
    policy = h.policy()
    cases = [c for _t, c, _d in recorded(_path) if c["sale"] is not None and c.get("store")]
    reader = TrustedReader(policy)
    for data in cases:  # everything kept once
        reader.read(data, "x")
    data = next(c for c in cases if c["sale"]["lines"][0]["line"] == 1 and c["request"]["lines"][0]["line"] == 1)
    broken = _set(data, path, value)
    with pytest.raises(CaseError) as want:
        read_case(broken, policy, "x")
    with pytest.raises(CaseError) as got:
        reader.read(broken, "x")
    assert got.value.problems == want.value.problems
    assert reader.read(data, "x") == read_case(data, policy, "x")  # and the good case still reads


def test_a_case_read_twice_is_equal_and_its_sale_lines_are_shared():
    policy = h.policy()
    data = {"now": "2026-06-10T12:00:00",
            "sale": {"receipt": "R-1", "sold_at": "2026-06-01T10:00:00", "tenders": [
                {"type": "credit", "amount": "21.65", "last4": "4242", "refunded": "0.00"}],
                     "lines": [{"line": 1, "sku": "TEE", "name": "T-shirt", "category": "apparel", "qty": 2,
                                "unit_price": "10.00", "discount": "0.00", "tax_rate": "0.0825", "tags": []}]},
            "request": {"type": "return", "lines": [{"line": 1, "qty": 1, "condition": "unopened",
                                                     "reason": "changed_mind"}]}}
    reader = TrustedReader(policy)
    first, second = reader.read(data), reader.read(copy.deepcopy(data))
    assert first == second == read_case(data, policy)
    assert first.sale.lines[0] is second.sale.lines[0]
    line = first.sale.lines[0]
    assert (line.qty, line.unit_price.plain(), line.tax_rate, line.serial, line.name) == \
        (2, "10.00", Decimal("0.0825"), None, "T-shirt")
    assert first.now == datetime(2026, 6, 10, 12) and first.request.customer.id_verified is False
    assert reader.fallbacks == 0


@pytest.mark.parametrize("folder, text, want", [
    (None, "9.99", Decimal("9.99")), (None, "007.50", Decimal("7.50")), (None, "0.00", Decimal("0.00")),
    (None, "12", Decimal("12")), (None, "12.5", Decimal("12.5")), (None, "999999999999999.99", None),
    (None, "1000000000000000", "large"), (None, "12.345", "decimals"), (None, "-1.00", "negative"),
    (None, " 9.99", Decimal("9.99")), (None, "1e2", Decimal("1E+2")), (None, "٣.00", "digits"),
    ("hanoi", "25000", Decimal("25000")), ("hanoi", "25000.5", "decimals"), ("hanoi", "25000.", Decimal("25000")),
    ("taipei", "120", Decimal("120")),
])
def test_an_amount_reads_as_money_parse_reads_it(folder, text, want):
    """Plain digits (with at most the currency's decimals) skip Money.parse; anything else goes through it."""
    from pos_returns.domain.case.trusted_parts import _Untrusted
    from pos_returns.domain.money import MoneyError
    policy = h.policy() if folder is None else \
        __import__("pos_returns.domain.policy", fromlist=["load_policy"]).load_policy(
            h.ROOT / "examples" / folder / "policies.toml")
    reader = TrustedReader(policy)
    for _ in range(2):  # the second time from what the reader kept
        if isinstance(want, Decimal):
            got = reader._amount({"a": text}, "a")
            assert (got.amount, str(got.amount), got.currency) == (want, str(want), policy.currency)
        elif want is None:
            assert str(reader._amount({"a": text}, "a").amount) == text
        else:
            with pytest.raises((MoneyError, _Untrusted)):
                reader._amount({"a": text}, "a")


def test_a_serialized_line_is_the_kept_line_with_its_serial():
    policy = h.policy()
    line = {"line": 1, "sku": "PHONEX", "name": "Phone X", "category": "phones", "qty": 1, "unit_price": "699.00",
            "discount": "69.90", "tax_rate": "0.0725", "tags": ["serialized"]}
    reader = TrustedReader(policy)
    plain = reader._sale_line(dict(line))
    first = reader._sale_line({**line, "serial": "SN1"})
    second = reader._sale_line({**line, "serial": "SN2"})
    assert reader._sale_line({**line, "serial": None}) is plain and plain.serial is None
    assert (first.serial, second.serial, first.unit_price.plain(), first.discount.plain(), first.tags) == \
        ("SN1", "SN2", "699.00", "69.90", frozenset({"serialized"}))
    assert first == SaleLine(line=1, sku="PHONEX", name="Phone X", category="phones", qty=1,
                             unit_price=Money.parse("699.00", "USD"), discount=Money.parse("69.90", "USD"),
                             tax_rate=Decimal("0.0725"), tags=frozenset({"serialized"}), serial="SN1")
    for bad in ("", " ", 7, ["SN"]):
        with pytest.raises(Exception):
            reader._sale_line({**line, "serial": bad})
    asked = {"line": 1, "qty": 1, "condition": "unopened", "reason": "changed_mind"}
    one = reader._request_line({**asked, "serial": "SN1"})
    assert one == RequestLine(1, 1, "unopened", "changed_mind", "SN1")
    assert reader._request_line(asked) == RequestLine(1, 1, "unopened", "changed_mind")
    with pytest.raises(Exception):
        reader._request_line({**asked, "serial": ""})
