"""What-if: a new policy replayed against past returns, as they were asked, each with its own 'now'.

A year of 500 returns a day is about 182,000 journal entries. The journal is streamed in journal order
(``storage.replay``: SQLite cuts each payload down to the case and the old decision's outcome, total and
lines); each case is read by the domain's :class:`~pos_returns.domain.case.TrustedReader` (the store wrote
and checked it when it was recorded; what depends on the new policy is checked again, and anything not
exactly as the store writes it goes through the full case reader, so its problems are named as ever) and
evaluated; the new decision is compared as an object (its reasons are never rendered into text: a replay
only needs outcome, total and rule ids).

What a year of returns repeats is worked out once per replay: the case text is parsed by orjson (json.loads
for whatever the trusted reader does not accept), and the engine's ``RuleMemo`` keeps per item the rules that
apply, what the item-only steps did (``engine.recorded``), a sale line's paid amount and an item's season.
tests/test_whatif_fast.py holds each of these to the result without it.
"""

from __future__ import annotations

import json
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import orjson

from pos_returns.domain.case import CaseError, read_case
from pos_returns.domain.case.trusted import TrustedReader
from pos_returns.domain.engine import RuleMemo, evaluate
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.i18n import N_, UserError
from pos_returns.manager.versions import name_versions
from pos_returns.manager.whatif_rules import newly_decided, watched_rules
from pos_returns.storage import replay, store as st


@dataclass(frozen=True)
class Change:
    txno: str
    at: str
    old_outcome: str
    new_outcome: str
    old_refund: str
    new_refund: str
    note: str = ""
    difference: int = 0  # new refund - old refund, minor units
    old_version: str = ""  # the policy version that made the recorded decision (manager.versions names it)
    sold_on: str = ""  # the sale's day (empty without a receipt): a dated version decides sales from its day


@dataclass
class WhatIf:
    """Totals are of the replayed returns; a return the new policy cannot read is not replayed (and counted in
    ``reasons`` by what is wrong with it)."""
    replayed: int = 0
    changed: list[Change] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    old_total: int = 0
    new_total: int = 0
    reasons: Tally[str] = field(default_factory=Tally)  # why returns were not replayed -> how many

    @property
    def difference(self) -> int:
        return self.new_total - self.old_total

    @property
    def not_replayed(self) -> int:
        return len(self.unreadable)

    def transitions(self) -> list[tuple[str, str, int, int]]:
        """(old outcome, new outcome, how many, refund difference in minor units) of the changed decisions,
        most frequent first."""
        out: dict[tuple[str, str], list[int]] = {}
        for c in self.changed:
            slot = out.setdefault((c.old_outcome, c.new_outcome), [0, 0])
            slot[0] += 1
            slot[1] += c.difference
        return sorted(((a, b, n, d) for (a, b), (n, d) in out.items()), key=lambda t: (-t[2], t[0], t[1]))


Progress = Callable[[int, int], None]  # (replayed so far, how many in all); may raise Cancelled to stop


class Cancelled(UserError):
    """Raised by a progress callback to stop a replay (the manager pressed Cancel); nothing was written."""

    def __init__(self) -> None:
        super().__init__(N_("The replay was cancelled; nothing was changed."))


PARALLEL_FROM = 20_000  # returns: below this a replay in one process is quicker than starting others


