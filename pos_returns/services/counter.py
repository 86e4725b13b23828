"""Use-cases shared by the counter app and the command line.

The ui/ layer and the CLI call these and nothing below them. Services read the clock (passed in as a
callable), the database and files on behalf of the pure engine.

A return goes: :meth:`Counter.sign_in` (a :class:`Session`: who is doing it) -> :meth:`Counter.lookup` ->
:meth:`Counter.prepare` (a :class:`Pending` with its Decision) -> :meth:`Counter.approve` for each approval the
decision asks for (sealed, bound to this transaction) -> :meth:`Counter.commit`, which re-checks everything,
the approvals included, inside one ``BEGIN IMMEDIATE`` transaction and appends one journal entry.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import secrets
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pos_returns import keys
from pos_returns.storage import store as st
from pos_returns.i18n import N_
from pos_returns.domain.case import Case
from pos_returns.domain.model import PastReturn, Request, Sale
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.security import check_pin_format, hash_pin, verify_pin
from pos_returns.services.versions import decide
from pos_returns.services.identity import CustomerChanged, history_days, recheck_customer, require_id_number  # noqa: F401
from pos_returns.services.records import (  # noqa: F401 - re-exported: services' public names
    Clock, MAX_PIN_FAILURES, LOCKOUT, PIN_REFUSALS, system_clock, note_policy, ServiceError, AuthError, StaffTampered, WrongPin, LockedOut, NotSignedIn, ApprovalRefused, NotRecordable, DecisionChanged, UnknownSku, PriceNeeded, Product, StaffMember, Session, Pending, Grant, Transaction)
from pos_returns.services.location import located, till_location
from pos_returns.services.settlement import check_payment
from pos_returns.services.entry import (  # noqa: F401
    _line_labels, _money_terms, _staff_names, _stated_prices, journal_entry, request_from_json)


class Counter:
    """The use-cases of one register on one database under one policy."""

    def __init__(self, store: st.Database, policy: Policy, *, register: str = "R1", clock: Clock = system_clock,
                 training: bool = False):
        self.store = store
        self.policy = policy
        self.register = register
        self.clock = clock
        self.training = training
        self._legacy_keys: dict[str, str] = {}  # customer key -> its pre-keyed-hash form in an older file
        self._versions: tuple[str, tuple[Policy, ...]] | None = None  # policy versions kept (services.versions)
        self.central: Any = None  # services.chain.ChainCounter: the receipt's units reserved centrally

    # -- staff ---------------------------------------------------------------
    def add_staff(self, staff_id: str, name: str, role: str, pin: str, *, actor: str | None = None) -> StaffMember:
        if role not in ("cashier", "manager"):
            raise ServiceError(N_("The role must be cashier or manager, not {role}."), role=role)
        if not staff_id.strip() or not name.strip():
            raise ServiceError(N_("A staff member needs an id and a name."))
        try:
            check_pin_format(pin)
        except ValueError:
            raise ServiceError(N_("A PIN is 4 to 12 digits.")) from None
        pin_hash = hash_pin(pin)
        with self.store.write() as c:
            st.insert_staff(c, staff_id, name, role, pin_hash)
            st.log_event(c, self.clock(), "staff_added", actor, staff=staff_id, role=role)
        return StaffMember(staff_id, name, role)

    def check_pin(self, staff_id: str, pin: str, purpose: str = "login") -> Session:
        """Verify a PIN; 5 failures lock the member out for 15 minutes (kept in the database).

        The attempt is reserved (the failure count raised) in a write transaction *before* the slow hash is
        checked, so parallel guesses from several tills or processes together check at most 5 PINs; once the
        reserved attempts are used up the member is locked, and a right PIN that finishes after that is refused
        too. A right PIN resets the count."""
        now = self.clock()
        with self.store.write() as c:
            row = st.staff_row(c, staff_id)
            if row is None or not row["active"] or not st.seal_matches(row, self._secret()):
                outcome = "unknown" if row is None or not row["active"] else "tampered"  # seal: set by the app
                st.log_event(c, now, "pin_failed", staff_id, purpose=purpose, why=PIN_REFUSALS[outcome])
            elif row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
                outcome, until = "locked", datetime.fromisoformat(row["locked_until"])
            else:
                failed = 0 if row["locked_until"] else row["failed"]  # an expired lockout starts a new count
                if failed >= MAX_PIN_FAILURES:  # every attempt is taken by checks still running (or cut off)
                    until = now + LOCKOUT
                    st.set_pin_state(c, staff_id, failed, st.iso(until))
                    st.log_event(c, now, "lockout", staff_id, until=st.iso(until))
                    outcome = "locked"
                else:
                    st.set_pin_state(c, staff_id, failed + 1, None)
                    outcome = "reserved"
        if outcome in PIN_REFUSALS:
            raise StaffTampered(staff_id) if outcome == "tampered" else \
                AuthError(N_("No active staff member with id {staff_id}."), staff_id=staff_id)
        if outcome == "locked":
            raise LockedOut(staff_id, until)
        ok = verify_pin(pin, row["pin_hash"])
        with self.store.write() as c:
            failed, locked_until = st.pin_state(c, staff_id)
            locked = bool(locked_until) and datetime.fromisoformat(locked_until) > now
            if ok and not locked:
                st.set_pin_state(c, staff_id, 0, None)
                st.log_event(c, now, purpose, staff_id)
            elif ok:  # right, but parallel wrong guesses locked the member meanwhile
                st.log_event(c, now, "pin_refused", staff_id, purpose=purpose, why="locked out meanwhile")
            else:
                st.log_event(c, now, "pin_failed", staff_id, purpose=purpose, failures=failed)
                if failed >= MAX_PIN_FAILURES and not locked:
                    locked_until = st.iso(now + LOCKOUT)
                    st.set_pin_state(c, staff_id, failed, locked_until)
                    st.log_event(c, now, "lockout", staff_id, until=locked_until)
                    locked = True
        if locked:
            raise LockedOut(staff_id, datetime.fromisoformat(locked_until))
        if not ok:
            raise WrongPin(staff_id, max(MAX_PIN_FAILURES - failed, 0))
        at = st.iso(now)
        return Session(row["id"], row["name"], row["role"], self.register, at,
                       self._seal("session", [row["id"], row["role"], self.register, at, row["pin_hash"]]))

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """Sign a staff member in on this register: the session every transaction they do is recorded under."""
        return self.check_pin(staff_id, pin, "login")

    def _secret(self) -> bytes:
        """The store's secret (keys.store_secret), kept outside the database; read on first use."""
        if not hasattr(self, "_secret_key"):
            self._secret_key = keys.store_secret()
        return self._secret_key

    def _seal(self, purpose: str, binding: Any) -> str:
        return keys.keyed_hash(self._secret(), purpose, st.canonical(binding))

    def _signed_in(self, session: Any) -> Session:
        """The session if it is one this store's PIN check made for this register and still holds; else refused."""
        if not isinstance(session, Session):
            raise NotSignedIn(N_("Sign in with your PIN first: a transaction is done by the signed-in staff "
                                 "member."))
        row = st.get_staff(self.store, session.id)
        valid = (row is not None and row["active"] and row["role"] == session.role
                 and session.register == self.register and st.seal_matches(row, self._secret())
                 and hmac.compare_digest(session.seal, self._seal(
                     "session", [row["id"], row["role"], session.register, session.at, row["pin_hash"]])))
        if not valid:
            raise NotSignedIn(N_("The sign-in of {staff_id} is not valid on register {register}; sign in again "
                                 "with your PIN."), staff_id=session.id, register=self.register)
        return session

    # -- looking up ----------------------------------------------------------
    def lookup(self, code: str) -> Sale:
        """A sale by receipt number or receipt barcode, with what was returned and refunded already."""
        code = code.strip()
        if not code:
            raise st.NotFound(N_("Scan or type a receipt number."))
        sale = st.load_sale(self.store, code, self.policy.currency, include_training=self.training)
        here = till_location(self.store, self.policy).store_id  # the till's store (of a chain) or the policy's
        if sale.store_id and sale.store_id != here:
            raise ServiceError(N_("Receipt {receipt} is from store {other}, not this store ({store}); return it "
                                  "there, or as a return without a receipt."),
                               receipt=sale.receipt, other=sale.store_id, store=here)
        return sale

    def customer_key(self, document: str) -> str:
        """The customer's key in the journal: a keyed hash of the normalised ID number (spaces, punctuation and
        case do not matter) under the store's secret, which is kept outside the database."""
        digest, _last4 = st.hash_customer_id(self._secret(), document)
        key = "id:" + digest
        salt = self.store.legacy_id_salt()
        if salt is not None:  # a file from before the keyed hash: its older entries still count for the limits
            self._legacy_keys[key] = st.legacy_customer_key(salt, document)
        return key

    def customer_history(self, customer_key: str | None) -> tuple[PastReturn, ...]:
        if not customer_key:
            return ()
        days = history_days(self.policy)
        since = self.clock() - timedelta(days=days)
        rows = st.customer_returns(self.store, customer_key, since)
        legacy = self._legacy_keys.get(customer_key)
        if legacy is not None:
            rows = rows + st.customer_returns(self.store, legacy, since)
        currency = self.policy.currency
        return tuple(PastReturn(datetime.fromisoformat(r["at"]), Money.from_minor(r["refund_total"], currency),
                                r["kind"] == "no_receipt") for r in rows)

    def find_product(self, code: str) -> "Product":
        """A product by SKU or barcode (for exchange baskets and returns without a receipt)."""
        row = st.find_product(self.store, code.strip())
        if row is None:
            raise st.NotFound(N_("No product with code {code}."), code=code.strip())
        return Product(sku=row["sku"], name=row["name"], category=row["category"],
                       price=Money.from_minor(row["price"], self.policy.currency),
                       tax_rate=Decimal(row["tax_rate"]), tags=frozenset(json.loads(row["tags"])))

    def no_receipt_standing(self, customer_key: str | None) -> tuple[int, Money]:
        """How many returns without a receipt, and for how much, this customer made in the limit period."""
        since = self.clock() - timedelta(days=self.policy.no_receipt.limit_days)  # the history may reach further
        history = [h for h in self.customer_history(customer_key) if h.no_receipt and h.at >= since]
        return len(history), sum((h.amount for h in history), Money.zero(self.policy.currency))

    def lowest_price(self, sku: str, now: datetime | None = None) -> Money | None:
        """The lowest price the store sold ``sku`` at over the policy's look-back (its own sales, price history
        and catalog); None when the store has no price for it."""
        now = self.clock() if now is None else now
        low = st.lowest_price(self.store, sku, now - timedelta(days=self.policy.no_receipt.lookback_days), now)
        return None if low is None else Money.from_minor(low, self.policy.currency)

    def price_no_receipt(self, request: Request, stated_prices: dict[str, Money] | None = None,
                         now: datetime | None = None) -> Request:
        """The request's items without a receipt, priced from the store's own data, never from the caller.

        Each item's ``lowest_price`` becomes the store's lowest selling price over the look-back, and its
        category, tags and tax rate the store's own for that SKU. A SKU the store has no price for is refused,
        or, when the policy says ``unknown_sku = "manager_price"``, taken at the price a manager states in
        ``stated_prices`` (the decision then needs that manager's approval)."""
        rule = self.policy.no_receipt
        stated = stated_prices or {}
        now = self.clock() if now is None else now
        items, missing = [], []
        for item in request.no_receipt_items:
            facts = st.sku_facts(self.store, item.sku)
            if facts is not None:  # a department the policy does not name: its default rules (and a note)
                item = replace(item, category=facts["category"], tags=frozenset(json.loads(facts["tags"])),
                               tax_rate=Decimal(facts["tax_rate"]), name=item.name or facts["name"])
            low = self.lowest_price(item.sku, now)
            if low is not None:
                items.append(replace(item, lowest_price=low, price_stated=False))
            elif not rule.allowed:  # refused anyway; the engine says so
                items.append(replace(item, lowest_price=Money.zero(self.policy.currency), price_stated=False))
            elif rule.unknown_sku == "manager_price" and item.sku in stated:
                price = stated[item.sku]
                if price.currency != self.policy.currency or price <= Money.zero(self.policy.currency):
                    raise ServiceError(N_("The price stated for {sku} must be more than zero, in {currency}."),
                                       sku=item.sku, currency=self.policy.currency)
                items.append(replace(item, lowest_price=price.rounded(), price_stated=True))
            else:
                missing.append(item.sku)
        if missing:
            days = rule.lookback_days
            if rule.unknown_sku == "manager_price":
                raise PriceNeeded(N_("{skus}: this store has not sold it in the last {days} days, so it has no "
                                     "price to refund; a manager must state the price and approve."),
                                  missing, days=days)
            raise UnknownSku(N_("{skus}: this store has not sold it in the last {days} days, so it cannot be "
                                "returned without a receipt."), missing, days=days)
        return replace(request, no_receipt_items=tuple(items))

    # -- deciding ------------------------------------------------------------
    def prepare(self, cashier: Session, sale: Sale | None, request: Request, *,
                stated_prices: dict[str, Money] | None = None) -> Pending:
        """Evaluate a request now for the signed-in ``cashier`` (a :class:`Session` from
        :meth:`sign_in`); the customer's ID number, if any, is replaced by its keyed hash.

        Without a receipt the items are priced from the store's own sales (:meth:`price_no_receipt`);
        ``stated_prices`` (SKU -> price) are a manager's prices for SKUs the store has none for. "ID checked"
        is the act of ``cashier``, the one signed in, and is recorded with their id."""
        cashier = self._signed_in(cashier)
        now, request = self.clock(), located(self.store, self.policy, request)  # the till's store and region
        if sale is None and request.no_receipt_items:
            request = self.price_no_receipt(request, stated_prices, now)
        require_id_number(self.policy, sale, request)
        checked_by = cashier.id if request.customer.id_verified else None
        request = replace(request, customer=replace(request.customer, id_checked_by=checked_by))
        customer_key = None
        document = request.customer.id
        if document:
            customer_key = self.customer_key(document)
            masked = "****" + st.id_last4(document)
            request = replace(request, customer=replace(request.customer, id=masked))
        history = self.customer_history(customer_key)
        decision = decide(self, sale, request, history, now)
        case = Case(now=now, sale=sale, request=request, history=history)
        return Pending(id=uuid.uuid4().hex, session=cashier, case=case, decision=decision,
                       customer_key=customer_key, training=self.training)

    def approve(self, pending: Pending, manager_id: str, pin: str, reason_code: str) -> Grant:
        """A manager approves everything the pending decision asks approval for."""
        if reason_code not in self.policy.approval.reason_codes:
            raise ApprovalRefused(N_("Reason code {code} is not one of: {codes}."), code=reason_code,
                                  codes=", ".join(self.policy.approval.reason_codes))
        self._signed_in(pending.session)
        if manager_id == pending.cashier:  # the signed-in person, whatever name they would write
            self._refusal(manager_id, pending, "self-approval")
            raise ApprovalRefused(N_("A manager cannot approve their own transaction; ask another manager."))
        member = self.check_pin(manager_id, pin, "approval_pin")
        if not member.is_manager:
            self._refusal(manager_id, pending, "not a manager")
            raise ApprovalRefused(N_("{staff_id} is not a manager and cannot approve."), staff_id=manager_id)
        return self._grant(pending, member, reason_code)

    def _grant(self, pending: Pending, manager: Session, reason_code: str) -> Grant:
        """Write the approval of a manager whose PIN was checked, bound to this transaction and sealed."""
        manager = self._signed_in(manager)
        if manager.id == pending.cashier:
            raise ApprovalRefused(N_("A manager cannot approve their own transaction; ask another manager."))
        rules = tuple(a.rule for a in pending.decision.approvals)
        stated = _stated_prices(pending)
        grant = Grant(id=secrets.token_hex(8), pending=pending.id, manager=manager.id, rules=rules,
                      reason_code=reason_code, amount=pending.payout, stated_prices=stated)
        row = {"id": grant.id, "pending": grant.pending, "manager": manager.id, "cashier": pending.cashier,
               "rules": json.dumps(list(rules)), "reason_code": reason_code, "amount": st.minor(grant.amount),
               "at": st.iso(self.clock()), **self._binding(pending)}
        row["seal"] = self._approval_seal(row)
        with self.store.write() as c:
            st.insert_approval(c, row)
            extra = {"stated_prices": dict(stated)} if stated else {}
            st.log_event(c, self.clock(), "approval", manager.id, rules=list(rules), reason_code=reason_code,
                         cashier=pending.cashier, amount=grant.amount.plain(), **extra)
        return grant

    def _binding(self, pending: Pending) -> dict[str, Any]:
        """What an approval is bound to, besides its transaction id, cashier and amount."""
        sale = pending.case.sale
        lines = {"lines": [[d.line, d.sku, d.qty] for d in pending.decision.lines],
                 "exchange": [[x.sku, x.qty] for x in pending.case.request.exchange_items]}
        stated = _stated_prices(pending)
        if stated:  # a manager's stated price for a no-receipt item is part of what they approved
            lines["stated"] = [list(x) for x in stated]
        return {"receipt": sale.receipt if sale else None, "register": self.register, "lines": st.canonical(lines)}

    _SEALED = ("id", "pending", "manager", "cashier", "register", "receipt", "lines", "rules", "reason_code",
               "amount", "at")

    def _approval_seal(self, row: dict[str, Any]) -> str:
        return self._seal("approval", [row[k] for k in self._SEALED])

    def _check_approval(self, row: dict[str, Any] | None, pending: Pending) -> Grant:
        """An approval row, checked against the transaction being committed (inside its write transaction)."""
        if row is None:
            raise ApprovalRefused(N_("This approval was given for another transaction."))
        if not row.get("seal") or not hmac.compare_digest(row["seal"], self._approval_seal(row)):
            raise ApprovalRefused(N_("Approval {approval} was not given through a manager's PIN check here (its "
                                     "seal does not match); it is refused."), approval=row["id"])
        binding = self._binding(pending)
        if row["pending"] != pending.id or row["receipt"] != binding["receipt"] \
                or row["register"] != binding["register"] or row["cashier"] != pending.cashier:
            raise ApprovalRefused(N_("This approval was given for another transaction."))
        if row["amount"] != st.minor(pending.payout):
            raise ApprovalRefused(N_("The amount changed after the manager approved; approve again."))
        if row["lines"] != binding["lines"]:
            raise ApprovalRefused(N_("The lines or quantities changed after the manager approved; approve again."))
        if row["manager"] == pending.cashier:
            raise ApprovalRefused(N_("A manager cannot approve their own transaction; ask another manager."))
        if row["used_by"] is not None:
            raise ApprovalRefused(N_("This approval was already used by {txno}."), txno=row["used_by"])
        currency = pending.decision.currency
        return Grant(id=row["id"], pending=row["pending"], manager=row["manager"],
                     rules=tuple(json.loads(row["rules"])), reason_code=row["reason_code"],
                     amount=Money.from_minor(row["amount"], currency), stated_prices=_stated_prices(pending),
                     at=row["at"])

    def _refusal(self, manager_id: str, pending: Pending, why: str) -> None:
        with self.store.write() as c:
            st.log_event(c, self.clock(), "approval_refused", manager_id, cashier=pending.cashier, why=why)

    # -- committing ----------------------------------------------------------
    def commit(self, pending: Pending, grants: tuple[Grant, ...] | list[Grant] = ()) -> Transaction:
        """Record the transaction: one journal entry with its lines, tenders and approvals, atomically.

        Inside the write transaction the sale is read again; if another till returned a line meanwhile the
        decision changes and the commit is refused with a clear message (nothing is written)."""
        policy, decision = self.policy, pending.decision
        if decision.outcome == "denied":
            raise NotRecordable(N_("Nothing on this return can be accepted; there is nothing to record."))
        check_payment(pending)  # the customer's tender for an exchange's balance (services.settlement)
        grants = tuple(grants)
        with self.store.write() as c:
            case = pending.case
            sale = case.sale
            if sale is not None:
                self._recheck(c, pending)
            recheck_customer(self, pending)  # the customer's limits, against what other tills recorded
            self._signed_in(pending.session)
            if sale is None:
                self._check_no_receipt_prices(case)
            needed = {a.rule for a in decision.approvals}
            covered: set[str] = set()
            # what is recorded is what the database says the PIN-checked manager approved, not the caller's copy
            grants = tuple(self._check_approval(st.get_approval(c, grant.id), pending) for grant in grants)
            for grant in grants:
                covered.update(grant.rules)
            missing = sorted(needed - covered)
            if missing:
                raise ApprovalRefused(N_("This needs a manager's approval first: {rules}."), rules=", ".join(missing))

            now = self.clock()  # the commit time: entry, receipt and slips carry it; approvals precede it
            kind, fields, lines, tenders, draws = journal_entry(c, policy, self.register, pending, grants, now)
            entry = st.append_entry(c, fields, lines, tenders, draws)
            if self.central is not None:  # a chain's till: reserved centrally before the local COMMIT
                self.central.reserve(pending, entry, lines, draws)
            for grant in grants:
                if not st.use_approval(c, grant.id, entry.txno):
                    raise ApprovalRefused(N_("This approval was already used."))
            checked = case.request.customer.id_checked_by
            st.log_event(c, now, "transaction", pending.cashier, entry.txno, type=kind,
                         training=pending.training, refund=decision.refund_total.plain(),
                         **({"id_checked_by": checked} if checked else {}))
        return Transaction(entry.txno, entry, decision, case, pending.cashier, grants)

    def _recheck(self, c, pending: Pending) -> None:
        """Inside the commit's write transaction: decide again against what the sale has left now.

        Another till may have returned lines or refunded tenders of this sale since it was scanned. When
        that changes the decision (amounts, tenders, outcomes), refuse with the new decision."""
        case, decision = pending.case, pending.decision
        sale = case.sale
        returned = st.returned_quantities(c, sale.receipt, pending.training)
        refunded = st.refunded_by_tender(c, sale.receipt, pending.training)
        currency = self.policy.currency
        tenders = tuple(replace(t, refunded=Money.from_minor(refunded.get(i + 1, 0), currency))
                        for i, t in enumerate(sale.tenders))
        if returned == {k: v for k, v in sale.returned.items() if v} and \
                [t.available() for t in tenders] == [t.available() for t in sale.tenders]:
            return
        fresh = replace(sale, returned=returned, tenders=tenders)
        again = decide(self, fresh, case.request, case.history, case.now)
        if _money_terms(again) == _money_terms(decision):
            return
        if again.outcome == "denied":
            changed = [d.line for d, e in zip(again.lines, decision.lines) if d.outcome != e.outcome
                       or d.refund != e.refund]
            raise st.Conflict(
                N_("Receipt {receipt}: line {lines} was returned at another till a moment ago; scan the "
                   "receipt again."), receipt=sale.receipt, lines=", ".join(map(str, changed)) or "?")
        raise DecisionChanged(replace(pending, id=uuid.uuid4().hex, case=replace(case, sale=fresh),
                                      decision=again))

    def _check_no_receipt_prices(self, case: Case) -> None:
        """Inside the commit: every item without a receipt is priced at the store's own lowest price (or, with
        no store price, at a manager's stated price, which the decision makes them approve)."""
        for item in case.request.no_receipt_items:
            if not self.policy.no_receipt.allowed:
                return
            low = self.lowest_price(item.sku, case.now)
            if item.price_stated:
                ok = low is None and self.policy.no_receipt.unknown_sku == "manager_price"
            else:
                ok = low is not None and low == item.lowest_price
            if not ok:
                raise st.Conflict(N_("{sku}: the price of this return is not the store's lowest price of the last "
                                     "{days} days; prepare the return again."), sku=item.sku,
                                  days=self.policy.no_receipt.lookback_days)

    # -- corrections -----------------------------------------------------------
    def correct(self, txno: str, manager: Session, reason: str) -> st.JournalEntry:
        """Reverse a recorded transaction with a linked counter-entry (services.corrections)."""
        from pos_returns.services.corrections import correct
        return correct(self, txno, manager, reason)

    # -- journal -------------------------------------------------------------
    def verify(self) -> list[st.VerifyProblem]:
        problems = st.verify_journal(self.store)
        if problems:
            with contextlib.suppress(st.StoreError):  # a read-only copy can still be verified
                st.record_event(self.store, self.clock(), "integrity_failure", None,
                                problems=[str(p) for p in problems][:50])
        return problems
