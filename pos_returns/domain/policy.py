"""The store's return policy: load ``policies.toml``, validate it whole, build immutable rules.

A policy with any error is never used: :func:`load_policy` raises :class:`PolicyError` carrying every
problem found, each as ``FILE:LINE: key.path: message``. The file's language is described in
``docs/policy-language.md`` and, by example, in the commented ``policies.toml``.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name

from pos_returns import i18n
from pos_returns.domain.money import Money, MoneyError, currency_digits, to_decimal
from pos_returns.domain.tomllines import format_path, line_index, line_of

CONDITIONS = ("unopened", "opened", "damaged", "defective")
TENDERS = ("cash", "check", "credit", "debit", "gift_card", "store_credit")
REMEDIES = ("refund", "exchange_same", "refund_or_exchange_same")
MAX_DAYS = 3650


# --------------------------------------------------------------------------- model

@dataclass(frozen=True)
class Scope:
    """Where a rule applies. Empty lists mean 'any'. ``exclude_regions`` waives the rule there."""

    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    tenders: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    exclude_regions: frozenset[str] = frozenset()

    def matches(self, *, category: str | None = None, tags: Iterable[str] = (), sku: str | None = None,
                tier: str | None = None, tenders: Iterable[str] = (), region: str | None = None) -> bool:
        if self.categories and category not in self.categories:
            return False
        if self.tags and not (self.tags & set(tags)):
            return False
        if self.skus and sku not in self.skus:
            return False
        if self.tiers and tier not in self.tiers:
            return False
        if self.tenders and not (self.tenders & set(tenders)):
            return False
        if self.regions and region not in self.regions:
            return False
        if region is not None and region in self.exclude_regions:
            return False
        return True

    @property
    def specificity(self) -> tuple[int, int]:
        """Most specific first: SKU over tag over category over everything; a tier-scoped rule over
        the same without tier."""
        item = 3 if self.skus else 2 if self.tags else 1 if self.categories else 0
        return (item, 1 if self.tiers else 0)


@dataclass(frozen=True)
class Rule:
    id: str
    scope: Scope
    overridable: bool
    explain: str | None  # the manager's own wording, shown instead of the template
    line: int


@dataclass(frozen=True)
class WindowRule(Rule):
    days: int


@dataclass(frozen=True)
class SeasonalRule(Rule):
    bought_from: date
    bought_to: date
    returnable_until: date


@dataclass(frozen=True)
class NotReturnableRule(Rule):
    conditions: frozenset[str]  # empty: any condition
    unless_defective: bool


@dataclass(frozen=True)
class ConditionRule(Rule):
    accepted: frozenset[str]


@dataclass(frozen=True)
class FeeRule(Rule):
    conditions: frozenset[str]
    percent: Decimal
    minimum: Decimal | None
    maximum: Decimal | None
    waived_for_tiers: frozenset[str]


@dataclass(frozen=True)
class WarrantyRule(Rule):
    days: int
    remedy: str


@dataclass(frozen=True)
class GiftReceiptRule:
    id: str
    refund_to: str


@dataclass(frozen=True)
class NoReceiptRule:
    id: str
    allowed: bool
    id_required: bool
    lookback_days: int
    max_per_transaction: Decimal | None
    over_max: str  # "approval" | "deny"
    limit_count: int | None
    limit_value: Decimal | None
    limit_days: int
    overridable: bool
    unknown_sku: str = "refuse"  # a SKU the store has no price for: "refuse" | "manager_price"


@dataclass(frozen=True)
class TenderRule:
    id: str
    refund_order: tuple[str, ...]
    cash_limit: Decimal | None
    cash_over_limit: str  # "approval" | "store_credit"
    check_clear_days: int
    uncleared_check: str  # "store_credit" | "wait"
    overridable: bool


@dataclass(frozen=True)
class MailedCheckRule:
    id: str
    cash_over: Decimal | None
    check_purchase_over: Decimal | None


@dataclass(frozen=True)
class ApprovalRule:
    id: str
    refund_over: Decimal | None
    reason_codes: tuple[str, ...]


@dataclass(frozen=True)
class PromotionRule:
    id: str
    take_back: bool


@dataclass(frozen=True)
class SerialRule:
    id: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Store:
    id: str
    name: str
    region: str | None
    currency: str
    locale: str
    language: str
    prices_include_tax: bool
    cash_rounding: Decimal | None


@dataclass(frozen=True)
class Policy:
    path: str
    sha256: str
    store: Store
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    tiers: tuple[str, ...]
    reasons: tuple[str, ...]
    windows: tuple[WindowRule, ...]
    seasonal: tuple[SeasonalRule, ...]
    not_returnable: tuple[NotReturnableRule, ...]
    conditions: tuple[ConditionRule, ...]
    fees: tuple[FeeRule, ...]
    warranties: tuple[WarrantyRule, ...]
    gift_receipt: GiftReceiptRule
    no_receipt: NoReceiptRule
    tenders: TenderRule
    mailed_check: MailedCheckRule
    approval: ApprovalRule
    promotions: PromotionRule
    serial: SerialRule
    quantity_rule_id: str = "quantity.limit"

    @property
    def currency(self) -> str:
        return self.store.currency

    def money(self, value: Decimal | None) -> Money | None:
        return None if value is None else Money(value, self.store.currency)

    def rule_ids(self) -> list[str]:
        ids = [r.id for group in (self.windows, self.seasonal, self.not_returnable, self.conditions,
                                  self.fees, self.warranties) for r in group]
        ids += [self.gift_receipt.id, self.no_receipt.id, self.tenders.id, self.mailed_check.id,
                self.approval.id, self.promotions.id, self.serial.id, self.quantity_rule_id]
        return ids


# --------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class PolicyError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --------------------------------------------------------------------------- validation

class _Checker:
    """Collects every problem of one file; reads values with type checks."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.index = line_index(text)
        self.problems: list[Problem] = []

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.index, path), format_path(path), message))

    def known_keys(self, table: dict, path: tuple, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
                self.error(path + (key,), f"unknown key '{key}'{hint}")

    # typed readers: return a default (None or given) after recording the problem
    def get(self, table: dict, path: tuple, key: str, kind: Callable[[Any, tuple], Any], *,
            required: bool = False, default: Any = None) -> Any:
        if key not in table:
            if required:
                self.error(path, f"missing required key '{key}'")
            return default
        try:
            return kind(table[key], path + (key,))
        except _Bad as bad:
            self.error(path + (key,), str(bad))
            return default


class _Bad(Exception):
    pass


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a decimal number", str: "a string",
            list: "a list", dict: "a table", date: "a date"}.get(type(value), type(value).__name__)


