"""``journal verify --central``: the till's journal against what the central database holds from it.

Every entry the central database received from this till (its till id) must still be in the till's journal
with the same hash, and each register's signature counter must have reached the head the central database
holds. A till rolled back to an older copy, or with its newest entries removed with their signatures, or with
a synced past rewritten and re-signed, is named here even though it verifies locally.
"""

from __future__ import annotations

from typing import Any, Callable

from pos_returns.storage.central.schema import connect, require_schema
from pos_returns.storage.central.sync import TILL_SETTING
from pos_returns.storage.db import Database
from pos_returns.storage.journal import DAY_REGISTER
from pos_returns.storage import signatures as sg


def _local_register(creg: str) -> str:
    return DAY_REGISTER if creg.startswith(DAY_REGISTER + ":") else creg


def _spans(seqs: list[int]) -> str:
    out, start, prev = [], None, None
    for s in sorted(seqs):
        if start is None:
            start = prev = s
        elif s == prev + 1:
            prev = s
        else:
            out.append(f"#{start}" if start == prev else f"#{start}..#{prev}")
            start = prev = s
    if start is not None:
        out.append(f"#{start}" if start == prev else f"#{start}..#{prev}")
    return ", ".join(out)


def check_against_central(store: Database, url: str, problem: Callable[..., Any],
                          report: list[str]) -> list[Any]:
    """Problems (``problem(register, seq, txno, kind, message)``) where the till's journal no longer holds what
    the central database received from it; what was compared goes to ``report``."""
    till = store.setting(TILL_SETTING)
    if not till:
        report.append("central: this till has never synced; the central database holds nothing of it to compare")
        return []
    with connect(url) as conn:
        require_schema(conn)
        held = conn.execute("SELECT register, seq, txno, hash FROM journal WHERE till = %s ORDER BY register, seq",
                            (till,)).fetchall()
        heads = conn.execute("SELECT register, seq, signer, counter FROM heads WHERE till = %s ORDER BY register",
                             (till,)).fetchall()
    mine = {(r["register"], r["seq"]): (r["txno"], r["hash"])
            for r in store.query("SELECT register, seq, txno, hash FROM journal")}
    problems: list[Any] = []
    missing: dict[str, list[int]] = {}
    for creg, seq, txno, digest in held:
        register = _local_register(creg)
        here = mine.get((register, seq))
        if here is None:
            missing.setdefault(register, []).append(seq)
        elif here != (txno, digest):
            problems.append(problem(register, seq, txno, "central_mismatch",
                                    f"register {register} #{seq} {txno}: differs from the copy the central database "
                                    f"received (rewritten after it was synced)"))
    for register, seqs in sorted(missing.items()):
        problems.append(problem(register, min(seqs), None, "central_missing",
                                f"register {register}: the central database holds {_spans(seqs)} from this till, "
                                f"no longer in its journal (rolled back to an older copy, or removed)"))
    counters = {}
    if sg.has_signature_tables(store):
        counters = {r["signer"]: r["n"] for r in
                    store.query("SELECT signer, MAX(counter) AS n FROM signatures GROUP BY signer")}
    for creg, seq, signer, counter in heads:
        if signer and counter and counters.get(signer, 0) < counter:
            problems.append(problem(_local_register(creg), seq, None, "central_missing",
                                    f"register {signer}: the central database holds signature #{counter}, the "
                                    f"till's last is #{counters.get(signer, 0)} (signatures removed or rolled back)"))
    report.append(f"central: {len(held)} entries the central database holds from this till compared, "
                  f"{len(heads)} register head(s)")
    return problems
