"""Use-cases of the registers' signing keys: a manager-approved key change, and checking a receipt's QR code.

A register's key is created on first use (``pos_returns.signing``) and recorded in the journal's database with
the first entry it signs. A different key is never taken silently: when a till is replaced or its key is lost,
the new key file makes every commit fail (``KeyNotKnown``) until a manager approves it with
:func:`change_key`, which records the change (event ``key_change``) from the register's next signature on. When
the old key is still there it signs the new one, so an auditor who trusts the old key trusts the new one too;
otherwise the auditor needs the new public key itself (from the next day report, or head office).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pos_returns import signing
from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.services.records import ApprovalRefused, ServiceError, Session
from pos_returns.storage import store as st


@dataclass(frozen=True)
class KeyChange:
    register: str
    fingerprint: str
    public_key: str
    previous: str | None
    from_counter: int
    old_key_signed: bool


def _next_file(register: str) -> Path:
    return Path(str(signing.key_file(register)) + ".next")


def change_key(store: st.Database, register: str, manager: Session, reason: str, now: datetime) -> KeyChange:
    """A new signing key for ``register``, approved by a signed-in manager (checked by the caller's PIN check).

    If the register's key file holds the key the journal knows, a new key is made and the old one signs it,
    then the new key takes the old one's place (the old file is kept as ``.retired-<fingerprint>``). If the
    file holds a key the journal does not know (a replaced till, a lost key), that key is the one approved,
    without the old key's signature."""
    if not manager.is_manager:
        raise ApprovalRefused(N_("{staff_id} is not a manager and cannot approve."), staff_id=manager.id)
    if not reason.strip():
        raise ServiceError(N_("Say why the register gets a new signing key."))
    path, pending = signing.key_file(register), _next_file(register)
    current = signing.register_signer(register)  # made now if the till has none yet
    with store.write() as c:
        known = st.current_key(c, register)
    if os.environ.get(signing.KEY_ENV) and known is not None and known[1] == current.public_text:
        raise ServiceError(N_("Register {register} takes its key from {env}, and the journal knows that key; set "
                              "{env} to the new key first, then approve it."), register=register,
                           env=signing.KEY_ENV)
    if pending.exists():  # an earlier change was recorded but its files not swapped: finish it
        seed = signing.read_seed(pending)
        new = signing.Signer(register, seed)
        if known is not None and known[1] == new.public_text:
            _swap(path, pending, current)
            return KeyChange(register, new.fingerprint, new.public_text, None, known[0], True)
        pending.unlink()
    if known is not None and known[1] == current.public_text and not os.environ.get(signing.KEY_ENV):
        new = signing.Signer(register, signing.write_new_key(pending))
        old: signing.Signer | None = current
    else:
        new, old = current, None
    with store.write() as c:
        counter = st.add_key(c, register, new.public, st.iso(now), manager.id, reason.strip(), old, new)
    # the change is recorded; the key files follow (a crash in between is finished by the next change_key)
    if old is not None:
        _swap(path, pending, old)
    return KeyChange(register, new.fingerprint, new.public_text, known[2] if known else None, counter,
                     old is not None)


def _swap(path: Path, pending: Path, old: signing.Signer) -> None:
    """The new key file takes the place of the old one; the old one is kept beside it, owner-only."""
    retired = Path(f"{path}.retired-{old.fingerprint}")
    if path.exists():
        os.replace(path, retired)
    os.replace(pending, path)


@dataclass(frozen=True)
class KeyPeriodRow:
    fingerprint: str
    public_key: str
    from_counter: int
    at: str
    approved_by: str | None
    old_key_signed: bool


@dataclass(frozen=True)
class KeyStatus:
    """What a manager sees of a register's signing key: this till's key and what the journal knows."""
    register: str
    fingerprint: str  # the key this till signs with
    public_key: str
    known_fingerprint: str | None  # the key the journal knows for the register (None: it knows none yet)
    periods: tuple[KeyPeriodRow, ...]

    @property
    def known(self) -> bool:
        return self.known_fingerprint in (None, self.fingerprint)


def key_status(store: st.Database, register: str) -> KeyStatus:
    signer = signing.register_signer(register)
    rows = [r for r in st.key_rows(store) if r["signer"] == register]
    periods = tuple(KeyPeriodRow(r["fingerprint"], r["public_key"], r["from_counter"], r["at"], r["approved_by"],
                                 bool(r["old_key_signature"])) for r in rows)
    return KeyStatus(register, signer.fingerprint, signer.public_text, rows[-1]["fingerprint"] if rows else None,
                     periods)


def approve_new_key(store: st.Database, policy, register: str, manager_id: str, pin: str, reason: str,
                    clock) -> KeyChange:
    """A manager's PIN checked on this register, then :func:`change_key` (the manager area's button)."""
    from pos_returns.services.counter import Counter
    if not reason.strip():
        raise ServiceError(N_("Say why the register gets a new signing key."))
    member = Counter(store, policy, register=register, clock=clock).check_pin(manager_id, pin, "key_change")
    return change_key(store, register, member, reason, clock())


# ----------------------------------------------------------------------------- a receipt's QR code

@dataclass(frozen=True)
class ReceiptCheck:
    statement: signing.Statement
    valid: bool
    fingerprint: str | None  # the key that verified it
    source: str  # "given" (the auditor's keys) | "database" (proves less) | "none"

    @property
    def total(self) -> Money:
        return Money.from_minor(self.statement.total, self.statement.currency)


def check_receipt(text: str, public_keys: list[bytes] | None = None, store: st.Database | None = None) -> ReceiptCheck:
    """Check a receipt's QR text against the given public keys, else against the register's keys that the
    database names (which proves less). Raises ServiceError when the text is not a receipt code."""
    try:
        statement, signature = signing.parse_receipt_code(text)
    except signing.ReceiptCodeError as exc:
        raise ServiceError(N_("This is not a pos-returns receipt code: {why}."), why=str(exc)) from None
    if public_keys is not None:
        keys, source = public_keys, "given"
    elif store is not None:
        keys = [signing.unb64url(r["public_key"].split(":", 1)[1]) for r in st.key_rows(store)
                if r["signer"] == statement.signer and r["from_counter"] <= statement.counter]
        keys, source = keys[-1:], "database"
    else:
        keys, source = [], "none"
    for public in keys:
        if signing.check(public, signature, statement.message()):
            return ReceiptCheck(statement, True, signing.fingerprint(public), source)
    return ReceiptCheck(statement, False, None, source)