def what_if(store: st.Database, new_policy: Policy, start: date | None = None, end: date | None = None, *,
            progress: Progress | None = None, every: int | None = None, workers: int = 1,
            full_reader: bool = False) -> WhatIf:
    """Replay past returns' original requests (as they were, with their own 'now') under a new policy.

    The journal is streamed in journal order (``storage.replay``: SQLite cuts each payload down to the case and
    the old decision's outcome, total and lines); each case is read and evaluated, and the new decision is
    compared as an object (its reasons are never rendered into text: a replay only needs outcome, total and
    rule ids). ``progress(done, total)`` is called every ``every`` returns (default: a hundredth of them, at
    most 1,000) and once at the end; it may raise :class:`Cancelled` to stop the replay.

    ``workers`` > 1 replays a large journal (from ``PARALLEL_FROM`` returns) in that many processes, each on
    its own read connection and a contiguous slice of the journal; the slices are merged in journal order, so
    the result is the same as in one process.

    ``full_reader`` reads every case with the full validating reader instead of the trusted one (the tests
    compare the two; a replay has no other reason to).
    """
    lo = (start or date(1970, 1, 1)).isoformat()
    hi = ((end or date(9999, 12, 30)) + timedelta(days=1)).isoformat()
    if workers > 1:  # how many there are and, for a large journal, where each worker's slices start: one scan
        total, parts = replay.slices(store, lo, hi, workers * 8)
        if total >= PARALLEL_FROM:
            return name_versions(store, _what_if_parallel(store, new_policy, lo, hi, total, parts, workers,
                                                          progress, full_reader))
    else:
        total = replay.count_replayable(store, lo, hi) if progress is not None else 0
    result = WhatIf()
    every = every or max(1, min(1000, total // 100))
    done = _replay(replay.replay_rows(store, lo, hi), new_policy, result, progress, every, total,
                   full_reader=full_reader)
    if progress is not None:
        progress(done, total)
    return name_versions(store, result)


def _replay(rows, new_policy: Policy, result: WhatIf, progress: Progress | None = None, every: int = 1000,
            total: int = 0, done: int = 0, full_reader: bool = False,
            kept: tuple[TrustedReader, RuleMemo] | None = None) -> int:
    """``kept``: a reader and a memo of ``new_policy`` from an earlier slice (a worker's, see _kept_for)."""
    currency = new_policy.currency
    reader, memo = kept if kept is not None else (TrustedReader(new_policy), RuleMemo(new_policy))
    if full_reader:
        read = lambda text, source: read_case(json.loads(text), new_policy, source)  # noqa: E731
    else:
        read = reader.read_text
    loads = _loads_lines
    minor_of: dict[str, int] = {}  # "12.34" -> 1234: totals repeat a lot over a year

    def minor(text: str) -> int:
        value = minor_of.get(text)
        if value is None:
            value = minor_of[text] = Money.parse(text, currency).minor()
        return value

    watched = watched_rules(new_policy)
    for txno, at, case_text, old_outcome, old_refund, old_text, old_version in rows:
        done += 1
        if progress is not None and done % every == 0:
            progress(done, total)
        try:
            case = read(case_text, txno)
        except CaseError as err:
            result.unreadable.append(f"{txno}: {'; '.join(err.problems)}")
            for problem in dict.fromkeys(err.problems):
                result.reasons[problem] += 1
            continue
        decision = evaluate(new_policy, case.sale, case.request, case.history, case.now, memo=memo)
        new_refund = decision.refund_total.plain()
        old_minor, new_minor = minor(old_refund), minor(new_refund)
        result.replayed += 1
        result.old_total += old_minor
        result.new_total += new_minor
        old_lines = loads(old_text) if old_text and watched else None
        if decision.outcome != old_outcome or new_refund != old_refund or \
                (watched and newly_decided(decision, old_lines, watched)):
            old_lines = old_lines if old_lines is not None else loads(old_text) if old_text else []
            rules = sorted(set(r for line in decision.lines for r in line.rules) ^
                           set(r for line in old_lines for r in line["rules"]))
            result.changed.append(Change(txno, at, old_outcome, decision.outcome, old_refund,
                                         new_refund, ", ".join(rules), new_minor - old_minor, old_version,
                                         case.sale.sold_at.date().isoformat() if case.sale else ""))
    return done


def _loads_lines(text: str):
    """The recorded decision's lines (only their rule ids are read): orjson, or json.loads for what orjson
    refuses (NaN, lone surrogates), so the same rule ids either way."""
    try:
        return orjson.loads(text)
    except ValueError:
        return json.loads(text)


def _replay_part(path: str, new_policy: Policy, lo: str, hi: str, after: tuple[str, int], limit: int,
                 full_reader: bool = False) -> WhatIf:
    """One slice of a parallel replay (``limit`` entries from ``after``), in a worker process with its own
    connection."""
    part = WhatIf()
    with st.open_store(path, create=False) as store:
        policy, kept = _kept_for(new_policy)
        _replay(replay.replay_rows(store, lo, hi, after=after, limit=limit), policy, part,
                full_reader=full_reader, kept=kept)
    return part


_KEPT: list = []  # in a worker process: [policy, its TrustedReader, its RuleMemo] of the slices it replayed


def _kept_for(policy: Policy) -> tuple[Policy, tuple[TrustedReader, RuleMemo] | None]:
    """A worker replays several slices of one replay, each under its own unpickled copy of the policy: the
    first copy, its reader and its memo serve the slices after it (equal copies decide alike; the memo's keys
    are ids of that copy's rule tuples, kept alive with it), with the lines, amounts and rules they kept, as
    they serve a whole replay in one process, instead of each slice starting empty. Outside a worker process
    nothing is kept: (policy, None)."""
    import multiprocessing
    if multiprocessing.parent_process() is None:
        return policy, None
    if not _KEPT or _KEPT[0] != policy:
        _KEPT[:] = [policy, TrustedReader(policy), RuleMemo(policy)]
    return _KEPT[0], (_KEPT[1], _KEPT[2])


def _what_if_parallel(store: st.Database, new_policy: Policy, lo: str, hi: str, total: int,
                      parts: list[tuple[tuple[str, int], int]], workers: int, progress: Progress | None,
                      full_reader: bool = False) -> WhatIf:
    """``parts``: several slices per worker (storage.replay.slices), so progress moves, Cancel answers soon and
    a slow worker does not hold the end back."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    result = WhatIf()
    done = 0
    # spawn, not fork: the caller may be a Qt app with threads (a forked child would inherit their locks)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = [pool.submit(_replay_part, str(store.path), new_policy, lo, hi, after, n, full_reader)
                   for after, n in parts]
        for (_after, n), future in zip(parts, futures):
            part = future.result()
            result.replayed += part.replayed
            result.changed.extend(part.changed)
            result.unreadable.extend(part.unreadable)
            result.old_total += part.old_total
            result.new_total += part.new_total
            result.reasons.update(part.reasons)
            done += n
            if progress is not None:
                progress(done, total)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # a cancelled replay returns now; running slices end alone
        raise
    pool.shutdown()
    return result
