"""Where this till is: its store id and region, kept in the database's settings (``db init --store ID --region R``).

A policy may serve a whole chain (``[chain]``); the till's own store and region then decide which of the
chain's stores the receipts belong to and which regional rules apply. A till with no store set is the
policy's ``[store]`` (as before chains existed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pos_returns.i18n import N_
from pos_returns.domain.model import Request
from pos_returns.domain.policy import Policy
from pos_returns.services.records import ServiceError
from pos_returns.storage import store as st

STORE_SETTING = "store_id"
REGION_SETTING = "store_region"


@dataclass(frozen=True)
class Location:
    store_id: str
    region: str | None
    configured: bool  # the till's settings name its store (else it is the policy's [store])


def till_location(db: st.Database, policy: Policy) -> Location:
    """This till's store and region under ``policy``; refused when the policy does not serve this store."""
    store_id = db.setting(STORE_SETTING)
    region = db.setting(REGION_SETTING)
    if not store_id:
        return Location(policy.store.id, region or policy.store.region, bool(region))
    if not policy.serves_store(store_id):
        chain = policy.chain
        served = ", ".join(chain.stores) if chain is not None and chain.stores else policy.store.id
        raise ServiceError(N_("This till is store {store}, but the policy serves only {served}; load the "
                              "chain's policy, or set the till's store with db init --store."),
                           store=store_id, served=served)
    known = policy.chain.region_of(store_id) if policy.chain is not None else None
    if region and known and region != known:
        raise ServiceError(N_("This till is set to region {region}, but the policy puts store {store} in region "
                              "{known}; correct the till with db init --region or the policy's [chain.stores]."),
                           region=region, store=store_id, known=known)
    return Location(store_id, region or policy.region_of(store_id), True)


def located(db: st.Database, policy: Policy, request: Request) -> Request:
    """``request`` with this till's store and region, when the till's settings name them (they win over what
    a case file says: a till records returns of its own store)."""
    here = till_location(db, policy)
    if not here.configured:
        return request
    return replace(request, store=here.store_id, region=here.region or request.region)


def set_location(db: st.Database, store_id: str | None, region: str | None) -> Location | None:
    """Record the till's store and region (``db init --store --region``); a till that already recorded
    returns under another store keeps it (its transaction numbers carry the store)."""
    if store_id is not None and (not store_id.strip() or any(ch.isspace() for ch in store_id)):
        raise ServiceError(N_("A store id is one word without spaces, not \u201c{value}\u201d."), value=store_id)
    if region is not None and (not region.strip() or any(ch.isspace() for ch in region)):
        raise ServiceError(N_("A region is one word without spaces, not \u201c{value}\u201d."), value=region)
    current = db.setting(STORE_SETTING)
    if store_id and current and current != store_id and st.count(db, "journal"):
        raise ServiceError(N_("This till already recorded returns as store {current}; it cannot become store "
                              "{store}. Start a new database for the other store."),
                           current=current, store=store_id)
    if store_id:
        db.set_setting(STORE_SETTING, store_id)
    if region:
        db.set_setting(REGION_SETTING, region)
    store_id = db.setting(STORE_SETTING)
    if not store_id:
        return None
    return Location(store_id, db.setting(REGION_SETTING), True)
