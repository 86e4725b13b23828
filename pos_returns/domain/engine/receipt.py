"""Lines of a return with a receipt: quantity and serial checks, the item steps, the amounts, promotions."""

from __future__ import annotations

from pos_returns.i18n import N_, Text
from pos_returns.domain.model import Promotion, RequestLine, SaleLine
from pos_returns.domain.money import Money, allocate
from pos_returns.domain.engine.amounts import cum, units_slice
from pos_returns.domain.engine.context import Evaluation, LineWork
from pos_returns.domain.engine.items import fee, item_rules


def sale_lines(ev: Evaluation) -> list[LineWork]:
    sale = ev.sale
    out: list[LineWork] = []
    sold = sale.sold_at.date()
    serial_tags = ev.policy.serial.tags
    for req in ev.request.lines:
        line = sale.line(req.line)
        if line is None:  # the case reader refuses these with a message; this guards direct callers
            raise ValueError(f"the sale has no line {req.line}")
        work = LineWork(req.line, line.sku, req.qty)
        already = sale.returned.get(line.line, 0)
        if req.qty > line.qty - already:
            _quantity(ev, work, line, req, already)
        if serial_tags & line.tags:
            _serial(ev, work, line, req)
        item_rules(ev, work, line.category, line.tags, line.sku, req.condition, sold)
        if not work.failures:  # not denied: asked only then (many lines are denied, in a replay)
            total, tax_total = ev.paid(line.line)
            work.item = units_slice(total, already, req.qty, line.qty)
            work.tax = units_slice(tax_total, already, req.qty, line.qty)
            work.fee = fee(ev, work, line.category, line.tags, line.sku, req.condition)
        out.append(work)
    promotions(ev, out)
    return out


def _quantity(ev: Evaluation, work: LineWork, line: SaleLine, req: RequestLine, already: int) -> None:
    available = line.qty - already
    if req.qty > available:
        work.fail(ev.policy.quantity_rule_id, False, Text(N_(
            "Only {available} of {sold} can still be returned ({returned} already returned); {requested} "
            "requested."), {"available": max(available, 0), "sold": line.qty, "returned": already,
                            "requested": req.qty}), ev.overrides)


def _serial(ev: Evaluation, work: LineWork, line: SaleLine, req: RequestLine) -> None:
    rule = ev.policy.serial
    if not rule.tags & line.tags:
        return
    if not req.serial:
        work.fail(rule.id, False, Text(N_("This item needs its serial number.")), ev.overrides)
    elif line.serial is None or req.serial.strip().upper() != line.serial.strip().upper():
        work.fail(rule.id, False, Text(N_(
            "Serial number {serial} does not match the item sold on this receipt."),
            {"serial": req.serial}), ev.overrides)
    else:
        work.ok(rule.id)


def promotions(ev: Evaluation, lines: list[LineWork]) -> None:
    """Items of a promotion kept while others are returned give back the discount they no longer earn."""
    sale = ev.sale
    if not sale or not sale.promotions or not ev.policy.promotions.take_back:
        return
    returning: dict[int, int] = {}
    for work in lines:
        if work.outcome != "denied":
            returning[work.number] = returning.get(work.number, 0) + work.qty
    for promo in sale.promotions:
        _promotion(ev, promo, lines, returning)


def _promotion(ev: Evaluation, promo: Promotion, lines: list[LineWork], returning: dict[int, int]) -> None:
    sale = ev.sale
    members = [sale.line(n) for n in promo.lines]
    members = [m for m in members if m is not None]
    if not any(m.line in returning for m in members):
        return
    shares = dict(zip((m.line for m in members), allocate(promo.discount, [m.discount.amount for m in members])))
    paid = ev.paid

    def takeback(extra: dict[int, int]) -> Money:
        """What the kept items owe back once this much is returned: the discount they no longer earn,
        never more than the returned items were paid (so later returns give back exactly that)."""
        kept = {m.line: m.qty - sale.returned.get(m.line, 0) - extra.get(m.line, 0) for m in members}
        if all(k <= 0 for k in kept.values()) or all(kept[m.line] == m.qty for m in members):
            return ev.zero
        owed = sum((cum(shares[m.line], max(kept[m.line], 0), m.qty) for m in members), ev.zero)
        back = sum((cum(paid(m.line)[0], m.qty - max(kept[m.line], 0), m.qty) for m in members), ev.zero)
        return owed.min(back)

    delta = takeback(returning) - takeback({})
    if delta.is_zero():
        return
    targets = [w for w in lines if w.number in shares and w.outcome != "denied"]
    if delta > ev.zero:
        text = Text(N_("Promotion {promotion}: items of it are kept, so the discount they no longer earn, "
                       "{amount}, is deducted."), {"promotion": promo.id, "amount": delta})
    else:
        text = Text(N_("Promotion {promotion}: now returned in full, so the {amount} deducted before is "
                       "refunded."), {"promotion": promo.id, "amount": -delta})
    remaining = delta
    for work in targets:
        before = work.item - work.fee + (ev.zero if ev.incl else work.tax)
        take = remaining.min(before) if remaining > ev.zero else remaining
        work.takeback = (work.takeback or ev.zero) + take
        remaining = remaining - take
        if remaining.is_zero():
            break
    targets[0].ok(ev.policy.promotions.id, text)