def _str(value: Any, path: tuple) -> str:
    if not isinstance(value, str):
        raise _Bad(f"must be a string, not {_type_name(value)}")
    if not value.strip():
        raise _Bad("must not be empty")
    return value


def _bool(value: Any, path: tuple) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, not {_type_name(value)}")
    return value


def _days(value: Any, path: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"must be a whole number of days, not {_type_name(value)}")
    if value < 0:
        raise _Bad(f"must not be negative (got {value})")
    if value > MAX_DAYS:
        raise _Bad(f"{value} days is more than {MAX_DAYS} (ten years); is it a typo?")
    return value


def _count(value: Any, path: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"must be a whole number, not {_type_name(value)}")
    if value < 0:
        raise _Bad(f"must not be negative (got {value})")
    if value > 10000:
        raise _Bad(f"{value} is absurdly large; is it a typo?")
    return value


def _decimal_text(value: Any, path: tuple) -> Decimal:
    if isinstance(value, float):
        raise _Bad(f'write decimals as a string, e.g. "{value}", so they are exact')
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(f"must be a decimal string, not {_type_name(value)}")
    try:
        number = to_decimal(value)
    except MoneyError as exc:
        raise _Bad(str(exc)) from None
    if number < 0:
        raise _Bad(f"must not be negative (got {value})")
    return number


def _percent(value: Any, path: tuple) -> Decimal:
    number = _decimal_text(value, path)
    if number > 100:
        raise _Bad(f"a percentage must be between 0 and 100 (got {value})")
    return number


def _date(value: Any, path: tuple) -> date:
    if type(value) is not date:
        raise _Bad(f"must be a date written as YYYY-MM-DD without quotes, not {_type_name(value)}")
    return value


def _id(value: Any, path: tuple) -> str:
    text = _str(value, path)
    if any(ch.isspace() for ch in text):
        raise _Bad(f"rule id '{text}' must not contain spaces")
    return text


