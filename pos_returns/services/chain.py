"""A till of a chain on one central PostgreSQL (DESIGN.md "Several tills and a chain"): the central
database's address, ``central init``, ``sync``, and :class:`ChainCounter`, the counter of such a till.

The till's SQLite file stays the source of truth for what it recorded; without a central address a till
works alone, exactly as before. With one:

- a lookup asks the central database first (another store's receipt, and what was returned of it anywhere),
  keeps a copy of another store's sale in the till's file (so its paperwork and journal checks work offline
  too) and counts what the chain returned and refunded of it;
- a commit reserves the receipt's units and tender amounts centrally, inside the local write transaction and
  committed before it; if the local commit then fails the reservation is released (and if the till dies in
  between, the next commit of the same transaction number replaces it, and sync settles it);
- a customer's earlier returns at every other till of the chain count for the limits (their ID's keyed hash
  is the same at every till when the tills share the chain's secret, which sync checks);
- when the central database cannot be reached, the policy's ``[chain] offline`` rules say what may be done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pos_returns import keys
from pos_returns.domain.model import PastReturn, Sale
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.domain.policy.model import OfflineRule
from pos_returns.i18n import N_
from pos_returns.services.counter import Counter
from pos_returns.services.entry import _money_terms
from pos_returns.services.identity import history_days
from pos_returns.services.location import till_location
from pos_returns.services.records import DecisionChanged, Pending, ServiceError
from pos_returns.services.versions import decide
from pos_returns.storage import central
from pos_returns.storage import store as st
from pos_returns.storage.central import CentralError, CentralUnreachable, SyncResult  # noqa: F401

from pos_returns.services.chain_config import CENTRAL_ENV, central_url  # noqa: F401, E402 - where they were


def init_central(url: str) -> tuple[int, int]:
    """``central init``: create or upgrade the central schema (idempotent); (version before, version now)."""
    return central.init_central(url)


def secret_check() -> str:
    """What the tills of one chain agree on without revealing it: a keyed hash of a fixed text under the
    secret their customer-ID hashes use."""
    return keys.keyed_hash(keys.store_secret(), "chain-secret-check", "pos-returns")


def offline_rule(policy: Policy) -> OfflineRule:
    return policy.chain.offline if policy.chain is not None else OfflineRule()


RETRY_OFFLINE_S = 30.0


@dataclass
class Link:
    """The central database as this till last found it: online (True), offline (False) or not tried (None),
    with one connection kept open between calls (a lookup then costs no new connection). One thread's.

    Once it could not be reached, calls fail at once for :data:`RETRY_OFFLINE_S` seconds (a cut network
    would otherwise cost every scan the connect timeout); the counter's background sync keeps trying."""

    url: str
    online: bool | None = None
    error: str | None = None
    conn: Any = None
    retry_at: float = 0.0
    monotonic: Any = time.monotonic

    def call(self, fn: Any, *args: Any) -> Any:
        if self.online is False and self.monotonic() < self.retry_at:
            raise CentralUnreachable(N_("The central database cannot be reached ({error}); this till works "
                                        "offline."), error=self.error or "")
        for attempt in (1, 2):  # a kept connection the server dropped meanwhile: once more on a new one
            kept = self.conn is not None
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = central.connect(self.url)
                out = fn(self.conn, *args)
            except CentralUnreachable as exc:
                self.close()
                if kept and attempt == 1:
                    continue
                self.online, self.error = False, exc.text.params.get("error") or str(exc)
                self.retry_at = self.monotonic() + RETRY_OFFLINE_S
                raise
            self.online, self.error = True, None
            return out
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self.conn = None


def sync(store: st.Database, policy: Policy, url: str, batch: int = central.sync.BATCH,
         now: datetime | None = None) -> SyncResult:
    """``sync``: send this till's unsent sales, journal entries and events; each conflict found is also
    logged here as a ``chain_conflict`` event at ``now`` (the exception report lists them)."""
    here = till_location(store, policy)
    result = central.sync_till(store, url, here.store_id, secret_check(), batch=batch)
    if result.conflicts:
        with store.write() as c:
            for conflict in result.conflicts:
                st.log_event(c, now or datetime.now(), "chain_conflict", None, conflict.get("txno"), **conflict)
    return result


