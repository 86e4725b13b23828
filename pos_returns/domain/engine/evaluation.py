"""``evaluate(policy, sale, request, history, now) -> Decision``: the steps in order, then the totals."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pos_returns.i18n import N_
from pos_returns.domain.model import (Decision, LineDecision, PastReturn, Request, Sale, VersionRef,
                                      new_decision, new_line_decision, payout as payout_rule)
from pos_returns.domain.money import net_refund, total
from pos_returns.domain.policy import Policy
from pos_returns.domain.engine.context import Evaluation, LineWork, text
from pos_returns.domain.engine.identity import identity
from pos_returns.domain.engine.memo import RuleMemo
from pos_returns.domain.engine.noreceipt import no_receipt_lines
from pos_returns.domain.engine.remedies import credit_only_total
from pos_returns.domain.engine.receipt import sale_lines
from pos_returns.domain.engine.tenders import exchange_total, refund_tenders, uncleared_wait


def evaluate(policy: Policy, sale: Sale | None, request: Request, history: Sequence[PastReturn],
             now: datetime, *, memo: RuleMemo | None = None) -> Decision:
    """Decide a return or exchange. Pure: the same inputs always give the same Decision. ``memo`` (a
    :class:`~pos_returns.domain.engine.memo.RuleMemo` of this policy) only saves matching rules again when
    many cases are decided under one policy."""
    return run(Evaluation(policy, sale, request, history, now, memo))


def run(ev: Evaluation) -> Decision:
    policy = ev.policy
    lines = sale_lines(ev) if ev.sale is not None else no_receipt_lines(ev)
    identity(ev, lines)
    wait = uncleared_wait(ev)
    if wait is not None:
        for work in lines:
            work.fail(policy.tenders.id + ".uncleared_check", policy.tenders.overridable, wait, ev.overrides)
    decided = [_decided(ev, work) for work in lines]
    ev.credit_only = credit_only_total(ev, decided)

    refund_total = total([d.refund for d in decided], ev.zero)
    exchanged = exchange_total(ev)
    payout = payout_rule(refund_total, exchanged)
    balance_due = (exchanged - refund_total).max(ev.zero)
    live_lines = [d for d in decided if d.outcome != "denied"]
    approval = policy.approval
    if approval.refund_over is not None and ev.over(payout, approval.refund_over) and live_lines:
        ev.approval(approval.id, text(N_("Refunds over {limit} need a manager."),
                                      {"limit": ev.money(approval.refund_over)}))
    tenders, rounding = refund_tenders(ev, payout) if live_lines else ([], ev.zero)

    if not decided or not live_lines:
        outcome = "denied"
    elif len(live_lines) < len(decided):
        outcome = "partial"
    elif ev.approvals or any(d.outcome == "needs_approval" for d in decided):
        outcome = "needs_approval"
    else:
        outcome = "approved"
    version = ev.memo.version if ev.memo is not None else version_ref(policy)
    return new_decision(  # Decision(...), every field in order
        outcome, ev.currency, tuple(decided), refund_total, exchanged, balance_due, tuple(tenders),
        tuple(ev.approvals), rounding, tuple(ev.rules), tuple(ev.reasons), policy.sha256, tuple(ev.draws),
        version)


def version_ref(policy: Policy) -> VersionRef:
    """The version a decision under ``policy`` names (immutable: a memo keeps one for all its decisions)."""
    return VersionRef(policy.version_id, policy.sha256, policy.version.effective_from)


def _decided(ev: Evaluation, work: LineWork) -> LineDecision:
    """A line's decision: a denied line refunds nothing; an overridden rule asks for a manager."""
    zero = ev.zero
    failures = work.failures
    if failures:  # denied: nothing (0 - 0 - 0 + 0 is this very zero, Decimal 0)
        outcome = "denied"
        item = fee = tax = takeback = refund = zero
    else:
        outcome = "needs_approval" if work.overridden else "approved"  # LineWork.outcome
        item = work.item if work.item is not None else zero
        fee = work.fee if work.fee is not None else zero
        tax = work.tax if work.tax is not None else zero
        takeback = work.takeback if work.takeback is not None else zero
        refund = work.refund if work.refund is not None else net_refund(item, fee, takeback, zero if ev.incl else tax)
    for rule_id in work.overridden:
        ev.approval(rule_id, text(N_("Manager override of rule {rule}."), {"rule": rule_id}))
    return new_line_decision(  # LineDecision(...), every field in order
        work.number, work.sku, work.qty, outcome, bool(failures) and all(o for _, o in failures),
        item, fee, tax, takeback, refund, tuple(work.rules), tuple(work.reasons))