def _str_list(value: Any, path: tuple) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad(f"must be a list of strings, not {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _Bad(f"item {i + 1} must be a non-empty string, not {_type_name(item)}")
    if len(set(value)) != len(value):
        dupes = sorted({v for v in value if value.count(v) > 1})
        raise _Bad(f"lists {', '.join(dupes)} more than once")
    return tuple(value)


def _some_str_list(value: Any, path: tuple) -> tuple[str, ...]:
    values = _str_list(value, path)
    if not values:
        raise _Bad("must list at least one entry (a manager picks one with every approval)")
    return values


def _choice(options: Iterable[str]) -> Callable[[Any, tuple], str]:
    options = tuple(options)

    def check(value: Any, path: tuple) -> str:
        text = _str(value, path)
        if text not in options:
            raise _Bad(f"'{text}' is not one of: {', '.join(options)}")
        return text
    return check


def _choices(options: Iterable[str]) -> Callable[[Any, tuple], tuple[str, ...]]:
    options = tuple(options)

    def check(value: Any, path: tuple) -> tuple[str, ...]:
        items = _str_list(value, path)
        bad = [v for v in items if v not in options]
        if bad:
            raise _Bad(f"{', '.join(repr(b) for b in bad)} not one of: {', '.join(options)}")
        return items
    return check


SCOPE_KEYS = ("categories", "tags", "skus", "tiers", "tenders", "regions", "exclude_regions")
COMMON_KEYS = ("id", "overridable", "explain") + SCOPE_KEYS

_TABLE_KEYS = {
    "store": ("id", "name", "region", "currency", "locale", "language", "prices_include_tax", "cash_rounding"),
    "catalog": ("categories", "tags", "tiers", "reasons"),
    "window": COMMON_KEYS + ("days",),
    "seasonal": COMMON_KEYS + ("bought_from", "bought_to", "returnable_until"),
    "not_returnable": COMMON_KEYS + ("conditions", "unless_defective"),
    "conditions": COMMON_KEYS + ("accepted",),
    "restocking_fee": COMMON_KEYS + ("conditions", "percent", "minimum", "maximum", "waived_for_tiers"),
    "warranty": COMMON_KEYS + ("days", "remedy"),
    "gift_receipt": ("id", "refund_to"),
    "no_receipt": ("id", "allowed", "id_required", "lookback_days", "max_per_transaction", "over_max",
                   "limit_count", "limit_value", "limit_days", "overridable", "unknown_sku"),
    "tenders": ("id", "refund_order", "cash_limit", "cash_over_limit", "check_clear_days", "uncleared_check",
                "overridable"),
    "mailed_check": ("id", "cash_over", "check_purchase_over"),
    "approval": ("id", "refund_over", "reason_codes"),
    "promotions": ("id", "take_back"),
    "serial": ("id", "tags"),
}
_RULE_LISTS = ("window", "seasonal", "not_returnable", "conditions", "restocking_fee", "warranty")
_SINGLE_TABLES = ("store", "catalog", "gift_receipt", "no_receipt", "tenders", "mailed_check", "approval",
                  "promotions", "serial")


def load_policy(path: str | Path) -> Policy:
    """Read, validate and build a policy; raises PolicyError with every problem found."""
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError([Problem(shown, 0, "(file)", "policy file not found")]) from None
    except OSError as exc:
        raise PolicyError([Problem(shown, 0, "(file)", f"cannot read the policy file: {exc.strerror}")]) from None
    return parse_policy(raw, shown)


def parse_policy(raw: bytes, shown: str = "<policy>") -> Policy:
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors write one) is not part of the text
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PolicyError([Problem(shown, line, "(file)", "the file is not UTF-8 text")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([_syntax_problem(shown, text, exc)]) from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_TOML_DEPTH:
        raise PolicyError([Problem(shown, _deep_line(text), "(syntax)", f"lists and tables are nested too deeply "
                                                                       f"(more than {MAX_TOML_DEPTH} levels)")])
    checker = _Checker(shown, text)
    policy = _build(checker, data, shown, hashlib.sha256(raw).hexdigest())
    if checker.problems or policy is None:
        problems = sorted(checker.problems, key=lambda p: p.line)
        raise PolicyError(problems)
    return policy


#: a policy nests three or four levels; deeper input is refused before anything walks it
MAX_TOML_DEPTH = 16


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _deep_line(text: str) -> int:
    """The line where brackets and braces first nest deeper than allowed (strings and comments skipped)."""
    depth = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        quote = None
        for ch in line:
            if quote:
                quote = None if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_TOML_DEPTH:
                    return lineno
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return 1


def _syntax_problem(shown: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    import re
    message = str(exc)
    line = getattr(exc, "lineno", None)
    if line is None:
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else 1
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if "end of document" in str(exc):
        line = text.count("\n") + 1
    return Problem(shown, line, "(syntax)", f"TOML syntax error: {message}")


def _build(c: _Checker, data: dict, shown: str, sha: str) -> Policy | None:
    c.known_keys(data, (), _TABLE_KEYS)
    for name in _SINGLE_TABLES:
        if name in data and not isinstance(data[name], dict):
            c.error((name,), f"must be a table [{name}], not {_type_name(data[name])}")
            data = {k: v for k, v in data.items() if k != name}
    for name in _RULE_LISTS:
        if name in data and not (isinstance(data[name], list) and all(isinstance(t, dict) for t in data[name])):
            c.error((name,), f"must be written as [[{name}]] tables")
            data = {k: v for k, v in data.items() if k != name}

    store = _build_store(c, data.get("store"))  # on errors: placeholders, so the rest is still checked
    catalog = data.get("catalog", {})
    c.known_keys(catalog, ("catalog",), _TABLE_KEYS["catalog"])
    categories = c.get(catalog, ("catalog",), "categories", _str_list, required=True, default=())
    tags = c.get(catalog, ("catalog",), "tags", _str_list, default=())
    tiers = c.get(catalog, ("catalog",), "tiers", _str_list, default=())
    reasons = c.get(catalog, ("catalog",), "reasons", _str_list, required=True, default=())
    refs = {"categories": categories, "tags": tags, "tiers": tiers, "tenders": TENDERS}
    money = _money_reader(store.currency)

    seen_ids: dict[str, tuple] = {}

    def rule_id(table: dict, path: tuple, default: str | None = None) -> str:
        rid = c.get(table, path, "id", _id, required=default is None, default=default)
        if rid is None:
            return f"?{format_path(path)}"
        if rid in seen_ids:
            c.error(path + ("id",), f"rule id '{rid}' is used twice (also at line {line_of(c.index, seen_ids[rid])})")
        else:
            seen_ids[rid] = path + ("id",)
        return rid

    def common(table: dict, path: tuple, kind: str, overridable_default: bool) -> dict:
        c.known_keys(table, path, _TABLE_KEYS[kind])
        scope_values = {}
        for key in SCOPE_KEYS:
            ref = "regions" if key == "exclude_regions" else key
            values = c.get(table, path, key, _str_list, default=())
            if ref in refs:
                for v in values:
                    if v not in refs[ref]:
                        defined = ", ".join(refs[ref]) or "none"
                        c.error(path + (key,), f"'{v}' is not defined in [catalog] {ref} (defined: {defined})"
                                if ref != "tenders" else f"'{v}' is not a tender type ({', '.join(TENDERS)})")
            scope_values[key] = frozenset(values)
        return dict(
            id=rule_id(table, path),
            scope=Scope(**scope_values),
            overridable=c.get(table, path, "overridable", _bool, default=overridable_default),
            explain=c.get(table, path, "explain", _str),
            line=line_of(c.index, path),
        )

    def each(kind: str):
        for i, table in enumerate(data.get(kind, [])):
            yield table, (kind, i)

    def ref_list(table: dict, path: tuple, key: str, ref: str) -> frozenset[str]:
        values = c.get(table, path, key, _str_list, default=())
        for v in values:
            if v not in refs[ref]:
                c.error(path + (key,), f"'{v}' is not defined in [catalog] {ref} (defined: {', '.join(refs[ref]) or 'none'})")
        return frozenset(values)

    windows = []
    for t, p in each("window"):
        base = common(t, p, "window", True)
        windows.append(WindowRule(**base, days=c.get(t, p, "days", _days, required=True, default=0)))
    if not any(not any(getattr(w.scope, key) for key in SCOPE_KEYS) for w in windows):
        c.error(("window",), "needs one [[window]] without any scope (no categories, tags, skus, tiers, tenders, "
                             "regions or exclude_regions): the default return window for everything else")

    seasonal = []
    for t, p in each("seasonal"):
        base = common(t, p, "seasonal", True)
        start = c.get(t, p, "bought_from", _date, required=True)
        end = c.get(t, p, "bought_to", _date, required=True)
        until = c.get(t, p, "returnable_until", _date, required=True)
        if start and end and start > end:
            c.error(p + ("bought_to",), f"the period ends ({end}) before it starts ({start})")
        if end and until and until < end:
            c.error(p + ("returnable_until",), f"{until} is before the end of the buying period ({end})")
        if start and end and until:
            for other in seasonal:
                if other.bought_from <= end and start <= other.bought_to and _scopes_overlap(other.scope, base["scope"]):
                    c.error(p + ("bought_from",), f"{start}..{end} overlaps seasonal rule '{other.id}' "
                                                  f"({other.bought_from}..{other.bought_to}, line {other.line})")
            seasonal.append(SeasonalRule(**base, bought_from=start, bought_to=end, returnable_until=until))

    not_returnable = []
    for t, p in each("not_returnable"):
        base = common(t, p, "not_returnable", False)
        not_returnable.append(NotReturnableRule(
            **base,
            conditions=frozenset(c.get(t, p, "conditions", _choices(CONDITIONS), default=())),
            unless_defective=c.get(t, p, "unless_defective", _bool, default=False)))

    conditions = []
    for t, p in each("conditions"):
        base = common(t, p, "conditions", True)
        conditions.append(ConditionRule(
            **base, accepted=frozenset(c.get(t, p, "accepted", _choices(CONDITIONS), required=True, default=()))))

    fees = []
    for t, p in each("restocking_fee"):
        base = common(t, p, "restocking_fee", True)
        minimum = c.get(t, p, "minimum", money)
        maximum = c.get(t, p, "maximum", money)
        if minimum is not None and maximum is not None and minimum > maximum:
            c.error(p + ("maximum",), f"the maximum ({maximum}) is below the minimum ({minimum})")
        fee_conditions = c.get(t, p, "conditions", _choices(CONDITIONS), required=True, default=())
        if "defective" in fee_conditions:
            c.error(p + ("conditions",), "a restocking fee is never charged on defective items")
        fees.append(FeeRule(
            **base, conditions=frozenset(fee_conditions),
            percent=c.get(t, p, "percent", _percent, required=True, default=Decimal(0)),
            minimum=minimum, maximum=maximum,
            waived_for_tiers=ref_list(t, p, "waived_for_tiers", "tiers")))

    warranties = []
    for t, p in each("warranty"):
        base = common(t, p, "warranty", True)
        warranties.append(WarrantyRule(
            **base, days=c.get(t, p, "days", _days, required=True, default=0),
            remedy=c.get(t, p, "remedy", _choice(REMEDIES), default="refund")))

    def single(name: str) -> tuple[dict, tuple]:
        table = data.get(name, {})
        c.known_keys(table, (name,), _TABLE_KEYS[name])
        return table, (name,)

    t, p = single("gift_receipt")
    gift_receipt = GiftReceiptRule(
        id=rule_id(t, p, "receipt.gift"),
        refund_to=c.get(t, p, "refund_to", _choice(("store_credit", "original_tender")), default="store_credit"))

    t, p = single("no_receipt")
    no_receipt = NoReceiptRule(
        id=rule_id(t, p, "no_receipt"),
        allowed=c.get(t, p, "allowed", _bool, default=False),
        id_required=c.get(t, p, "id_required", _bool, default=True),
        lookback_days=c.get(t, p, "lookback_days", _days, default=90),
        max_per_transaction=c.get(t, p, "max_per_transaction", money),
        over_max=c.get(t, p, "over_max", _choice(("approval", "deny")), default="approval"),
        limit_count=c.get(t, p, "limit_count", _count),
        limit_value=c.get(t, p, "limit_value", money),
        limit_days=c.get(t, p, "limit_days", _days, default=90),
        overridable=c.get(t, p, "overridable", _bool, default=False),
        unknown_sku=c.get(t, p, "unknown_sku", _choice(("refuse", "manager_price")), default="refuse"))

    t, p = single("tenders")
    order = c.get(t, p, "refund_order", _choices(TENDERS), default=TENDERS)
    missing = [x for x in TENDERS if x not in order]
    if missing and "refund_order" in t:
        c.error(p + ("refund_order",), f"must list every tender type; missing: {', '.join(missing)}")
    tenders = TenderRule(
        id=rule_id(t, p, "tender"),
        refund_order=tuple(order),
        cash_limit=c.get(t, p, "cash_limit", money),
        cash_over_limit=c.get(t, p, "cash_over_limit", _choice(("approval", "store_credit")), default="approval"),
        check_clear_days=c.get(t, p, "check_clear_days", _days, default=0),
        uncleared_check=c.get(t, p, "uncleared_check", _choice(("store_credit", "wait")), default="store_credit"),
        overridable=c.get(t, p, "overridable", _bool, default=True))

    t, p = single("mailed_check")
    mailed_check = MailedCheckRule(
        id=rule_id(t, p, "refund.mailed_check"),
        cash_over=c.get(t, p, "cash_over", money),
        check_purchase_over=c.get(t, p, "check_purchase_over", money))

    t, p = single("approval")
    approval = ApprovalRule(
        id=rule_id(t, p, "approval.large_refund"),
        refund_over=c.get(t, p, "refund_over", money),
        reason_codes=c.get(t, p, "reason_codes", _some_str_list, default=("customer_satisfaction", "other")))

    t, p = single("promotions")
    promotions = PromotionRule(id=rule_id(t, p, "promotion.take_back"),
                               take_back=c.get(t, p, "take_back", _bool, default=True))

    t, p = single("serial")
    serial = SerialRule(id=rule_id(t, p, "serial.match"), tags=ref_list(t, p, "tags", "tags")
                        if "tags" in t else frozenset({"serialized"}))

    if "quantity.limit" in seen_ids:
        c.error(seen_ids["quantity.limit"], "'quantity.limit' is the built-in quantity rule's id; choose another")

    if c.problems:
        return None
    return Policy(
        path=shown, sha256=sha, store=store, categories=tuple(categories), tags=tuple(tags), tiers=tuple(tiers),
        reasons=tuple(reasons), windows=tuple(windows), seasonal=tuple(seasonal),
        not_returnable=tuple(not_returnable), conditions=tuple(conditions), fees=tuple(fees),
        warranties=tuple(warranties), gift_receipt=gift_receipt, no_receipt=no_receipt, tenders=tenders,
        mailed_check=mailed_check, approval=approval, promotions=promotions, serial=serial)


def _scopes_overlap(a: Scope, b: Scope) -> bool:
    for key in ("categories", "tags", "skus", "tiers", "tenders", "regions"):
        left, right = getattr(a, key), getattr(b, key)
        if left and right and not (left & right):
            return False
    return True


def _money_reader(currency: str) -> Callable[[Any, tuple], Decimal]:
    def read(value: Any, path: tuple) -> Decimal:
        number = _decimal_text(value, path)
        digits = currency_digits(currency)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            raise _Bad(f"{value} has more decimals than {currency} allows ({digits})")
        return number
    return read


def _build_store(c: _Checker, table: Any) -> Store:
    present = table is not None  # a missing table is one error, not one per key
    if not present:
        c.error(("store",), "missing the [store] table (currency, locale, prices_include_tax)")
        table = {}
    p = ("store",)
    c.known_keys(table, p, _TABLE_KEYS["store"])

    def currency(value: Any, path: tuple) -> str:
        code = _str(value, path)
        if code != code.upper() or len(code) != 3 or not get_currency_name(code, locale="en") or \
                get_currency_name(code, locale="en") == code:
            raise _Bad(f"'{code}' is not an ISO 4217 currency code (e.g. USD, VND, CZK, TWD)")
        return code

    def locale(value: Any, path: tuple) -> str:
        text = _str(value, path)
        try:
            Locale.parse(text)
        except (ValueError, UnknownLocaleError):
            raise _Bad(f"'{text}' is not a known locale (e.g. en_US, vi_VN, cs_CZ, zh_Hant_TW)") from None
        return text

    def language(value: Any, path: tuple) -> str:
        text = _str(value, path)
        try:
            return i18n.normalize_language(text)
        except i18n.UnknownLanguage:
            raise _Bad(f"'{text}' is not a supported language ({', '.join(i18n.LANGUAGES)})") from None

    code = c.get(table, p, "currency", currency, required=present)
    rounding = None
    if code:
        rounding = c.get(table, p, "cash_rounding", _money_reader(code))
        if rounding is not None and rounding == 0:
            c.error(p + ("cash_rounding",), "must be above zero (leave it out for no cash rounding)")
    store = Store(
        id=c.get(table, p, "id", _str, required=present, default="?"),
        name=c.get(table, p, "name", _str, required=present, default="?"),
        region=c.get(table, p, "region", _str),
        currency=code or "XXX",
        locale=c.get(table, p, "locale", locale, required=present, default="en_US"),
        language=c.get(table, p, "language", language, default="en"),
        prices_include_tax=c.get(table, p, "prices_include_tax", _bool, required=present, default=False),
        cash_rounding=rounding)
    return store