def chain_report(url: str, start: Any, end: Any) -> list[dict[str, Any]]:
    """``report --chain``: per store of the chain, from ``start`` to ``end`` (dates, both included)."""
    return central.chain_report(url, start.isoformat(), (end + timedelta(days=1)).isoformat())


def confirm_key(url: str, store_id: str, register: str, fingerprint: str, by: str) -> int:
    """Head office confirms a register's key that arrived without the old key's signature (``key_changed``);
    the till's next sync sends what it signed. Rows confirmed (0: no such unconfirmed key)."""
    return central.confirm_key(url, store_id, register, fingerprint, by)


def chain_conflicts(url: str, store_id: str | None = None) -> list[dict[str, Any]]:
    return central.chain_conflicts(url, store_id)


class ChainCounter(Counter):
    """The counter of a till of a chain: lookups and commits that see every store (see the module's note)."""

    def __init__(self, store: st.Database, policy: Policy, *, central_url: str, link: Link | None = None,
                 **kw: Any):
        super().__init__(store, policy, **kw)
        self.link = link if link is not None and link.url == central_url else Link(central_url)
        self.central = self  # Counter.commit calls self.central.reserve(...) inside its write transaction
        self.till = central.till_id(store)
        self._reserved: str | None = None

    # -- looking up --------------------------------------------------------------------------------------
    def lookup(self, code: str) -> Sale:
        code = code.strip()
        remote = None
        if code and not self.training:
            try:
                remote = self.link.call(central.central_sale, code)
            except CentralUnreachable:
                remote = None
        if remote is not None and remote["currency"] == self.policy.currency and \
                not st.existing_receipts(self.store.conn, [remote["receipt"]]):
            with self.store.write() as c:
                if not st.existing_receipts(c, [remote["receipt"]]):
                    st.insert_sales(c, [remote])  # another store's sale, kept here for paperwork and checks
        if code:
            sale = st.load_sale(self.store, code, self.policy.currency, include_training=self.training)
        else:
            return super().lookup(code)
        here = till_location(self.store, self.policy).store_id
        if sale.store_id and sale.store_id != here and not self.link.online and offline_rule(self.policy).own_store_only:
            raise ServiceError(N_("Receipt {receipt} is from store {other}; while the central database cannot be "
                                  "reached this till takes back only this store's receipts."),
                               receipt=sale.receipt, other=sale.store_id)
        if remote is None:
            return sale
        return _merged(sale, remote["returned"], remote["refunded"])

    def _recheck(self, c, pending: Pending) -> None:
        """As Counter's, with what the chain returned and refunded of the receipt counted too."""
        sale = pending.case.sale
        try:
            remote = self.link.call(central.central_sale, sale.receipt) if not pending.training else None
        except CentralUnreachable:
            remote = None
        local = _merged(sale, st.returned_quantities(c, sale.receipt, pending.training),
                        st.refunded_by_tender(c, sale.receipt, pending.training), replace_all=True)
        fresh = local if remote is None else _merged(local, remote["returned"], remote["refunded"])
        if fresh.returned == sale.returned and [t.refunded for t in fresh.tenders] == [t.refunded for t in sale.tenders]:
            return
        case = pending.case
        again = decide(self, fresh, case.request, case.history, case.now)
        if _money_terms(again) == _money_terms(pending.decision):
            return
        if again.outcome == "denied":
            raise st.Conflict(N_("Receipt {receipt}: line {lines} was already returned at another till or store; "
                                 "scan the receipt again."), receipt=sale.receipt,
                              lines=", ".join(str(d.line) for d in again.lines) or "?")
        import uuid
        raise DecisionChanged(replace(pending, id=uuid.uuid4().hex, case=replace(case, sale=fresh), decision=again))

    # -- the customer's returns across the chain ---------------------------------------------------------
    def customer_history(self, customer_key: str | None) -> tuple[PastReturn, ...]:
        local = super().customer_history(customer_key)
        if not customer_key:
            return local
        since = self.clock() - timedelta(days=history_days(self.policy))
        try:
            rows = self.link.call(central.central_customer_returns, customer_key, since, self.till)
        except CentralUnreachable:
            return local
        currency = self.policy.currency
        return local + tuple(PastReturn(datetime.fromisoformat(r["at"]), Money.from_minor(r["refund_total"], currency),
                                        r["kind"] == "no_receipt") for r in rows)

    # -- committing ----------------------------------------------------------------------------------------
    def commit(self, pending: Pending, grants=()):
        self._reserved = None
        try:
            return super().commit(pending, grants)
        except BaseException:
            if self._reserved is not None:
                try:
                    self.link.call(central.release_claims, self._reserved)
                except CentralError:
                    pass  # the next commit of this number replaces it; sync settles it
            raise

    def reserve(self, pending: Pending, entry: st.JournalEntry, lines: list[dict[str, Any]],
                draws: list[dict[str, Any]]) -> None:
        """Called by Counter.commit inside its write transaction, after the entry is appended: reserve the
        receipt's units and tenders centrally (committed there first), or apply the offline rules."""
        if pending.training:
            return
        sale = pending.case.sale
        if sale is None:
            if self.link.online is False:  # the customer's chain-wide history could not be counted
                self._offline_check(pending)
            return
        sold = {ln.line: ln.qty for ln in sale.lines}
        units: dict[int, int] = {}
        for ln in lines:
            if ln["outcome"] != "denied" and ln["qty"]:
                units[ln["line"]] = units.get(ln["line"], 0) + ln["qty"]
        claim = [(line, qty, sold.get(line, 0)) for line, qty in sorted(units.items())]
        paid = {i + 1: st.minor(t.amount) for i, t in enumerate(sale.tenders)}
        taken = [(d["source_seq"], d["amount"], paid.get(d["source_seq"], 0)) for d in draws if d["amount"]]
        try:
            self.link.call(central.reserve_claims, entry.txno, sale.receipt, claim, taken)
        except CentralUnreachable:
            self._offline_check(pending)
            return
        self._reserved = entry.txno

    def _offline_check(self, pending: Pending) -> None:
        """Refused (nothing written) when the policy's offline rules do not allow this transaction offline."""
        rule = offline_rule(self.policy)
        sale = pending.case.sale
        here = till_location(self.store, self.policy).store_id
        if sale is None and not rule.no_receipt:
            raise ServiceError(N_("The central database cannot be reached: returns without a receipt wait until "
                                  "it can (the customer's returns at other stores cannot be counted)."))
        if sale is not None and sale.store_id and sale.store_id != here and rule.own_store_only:
            raise ServiceError(N_("Receipt {receipt} is from store {other}; while the central database cannot be "
                                  "reached this till takes back only this store's receipts."),
                               receipt=sale.receipt, other=sale.store_id)
        if rule.max_refund is not None and pending.decision.refund_total > Money(rule.max_refund, self.policy.currency):
            raise ServiceError(N_("The central database cannot be reached: refunds over {amount} wait until it can."),
                               amount=Money(rule.max_refund, self.policy.currency).plain())


def _merged(sale: Sale, returned: dict[int, int], refunded: dict[int, int], *, replace_all: bool = False) -> Sale:
    """``sale`` with, per line and per tender, the larger of what it says and what is given (or only what is
    given, with ``replace_all``)."""
    currency = sale.tenders[0].amount.currency if sale.tenders else None
    lines = {ln.line for ln in sale.lines}
    if replace_all:
        back = {k: v for k, v in returned.items() if v}
    else:
        back = {k: max(sale.returned.get(k, 0), returned.get(k, 0)) for k in lines}
        back = {k: v for k, v in back.items() if v}
    tenders = []
    for i, t in enumerate(sale.tenders):
        given = Money.from_minor(refunded.get(i + 1, 0), currency)
        was = t.refunded or Money.zero(currency)
        tenders.append(replace(t, refunded=given if replace_all else max(was, given)))
    return replace(sale, returned=back, tenders=tuple(tenders))
