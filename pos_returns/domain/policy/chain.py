"""The tables that say whom a policy serves and what a tier adds everywhere: ``[chain]`` and ``[tiers.NAME]``.

``[chain]`` names the chain and the stores the policy may serve, as a list of store ids or as a table of
store id -> region; ``regions`` lists every region the rules may name (with a store table, its regions count
too); ``offline`` says what a till may do while the central database cannot be reached. ``[tiers.NAME] extra_days`` adds days to every limited return window for customers of that tier.
"""

from __future__ import annotations

from typing import Any

from pos_returns.domain.policy.model import ChainProfile, OfflineRule, TierProfile
from pos_returns.domain.policy.values import PolicyChecker, _bool, _days, _str, _str_list, _type_name
from pos_returns.domain.validate import Invalid

CHAIN_KEYS = ("id", "name", "stores", "regions", "offline")
OFFLINE_KEYS = ("own_store_only", "max_refund", "no_receipt")
TIER_KEYS = ("extra_days",)


def _store_id(value: Any, path: tuple) -> str:
    text = _str(value, path)
    if any(ch.isspace() for ch in text):
        raise Invalid(f"store id '{text}' must not contain spaces")
    return text


def build_offline(c: PolicyChecker, table: Any, money: Any) -> OfflineRule:
    """``[chain] offline = { own_store_only = true, max_refund = "200.00", no_receipt = false }``."""
    p = ("chain", "offline")
    if not isinstance(table, dict):
        c.error(p, f"must be a table such as {{ own_store_only = true, max_refund = \"200.00\" }}, not "
                   f"{_type_name(table)}")
        return OfflineRule()
    c.known_keys(table, p, OFFLINE_KEYS)
    return OfflineRule(own_store_only=c.get(table, p, "own_store_only", _bool, default=True),
                       max_refund=c.get(table, p, "max_refund", money) if money is not None else None,
                       no_receipt=c.get(table, p, "no_receipt", _bool, default=True))


def build_chain(c: PolicyChecker, table: Any, money: Any = None) -> ChainProfile | None:
    if table is None:
        return None
    p = ("chain",)
    if not isinstance(table, dict):
        c.error(p, f"must be a table [chain], not {_type_name(table)}")
        return None
    c.known_keys(table, p, CHAIN_KEYS)
    chain_id = c.get(table, p, "id", _store_id, required=True, default="?")
    name = c.get(table, p, "name", _str)
    stores: tuple[str, ...] = ()
    store_regions: list[tuple[str, str]] = []
    raw = table.get("stores")
    if isinstance(raw, dict):  # [chain.stores] "0042" = "CA"
        for store, region in raw.items():
            sp = p + ("stores", store)
            try:
                _store_id(store, sp)
                region = _str(region, sp)
            except Invalid as bad:
                c.error(sp, str(bad))
                continue
            store_regions.append((store, region))
        stores = tuple(s for s, _ in store_regions)
        if not raw:
            c.error(p + ("stores",), "lists no store (leave `stores` out to serve any store of the chain)")
    elif raw is not None:
        stores = c.get(table, p, "stores", _str_list, default=())
        if "stores" in table and not stores and isinstance(raw, list):
            c.error(p + ("stores",), "lists no store (leave `stores` out to serve any store of the chain)")
        for i, store in enumerate(stores):
            if any(ch.isspace() for ch in store):
                c.error(p + ("stores",), f"store id '{store}' must not contain spaces")
    regions = list(c.get(table, p, "regions", _str_list, default=()))
    for _store, region in store_regions:
        if region not in regions:
            regions.append(region)
    offline = build_offline(c, table["offline"], money) if "offline" in table else OfflineRule()
    return ChainProfile(id=chain_id, name=name, stores=tuple(stores), store_regions=tuple(store_regions),
                        regions=tuple(regions), offline=offline)


def build_tiers(c: PolicyChecker, table: Any, tiers: tuple[str, ...]) -> tuple[TierProfile, ...]:
    if table is None:
        return ()
    p = ("tiers",)
    if not isinstance(table, dict):
        c.error(p, f"must be written as [tiers.NAME] tables (e.g. [tiers.member]), not {_type_name(table)}")
        return ()
    out = []
    for name, body in table.items():
        tp = p + (name,)
        if name not in tiers:
            c.error(tp, f"'{name}' is not defined in [catalog] tiers (defined: {', '.join(tiers) or 'none'})")
        if not isinstance(body, dict):
            c.error(tp, f"must be a table [tiers.{name}] with extra_days, not {_type_name(body)}")
            continue
        c.known_keys(body, tp, TIER_KEYS)
        extra = c.get(body, tp, "extra_days", _days, required=True, default=0)
        out.append(TierProfile(name=name, extra_days=extra or 0, line=c.line(tp)))
    return tuple(out)


def check_regions(c: PolicyChecker, chain: ChainProfile | None, path: tuple, key: str,
                  values: tuple[str, ...]) -> None:
    """A rule's ``regions`` / ``exclude_regions`` name only the chain's regions (when the chain lists them)."""
    if chain is None or not chain.regions:
        return
    for v in values:
        if v not in chain.regions:
            c.error(path + (key,), f"'{v}' is not one of the chain's regions ({', '.join(chain.regions)}); "
                                   f"add it to [chain] regions or to a store in [chain.stores]")
