"""Case JSON in, Decision JSON out (the contracts of DESIGN.md).

Reading a case checks it against the policy it will be decided under and reports every problem with
its place (``sale.lines[0].unit_price: ...``). Amounts must be strings of decimals; a JSON float is
refused, because it may already have lost a cent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_returns import i18n
from pos_returns.domain.model import (Customer, Decision, ExchangeItem, NoReceiptItem, PastReturn, Promotion, Request,
                    RequestLine, Sale, SaleLine, Tender)
from pos_returns.domain.money import Money, MoneyError, to_decimal
from pos_returns.domain.policy import CONDITIONS, TENDERS, Policy


class CaseError(ValueError):
    """A case that cannot be decided; ``problems`` lists each as 'where: what'."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True)
class Case:
    now: datetime
    sale: Sale | None
    request: Request
    history: tuple[PastReturn, ...]


class _Float(str):
    """A JSON number with a fraction, kept as text so it can be refused by name."""


def load_json(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(str(path), [f"cannot read the file: {exc}"]) from None
    return parse_json_text(text, str(path))


#: deeper than any case, scenario or sales file is; deeper input is refused before anything walks it
MAX_JSON_DEPTH = 64


def parse_json_text(text: str, source: str) -> Any:
    try:
        data = json.loads(text, parse_float=_Float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CaseError(source, [f"line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"]) from None
    except RecursionError:
        raise CaseError(source, [_too_deep(text)]) from None
    except ValueError as exc:
        raise CaseError(source, [str(exc)]) from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise CaseError(source, [_too_deep(text)])
    return data


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (without recursion, so any depth can be measured)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _too_deep(text: str) -> str:
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:  # the line where the nesting passes the limit
        if ch == "\n":
            line += 1
        elif in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    return f"line {line}: lists and objects are nested too deeply (more than {MAX_JSON_DEPTH} levels)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a case file")


class _Reader:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.currency = policy.currency
        self.problems: list[str] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def obj(self, value: Any, where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.bad(where, f"must be an object, not {_kind(value)}")
            return {}
        for key in required:
            if key not in value:
                self.bad(where, f"missing '{key}'")
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.bad(f"{where}.{key}", f"unknown key (expected: {', '.join(sorted(allowed))})")
        return value

    def text(self, d: dict, key: str, where: str, default: Any = None, required: bool = False) -> Any:
        if key not in d or d[key] is None:
            if required:
                self.bad(where, f"missing '{key}'")
            return default
        value = d[key]
        if not isinstance(value, str) or not value.strip():
            self.bad(f"{where}.{key}", f"must be a non-empty string, not {_kind(value)}")
            return default
        return value

    def flag(self, d: dict, key: str, where: str, default: bool = False) -> bool:
        value = d.get(key, default)
        if not isinstance(value, bool):
            self.bad(f"{where}.{key}", f"must be true or false, not {_kind(value)}")
            return default
        return value

    def qty(self, d: dict, key: str, where: str, minimum: int = 1) -> int:
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(f"{where}.{key}", f"must be a whole number, not {_kind(value)}")
            return 0
        if value < minimum:
            self.bad(f"{where}.{key}", f"must be {minimum} or more (got {value})")
            return 0
        if value > 100000:
            self.bad(f"{where}.{key}", f"{value} is not a plausible quantity")
            return 0
        return value

    def money(self, d: dict, key: str, where: str, required: bool = True) -> Money | None:
        if key not in d:
            if required:
                self.bad(where, f"missing '{key}'")
            return None
        value = d[key]
        if isinstance(value, _Float):
            self.bad(f"{where}.{key}", f'amounts are strings of decimals: write "{value}", not {value}')
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.bad(f"{where}.{key}", f"must be an amount as a string of decimals, not {_kind(value)}")
            return None
        try:
            money = Money.parse(value, self.currency, "amount")
        except MoneyError as exc:
            self.bad(f"{where}.{key}", str(exc))
            return None
        if money.amount < 0:
            self.bad(f"{where}.{key}", f"must not be negative (got {value})")
            return None
        return money

    def rate(self, d: dict, key: str, where: str) -> Decimal:
        value = d.get(key, "0")
        if isinstance(value, _Float):
            self.bad(f"{where}.{key}", f'write the rate as a string: "{value}"')
            return Decimal(0)
        try:
            rate = to_decimal(value, "tax rate")
        except MoneyError as exc:
            self.bad(f"{where}.{key}", str(exc))
            return Decimal(0)
        if not Decimal(0) <= rate < Decimal(1):
            self.bad(f"{where}.{key}", f"a tax rate is a fraction between 0 and 1, e.g. \"0.08\" (got {value})")
            return Decimal(0)
        return rate

    def when(self, d: dict, key: str, where: str) -> datetime | None:
        value = d.get(key)
        if not isinstance(value, str):
            self.bad(f"{where}.{key}" if key in d else where,
                     f"missing '{key}'" if key not in d else f"must be an ISO 8601 time string, not {_kind(value)}")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.bad(f"{where}.{key}", f"'{value}' is not an ISO 8601 time like 2026-01-10T15:00:00")
            return None
        if moment.tzinfo is not None:
            moment = moment.replace(tzinfo=None)  # times are local store time
        return moment

    def choice(self, d: dict, key: str, where: str, options: tuple[str, ...], default: str | None = None,
               required: bool = True) -> str | None:
        value = d.get(key, default)
        if value is None:
            if required:
                self.bad(where, f"missing '{key}'")
            return None
        if value not in options:
            self.bad(f"{where}.{key}", f"{value!r} is not one of: {', '.join(options)}")
            return default
        return value

    def tags(self, d: dict, key: str, where: str) -> frozenset[str]:
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.bad(f"{where}.{key}", "must be a list of strings")
            return frozenset()
        return frozenset(value)

    def category(self, d: dict, where: str) -> str:
        value = self.text(d, "category", where, default="", required=True)
        if value and value not in self.policy.categories:
            self.bad(f"{where}.category", f"'{value}' is not a category of the policy "
                                          f"({', '.join(self.policy.categories)})")
        return value

    def items(self, value: Any, where: str) -> list[tuple[int, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(where, f"must be a list, not {_kind(value)}")
            return []
        return list(enumerate(value))


def _kind(value: Any) -> str:
    if isinstance(value, _Float):
        return "a JSON number with decimals"
    return {bool: "true/false", int: "a number", str: "a string", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


CASE_KEYS = ("now", "sale", "request", "store", "expect", "description")


def read_case(data: Any, policy: Policy, source: str = "case") -> Case:
    r = _Reader(policy)
    top = r.obj(data, "(case)", required=("now", "sale", "request"), optional=CASE_KEYS)
    if r.problems:
        raise CaseError(source, r.problems)
    now = r.when(top, "now", "(case)")
    sale = _read_sale(r, top["sale"]) if top.get("sale") is not None else None
    region = None
    if top.get("store") is not None:
        store = r.obj(top["store"], "store", optional=("id", "region"))
        region = r.text(store, "region", "store")
        store_id = r.text(store, "id", "store")
        if store_id and store_id != policy.store.id:
            r.bad("store.id", f"this policy is for store {policy.store.id}, not {store_id}")
    request, history = _read_request(r, top["request"], sale, region)
    if r.problems:
        raise CaseError(source, r.problems)
    if sale is not None and now is not None and now < sale.sold_at:
        raise CaseError(source, [f"now: {now.isoformat()} is before the sale ({sale.sold_at.isoformat()})"])
    return Case(now=now, sale=sale, request=request, history=history)


def _read_sale(r: _Reader, value: Any) -> Sale | None:
    w = "sale"
    d = r.obj(value, w, required=("receipt", "sold_at", "lines", "tenders"),
              optional=("gift_receipt", "returned", "discount", "promotions", "store"))
    receipt = r.text(d, "receipt", w, default="?", required=True)
    sold_at = r.when(d, "sold_at", w)
    lines: list[SaleLine] = []
    for i, raw in r.items(d.get("lines"), f"{w}.lines"):
        lw = f"{w}.lines[{i}]"
        ld = r.obj(raw, lw, required=("line", "sku", "category", "qty", "unit_price"),
                   optional=("name", "discount", "tax_rate", "tags", "serial"))
        number = r.qty(ld, "line", lw)
        qty = r.qty(ld, "qty", lw)
        price = r.money(ld, "unit_price", lw)
        discount = r.money(ld, "discount", lw, required=False) or Money.zero(r.currency)
        if price is not None and qty and discount > price * qty:
            r.bad(f"{lw}.discount", f"the discount ({discount.plain()}) is more than the line's price "
                                    f"({(price * qty).plain()})")
        if any(line.line == number for line in lines):
            r.bad(f"{lw}.line", f"line number {number} appears twice")
        lines.append(SaleLine(
            line=number, sku=r.text(ld, "sku", lw, default="?", required=True),
            name=r.text(ld, "name", lw, default="") or "", category=r.category(ld, lw), qty=qty,
            unit_price=price or Money.zero(r.currency), discount=discount, tax_rate=r.rate(ld, "tax_rate", lw),
            tags=r.tags(ld, "tags", lw), serial=r.text(ld, "serial", lw)))
    if not lines and "lines" in d and not isinstance(d.get("lines"), (dict, str, int, float)):
        r.bad(f"{w}.lines", "a sale needs at least one line")
    tenders: list[Tender] = []
    for i, raw in r.items(d.get("tenders"), f"{w}.tenders"):
        tw = f"{w}.tenders[{i}]"
        td = r.obj(raw, tw, required=("type", "amount"), optional=("last4", "refunded"))
        kind = r.choice(td, "type", tw, TENDERS)
        last4 = r.text(td, "last4", tw)
        if last4 is not None and not (len(last4) == 4 and last4.isdigit()):
            r.bad(f"{tw}.last4", "must be exactly the last 4 digits of the card (never the full number)")
            last4 = None
        amount = r.money(td, "amount", tw) or Money.zero(r.currency)
        refunded = r.money(td, "refunded", tw, required=False)
        if refunded is not None and refunded > amount:
            r.bad(f"{tw}.refunded", "more was refunded to this tender than was paid with it")
        tenders.append(Tender(kind or "cash", amount, last4, refunded))
    returned: dict[int, int] = {}
    raw_returned = d.get("returned", {}) or {}
    if not isinstance(raw_returned, dict):
        r.bad(f"{w}.returned", "must be an object of line number to quantity, e.g. {\"1\": 0}")
        raw_returned = {}
    for key, qty in raw_returned.items():
        rw = f"{w}.returned.{key}"
        if not key.isdigit() or not any(line.line == int(key) for line in lines):
            r.bad(rw, f"the sale has no line {key}")
            continue
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            r.bad(rw, f"must be a whole number of 0 or more, not {qty!r}")
            continue
        sold = next(line.qty for line in lines if line.line == int(key))
        if qty > sold:
            r.bad(rw, f"{qty} returned is more than the {sold} sold")
            continue
        returned[int(key)] = qty
    promotions: list[Promotion] = []
    for i, raw in r.items(d.get("promotions"), f"{w}.promotions"):
        pw = f"{w}.promotions[{i}]"
        pd = r.obj(raw, pw, required=("id", "lines", "discount"))
        numbers = pd.get("lines", [])
        if not isinstance(numbers, list) or not numbers or \
                not all(isinstance(n, int) and any(line.line == n for line in lines) for n in numbers):
            r.bad(f"{pw}.lines", "must list line numbers of this sale")
            numbers = []
        discount = r.money(pd, "discount", pw) or Money.zero(r.currency)
        promotions.append(Promotion(r.text(pd, "id", pw, default="?", required=True), tuple(numbers), discount))
    discount = r.money(d, "discount", w, required=False)
    if not r.problems and tenders:
        net = sum((line.unit_price * line.qty - line.discount for line in lines), Money.zero(r.currency))
        if discount is not None:
            net = net - discount
            if net.amount < 0:
                r.bad(f"{w}.discount", "the sale discount is more than the sale")
    return Sale(receipt=receipt, sold_at=sold_at or datetime.min, lines=tuple(lines), tenders=tuple(tenders),
                gift_receipt=r.flag(d, "gift_receipt", w), returned=returned, discount=discount,
                promotions=tuple(promotions))


def _read_request(r: _Reader, value: Any, sale: Sale | None, region: str | None
                  ) -> tuple[Request, tuple[PastReturn, ...]]:
    w = "request"
    d = r.obj(value, w, required=("type",),
              optional=("lines", "no_receipt_items", "exchange_items", "customer", "overrides"))
    kind = r.choice(d, "type", w, ("return", "exchange")) or "return"
    lines: list[RequestLine] = []
    for i, raw in r.items(d.get("lines"), f"{w}.lines"):
        lw = f"{w}.lines[{i}]"
        ld = r.obj(raw, lw, required=("line", "qty", "condition", "reason"), optional=("serial",))
        number = r.qty(ld, "line", lw)
        if sale is None:
            r.bad(lw, "a return without a receipt lists its items in request.no_receipt_items")
        elif number and sale.line(number) is None:
            r.bad(f"{lw}.line", f"receipt {sale.receipt} has no line {number} "
                                f"(it has {', '.join(str(line.line) for line in sale.lines)})")
        if any(line.line == number for line in lines):
            r.bad(f"{lw}.line", f"line {number} is asked for twice; give its total quantity once")
        reason = r.text(ld, "reason", lw, default="", required=True)
        if reason and reason not in r.policy.reasons:
            r.bad(f"{lw}.reason", f"'{reason}' is not a reason of the policy ({', '.join(r.policy.reasons)})")
        lines.append(RequestLine(line=number, qty=r.qty(ld, "qty", lw),
                                 condition=r.choice(ld, "condition", lw, CONDITIONS) or "unopened",
                                 reason=reason, serial=r.text(ld, "serial", lw)))
    no_receipt: list[NoReceiptItem] = []
    for i, raw in r.items(d.get("no_receipt_items"), f"{w}.no_receipt_items"):
        iw = f"{w}.no_receipt_items[{i}]"
        idd = r.obj(raw, iw, required=("sku", "category", "qty", "lowest_price"),
                    optional=("tax_rate", "tags", "condition", "reason", "name", "price_stated"))
        if sale is not None:
            r.bad(iw, "items without a receipt go in a case whose sale is null")
        no_receipt.append(NoReceiptItem(
            sku=r.text(idd, "sku", iw, default="?", required=True), category=r.category(idd, iw),
            qty=r.qty(idd, "qty", iw), lowest_price=r.money(idd, "lowest_price", iw) or Money.zero(r.currency),
            tax_rate=r.rate(idd, "tax_rate", iw), tags=r.tags(idd, "tags", iw),
            condition=r.choice(idd, "condition", iw, CONDITIONS, default="unopened") or "unopened",
            reason=r.text(idd, "reason", iw), name=r.text(idd, "name", iw),
            price_stated=r.flag(idd, "price_stated", iw)))
    exchange: list[ExchangeItem] = []
    for i, raw in r.items(d.get("exchange_items"), f"{w}.exchange_items"):
        xw = f"{w}.exchange_items[{i}]"
        xd = r.obj(raw, xw, required=("sku", "qty", "unit_price"), optional=("category", "tax_rate", "name"))
        exchange.append(ExchangeItem(
            sku=r.text(xd, "sku", xw, default="?", required=True),
            category=r.category(xd, xw) if "category" in xd else "", qty=r.qty(xd, "qty", xw),
            unit_price=r.money(xd, "unit_price", xw) or Money.zero(r.currency),
            tax_rate=r.rate(xd, "tax_rate", xw), name=r.text(xd, "name", xw)))
    if kind == "exchange" and not exchange:
        r.bad(f"{w}.exchange_items", "an exchange needs at least one item to take in exchange")
    if kind == "return" and exchange:
        r.bad(f"{w}.exchange_items", "a return takes no exchange items; make the type \"exchange\"")
    if sale is not None and not lines:
        r.bad(f"{w}.lines", "list at least one receipt line to return")
    if sale is None and not no_receipt:
        r.bad(f"{w}.no_receipt_items", "a return without a receipt needs at least one item")

    cw = f"{w}.customer"
    cd = r.obj(d.get("customer", {}) or {}, cw, optional=("id", "id_verified", "id_checked_by", "tier", "history"))
    tier = cd.get("tier")
    if tier is not None and tier not in r.policy.tiers:
        r.bad(f"{cw}.tier", f"'{tier}' is not a customer tier of the policy ({', '.join(r.policy.tiers) or 'none'})")
        tier = None
    history: list[PastReturn] = []
    for i, raw in r.items(cd.get("history"), f"{cw}.history"):
        hw = f"{cw}.history[{i}]"
        hd = r.obj(raw, hw, required=("at", "amount"), optional=("no_receipt",))
        at = r.when(hd, "at", hw)
        amount = r.money(hd, "amount", hw)
        if at is not None and amount is not None:
            history.append(PastReturn(at, amount, r.flag(hd, "no_receipt", hw)))
    overrides = d.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        r.bad(f"{w}.overrides", "must be a list of rule ids")
        overrides = []
    request = Request(
        type=kind, lines=tuple(lines), no_receipt_items=tuple(no_receipt), exchange_items=tuple(exchange),
        customer=Customer(id_verified=r.flag(cd, "id_verified", cw), tier=tier, id=r.text(cd, "id", cw),
                          id_checked_by=r.text(cd, "id_checked_by", cw)),
        overrides=frozenset(overrides), region=region)
    return request, tuple(history)


# ----------------------------------------------------------------------------- decision JSON

def decision_json(decision: Decision, lang: str, currency_locale: str | None = None) -> dict[str, Any]:
    def text(t: i18n.Text) -> str:
        return t.render(lang, currency_locale)

    return {
        "outcome": decision.outcome,
        "currency": decision.currency,
        "lines": [
            {"line": d.line, "sku": d.sku, "qty": d.qty, "outcome": d.outcome, "overridable": d.overridable,
             "item": d.item.plain(), "fee": d.fee.plain(), "tax": d.tax.plain(), "takeback": d.takeback.plain(),
             "refund": d.refund.plain(), "rules": list(d.rules), "reasons": [text(t) for t in d.reasons]}
            for d in decision.lines],
        "refund_total": decision.refund_total.plain(),
        "exchange_total": decision.exchange_total.plain(),
        "balance_due": decision.balance_due.plain(),
        "refund_tenders": [
            {"type": t.type, "amount": t.amount.plain(), **({"last4": t.last4} if t.last4 else {})}
            for t in decision.refund_tenders],
        "rounding": decision.rounding.plain(),
        "approvals": [{"rule": a.rule, "reason": text(a.reason)} for a in decision.approvals],
        "rules": list(decision.rules),
        "reasons": [text(t) for t in decision.reasons],
        "policy_sha256": decision.policy_sha256,
    }


def subset_mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``expected`` is not a subset of ``actual``: dict keys given must match; lists match item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '(decision)'}: expected an object, got {json.dumps(actual)}"]
        out = []
        for key, value in expected.items():
            here = f"{where}.{key}" if where else key
            if key not in actual:
                out.append(f"{here}: missing from the decision")
            else:
                out.extend(subset_mismatches(value, actual[key], here))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} item(s) {json.dumps(expected, ensure_ascii=False)}, "
                    f"got {json.dumps(actual, ensure_ascii=False)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(subset_mismatches(e, a, f"{where}[{i}]"))
        return out
    if isinstance(expected, _Float):
        return [f"{where}: write the expected amount as a string, \"{expected}\""]
    if expected != actual:
        return [f"{where}: expected {json.dumps(expected, ensure_ascii=False)}, "
                f"got {json.dumps(actual, ensure_ascii=False)}"]
    return []




# ----------------------------------------------------------------------------- case JSON out

def case_to_json(case: Case, store_id: str | None = None) -> dict[str, Any]:
    """The Case JSON of a case, as ``read_case`` reads it back (kept in the journal for replays)."""
    sale = case.sale
    request = case.request
    out: dict[str, Any] = {"now": case.now.isoformat(), "sale": None}
    if sale is not None:
        sale_json: dict[str, Any] = {
            "receipt": sale.receipt,
            "sold_at": sale.sold_at.isoformat(),
            "gift_receipt": sale.gift_receipt,
            "lines": [
                {"line": line.line, "sku": line.sku, "name": line.name, "category": line.category, "qty": line.qty,
                 "unit_price": line.unit_price.plain(), "discount": line.discount.plain(),
                 "tax_rate": str(line.tax_rate), "tags": sorted(line.tags),
                 **({"serial": line.serial} if line.serial else {})}
                for line in sale.lines],
            "tenders": [
                {"type": t.type, "amount": t.amount.plain(), **({"last4": t.last4} if t.last4 else {}),
                 **({"refunded": t.refunded.plain()} if t.refunded is not None else {})}
                for t in sale.tenders],
            "returned": {str(k): v for k, v in sorted(sale.returned.items())},
        }
        if sale.discount is not None:
            sale_json["discount"] = sale.discount.plain()
        if sale.promotions:
            sale_json["promotions"] = [{"id": p.id, "lines": list(p.lines), "discount": p.discount.plain()}
                                       for p in sale.promotions]
        out["sale"] = sale_json
    customer: dict[str, Any] = {"id_verified": request.customer.id_verified, "tier": request.customer.tier,
                                "history": [{"at": h.at.isoformat(), "amount": h.amount.plain(),
                                             "no_receipt": h.no_receipt} for h in case.history]}
    if request.customer.id:
        customer["id"] = request.customer.id
    if request.customer.id_checked_by:
        customer["id_checked_by"] = request.customer.id_checked_by
    out["request"] = {
        "type": request.type,
        "lines": [{"line": rl.line, "qty": rl.qty, "condition": rl.condition, "reason": rl.reason,
                   **({"serial": rl.serial} if rl.serial else {})} for rl in request.lines],
        "no_receipt_items": [
            {"sku": i.sku, "category": i.category, "qty": i.qty, "lowest_price": i.lowest_price.plain(),
             "tax_rate": str(i.tax_rate), "tags": sorted(i.tags), "condition": i.condition,
             **({"reason": i.reason} if i.reason else {}), **({"name": i.name} if i.name else {}),
             **({"price_stated": True} if i.price_stated else {})}
            for i in request.no_receipt_items],
        "exchange_items": [
            {"sku": x.sku, "qty": x.qty, "unit_price": x.unit_price.plain(), "tax_rate": str(x.tax_rate),
             **({"category": x.category} if x.category else {}), **({"name": x.name} if x.name else {})}
            for x in request.exchange_items],
        "customer": customer,
        "overrides": sorted(request.overrides),
    }
    if request.region or store_id:
        out["store"] = {k: v for k, v in (("id", store_id), ("region", request.region)) if v}
    return out
