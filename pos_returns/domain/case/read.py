"""Read a case (a sale, a request, the customer's history) against the policy it will be decided under.

Every problem is reported with its place (``sale.lines[0].unit_price: ...``); the case is only built
when there are none. :func:`read_sale` is also the sales import's check of one sale from the till.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pos_returns.domain.case.jsontext import CaseError
from pos_returns.domain.case.reader import CaseReader
from pos_returns.domain.model import (Customer, ExchangeItem, NoReceiptItem, PastReturn, Promotion, Request,
                                      RequestLine, Sale, SaleLine, Tender)
from pos_returns.domain.money import Money
from pos_returns.domain.policy import CONDITIONS, TENDERS, Policy
from pos_returns.domain.validate import Path


@dataclass(frozen=True)
class Case:
    now: datetime
    sale: Sale | None
    request: Request
    history: tuple[PastReturn, ...]


CASE_KEYS = ("now", "sale", "request", "store", "expect", "description")
_TOP = ("(case)",)


def read_case(data: Any, policy: Policy, source: str = "case") -> Case:
    r = CaseReader(policy)
    top = r.obj(data, _TOP, required=("now", "sale", "request"), optional=CASE_KEYS)
    if r:
        raise CaseError(source, r.messages())
    now = r.when(top, "now", _TOP)
    sale = read_sale(r, top["sale"]) if top.get("sale") is not None else None
    region = store_id = None
    if top.get("store") is not None:
        store = r.obj(top["store"], ("store",), optional=("id", "region"))
        region = r.text(store, "region", ("store",))
        store_id = r.text(store, "id", ("store",))
        region = _store_region(r, policy, store_id, region)
    request, history = read_request(r, top["request"], sale, region)
    if store_id:
        request = replace(request, store=store_id)
    if r:
        raise CaseError(source, r.messages())
    if sale is not None and now is not None and now < sale.sold_at:
        raise CaseError(source, [f"now: {now.isoformat()} is before the sale ({sale.sold_at.isoformat()})"])
    return Case(now=now, sale=sale, request=request, history=history)


def _store_region(r: CaseReader, policy: Policy, store_id: str | None, region: str | None) -> str | None:
    """The case's store must be one the policy serves; its region is the case's, else the policy's for it."""
    chain = policy.chain
    if store_id and not policy.serves_store(store_id):
        if chain is None:
            r.error(("store", "id"), f"this policy is for store {policy.store.id}, not {store_id}")
        else:
            r.error(("store", "id"), f"store {store_id} is not one of the stores of chain {chain.id} "
                                     f"({', '.join(chain.stores)}); this policy cannot decide its returns")
        return region
    known = policy.region_of(store_id) if store_id else None
    if region and known and chain is not None and chain.region_of(store_id or "") and region != known:
        r.error(("store", "region"), f"the policy puts store {store_id} in region {known}, not {region}")
    elif region and chain is not None and chain.regions and region not in chain.regions:
        r.error(("store", "region"), f"'{region}' is not one of the regions of chain {chain.id} "
                                     f"({', '.join(chain.regions)})")
    return region or (known if store_id else None)


# ----------------------------------------------------------------------------- the sale

def read_sale(r: CaseReader, value: Any, w: Path = ("sale",)) -> Sale | None:
    """The sale at ``w``; its problems go to ``r`` (the sale is a placeholder then)."""
    d = r.obj(value, w, required=("receipt", "sold_at", "lines", "tenders"),
              optional=("gift_receipt", "returned", "discount", "promotions", "store"))
    receipt = r.text(d, "receipt", w, default="?", required=True)
    sold_at = r.when(d, "sold_at", w)
    lines = _sale_lines(r, d, w)
    tenders = _sale_tenders(r, d, w)
    returned = _returned(r, d, w, lines)
    promotions = _promotions(r, d, w, lines)
    discount = r.money(d, "discount", w, required=False)
    if not r and tenders:
        net = sum((line.unit_price * line.qty - line.discount for line in lines), Money.zero(r.currency))
        if discount is not None:
            net = net - discount
            if net.amount < 0:
                r.error(w + ("discount",), "the sale discount is more than the sale")
    return Sale(receipt=receipt, sold_at=sold_at or datetime.min, lines=tuple(lines), tenders=tuple(tenders),
                gift_receipt=r.flag(d, "gift_receipt", w), returned=returned, discount=discount,
                promotions=tuple(promotions))


