"""The records and errors of the counter's use-cases: who is signed in, what is pending, what was approved
and recorded, and the errors a cashier or manager can meet (each a translatable message)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from pos_returns.storage import store as st
from pos_returns.i18n import N_, UserError
from pos_returns.domain.case import Case
from pos_returns.domain.model import Decision
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.services.versions import keep_version

Clock = Callable[[], datetime]
MAX_PIN_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
PAYMENT_TYPES = ("cash", "card")  # how a customer pays what an exchange's new items cost more


def system_clock() -> datetime:
    """Local store time, without a time zone (as the case JSON carries it)."""
    return datetime.now().replace(microsecond=0)


def note_policy(store: st.Database, policy: Policy, actor: str | None, now: datetime, how: str = "counter") -> bool:
    """Record a 'policy_loaded' event when this policy differs from the last one used on this database, and
    keep its text as a version of the store's policy (once per hash; ``how``: counter, cli, ...)."""
    keep_version(store, policy, actor, now, how)
    last = st.last_event(store, "policy_loaded")
    if last is not None and json.loads(last["detail"]).get("sha256") == policy.sha256:
        return False
    st.record_event(store, now, "policy_loaded", actor, None, path=policy.path, sha256=policy.sha256)
    return True


# ----------------------------------------------------------------------------- errors

class ServiceError(UserError):
    """A refusal the user can understand; ``str()`` says what and why (in English), ``message(lang)`` in any."""


class AuthError(ServiceError):
    pass


class StaffTampered(AuthError):
    """The staff row's seal (store secret, kept outside the file) does not match: written into the file by hand."""

    def __init__(self, staff_id: str):
        super().__init__(N_("The staff record of {staff_id} was changed outside the app (its seal does not match); "
                            "the PIN is refused. Tell the store's administrator."), staff_id=staff_id)


#: why a PIN check was refused before the PIN was looked at, as its 'pin_failed' event says
PIN_REFUSALS = {"unknown": "unknown staff id", "tampered": "staff row seal does not match"}


class WrongPin(AuthError):
    def __init__(self, staff_id: str, remaining: int):
        self.remaining = remaining
        super().__init__(N_("Wrong PIN for {staff_id}; {remaining} tries left before a 15-minute lockout."),
                         staff_id=staff_id, remaining=remaining)


class LockedOut(AuthError):
    def __init__(self, staff_id: str, until: datetime):
        self.until = until
        super().__init__(N_("{staff_id} is locked out after 5 wrong PINs, until {until}."),
                         staff_id=staff_id, until=until)


class NotSignedIn(AuthError):
    pass


class ApprovalRefused(ServiceError):
    pass


class NotRecordable(ServiceError):
    pass


class DecisionChanged(st.Conflict):
    """Another till returned from the same sale between scan and commit, and that changed this decision.

    Nothing was written. ``pending`` is the same request decided again against what the sale has left now
    (``decision`` is its Decision): show it, and commit that one when the cashier confirms it."""

    def __init__(self, pending: "Pending"):
        self.pending = pending
        self.decision = pending.decision
        sale = pending.case.sale
        super().__init__(N_("Receipt {receipt} changed at another till a moment ago, so this return's decision "
                            "changed (the refund is now {refund}); check the new decision and finish again."),
                         receipt=sale.receipt if sale else "", refund=pending.payout)


class UnknownSku(ServiceError):
    """A return without a receipt of a SKU the store has no selling price for over the look-back."""

    def __init__(self, msgid: str, skus: list[str], **values: Any):
        self.skus = tuple(skus)
        super().__init__(msgid, skus=", ".join(skus), **values)


class PriceNeeded(UnknownSku):
    """The policy takes such a SKU only at a price a manager states (``stated_prices``) and approves."""


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price: Money
    tax_rate: Decimal
    tags: frozenset[str]


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


@dataclass(frozen=True)
class Session(StaffMember):
    """Proof that this staff member's PIN was checked on this register; made only by :meth:`Counter.check_pin`
    (and so :meth:`Counter.sign_in`). The services take "who is doing this" from a session, never from a free
    string. It is sealed with the store's secret over the member's id, role, register and PIN hash, so it is
    refused on another register, after the PIN changed, or when the member was deactivated."""

    register: str
    at: str
    seal: str = field(repr=False)


@dataclass(frozen=True)
class Pending:
    """A return or exchange being prepared at the counter by the signed-in ``session``, not yet in the journal."""

    id: str
    session: Session
    case: Case
    decision: Decision
    customer_key: str | None = None
    training: bool = False
    paper_lang: str | None = None  # the customer's language for the paperwork, recorded with the entry
    payment: str | None = None  # how the customer pays the balance of an exchange (one of PAYMENT_TYPES)

    @property
    def cashier(self) -> str:
        """The signed-in person who prepares (and records) the transaction."""
        return self.session.id

    @property
    def payout(self) -> Money:
        return self.decision.payout


@dataclass(frozen=True)
class Grant:
    """A manager's approval, bound to one pending transaction and its amount."""

    id: str
    pending: str
    manager: str
    rules: tuple[str, ...]
    reason_code: str
    amount: Money
    stated_prices: tuple[tuple[str, str], ...] = ()  # (SKU, price) this manager stated for a no-receipt item
    at: str | None = None  # when the manager approved (ISO), as the approval row recorded it


@dataclass(frozen=True)
class Transaction:
    txno: str
    entry: st.JournalEntry
    decision: Decision
    case: Case
    cashier: str
    approvals: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def short_hash(self) -> str:
        return self.entry.short_hash


# ----------------------------------------------------------------------------- the counter
