"""The decision engine: ``evaluate(policy, sale, request, history, now) -> Decision``.

Pure and deterministic: no I/O, no clock, no database. Money arithmetic stays in Decimal and is rounded
to the currency's minor unit at defined points:

- a sale line's *paid* amount = qty x unit price - line discount - its share of the sale discount
  (allocated in proportion to the lines' net amounts, remainder to the largest line);
- a line's tax = paid x rate (prices without tax) or the tax part of paid (prices with tax), rounded once;
- returning k units after r were returned refunds ``cum(r + k) - cum(r)`` where ``cum(m)`` is the line's
  paid (or tax) amount x m / qty, rounded. Returning a line unit by unit therefore refunds exactly what
  returning it at once does, and all units together refund exactly what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable, Sequence, TypeVar

from pos_returns.i18n import N_, NP_, Percent, Text
from pos_returns.domain.model import (Approval, Decision, LineDecision, NoReceiptItem, PastReturn, Request, Sale,
                    TenderAmount)
from pos_returns.domain.money import Money, allocate
from pos_returns.domain.policy import Policy, Rule

R = TypeVar("R", bound=Rule)


# ----------------------------------------------------------------------------- helpers

def _most_specific(rules: Iterable[R], longest=None) -> R | None:
    candidates = list(rules)
    if not candidates:
        return None
    key = (lambda r: (r.scope.specificity, longest(r))) if longest else (lambda r: r.scope.specificity)
    best = max(key(r) for r in candidates)
    return next(r for r in candidates if key(r) == best)


def _explained(rule: Rule, default: Text) -> Text:
    if rule.explain:
        return Text(rule.explain, dict(default.params), literal=True)
    return default


def tax_of(amount: Money, rate: Decimal, included: bool) -> Money:
    """Tax on ``amount`` (prices without tax) or the tax part of ``amount`` (prices with tax), rounded."""
    if included:
        return (amount * rate / (1 + rate)).rounded()
    return (amount * rate).rounded()


def paid_by_line(sale: Sale, prices_include_tax: bool) -> dict[int, tuple[Money, Money]]:
    """Each sale line's net paid amount and its tax, after line and sale-level discounts.

    With prices excluding tax the customer paid net + tax; with prices including it, net (tax is part)."""
    nets = [line.unit_price * line.qty - line.discount for line in sale.lines]
    if sale.discount is not None and not sale.discount.is_zero():
        shares = allocate(sale.discount, [n.amount for n in nets])
        nets = [n - s for n, s in zip(nets, shares)]
    return {line.line: (net.rounded(), tax_of(net, line.tax_rate, prices_include_tax))
            for line, net in zip(sale.lines, nets)}


def sale_total(sale: Sale, prices_include_tax: bool) -> Money:
    """What the customer paid for the sale."""
    zero = Money.zero(sale.lines[0].unit_price.currency)
    total = zero
    for net, tax in paid_by_line(sale, prices_include_tax).values():
        total = total + net + (zero if prices_include_tax else tax)
    return total


def _cum(total: Money, units: int, qty: int) -> Money:
    return (total * units / qty).rounded()


def _slice(total: Money, before: int, k: int, qty: int) -> Money:
    """The part of ``total`` belonging to units before+1 .. before+k of ``qty``."""
    return _cum(total, before + k, qty) - _cum(total, before, qty)


@dataclass
class _Line:
    """Working state of one line being decided."""

    number: int
    sku: str
    qty: int
    rules: list[str] = field(default_factory=list)
    reasons: list[Text] = field(default_factory=list)
    failures: list[tuple[str, bool]] = field(default_factory=list)  # (rule id, overridable)
    overridden: list[str] = field(default_factory=list)
    item: Money | None = None
    fee: Money | None = None
    tax: Money | None = None
    takeback: Money | None = None

    def ok(self, rule_id: str, reason: Text | None = None) -> None:
        if rule_id not in self.rules:
            self.rules.append(rule_id)
        if reason is not None:
            self.reasons.append(reason)

    def fail(self, rule_id: str, overridable: bool, reason: Text, overrides: frozenset[str]) -> None:
        self.ok(rule_id, reason)
        if overridable and rule_id in overrides:
            self.overridden.append(rule_id)
        else:
            self.failures.append((rule_id, overridable))

    @property
    def outcome(self) -> str:
        if self.failures:
            return "denied"
        if self.overridden:
            return "needs_approval"
        return "approved"


class _Evaluation:
    def __init__(self, policy: Policy, sale: Sale | None, request: Request, history: Sequence[PastReturn],
                 now: datetime):
        self.policy = policy
        self.sale = sale
        self.request = request
        self.history = tuple(history)
        self.now = now
        self.today = now.date()
        self.currency = policy.currency
        self.zero = Money.zero(self.currency)
        self.incl = policy.store.prices_include_tax
        self.region = request.region or policy.store.region
        self.tier = request.customer.tier
        self.overrides = request.overrides
        self.rules: list[str] = []
        self.reasons: list[Text] = []
        self.approvals: list[Approval] = []
        self.draws: list[tuple[int, Money]] = []
        self.tender_types = tuple(t.type for t in sale.tenders) if sale else ()

    # -- transaction-level notes
    def note(self, rule_id: str, reason: Text | None = None) -> None:
        if rule_id not in self.rules:
            self.rules.append(rule_id)
        if reason is not None:
            self.reasons.append(reason)

    def approval(self, rule_id: str, reason: Text) -> None:
        if all(a.rule != rule_id for a in self.approvals):
            self.approvals.append(Approval(rule_id, reason))

    def scoped(self, rules: Iterable[R], *, category: str, tags: Iterable[str], sku: str) -> list[R]:
        return [r for r in rules if r.scope.matches(category=category, tags=tags, sku=sku, tier=self.tier,
                                                     tenders=self.tender_types, region=self.region)]

    # ------------------------------------------------------------------ item rules
    def item_rules(self, work: _Line, *, category: str, tags: frozenset[str], sku: str, condition: str,
                   sold: date | None) -> None:
        policy = self.policy
        scope = dict(category=category, tags=tags, sku=sku)
        defective = condition == "defective"

        for rule in self.scoped(policy.not_returnable, **scope):
            if rule.conditions and condition not in rule.conditions:
                continue
            if rule.unless_defective and defective:
                work.ok(rule.id, _explained(rule, Text(N_("Not returnable, but accepted because it is defective."))))
                continue
            if rule.conditions:
                text = Text(N_("Not returnable when {condition}."), {"condition": Text(CONDITION_TEXT[condition])})
            elif rule.unless_defective:
                text = Text(N_("Not returnable unless defective."))
            else:
                text = Text(N_("This item is not returnable."))
            work.fail(rule.id, rule.overridable, _explained(rule, text), self.overrides)

        cond_rule = _most_specific(self.scoped(policy.conditions, **scope))
        if cond_rule is not None and condition not in cond_rule.accepted:
            accepted = [Text(CONDITION_TEXT[c]) for c in _ordered_conditions(cond_rule.accepted)]
            work.fail(cond_rule.id, cond_rule.overridable, _explained(cond_rule, Text(
                N_("The condition \u201c{condition}\u201d is not accepted for this item (accepted: {accepted})."),
                {"condition": Text(CONDITION_TEXT[condition]), "accepted": accepted})), self.overrides)

        if sold is not None:
            self.window(work, scope, sold, defective)

    def window(self, work: _Line, scope: dict, sold: date, defective: bool) -> None:
        policy = self.policy
        age = (self.today - sold).days
        window = _most_specific(self.scoped(policy.windows, **scope), longest=lambda r: r.days)
        if window is None:  # the validator requires a default window; this only guards direct callers
            raise ValueError("the policy has no return window for this item")
        deadline = sold + timedelta(days=window.days)
        deciding: Rule = window
        season = None
        for rule in self.scoped(policy.seasonal, **scope):
            if rule.bought_from <= sold <= rule.bought_to and rule.returnable_until > deadline:
                deadline, deciding, season = rule.returnable_until, rule, rule
        if self.today <= deadline:
            if season is not None:
                text = Text.counted(NP_("Bought {age} day ago; purchases made {start} to {end} are returnable until "
                                        "{until}.",
                                        "Bought {age} days ago; purchases made {start} to {end} are returnable until "
                                        "{until}."), "age",
                                    {"age": age, "start": season.bought_from, "end": season.bought_to,
                                     "until": deadline})
            else:
                text = Text.counted(NP_("Bought {age} day ago; returnable within {days} days, until {until}.",
                                        "Bought {age} days ago; returnable within {days} days, until {until}."),
                                    "age", {"age": age, "days": window.days, "until": deadline})
            work.ok(deciding.id, _explained(deciding, text))
            return
        warranty = _most_specific(self.scoped(policy.warranties, **scope)) if defective else None
        if warranty is not None:
            until = sold + timedelta(days=warranty.days)
            if self.today <= until:
                params = {"days": warranty.days, "until": until, "age": age}
                if warranty.remedy == "refund":
                    work.ok(warranty.id, _explained(warranty, Text(N_(
                        "Defective after the return window; the {days}-day warranty (until {until}) allows a refund."),
                        params)))
                elif self.request.type == "exchange" and self._exchanges_same(work.sku, work.qty):
                    work.ok(warranty.id, _explained(warranty, Text(N_(
                        "Defective after the return window; the {days}-day warranty (until {until}) allows an "
                        "exchange for the same item."), params)))
                elif warranty.remedy == "refund_or_exchange_same":
                    work.ok(warranty.id, _explained(warranty, Text(N_(
                        "Defective after the return window; the {days}-day warranty (until {until}) allows a refund "
                        "or an exchange for the same item."), params)))
                else:
                    work.fail(warranty.id, warranty.overridable, _explained(warranty, Text(N_(
                        "Defective within the {days}-day warranty (until {until}): only an exchange for the same "
                        "item is allowed, not a refund."), params)), self.overrides)
                return
        text = Text.counted(NP_("Bought {age} day ago; the return period ended on {until}.",
                                "Bought {age} days ago; the return period ended on {until}."), "age",
                            {"age": age, "until": deadline})
        work.fail(deciding.id, deciding.overridable, _explained(deciding, text), self.overrides)
        if warranty is not None:
            work.reasons.append(Text(N_("The {days}-day warranty ended on {until}."),
                                     {"days": warranty.days, "until": sold + timedelta(days=warranty.days)}))

    def _exchanges_same(self, sku: str, qty: int) -> bool:
        return sum(x.qty for x in self.request.exchange_items if x.sku == sku) >= qty

    def fee(self, work: _Line, *, category: str, tags: frozenset[str], sku: str, condition: str) -> Money:
        rules = [r for r in self.scoped(self.policy.fees, category=category, tags=tags, sku=sku)
                 if condition in r.conditions]
        rule = _most_specific(rules)
        if rule is None:
            return self.zero
        if self.tier is not None and self.tier in rule.waived_for_tiers:
            work.ok(rule.id, _explained(rule, Text(N_("Restocking fee waived for {tier} customers."),
                                                   {"tier": self.tier})))
            return self.zero
        fee = (work.item * rule.percent / 100).rounded()
        if rule.minimum is not None:
            fee = fee.max(Money(rule.minimum, self.currency) * work.qty)
        if rule.maximum is not None:
            fee = fee.min(Money(rule.maximum, self.currency) * work.qty)
        fee = fee.min(work.item).max(self.zero)
        work.ok(rule.id, _explained(rule, Text(N_("Restocking fee of {percent} for an opened item: {fee}."),
                                               {"percent": Percent(rule.percent), "fee": fee})))
        return fee

    # ------------------------------------------------------------------ receipt returns
    def sale_lines(self) -> list[_Line]:
        sale = self.sale
        paid = self.paid_by_line()
        out: list[_Line] = []
        for req in self.request.lines:
            line = sale.line(req.line)
            if line is None:  # the case reader refuses these with a message; this guards direct callers
                raise ValueError(f"the sale has no line {req.line}")
            work = _Line(req.line, line.sku, req.qty)
            already = sale.returned.get(line.line, 0)
            available = line.qty - already
            if req.qty > available:
                work.fail(self.policy.quantity_rule_id, False, Text(N_(
                    "Only {available} of {sold} can still be returned ({returned} already returned); {requested} "
                    "requested."), {"available": max(available, 0), "sold": line.qty, "returned": already,
                                    "requested": req.qty}), self.overrides)
            if self.policy.serial.tags & line.tags:
                if not req.serial:
                    work.fail(self.policy.serial.id, False, Text(N_("This item needs its serial number.")),
                              self.overrides)
                elif line.serial is None or req.serial.strip().upper() != line.serial.strip().upper():
                    work.fail(self.policy.serial.id, False, Text(N_(
                        "Serial number {serial} does not match the item sold on this receipt."),
                        {"serial": req.serial}), self.overrides)
                else:
                    work.ok(self.policy.serial.id)
            self.item_rules(work, category=line.category, tags=line.tags, sku=line.sku, condition=req.condition,
                            sold=sale.sold_at.date())
            if work.outcome != "denied":
                total, tax_total = paid[line.line]
                k = req.qty
                work.item = _slice(total, already, k, line.qty)
                work.tax = _slice(tax_total, already, k, line.qty)
                work.fee = self.fee(work, category=line.category, tags=line.tags, sku=line.sku,
                                    condition=req.condition)
            out.append(work)
        self.promotions(out)
        return out

    def paid_by_line(self) -> dict[int, tuple[Money, Money]]:
        return paid_by_line(self.sale, self.incl)

    def promotions(self, lines: list[_Line]) -> None:
        sale = self.sale
        if not sale or not sale.promotions or not self.policy.promotions.take_back:
            return
        returning: dict[int, int] = {}
        for work in lines:
            if work.outcome != "denied":
                returning[work.number] = returning.get(work.number, 0) + work.qty
        for promo in sale.promotions:
            members = [sale.line(n) for n in promo.lines]
            members = [m for m in members if m is not None]
            if not any(m.line in returning for m in members):
                continue
            shares = dict(zip((m.line for m in members), allocate(promo.discount, [m.discount.amount for m in members])))
            paid = self.paid_by_line()

            def takeback(extra: dict[int, int]) -> Money:
                """What the kept items owe back once this much is returned: the discount they no longer earn,
                never more than the returned items were paid (so later returns give back exactly that)."""
                kept = {m.line: m.qty - sale.returned.get(m.line, 0) - extra.get(m.line, 0) for m in members}
                if all(k <= 0 for k in kept.values()) or all(kept[m.line] == m.qty for m in members):
                    return self.zero
                owed = sum((_cum(shares[m.line], max(kept[m.line], 0), m.qty) for m in members), self.zero)
                back = sum((_cum(paid[m.line][0], m.qty - max(kept[m.line], 0), m.qty) for m in members), self.zero)
                return owed.min(back)

            delta = takeback(returning) - takeback({})
            if delta.is_zero():
                continue
            targets = [w for w in lines if w.number in shares and w.outcome != "denied"]
            if delta > self.zero:
                text = Text(N_("Promotion {promotion}: items of it are kept, so the discount they no longer earn, "
                               "{amount}, is deducted."), {"promotion": promo.id, "amount": delta})
            else:
                text = Text(N_("Promotion {promotion}: now returned in full, so the {amount} deducted before is "
                               "refunded."), {"promotion": promo.id, "amount": -delta})
            remaining = delta
            for work in targets:
                before = work.item - work.fee + (self.zero if self.incl else work.tax)
                take = remaining.min(before) if remaining > self.zero else remaining
                work.takeback = (work.takeback or self.zero) + take
                remaining = remaining - take
                if remaining.is_zero():
                    break
            targets[0].ok(self.policy.promotions.id, text)

    # ------------------------------------------------------------------ no-receipt returns
    def no_receipt_lines(self) -> list[_Line]:
        policy = self.policy
        rule = policy.no_receipt
        customer = self.request.customer
        out: list[_Line] = []
        for number, item in enumerate(self.request.no_receipt_items, 1):
            work = _Line(number, item.sku, item.qty)
            if not rule.allowed:
                work.fail(rule.id, rule.overridable, Text(N_("Returns without a receipt are not accepted.")),
                          self.overrides)
            else:
                if rule.id_required and not customer.id_verified:
                    work.fail(rule.id + ".id_required", False,
                              Text(N_("A return without a receipt needs the customer's ID, checked.")),
                              self.overrides)
                self.item_rules(work, category=item.category, tags=item.tags, sku=item.sku,
                                condition=item.condition, sold=None)
            out.append(work)
        if rule.allowed:
            self.no_receipt_limits(out)
        for work, item in zip(out, self.request.no_receipt_items):
            if work.outcome != "denied":
                self.price_no_receipt(work, item)
        return out

    def price_no_receipt(self, work: _Line, item: NoReceiptItem) -> None:
        rule = self.policy.no_receipt
        amount = (item.lowest_price * item.qty).rounded()
        work.item = amount
        work.tax = tax_of(amount, item.tax_rate, self.incl)
        work.fee = self.fee(work, category=item.category, tags=item.tags, sku=item.sku, condition=item.condition)
        if item.price_stated:
            rid = rule.id + ".stated_price"
            text = Text(N_("{sku} was not sold by this store in the last {days} days; a manager states its price, "
                           "{price} each."), {"sku": item.sku, "days": rule.lookback_days, "price": item.lowest_price})
            self.approval(rid, text)
            work.ok(rid, text)
            return
        work.ok(rule.id, Text(N_("No receipt: store credit at the lowest price of the last {days} days, "
                                 "{price} each."), {"days": rule.lookback_days, "price": item.lowest_price}))

    def no_receipt_limits(self, lines: list[_Line]) -> None:
        rule = self.policy.no_receipt
        since = self.now - timedelta(days=rule.limit_days)
        past = [h for h in self.history if h.no_receipt and since <= h.at <= self.now]
        value = sum((h.amount for h in past), self.zero)
        this = sum(((i.lowest_price * i.qty).rounded() for i in self.request.no_receipt_items), self.zero)
        rolling = rule.id + ".rolling_limit"
        if rule.limit_count is not None and len(past) + 1 > rule.limit_count:
            text = Text(N_("This customer already made {count} returns without a receipt in {days} days; the limit "
                           "is {limit}."), {"count": len(past), "days": rule.limit_days, "limit": rule.limit_count})
            for work in lines:
                work.fail(rolling, rule.overridable, text, self.overrides)
        elif rule.limit_value is not None and value + this > Money(rule.limit_value, self.currency):
            text = Text(N_("Returns without a receipt would reach {total} in {days} days; the limit is {limit}."),
                        {"total": value + this, "days": rule.limit_days,
                         "limit": Money(rule.limit_value, self.currency)})
            for work in lines:
                work.fail(rolling, rule.overridable, text, self.overrides)
        if rule.max_per_transaction is not None and this > Money(rule.max_per_transaction, self.currency):
            limit = Money(rule.max_per_transaction, self.currency)
            rid = rule.id + ".max_per_transaction"
            if rule.over_max == "approval":
                self.approval(rid, Text(N_("Returns without a receipt over {limit} need a manager."), {"limit": limit}))
            else:
                for work in lines:
                    work.fail(rid, rule.overridable, Text(N_(
                        "Returns without a receipt are limited to {limit} per transaction."), {"limit": limit}),
                        self.overrides)

    # ------------------------------------------------------------------ exchange and tenders
    def exchange_total(self) -> Money:
        total = self.zero
        for item in self.request.exchange_items:
            amount = (item.unit_price * item.qty).rounded()
            total = total + amount + (self.zero if self.incl else tax_of(amount, item.tax_rate, False))
        return total

    def tenders(self, payout: Money) -> tuple[list[TenderAmount], Money]:
        """Split a payout over refund tenders; returns (tenders, cash rounding)."""
        policy = self.policy
        rule = policy.tenders
        parts: list[TenderAmount] = []
        if payout <= self.zero:
            return [], self.zero
        sale = self.sale
        if sale is None:
            return [TenderAmount("store_credit", payout)], self.zero
        if sale.gift_receipt and policy.gift_receipt.refund_to == "store_credit":
            self.note(policy.gift_receipt.id, Text(N_("Gift receipt: the refund is given as store credit.")))
            return [TenderAmount("store_credit", payout)], self.zero

        remaining = payout
        check_part = self.zero
        cash_sources: list[int] = []  # the sale's tenders whose part is handed back in cash
        order = {t: i for i, t in enumerate(rule.refund_order)}
        ranked = sorted(enumerate(sale.tenders), key=lambda it: order.get(it[1].type, len(order)))
        for index, tender in ranked:
            if remaining.is_zero():
                break
            take = remaining.min(tender.available().max(self.zero))
            if take.is_zero():
                continue
            remaining = remaining - take
            self.draws.append((index, take))
            if tender.type == "check":
                check_part = check_part + take
                cleared = sale.sold_at.date() + timedelta(days=rule.check_clear_days)
                if self.today < cleared:
                    self.note(rule.id + ".uncleared_check", Text(N_(
                        "Paid by check on {sold}, not cleared until {cleared}: that part is refunded as store "
                        "credit."), {"sold": sale.sold_at.date(), "cleared": cleared}))
                    parts.append(TenderAmount("store_credit", take))
                else:
                    parts.append(TenderAmount("cash", take))
                    cash_sources.append(index)
            else:
                parts.append(TenderAmount(tender.type, take, tender.last4))
                if tender.type == "cash":
                    cash_sources.append(index)
        if not remaining.is_zero():
            increment = policy.store.cash_rounding
            if increment and remaining.amount < increment and any(p.type == "cash" for p in parts):
                # the till rounded the cash it took; the refund rounds the same way below
                parts.append(TenderAmount("cash", remaining))
            else:
                parts.append(TenderAmount("store_credit", remaining))

        mailed = policy.mailed_check
        if mailed.check_purchase_over is not None and not check_part.is_zero() and \
                payout > Money(mailed.check_purchase_over, self.currency):
            limit = Money(mailed.check_purchase_over, self.currency)
            if any(p.type == "cash" for p in parts):
                parts = self._to_mailed(parts, ("cash",))
                self.note(mailed.id, Text(N_("Refunds of check purchases over {limit} are paid by a check mailed "
                                             "from head office."), {"limit": limit}))
        cash = _total(parts, "cash", self.zero)
        if mailed.cash_over is not None and cash > Money(mailed.cash_over, self.currency):
            parts = self._to_mailed(parts, ("cash",))
            self.note(mailed.id, Text(N_("Cash refunds over {limit} are paid by a check mailed from head office."),
                                      {"limit": Money(mailed.cash_over, self.currency)}))
            cash = self.zero
        if rule.cash_limit is not None and cash > Money(rule.cash_limit, self.currency):
            limit = Money(rule.cash_limit, self.currency)
            if rule.cash_over_limit == "approval":
                self.approval(rule.id + ".cash_limit",
                              Text(N_("Cash refunds over {limit} need a manager."), {"limit": limit}))
            else:
                excess = cash - limit
                parts = [p for p in parts if p.type != "cash"] + [TenderAmount("cash", limit),
                                                                  TenderAmount("store_credit", excess)]
                self.note(rule.id + ".cash_limit", Text(N_(
                    "Cash refunds are limited to {limit}; the rest, {excess}, is given as store credit."),
                    {"limit": limit, "excess": excess}))
                cash = limit
        rounding = self.zero
        increment = policy.store.cash_rounding
        if increment and not cash.is_zero():
            rounded, rounding, down = self._round_cash(cash, Decimal(increment), cash_sources)
            if not rounding.is_zero():
                parts = [p for p in parts if p.type != "cash"] + [TenderAmount("cash", rounded)]
                if down:
                    self.note("store.cash_rounding", Text(N_(
                        "Cash rounded down to a multiple of {increment}: the cash paid cannot give back more than "
                        "it took."), {"increment": Money(increment, self.currency)}))
                else:
                    self.note("store.cash_rounding", Text(N_("Cash rounded to the nearest {increment}."),
                                                          {"increment": Money(increment, self.currency)}))
        return _merge(parts, rule.refund_order), rounding

    def _round_cash(self, cash: Money, increment: Decimal, sources: list[int]) -> tuple[Money, Money, bool]:
        """Round the cash handed back to the increment, never beyond what the cash tenders can still give back.

        Rounds to the nearest increment, or down when that would exceed the cash tenders (what they took minus
        what they already gave back). What the cash tenders are charged with follows the cash actually handed
        back, so several returns of one cash sale never give back more than it took, however each one rounds."""
        tenders = self.sale.tenders
        drawn = {i: m for i, m in self.draws}
        backed = sum((drawn[i] for i in sources), self.zero)  # what the cash tenders pay of this refund
        capacity = sum((tenders[i].available().max(self.zero) for i in sources), self.zero)
        base = cash.min(backed)  # the cash that the tenders' draws already stand for
        limit = base + capacity - backed
        rounded = cash.cash_rounded(increment)
        down = rounded > limit
        if down:
            rounded = cash.min(limit).max(self.zero).cash_rounded(increment, down=True)
        change = rounded - base
        if not change.is_zero():
            order = sources if change > self.zero else list(reversed(sources))
            for i in order:
                if change.is_zero():
                    break
                if change > self.zero:
                    step = change.min(tenders[i].available() - drawn[i])
                else:
                    step = -((-change).min(drawn[i]))
                drawn[i] = drawn[i] + step
                change = change - step
            self.draws = [(i, drawn[i]) for i, _ in self.draws if not drawn[i].is_zero()]
        return rounded, rounded - cash, down

    def _to_mailed(self, parts: list[TenderAmount], types: tuple[str, ...]) -> list[TenderAmount]:
        moved = sum((p.amount for p in parts if p.type in types), self.zero)
        kept = [p for p in parts if p.type not in types]
        return kept + ([TenderAmount("mailed_check", moved)] if not moved.is_zero() else [])

    def uncleared_wait(self) -> Text | None:
        sale = self.sale
        rule = self.policy.tenders
        if sale is None or rule.uncleared_check != "wait" or "check" not in self.tender_types:
            return None
        cleared = sale.sold_at.date() + timedelta(days=rule.check_clear_days)
        if self.today >= cleared:
            return None
        return Text(N_("Paid by check on {sold}, not cleared until {cleared}: the return must wait until then."),
                    {"sold": sale.sold_at.date(), "cleared": cleared})

    # ------------------------------------------------------------------ the whole decision
    def run(self) -> Decision:
        policy = self.policy
        lines = self.sale_lines() if self.sale is not None else self.no_receipt_lines()
        wait = self.uncleared_wait()
        if wait is not None:
            for work in lines:
                work.fail(policy.tenders.id + ".uncleared_check", policy.tenders.overridable, wait, self.overrides)

        decided: list[LineDecision] = []
        for work in lines:
            live = work.outcome != "denied"
            item = work.item if live and work.item is not None else self.zero
            fee = work.fee if live and work.fee is not None else self.zero
            tax = work.tax if live and work.tax is not None else self.zero
            takeback = work.takeback if live and work.takeback is not None else self.zero
            refund = item - fee - takeback + (self.zero if self.incl else tax)
            for rule_id in work.overridden:
                self.approval(rule_id, Text(N_("Manager override of rule {rule}."), {"rule": rule_id}))
            decided.append(LineDecision(
                line=work.number, sku=work.sku, qty=work.qty, outcome=work.outcome,
                overridable=bool(work.failures) and all(o for _, o in work.failures),
                item=item, fee=fee, tax=tax, takeback=takeback, refund=refund,
                rules=tuple(work.rules), reasons=tuple(work.reasons)))

        refund_total = sum((d.refund for d in decided), self.zero)
        exchange_total = self.exchange_total()
        payout = (refund_total - exchange_total).max(self.zero)
        balance_due = (exchange_total - refund_total).max(self.zero)
        live_lines = [d for d in decided if d.outcome != "denied"]
        approval = policy.approval
        if approval.refund_over is not None and payout > Money(approval.refund_over, self.currency) and live_lines:
            self.approval(approval.id, Text(N_("Refunds over {limit} need a manager."),
                                            {"limit": Money(approval.refund_over, self.currency)}))
        tenders, rounding = self.tenders(payout) if live_lines else ([], self.zero)

        if not decided or not live_lines:
            outcome = "denied"
        elif len(live_lines) < len(decided):
            outcome = "partial"
        elif self.approvals or any(d.outcome == "needs_approval" for d in decided):
            outcome = "needs_approval"
        else:
            outcome = "approved"
        return Decision(
            outcome=outcome, currency=self.currency, lines=tuple(decided), refund_total=refund_total,
            exchange_total=exchange_total, balance_due=balance_due, refund_tenders=tuple(tenders),
            approvals=tuple(self.approvals), rounding=rounding, rules=tuple(self.rules),
            reasons=tuple(self.reasons), policy_sha256=policy.sha256, tender_draws=tuple(self.draws))


def _total(parts: list[TenderAmount], kind: str, zero: Money) -> Money:
    return sum((p.amount for p in parts if p.type == kind), zero)


def _merge(parts: list[TenderAmount], order: Sequence[str]) -> list[TenderAmount]:
    """One entry per tender type and card; in the policy's refund order, mailed checks last."""
    merged: dict[tuple[str, str | None], Money] = {}
    for p in parts:
        key = (p.type, p.last4)
        merged[key] = merged[key] + p.amount if key in merged else p.amount
    rank = {t: i for i, t in enumerate(order)}
    keys = sorted(merged, key=lambda k: (rank.get(k[0], len(rank)), k[1] or ""))
    return [TenderAmount(k[0], merged[k], k[1]) for k in keys if not merged[k].is_zero()]


CONDITION_TEXT = {
    "unopened": N_("unopened"),
    "opened": N_("opened"),
    "damaged": N_("damaged"),
    "defective": N_("defective"),
}


def _ordered_conditions(conditions: Iterable[str]) -> list[str]:
    order = list(CONDITION_TEXT)
    return sorted(conditions, key=order.index)


def evaluate(policy: Policy, sale: Sale | None, request: Request, history: Sequence[PastReturn],
             now: datetime) -> Decision:
    """Decide a return or exchange. Pure: the same inputs always give the same Decision."""
    return _Evaluation(policy, sale, request, history, now).run()