def _sale_lines(r: CaseReader, d: dict, w: Path) -> list[SaleLine]:
    lines: list[SaleLine] = []
    for i, raw in r.items(d.get("lines"), w + ("lines",)):
        lw = w + ("lines", i)
        ld = r.obj(raw, lw, required=("line", "sku", "category", "qty", "unit_price"),
                   optional=("name", "discount", "tax_rate", "tags", "serial"))
        number = r.qty(ld, "line", lw)
        qty = r.qty(ld, "qty", lw)
        price = r.money(ld, "unit_price", lw)
        discount = r.money(ld, "discount", lw, required=False) or Money.zero(r.currency)
        if price is not None and qty and discount > price * qty:
            r.error(lw + ("discount",), f"the discount ({discount.plain()}) is more than the line's price "
                                        f"({(price * qty).plain()})")
        if any(line.line == number for line in lines):
            r.error(lw + ("line",), f"line number {number} appears twice")
        lines.append(SaleLine(
            line=number, sku=r.text(ld, "sku", lw, default="?", required=True),
            name=r.text(ld, "name", lw, default="") or "", category=r.category(ld, lw), qty=qty,
            unit_price=price or Money.zero(r.currency), discount=discount, tax_rate=r.rate(ld, "tax_rate", lw),
            tags=r.tags(ld, "tags", lw), serial=r.text(ld, "serial", lw)))
    if not lines and "lines" in d and not isinstance(d.get("lines"), (dict, str, int, float)):
        r.error(w + ("lines",), "a sale needs at least one line")
    return lines


def _sale_tenders(r: CaseReader, d: dict, w: Path) -> list[Tender]:
    tenders: list[Tender] = []
    for i, raw in r.items(d.get("tenders"), w + ("tenders",)):
        tw = w + ("tenders", i)
        td = r.obj(raw, tw, required=("type", "amount"), optional=("last4", "refunded"))
        kind = r.choice(td, "type", tw, TENDERS)
        last4 = r.text(td, "last4", tw)
        if last4 is not None and not (len(last4) == 4 and last4.isdigit()):
            r.error(tw + ("last4",), "must be exactly the last 4 digits of the card (never the full number)")
            last4 = None
        amount = r.money(td, "amount", tw) or Money.zero(r.currency)
        refunded = r.money(td, "refunded", tw, required=False)
        if refunded is not None and refunded > amount:
            r.error(tw + ("refunded",), "more was refunded to this tender than was paid with it")
        tenders.append(Tender(kind or "cash", amount, last4, refunded))
    return tenders


def _returned(r: CaseReader, d: dict, w: Path, lines: list[SaleLine]) -> dict[int, int]:
    returned: dict[int, int] = {}
    raw_returned = d.get("returned", {}) or {}
    if not isinstance(raw_returned, dict):
        r.error(w + ("returned",), "must be an object of line number to quantity, e.g. {\"1\": 0}")
        raw_returned = {}
    for key, qty in raw_returned.items():
        rw = w + ("returned", key)
        if not key.isdigit() or not any(line.line == int(key) for line in lines):
            r.error(rw, f"the sale has no line {key}")
            continue
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            r.error(rw, f"must be a whole number of 0 or more, not {qty!r}")
            continue
        sold = next(line.qty for line in lines if line.line == int(key))
        if qty > sold:
            r.error(rw, f"{qty} returned is more than the {sold} sold")
            continue
        returned[int(key)] = qty
    return returned


def _promotions(r: CaseReader, d: dict, w: Path, lines: list[SaleLine]) -> list[Promotion]:
    promotions: list[Promotion] = []
    for i, raw in r.items(d.get("promotions"), w + ("promotions",)):
        pw = w + ("promotions", i)
        pd = r.obj(raw, pw, required=("id", "lines", "discount"))
        numbers = pd.get("lines", [])
        if not isinstance(numbers, list) or not numbers or \
                not all(isinstance(n, int) and any(line.line == n for line in lines) for n in numbers):
            r.error(pw + ("lines",), "must list line numbers of this sale")
            numbers = []
        discount = r.money(pd, "discount", pw) or Money.zero(r.currency)
        promotions.append(Promotion(r.text(pd, "id", pw, default="?", required=True), tuple(numbers), discount))
    return promotions


# ----------------------------------------------------------------------------- the request

def read_request(r: CaseReader, value: Any, sale: Sale | None, region: str | None
                 ) -> tuple[Request, tuple[PastReturn, ...]]:
    w: Path = ("request",)
    d = r.obj(value, w, required=("type",),
              optional=("lines", "no_receipt_items", "exchange_items", "customer", "overrides"))
    kind = r.choice(d, "type", w, ("return", "exchange")) or "return"
    lines = _request_lines(r, d, w, sale)
    no_receipt = _no_receipt_items(r, d, w, sale)
    exchange = _exchange_items(r, d, w)
    if kind == "exchange" and not exchange:
        r.error(w + ("exchange_items",), "an exchange needs at least one item to take in exchange")
    if kind == "return" and exchange:
        r.error(w + ("exchange_items",), "a return takes no exchange items; make the type \"exchange\"")
    if sale is not None and not lines:
        r.error(w + ("lines",), "list at least one receipt line to return")
    if sale is None and not no_receipt:
        r.error(w + ("no_receipt_items",), "a return without a receipt needs at least one item")
    cw = w + ("customer",)
    cd = r.obj(d.get("customer", {}) or {}, cw, optional=("id", "id_verified", "id_checked_by", "tier", "history"))
    tier = _tier(r, cd, cw)
    history = _history(r, cd, cw)
    overrides = d.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        r.error(w + ("overrides",), "must be a list of rule ids")
        overrides = []
    request = Request(
        type=kind, lines=tuple(lines), no_receipt_items=tuple(no_receipt), exchange_items=tuple(exchange),
        customer=Customer(id_verified=r.flag(cd, "id_verified", cw), tier=tier, id=r.text(cd, "id", cw),
                          id_checked_by=r.text(cd, "id_checked_by", cw)),
        overrides=frozenset(overrides), region=region)
    return request, history


