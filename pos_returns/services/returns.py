"""The counter's rules the return screens need before and around a decision.

What may still come back of a sale line, the request a screen's choices make, whether the grants given cover
every approval a decision asks for, and what the store pays out: defined here once, so the screens only show
them.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from pos_returns.domain.model import (Customer, Decision, ExchangeItem, NoReceiptItem, Request, RequestLine, Sale,
                                      SaleLine)
from pos_returns.domain.money import Money
from pos_returns.services.counter import Grant, Product


def returnable(sale: Sale, line: SaleLine) -> int:
    """Units of ``line`` that may still be returned: sold minus already returned, never below zero."""
    return max(line.qty - sale.returned.get(line.line, 0), 0)


def paid_per_line(sale: Sale, prices_include_tax: bool) -> dict[int, Money]:
    """What the customer paid for each whole sale line, tax included (after line and sale-level discounts)."""
    from pos_returns.domain.engine import paid_by_line
    return {n: net if prices_include_tax else net + tax
            for n, (net, tax) in paid_by_line(sale, prices_include_tax).items()}


def receipt_request(lines: Sequence[RequestLine], basket: Iterable[tuple[Product, int]]) -> Request | None:
    """A return (or, with new items in the basket, an exchange) of the chosen receipt lines; None if none."""
    if not lines:
        return None
    exchange = tuple(ExchangeItem(sku=p.sku, category=p.category, qty=q, unit_price=p.price, tax_rate=p.tax_rate,
                                  name=p.name) for p, q in basket)
    return Request(type="exchange" if exchange else "return", lines=tuple(lines), exchange_items=exchange)


def no_receipt_request(items: Iterable[tuple[Product, str, int]], document: str | None,
                       id_verified: bool) -> Request | None:
    """A return without a receipt of ``items`` (product, condition, qty); None if there are none.

    No price is taken from the caller: each item's ``lowest_price`` is zero here and
    :meth:`Counter.prepare <pos_returns.services.counter.Counter.prepare>` prices it from the store's own sales
    over the look-back (``Counter.price_no_receipt``)."""
    items = list(items)
    if not items:
        return None
    chosen = tuple(NoReceiptItem(sku=p.sku, category=p.category, qty=q, lowest_price=Money.zero(p.price.currency),
                                 tax_rate=p.tax_rate, tags=p.tags, condition=c, name=p.name) for p, c, q in items)
    return Request(type="return", no_receipt_items=chosen,
                   customer=Customer(id_verified=id_verified, id=(document or "").strip() or None))


def covered(decision: Decision | None, grants: Iterable[Grant]) -> bool:
    """Whether the grants given cover every approval ``decision`` asks for (a grant covers the rules it names)."""
    if decision is None:
        return False
    granted = {rule for g in grants for rule in g.rules}
    return {a.rule for a in decision.approvals} <= granted


def payout(decision: Decision) -> Money:
    """What the store hands back (the rule is :attr:`Decision.payout`)."""
    return decision.payout


def no_receipt_standing(counter, document: str) -> tuple[int, Money]:
    """How many returns without a receipt, and for how much, the customer with this ID number made in the
    policy's limit period (none counted while no ID number is typed)."""
    key = counter.customer_key(document) if document.strip() else None
    return counter.no_receipt_standing(key)
