"""Build a :class:`Policy` from parsed TOML, checking everything on the way.

One :class:`_Builder` per file: it reads the [store] and [catalog] tables first (the other tables refer to
them), then each list of rules and each single table, one method per table. Every problem goes to the
:class:`PolicyChecker` at its key path; a table with problems still builds from placeholders so the rest
of the file is checked too, and the policy is only returned when nothing was found.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name

from pos_returns import i18n
from pos_returns.domain.policy.model import (CONDITIONS, REMEDIES, TENDERS, ApprovalRule, ConditionRule, FeeRule,
                                                 GiftReceiptRule, MailedCheckRule, NoReceiptRule, NotReturnableRule,
                                                 Policy, PromotionRule, Scope, SeasonalRule, SerialRule, StoreProfile,
                                                 TenderRule, WarrantyRule, WindowRule)
from pos_returns.domain.policy.version import KEYS as VERSION_KEYS, read_version
from pos_returns.domain.policy import remedies
from pos_returns.domain.policy.values import (PolicyChecker, _bool, _choice, _choices, _count, _date, _days, _id,
                                                  _money_reader, _percent, _some_str_list, _str, _str_list,
                                                  _type_name)
from pos_returns.domain.policy.chain import CHAIN_KEYS, build_chain, build_tiers, check_regions
from pos_returns.domain.policy.seasons import season_dates, seasons_overlap
from pos_returns.domain.policy.values import _window_days
from pos_returns.domain.tomllines import format_path
from pos_returns.domain.validate import Invalid

SCOPE_KEYS = ("categories", "tags", "skus", "tiers", "tenders", "regions", "exclude_regions",
              "exclude_categories", "exclude_tags")
COMMON_KEYS = ("id", "overridable", "explain") + SCOPE_KEYS

_TABLE_KEYS = {
    "store": ("id", "name", "region", "currency", "locale", "language", "prices_include_tax", "cash_rounding"),
    "catalog": ("categories", "tags", "tiers", "reasons"),
    "window": COMMON_KEYS + ("days",),
    "seasonal": COMMON_KEYS + ("bought_from", "bought_to", "returnable_until", "refund_to"),
    "not_returnable": COMMON_KEYS + ("conditions", "unless_defective"),
    "conditions": COMMON_KEYS + ("accepted",),
    "restocking_fee": COMMON_KEYS + ("conditions", "percent", "minimum", "maximum", "waived_for_tiers",
                                     "amount", "from_day", "to_day", "request"),
    "warranty": COMMON_KEYS + ("days", "remedy"),
    "gift_receipt": ("id", "refund_to"),
    "no_receipt": ("id", "allowed", "id_required", "lookback_days", "max_per_transaction", "over_max",
                   "limit_count", "limit_value", "limit_days", "overridable", "unknown_sku"),
    "tenders": ("id", "refund_order", "cash_limit", "cash_over_limit", "check_clear_days", "uncleared_check",
                "overridable"),
    "mailed_check": ("id", "cash_over", "check_purchase_over", "refund_over"),
    "approval": ("id", "refund_over", "reason_codes"),
    "promotions": ("id", "take_back"),
    "serial": ("id", "tags"),
    "chain": CHAIN_KEYS,
    "tiers": (),
    "policy": VERSION_KEYS,
    "labels": ("en", "vi", "cs", "zh_Hant"),
}
_TABLE_KEYS.update({k: (COMMON_KEYS + v if k in remedies.RULE_LISTS else v)
                    for k, v in remedies.TABLE_KEYS.items()})
_RULE_LISTS = ("window", "seasonal", "not_returnable", "conditions", "restocking_fee",
               "warranty") + remedies.RULE_LISTS
_SINGLE_TABLES = ("store", "catalog", "gift_receipt", "no_receipt", "tenders", "mailed_check", "approval",
                  "promotions", "serial", "labels") + remedies.SINGLE_TABLES


def build(c: PolicyChecker, data: dict, shown: str, sha: str) -> Policy | None:
    """The policy of ``data``, or None when ``c`` recorded any problem."""
    return _Builder(c, _shapes_checked(c, data)).policy(shown, sha)


def _shapes_checked(c: PolicyChecker, data: dict) -> dict:
    """``data`` without top-level entries of the wrong shape (each one recorded)."""
    c.known_keys(data, (), _TABLE_KEYS)
    for name in _SINGLE_TABLES:
        if name in data and not isinstance(data[name], dict):
            c.error((name,), f"must be a table [{name}], not {_type_name(data[name])}")
            data = {k: v for k, v in data.items() if k != name}
    for name in _RULE_LISTS:
        if name in data and not (isinstance(data[name], list) and all(isinstance(t, dict) for t in data[name])):
            c.error((name,), f"must be written as [[{name}]] tables")
            data = {k: v for k, v in data.items() if k != name}
    return data


class _Builder:
    def __init__(self, c: PolicyChecker, data: dict):
        self.c = c
        self.data = data
        self.store = _build_store(c, data.get("store"))  # on errors: placeholders, so the rest is still checked
        catalog = data.get("catalog", {})
        p = ("catalog",)
        c.known_keys(catalog, p, _TABLE_KEYS["catalog"])
        self.categories = c.get(catalog, p, "categories", _str_list, required=True, default=())
        self.tags = c.get(catalog, p, "tags", _str_list, default=())
        self.tiers = c.get(catalog, p, "tiers", _str_list, default=())
        self.reasons = c.get(catalog, p, "reasons", _str_list, required=True, default=())
        self.refs = {"categories": self.categories, "tags": self.tags, "tiers": self.tiers, "tenders": TENDERS}
        self.money = _money_reader(self.store.currency)
        self.seen_ids: dict[str, tuple] = {}
        self.chain = build_chain(c, data.get("chain"), self.money)
        self.tier_profiles = build_tiers(c, data.get("tiers"), tuple(self.tiers))

    def policy(self, shown: str, sha: str) -> Policy | None:
        # the order of the steps is the order problems are found in (sorted by line afterwards)
        windows, seasonal = self.windows(), self.seasonal()
        not_returnable, conditions, fees = self.not_returnable(), self.conditions(), self.fees()
        warranties = self.warranties()
        gift_receipt, no_receipt, tenders = self.gift_receipt(), self.no_receipt(), self.tenders()
        mailed_check, approval = self.mailed_check(), self.approval()
        promotions, serial = self.promotions(), self.serial()
        version = read_version(self.c, self.data)
        extra = remedies.build_all(self)
        from pos_returns.domain.policy.labels import build_labels
        labels = build_labels(self.c, self.data.get("labels"), {
            "categories": tuple(self.categories), "tags": tuple(self.tags), "tiers": tuple(self.tiers),
            "reasons": tuple(self.reasons), "reason_codes": tuple(approval.reason_codes) if approval else ()})
        if "quantity.limit" in self.seen_ids:
            self.c.error(self.seen_ids["quantity.limit"],
                         "'quantity.limit' is the built-in quantity rule's id; choose another")
        if self.c:
            return None
        return Policy(
            path=shown, sha256=sha, store=self.store, categories=tuple(self.categories), tags=tuple(self.tags),
            tiers=tuple(self.tiers), reasons=tuple(self.reasons), windows=tuple(windows), seasonal=tuple(seasonal),
            not_returnable=tuple(not_returnable), conditions=tuple(conditions), fees=tuple(fees),
            warranties=tuple(warranties), gift_receipt=gift_receipt, no_receipt=no_receipt, tenders=tenders,
            mailed_check=mailed_check, approval=approval, promotions=promotions, serial=serial, version=version,
            chain=self.chain, tier_profiles=self.tier_profiles, labels=labels, **extra)

    # ------------------------------------------------------------------ what every rule has
    def rule_id(self, table: dict, path: tuple, default: str | None = None) -> str:
        c = self.c
        rid = c.get(table, path, "id", _id, required=default is None, default=default)
        if rid is None:
            return f"?{format_path(path)}"
        if rid in self.seen_ids:
            c.error(path + ("id",), f"rule id '{rid}' is used twice (also at line {c.line(self.seen_ids[rid])})")
        else:
            self.seen_ids[rid] = path + ("id",)
        return rid

    def common(self, table: dict, path: tuple, kind: str, overridable_default: bool) -> dict:
        """The fields of :class:`PolicyRule`: id, scope, overridable, explain, line."""
        c = self.c
        c.known_keys(table, path, _TABLE_KEYS[kind])
        scope_values = {}
        for key in SCOPE_KEYS:
            ref = key.removeprefix("exclude_")
            values = c.get(table, path, key, _str_list, default=())
            if ref == "regions":
                check_regions(c, self.chain, path, key, values)
            if ref in self.refs:
                for v in values:
                    if v not in self.refs[ref]:
                        defined = ", ".join(self.refs[ref]) or "none"
                        c.error(path + (key,), f"'{v}' is not defined in [catalog] {ref} (defined: {defined})"
                                if ref != "tenders" else f"'{v}' is not a tender type ({', '.join(TENDERS)})")
            scope_values[key] = frozenset(values)
        return dict(
            id=self.rule_id(table, path),
            scope=Scope(**scope_values),
            overridable=c.get(table, path, "overridable", _bool, default=overridable_default),
            explain=c.get(table, path, "explain", _str),
            line=c.line(path),
        )

    def each(self, kind: str) -> Iterator[tuple[dict, tuple]]:
        for i, table in enumerate(self.data.get(kind, [])):
            yield table, (kind, i)

    def ref_list(self, table: dict, path: tuple, key: str, ref: str) -> frozenset[str]:
        values = self.c.get(table, path, key, _str_list, default=())
        for v in values:
            if v not in self.refs[ref]:
                self.c.error(path + (key,), f"'{v}' is not defined in [catalog] {ref} "
                                            f"(defined: {', '.join(self.refs[ref]) or 'none'})")
        return frozenset(values)

    def single(self, name: str) -> tuple[dict, tuple]:
        table = self.data.get(name, {})
        self.c.known_keys(table, (name,), _TABLE_KEYS[name])
        return table, (name,)

    # ------------------------------------------------------------------ lists of rules
    def windows(self) -> list[WindowRule]:
        c = self.c
        windows = []
        for t, p in self.each("window"):
            base = self.common(t, p, "window", True)
            days = c.get(t, p, "days", _window_days, required=True, default=0)
            windows.append(WindowRule(**base, days=days or 0, unlimited="days" in t and days is None))
        if not any(not any(getattr(w.scope, key) for key in SCOPE_KEYS) for w in windows):
            c.error(("window",), "needs one [[window]] without any scope (no categories, tags, skus, tiers, "
                                 "tenders, regions, exclude_regions, exclude_categories or exclude_tags): the "
                                 "default return window for everything else")
        return windows

    def seasonal(self) -> list[SeasonalRule]:
        c = self.c
        seasonal: list[SeasonalRule] = []
        for t, p in self.each("seasonal"):
            base = self.common(t, p, "seasonal", True)
            dates = season_dates(c, t, p)
            refund_to = c.get(t, p, "refund_to", _choice(("original_tender", "store_credit")),
                              default="original_tender")
            if dates is not None:
                rule = SeasonalRule(**base, bought_from=dates[0], bought_to=dates[1], returnable_until=dates[2],
                                    refund_to=refund_to)
                for other in seasonal:
                    if _scopes_overlap(other.scope, rule.scope) and seasons_overlap(other, rule):
                        c.error(p + ("bought_from",), f"{rule.bought_from}..{rule.bought_to} overlaps seasonal rule "
                                                      f"'{other.id}' ({other.bought_from}..{other.bought_to}, "
                                                      f"line {other.line})")
                seasonal.append(rule)
        return seasonal

    def not_returnable(self) -> list[NotReturnableRule]:
        c = self.c
        return [NotReturnableRule(
            **self.common(t, p, "not_returnable", False),
            conditions=frozenset(c.get(t, p, "conditions", _choices(CONDITIONS), default=())),
            unless_defective=c.get(t, p, "unless_defective", _bool, default=False))
            for t, p in self.each("not_returnable")]

    def conditions(self) -> list[ConditionRule]:
        return [ConditionRule(
            **self.common(t, p, "conditions", True),
            accepted=frozenset(self.c.get(t, p, "accepted", _choices(CONDITIONS), required=True, default=())))
            for t, p in self.each("conditions")]

    def fees(self) -> list[FeeRule]:
        c = self.c
        fees = []
        for t, p in self.each("restocking_fee"):
            base = self.common(t, p, "restocking_fee", True)
            minimum = c.get(t, p, "minimum", self.money)
            maximum = c.get(t, p, "maximum", self.money)
            if minimum is not None and maximum is not None and minimum > maximum:
                c.error(p + ("maximum",), f"the maximum ({maximum}) is below the minimum ({minimum})")
            fee_conditions = c.get(t, p, "conditions", _choices(CONDITIONS), required=True, default=())
            if "defective" in fee_conditions:
                c.error(p + ("conditions",), "a restocking fee is never charged on defective items")
            flat = c.get(t, p, "amount", self.money)
            _fee_kind(c, t, p)
            from_day, to_day = c.get(t, p, "from_day", _days), c.get(t, p, "to_day", _days)
            if from_day is not None and to_day is not None and from_day > to_day:
                c.error(p + ("to_day",), f"day {to_day} comes before from_day {from_day}: no return would pay "
                                         f"this fee")
            fees.append(FeeRule(
                **base, conditions=frozenset(fee_conditions),
                percent=c.get(t, p, "percent", _percent, default=Decimal(0)),
                minimum=minimum, maximum=maximum,
                waived_for_tiers=self.ref_list(t, p, "waived_for_tiers", "tiers"), amount=flat,
                from_day=from_day, to_day=to_day,
                request=c.get(t, p, "request", _choice(("return", "exchange")))))
        return fees

    def warranties(self) -> list[WarrantyRule]:
        c = self.c
        return [WarrantyRule(
            **self.common(t, p, "warranty", True), days=c.get(t, p, "days", _days, required=True, default=0),
            remedy=c.get(t, p, "remedy", _choice(REMEDIES), default="refund"))
            for t, p in self.each("warranty")]

    # ------------------------------------------------------------------ single tables
    def gift_receipt(self) -> GiftReceiptRule:
        t, p = self.single("gift_receipt")
        return GiftReceiptRule(
            id=self.rule_id(t, p, "receipt.gift"),
            refund_to=self.c.get(t, p, "refund_to", _choice(("store_credit", "original_tender")),
                                 default="store_credit"))

    def no_receipt(self) -> NoReceiptRule:
        c, money = self.c, self.money
        t, p = self.single("no_receipt")
        return NoReceiptRule(
            id=self.rule_id(t, p, "no_receipt"),
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

    def tenders(self) -> TenderRule:
        c = self.c
        t, p = self.single("tenders")
        order = c.get(t, p, "refund_order", _choices(TENDERS), default=TENDERS)
        missing = [x for x in TENDERS if x not in order]
        if missing and "refund_order" in t:
            c.error(p + ("refund_order",), f"must list every tender type; missing: {', '.join(missing)}")
        return TenderRule(
            id=self.rule_id(t, p, "tender"),
            refund_order=tuple(order),
            cash_limit=c.get(t, p, "cash_limit", self.money),
            cash_over_limit=c.get(t, p, "cash_over_limit", _choice(("approval", "store_credit")),
                                  default="approval"),
            check_clear_days=c.get(t, p, "check_clear_days", _days, default=0),
            uncleared_check=c.get(t, p, "uncleared_check", _choice(("store_credit", "wait")),
                                  default="store_credit"),
            overridable=c.get(t, p, "overridable", _bool, default=True))

    def mailed_check(self) -> MailedCheckRule:
        t, p = self.single("mailed_check")
        return MailedCheckRule(
            id=self.rule_id(t, p, "refund.mailed_check"),
            cash_over=self.c.get(t, p, "cash_over", self.money),
            check_purchase_over=self.c.get(t, p, "check_purchase_over", self.money),
            refund_over=self.c.get(t, p, "refund_over", self.money))

    def approval(self) -> ApprovalRule:
        t, p = self.single("approval")
        return ApprovalRule(
            id=self.rule_id(t, p, "approval.large_refund"),
            refund_over=self.c.get(t, p, "refund_over", self.money),
            reason_codes=self.c.get(t, p, "reason_codes", _some_str_list,
                                    default=("customer_satisfaction", "other")))

    def promotions(self) -> PromotionRule:
        t, p = self.single("promotions")
        return PromotionRule(id=self.rule_id(t, p, "promotion.take_back"),
                             take_back=self.c.get(t, p, "take_back", _bool, default=True))

    def serial(self) -> SerialRule:
        t, p = self.single("serial")
        return SerialRule(id=self.rule_id(t, p, "serial.match"),
                          tags=self.ref_list(t, p, "tags", "tags") if "tags" in t else frozenset({"serialized"}))


def _fee_kind(c: PolicyChecker, t: dict, p: tuple) -> None:
    """A restocking fee is a percent of the price or a flat amount per unit, one of the two."""
    if "percent" in t and "amount" in t:
        c.error(p + ("amount",), "give either percent (of the price) or amount (per unit), not both")
    elif "percent" not in t and "amount" not in t:
        c.error(p, "missing required key 'percent' (of the price paid) or 'amount' (a flat fee per unit)")
    elif "amount" in t:
        for key in ("minimum", "maximum"):
            if key in t:
                c.error(p + (key,), f"{key} applies to a percent fee; a flat amount is already per unit")


def _scopes_overlap(a: Scope, b: Scope) -> bool:
    for key in ("categories", "tags", "skus", "tiers", "tenders", "regions"):
        left, right = getattr(a, key), getattr(b, key)
        if left and right and not (left & right):
            return False
    return True


# ---------------------------------------------------------------------- [store]

def _currency(value: Any, path: tuple) -> str:
    code = _str(value, path)
    if code != code.upper() or len(code) != 3 or not get_currency_name(code, locale="en") or \
            get_currency_name(code, locale="en") == code:
        raise Invalid(f"'{code}' is not an ISO 4217 currency code (e.g. USD, VND, CZK, TWD)")
    return code


def _locale(value: Any, path: tuple) -> str:
    text = _str(value, path)
    try:
        Locale.parse(text)
    except (ValueError, UnknownLocaleError):
        raise Invalid(f"'{text}' is not a known locale (e.g. en_US, vi_VN, cs_CZ, zh_Hant_TW)") from None
    return text


def _language(value: Any, path: tuple) -> str:
    text = _str(value, path)
    try:
        return i18n.normalize_language(text)
    except i18n.UnknownLanguage:
        raise Invalid(f"'{text}' is not a supported language ({', '.join(i18n.LANGUAGES)})") from None


def _build_store(c: PolicyChecker, table: Any) -> StoreProfile:
    present = table is not None  # a missing table is one error, not one per key
    if not present:
        c.error(("store",), "missing the [store] table (currency, locale, prices_include_tax)")
        table = {}
    p = ("store",)
    c.known_keys(table, p, _TABLE_KEYS["store"])
    code = c.get(table, p, "currency", _currency, required=present)
    rounding = None
    if code:
        rounding = c.get(table, p, "cash_rounding", _money_reader(code))
        if rounding is not None and rounding == 0:
            c.error(p + ("cash_rounding",), "must be above zero (leave it out for no cash rounding)")
    return StoreProfile(
        id=c.get(table, p, "id", _str, required=present, default="?"),
        name=c.get(table, p, "name", _str, required=present, default="?"),
        region=c.get(table, p, "region", _str),
        currency=code or "XXX",
        locale=c.get(table, p, "locale", _locale, required=present, default="en_US"),
        language=c.get(table, p, "language", _language, default="en"),
        prices_include_tax=c.get(table, p, "prices_include_tax", _bool, required=present, default=False),
        cash_rounding=rounding)