def _request_lines(r: CaseReader, d: dict, w: Path, sale: Sale | None) -> list[RequestLine]:
    lines: list[RequestLine] = []
    for i, raw in r.items(d.get("lines"), w + ("lines",)):
        lw = w + ("lines", i)
        ld = r.obj(raw, lw, required=("line", "qty", "condition", "reason"), optional=("serial",))
        number = r.qty(ld, "line", lw)
        if sale is None:
            r.error(lw, "a return without a receipt lists its items in request.no_receipt_items")
        elif number and sale.line(number) is None:
            r.error(lw + ("line",), f"receipt {sale.receipt} has no line {number} "
                                    f"(it has {', '.join(str(line.line) for line in sale.lines)})")
        if any(line.line == number for line in lines):
            r.error(lw + ("line",), f"line {number} is asked for twice; give its total quantity once")
        reason = r.text(ld, "reason", lw, default="", required=True)
        if reason and reason not in r.policy.reasons:
            r.error(lw + ("reason",), f"'{reason}' is not a reason of the policy ({', '.join(r.policy.reasons)})")
        lines.append(RequestLine(line=number, qty=r.qty(ld, "qty", lw),
                                 condition=r.choice(ld, "condition", lw, CONDITIONS) or "unopened",
                                 reason=reason, serial=r.text(ld, "serial", lw)))
    return lines


def _no_receipt_items(r: CaseReader, d: dict, w: Path, sale: Sale | None) -> list[NoReceiptItem]:
    items: list[NoReceiptItem] = []
    for i, raw in r.items(d.get("no_receipt_items"), w + ("no_receipt_items",)):
        iw = w + ("no_receipt_items", i)
        idd = r.obj(raw, iw, required=("sku", "category", "qty", "lowest_price"),
                    optional=("tax_rate", "tags", "condition", "reason", "name", "price_stated"))
        if sale is not None:
            r.error(iw, "items without a receipt go in a case whose sale is null")
        items.append(NoReceiptItem(
            sku=r.text(idd, "sku", iw, default="?", required=True), category=r.category(idd, iw),
            qty=r.qty(idd, "qty", iw), lowest_price=r.money(idd, "lowest_price", iw) or Money.zero(r.currency),
            tax_rate=r.rate(idd, "tax_rate", iw), tags=r.tags(idd, "tags", iw),
            condition=r.choice(idd, "condition", iw, CONDITIONS, default="unopened") or "unopened",
            reason=r.text(idd, "reason", iw), name=r.text(idd, "name", iw),
            price_stated=r.flag(idd, "price_stated", iw)))
    return items


def _exchange_items(r: CaseReader, d: dict, w: Path) -> list[ExchangeItem]:
    exchange: list[ExchangeItem] = []
    for i, raw in r.items(d.get("exchange_items"), w + ("exchange_items",)):
        xw = w + ("exchange_items", i)
        xd = r.obj(raw, xw, required=("sku", "qty", "unit_price"), optional=("category", "tax_rate", "name"))
        exchange.append(ExchangeItem(
            sku=r.text(xd, "sku", xw, default="?", required=True),
            category=r.category(xd, xw) if "category" in xd else "", qty=r.qty(xd, "qty", xw),
            unit_price=r.money(xd, "unit_price", xw) or Money.zero(r.currency),
            tax_rate=r.rate(xd, "tax_rate", xw), name=r.text(xd, "name", xw)))
    return exchange


def _tier(r: CaseReader, cd: dict, cw: Path) -> str | None:
    tier = cd.get("tier")
    if tier is not None and tier not in r.policy.tiers:
        r.error(cw + ("tier",), f"'{tier}' is not a customer tier of the policy "
                                f"({', '.join(r.policy.tiers) or 'none'})")
        tier = None
    return tier


def _history(r: CaseReader, cd: dict, cw: Path) -> tuple[PastReturn, ...]:
    """The customer's earlier returns, for the rolling limits of returns without a receipt."""
    history: list[PastReturn] = []
    for i, raw in r.items(cd.get("history"), cw + ("history",)):
        hw = cw + ("history", i)
        hd = r.obj(raw, hw, required=("at", "amount"), optional=("no_receipt",))
        at = r.when(hd, "at", hw)
        amount = r.money(hd, "amount", hw)
        if at is not None and amount is not None:
            history.append(PastReturn(at, amount, r.flag(hd, "no_receipt", hw)))
    return tuple(history)
