"""``journal verify``'s signature check: every entry signed by its register's key, every key period named.

With the auditor's public keys (``--public-key FILE``: from a printed day report, an export or head office)
the check proves the entries were written by the registers: an entry appended with this project's code but
without the key has no valid signature; a journal whose later hashes were all recomputed no longer matches
what its signatures state; a key swapped in the database is not the auditor's. Without them the keys the
database itself names are used, which proves less: someone who can write the file could have put in a key of
their own and signed with it. A new key is trusted when one of the given keys is it, or when the key before
it signed the hand-over (:func:`pos_returns.signing.key_message`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_returns import signing
from pos_returns.storage.db import Database
from pos_returns.storage import signatures as sg


def _decode(text: Any) -> bytes:
    """base64url as the file holds it; anything unreadable (a forger's garbage) is no key and no signature."""
    try:
        return signing.unb64url(str(text))
    except ValueError:
        return b""


@dataclass(frozen=True)
class KeyPeriod:
    signer: str
    first: int  # first signature counter
    last: int | None  # last counter signed so far (None: none yet)
    public: bytes
    fingerprint: str
    at: str
    approved_by: str | None
    old_key_signed: bool
    trusted: bool
    why: str  # how it is trusted, or why not

    def describe(self) -> str:
        span = f"#{self.first}..#{self.last}" if self.last is not None and self.last >= self.first else \
            f"from #{self.first} (nothing signed yet)"
        how = "first key" if self.approved_by is None else (
            f"approved by {self.approved_by}" + (", handed over by the old key" if self.old_key_signed else
                                                 ", not signed by the old key"))
        return (f"register {self.signer}: key {self.fingerprint} ({signing.public_text(self.public)}) signs "
                f"{span}; since {self.at}, {how}; {self.why}")


def key_periods(store: Database, trusted: list[bytes] | None, last_counters: dict[str, int]) -> list[KeyPeriod]:
    """Each register's keys in order, each with the signatures it covers and whether it is trusted."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in sg.key_rows(store):
        rows.setdefault(row["signer"], []).append(row)
    out = []
    for signer, keys in sorted(rows.items()):
        before: KeyPeriod | None = None
        for i, row in enumerate(keys):
            public = _decode(str(row["public_key"]).split(":", 1)[-1])
            last = keys[i + 1]["from_counter"] - 1 if i + 1 < len(keys) else last_counters.get(signer)
            message = signing.key_message(signer, public, row["from_counter"])
            old_signed = bool(before and row["old_key_signature"] and signing.check(
                before.public, _decode(row["old_key_signature"]), message))
            if trusted is None:
                ok, why = True, "taken from the database"
            elif public in trusted:
                ok, why = True, "one of the given public keys"
            elif old_signed and before is not None and before.trusted:
                ok, why = True, "handed over by a trusted key"
            else:
                ok, why = False, "NOT one of the given public keys" + (
                    "" if before is None else " and not handed over by a trusted key")
            period = KeyPeriod(signer, row["from_counter"], last, public, row["fingerprint"], row["at"],
                               row["approved_by"], old_signed, ok, why)
            out.append(period)
            before = period
    return out


def verify_signatures(store: Database, by_register: dict[str, list[dict[str, Any]]], problem: Any,
                      trusted: list[bytes] | None = None, report: list[str] | None = None) -> list[Any]:
    """Problems (made by ``problem(register, seq, txno, kind, message)``) with the entries' signatures;
    the key periods and what was proven appended to ``report``."""
    report = [] if report is None else report
    if not sg.has_signature_tables(store):
        report.append("signatures: this file is from before signed journals (an older schema); open it with "
                      "this version once to upgrade it, then entries are signed from then on")
        if trusted is not None:
            return [problem("file", None, None, "unsigned", "the file holds no signatures to check against the "
                                                             "given public keys")]
        return []
    problems = []
    sigs = sg.all_signatures(store)
    by_signer: dict[str, list[dict[str, Any]]] = {}
    for s in sigs:
        by_signer.setdefault(s["signer"], []).append(s)
    last_counters = {signer: rows[-1]["counter"] for signer, rows in by_signer.items()}
    periods = key_periods(store, trusted, last_counters)
    report.extend(p.describe() for p in periods)
    for p in periods:
        if not p.trusted:
            problems.append(problem(p.signer, None, None, "untrusted_key",
                                    f"register {p.signer}: the database names key {p.fingerprint} for signatures "
                                    f"#{p.first} on, which is not one of the given public keys (swapped in the "
                                    f"database, or a key change the old key did not sign)"))
    for signer, rows in sorted(by_signer.items()):
        expected = 1
        for s in rows:
            if s["counter"] > expected:
                gap = f"#{expected}" if s["counter"] == expected + 1 else f"#{expected}..#{s['counter'] - 1}"
                problems.append(problem(signer, None, None, "removed",
                                        f"register {signer}: signature {gap} is missing (removed); the next is "
                                        f"#{s['counter']} ({s['txno']})"))
            expected = s["counter"] + 1
            period = next((p for p in reversed(periods) if p.signer == signer and p.first <= s["counter"]), None)
            statement = signing.Statement(s["store"], s["register"], s["txno"], s["at"], s["total"], s["currency"],
                                          signer, s["counter"], s["hash"])
            valid = period is not None and signing.check(period.public, _decode(s["signature"]),
                                                         statement.message())
            if not valid:  # (signatures of an untrusted key are named once above, for the whole period)
                problems.append(problem(s["register"], s["seq"], s["txno"], "signature",
                                        f"register {s['register']} #{s['seq']} {s['txno']}: its signature "
                                        f"#{s['counter']} does not verify with register {signer}'s key "
                                        f"(written without the key, or changed)"))
    problems.extend(_entries_against_signatures(store, by_register, sigs, problem, report, trusted is not None))
    if trusted is None:
        report.append("signatures: checked against the keys the database itself names; this proves less (anyone "
                      "who can write the file could name a key of their own); give --public-key FILE with the "
                      "registers' public keys from the day report or head office")
    return problems


def _entries_against_signatures(store: Database, by_register: dict[str, list[dict[str, Any]]],
                                sigs: list[dict[str, Any]], problem: Any, report: list[str],
                                auditing: bool) -> list[Any]:
    """Every entry has a signature stating its register, number, time, total and hash; none is left over.

    An entry from before the file signed its journal (at or below its register's head when the upgrade ran) is
    covered by the register's first signed entry, which chains to it; it must come before that entry. A register
    that has signed nothing since cannot be proven: with the auditor's keys that is a problem."""
    problems = []
    by_txno = {s["txno"]: s for s in sigs}
    began = sg.signing_began(store)
    first_signed = {}
    for s in sigs:
        first_signed[s["register"]] = min(first_signed.get(s["register"], s["seq"]), s["seq"])
    legacy = 0
    for register, entries in sorted(by_register.items()):
        uncovered = 0
        for row in entries:
            s = by_txno.pop(row["txno"], None)
            label = f"register {register} #{row['seq']} {row['txno']}"
            if s is None:
                if row["seq"] <= began.get(register, 0) and row["seq"] < first_signed.get(register, row["seq"] + 1):
                    legacy += 1
                    uncovered += register not in first_signed
                    continue
                problems.append(problem(register, row["seq"], row["txno"], "unsigned",
                                        f"{label}: has no signature (written without the register's key)"))
                continue
            stated = (s["register"], s["seq"], s["hash"], s["at"], s["total"], s["currency"])
            actual = (register, row["seq"], row["hash"], row["at"][:19], row["refund_total"], row["currency"])
            if stated != actual:
                changed = [name for name, a, b in zip(("register", "number", "hash", "time", "total", "currency"),
                                                      stated, actual) if a != b]
                problems.append(problem(register, row["seq"], row["txno"], "signature",
                                        f"{label}: its {', '.join(changed)} no longer match what its signature "
                                        f"#{s['counter']} states (the entry or the chain after it was rewritten)"))
        if uncovered:
            message = (f"register {register}: its {uncovered} entries are from before the journal was signed and "
                       f"the register has signed nothing since, so no signature covers them")
            if auditing:
                problems.append(problem(register, None, None, "unsigned", message))
            else:
                report.append("signatures: " + message)
    for txno, s in sorted(by_txno.items()):
        problems.append(problem(s["register"], s["seq"], txno, "removed",
                                f"register {s['register']} #{s['seq']} {txno}: signed (signature #{s['counter']}) "
                                f"but no longer in the journal (removed)"))
    if legacy:
        report.append(f"signatures: {legacy} entries from before the journal was signed; each register's first "
                      f"signed entry covers them through the hash chain")
    return problems
