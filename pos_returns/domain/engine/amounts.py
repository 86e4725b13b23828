"""What a sale line was paid and what part of it a return gives back, rounded at defined points.

- a sale line's *paid* amount = qty x unit price - line discount - its share of the sale discount
  (allocated in proportion to the lines' net amounts, remainder to the largest line);
- a line's tax = paid x rate (prices without tax) or the tax part of paid (prices with tax), rounded once;
- returning k units after r were returned refunds ``cum(r + k) - cum(r)`` where ``cum(m)`` is the line's
  paid (or tax) amount x m / qty, rounded. Returning a line unit by unit therefore refunds exactly what
  returning it at once does, and all units together refund exactly what was paid.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pos_returns.domain.model import Sale, SaleLine
from pos_returns.domain.money import Money, _quantum, allocate, to_decimal


def tax_of(amount: Money, rate: Decimal, included: bool) -> Money:
    """Tax on ``amount`` (prices without tax) or the tax part of ``amount`` (prices with tax), rounded.

    The same Decimal operations as ``(amount * rate / (1 + rate)).rounded()``, without the Money in between
    (a replay of a year computes this about half a million times)."""
    value = amount.amount * (rate if type(rate) is Decimal else to_decimal(rate, "factor"))
    if included:
        value = value / (1 + rate)
    return Money._new(value.quantize(_quantum(amount.currency), rounding=ROUND_HALF_UP), amount.currency)


def paid_by_line(sale: Sale, prices_include_tax: bool) -> dict[int, tuple[Money, Money]]:
    """Each sale line's net paid amount and its tax, after line and sale-level discounts.

    With prices excluding tax the customer paid net + tax; with prices including it, net (tax is part)."""
    nets = [line.unit_price * line.qty - line.discount for line in sale.lines]
    if sale.discount is not None and not sale.discount.is_zero():
        shares = allocate(sale.discount, [n.amount for n in nets])
        nets = [n - s for n, s in zip(nets, shares)]
    return {line.line: (net.rounded(), tax_of(net, line.tax_rate, prices_include_tax))
            for line, net in zip(sale.lines, nets)}


def line_paid(line: SaleLine, prices_include_tax: bool) -> tuple[Money, Money]:
    """One line's entry of :func:`paid_by_line` for a sale without a sale-level discount (each line's amount is
    then its own: the same operations on that line alone)."""
    net = line.unit_price * line.qty - line.discount
    return net.rounded(), tax_of(net, line.tax_rate, prices_include_tax)


def sale_total(sale: Sale, prices_include_tax: bool) -> Money:
    """What the customer paid for the sale."""
    zero = Money.zero(sale.lines[0].unit_price.currency)
    total = zero
    for net, tax in paid_by_line(sale, prices_include_tax).values():
        total = total + net + (zero if prices_include_tax else tax)
    return total


def cum(total: Money, units: int, qty: int) -> Money:
    """``(total * units / qty).rounded()``, computed on the Decimal (the same operations, one Money made)."""
    if type(units) is not int or type(qty) is not int:
        return (total * units / qty).rounded()
    return Money._new((total.amount * units / qty).quantize(_quantum(total.currency), rounding=ROUND_HALF_UP),
                      total.currency)


def units_slice(total: Money, before: int, k: int, qty: int) -> Money:
    """The part of ``total`` belonging to units before+1 .. before+k of ``qty``."""
    if before == 0 and k == qty:
        return cum(total, qty, qty)  # every unit: minus cum(0) = 0, the same amount
    return cum(total, before + k, qty) - cum(total, before, qty)
