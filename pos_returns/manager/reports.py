"""Manager tools: day close, returns reports, the exception report, complaints; what-if replays are in
:mod:`pos_returns.manager.whatif` (re-exported here).

Every figure comes from the journal; training transactions are never counted.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pos_returns.storage import store as st
from pos_returns.i18n import N_, Text
from pos_returns.domain.money import Money, currency_digits
from pos_returns.domain.policy import Policy
from pos_returns.manager.versions import name_versions



# ----------------------------------------------------------------------------- day close

def close_day(store: st.Database, policy: Policy, day: date, manager: str, now: datetime, *,
              register: str = "R1") -> st.JournalEntry:
    """Append the closing entry of business day ``day``: count, refunds per tender, period and perpetual totals;
    signed by the key of the ``register`` it is closed at.

    A day may be closed while it is still going on (or the current business day, which after a close is the next
    calendar day); entries made after it belong to the next business day, so a close never blocks a return."""
    text = day.isoformat()
    with store.write() as c:
        if text > max(now.date().isoformat(), st.current_business_day(c, now)):
            raise st.StoreError(N_("{day} has not ended yet; it cannot be closed."), day=text)
        closed = st.last_closed_day(c)
        if closed is not None and text <= closed:
            raise st.DayClosed(N_("The day {day} is closed; no new entries can be dated inside it."), day=closed)
        figures = st.day_figures(c, text)
        fields = {
            "store_id": store.setting("store_id") or policy.store.id, "register": st.DAY_REGISTER, "txno": None, "kind": "day_close",
            "at": st.iso(now), "cashier": manager, "receipt": None, "corrects": None, "customer_key": None,
            "training": 0, "policy_sha256": policy.sha256, "currency": policy.currency,
            "refund_total": figures["period_total"], "exchange_total": 0, "balance_due": 0,
            "payload": st.canonical(figures),
        }
        entry = st.append_entry(c, fields, [], [], [], signer=register)
        st.log_event(c, now, "day_close", manager, entry.txno, day=text, count=figures["count"],
                     period_total=figures["period_total"])
    return entry


# ----------------------------------------------------------------------------- reports

@dataclass
class Report:
    start: date
    end: date
    currency: str
    count: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [count, refund minor]
    by_reason: dict[str, list[int]] = field(default_factory=dict)  # reason -> [units, refund minor]
    by_category: dict[str, list[int]] = field(default_factory=dict)
    by_tender: dict[str, int] = field(default_factory=dict)
    by_cashier: dict[str, list[int]] = field(default_factory=dict)
    fees: int = 0
    store_credit: int = 0
    refund_total: int = 0
    exchange_total: int = 0
    no_receipt: int = 0
    approvals: int = 0
    overrides: int = 0
    sales_total: int = 0
    complaints: int = 0
    compliments: int = 0

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def no_receipt_share(self) -> float:
        return self.no_receipt / self.count if self.count else 0.0

    @property
    def returned_share(self) -> float:
        return self.refund_total / self.sales_total if self.sales_total else 0.0


def _entries(store: st.Database, start: date, end: date) -> list[dict[str, Any]]:
    return st.real_entries(store, start.isoformat(), (end + timedelta(days=1)).isoformat())


def build_report(store: st.Database, policy: Policy, start: date, end: date) -> Report:
    """Aggregated in SQL from the journal's columns (no payload is parsed in Python); training excluded."""
    report = Report(start, end, policy.currency)
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    for row in st.report_entries(store, lo, hi):
        kind = report.by_kind.setdefault(row["kind"], [0, 0])
        kind[0] += row["n"]
        kind[1] += row["refund"]
        report.refund_total += row["refund"]
        report.exchange_total += row["exchange"]
        if row["kind"] == "correction":
            continue  # a reversal takes its original's money back out of the totals, but is no transaction
        cashier = report.by_cashier.setdefault(row["cashier"], [0, 0])
        cashier[0] += row["n"]
        cashier[1] += row["refund"]
        report.count += row["n"]
        report.approvals += row["approvals"]
        report.overrides += row["overrides"]
        if row["kind"] == "no_receipt":
            report.no_receipt += row["n"]
    for row in st.report_lines(store, lo, hi):
        report.fees += row["fee"]
        for key, table in ((row["reason"] or "?", report.by_reason), (row["category"] or "?", report.by_category)):
            slot = table.setdefault(key, [0, 0])
            slot[0] += row["qty"]
            slot[1] += row["refund"]
    report.by_tender = st.report_tenders(store, lo, hi)
    report.store_credit = report.by_tender.get("store_credit", 0)
    report.sales_total = st.sales_total(store, lo, hi)
    for row in st.complaint_counts(store, lo, hi):
        if row["kind"] == "complaint":
            report.complaints = row["n"]
        else:
            report.compliments = row["n"]
    return report


def report_csv(report: Report) -> str:
    """One table: section, key, count, amount (amounts as plain decimals in the store's currency)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "count", "amount", "currency"])
    plain = lambda minor: report.money(minor).plain()  # noqa: E731
    writer.writerow(["period", f"{report.start.isoformat()}..{report.end.isoformat()}", report.count,
                     plain(report.refund_total), report.currency])
    for section, table in (("kind", report.by_kind), ("reason", report.by_reason),
                           ("category", report.by_category), ("cashier", report.by_cashier)):
        for key, (count, amount) in sorted(table.items()):
            writer.writerow([section, key, count, plain(amount), report.currency])
    for key, amount in sorted(report.by_tender.items()):
        writer.writerow(["tender", key, "", plain(amount), report.currency])
    for key, value in (("fees", report.fees), ("store_credit", report.store_credit),
                       ("exchange_total", report.exchange_total), ("sales_total", report.sales_total)):
        writer.writerow(["total", key, "", plain(value), report.currency])
    writer.writerow(["count", "no_receipt", report.no_receipt, "", ""])
    writer.writerow(["count", "approvals", report.approvals, "", ""])
    writer.writerow(["count", "overrides", report.overrides, "", ""])
    writer.writerow(["count", "complaints", report.complaints, "", ""])
    writer.writerow(["count", "compliments", report.compliments, "", ""])
    return out.getvalue()


# ----------------------------------------------------------------------------- exception report

@dataclass
class StaffFigures:
    staff: str
    role: str  # cashier | approver
    transactions: int = 0
    refund: int = 0
    no_receipt: int = 0
    overrides: int = 0
    reprints: int = 0  # reprint actions (one per transaction and moment, whatever documents it printed)
    wrong_pins: int = 0
    lockouts: int = 0
    near_threshold: int = 0
    near_limit_customers: int = 0
    flags: list[Text] = field(default_factory=list)  # rendered in the reader's language


def exception_report(store: st.Database, policy: Policy, start: date, end: date,
                     min_transactions: int = 5) -> list[StaffFigures]:
    """Per cashier and per approving manager against the store's baseline; outliers flagged with why."""
    threshold = policy.approval.refund_over
    # "just under the limit": from 90 % of it (exactly, in integers: any threshold, e.g. 99.99) up to the limit
    near_high = Money(threshold, policy.currency).minor() if threshold is not None else None
    cashiers: dict[str, StaffFigures] = {}
    approvers: dict[str, StaffFigures] = {}
    customers: Tally[str] = Tally()
    for row in _entries(store, start, end):
        if row["kind"] == "correction":
            continue
        payload = json.loads(row["payload"])
        fig = cashiers.setdefault(row["cashier"], StaffFigures(row["cashier"], "cashier"))
        fig.transactions += 1
        fig.refund += row["refund_total"]
        if row["kind"] == "no_receipt":
            fig.no_receipt += 1
        fig.overrides += len(payload["case"]["request"].get("overrides", []))
        if near_high is not None and 9 * near_high <= 10 * row["refund_total"] <= 10 * near_high:
            fig.near_threshold += 1
        for approval in payload.get("approvals", []):
            app = approvers.setdefault(approval["manager"], StaffFigures(approval["manager"], "approver"))
            app.transactions += 1
            app.refund += row["refund_total"]
            app.overrides += len(payload["case"]["request"].get("overrides", []))
    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    for actor, n in st.reprints_by_actor(store, lo, hi).items():
        if actor in cashiers:
            cashiers[actor].reprints = n
    for actor, (wrong, locked) in st.pin_trouble_by_actor(store, lo, hi).items():
        fig = cashiers.get(actor) or approvers.get(actor) or cashiers.setdefault(actor, StaffFigures(actor, "cashier"))
        fig.wrong_pins, fig.lockouts = wrong, locked
    limit = policy.no_receipt.limit_count
    if limit:
        for row in st.no_receipt_by_cashier_customer(store, lo, hi):
            if row["n"] >= max(limit - 1, 1) and row["cashier"] in cashiers:
                cashiers[row["cashier"]].near_limit_customers += 1
                customers[row["customer_key"]] += row["n"]
    _flag(list(cashiers.values()), min_transactions, policy.currency)
    _flag(list(approvers.values()), min_transactions, policy.currency)
    return sorted(cashiers.values(), key=lambda f: f.staff) + sorted(approvers.values(), key=lambda f: f.staff)


_MEASURES = (
    ("refund", N_("average refund {value} is {ratio}x the store's {baseline}")),
    ("no_receipt", N_("returns without a receipt: {value} per transaction, {ratio}x the store's {baseline}")),
    ("overrides", N_("overrides: {value} per transaction, {ratio}x the store's {baseline}")),
    ("reprints", N_("reprints: {value} per transaction, {ratio}x the store's {baseline}")),
    ("near_threshold", N_("refunds just under the approval limit: {value} per transaction, {ratio}x the store's "
                          "{baseline}")),
)


def _average_amount(total: Decimal, count: int, currency: str) -> str:
    """An average of minor units as a plain amount in the currency's own digits (USD 2, VND 0)."""
    return Money(total.scaleb(-currency_digits(currency)) / count, currency).rounded().plain()


def _flag(figures: list[StaffFigures], min_transactions: int, currency: str) -> None:
    """Flag a member whose rate is at least twice the store's and clearly above the others (median + 2 MAD)."""
    active = [f for f in figures if f.transactions >= min_transactions]
    if len(active) < 2:
        return
    for attr, message in _MEASURES:
        rates = {f.staff: getattr(f, attr) / f.transactions for f in active}
        total = sum(getattr(f, attr) for f in active) / sum(f.transactions for f in active)
        median = statistics.median(rates.values())
        mad = statistics.median(abs(r - median) for r in rates.values()) or (median * 0.25 if median else 0.0)
        for f in active:
            rate = rates[f.staff]
            others = [r for s, r in rates.items() if s != f.staff]
            baseline = sum(others) / len(others) if others else total
            if rate <= 0 or rate < 2 * baseline or rate < median + 2 * mad:
                continue
            ratio = rate / baseline if baseline else float("inf")
            if attr == "refund":  # amounts: from minor units in the currency's digits, in Decimal
                value = _average_amount(Decimal(f.refund), f.transactions, currency)
                others_fig = [o for o in active if o.staff != f.staff]
                base = _average_amount(sum((Decimal(o.refund) / o.transactions for o in others_fig), Decimal(0)),
                                       len(others_fig), currency)
            else:
                value, base = f"{rate:.2f}", f"{baseline:.2f}"
            f.flags.append(Text(message, {"value": value, "ratio": f"{ratio:.1f}" if baseline else "\u221e",
                                          "baseline": base}))
    if any(f.near_limit_customers >= 3 for f in active):
        for f in active:
            if f.near_limit_customers >= 3:
                f.flags.append(Text(N_("{count} customers near or over their limits for returns without a receipt"),
                                    {"count": f.near_limit_customers}))


# ----------------------------------------------------------------------------- complaints

def log_complaint(store: st.Database, *, at: datetime, logged_by: str, kind: str, category: str, severity: int,
                  text: str, txno: str | None = None, resolution: str | None = None,
                  follow_up: date | None = None) -> int:
    if kind not in ("complaint", "compliment"):
        raise st.StoreError(N_("Kind must be complaint or compliment, not {kind}."), kind=kind)
    if not 1 <= severity <= 5:
        raise st.StoreError(N_("Severity is 1 (minor) to 5 (serious), not {severity}."), severity=severity)
    if not text.strip():
        raise st.StoreError(N_("Describe what the customer said."))
    if txno is not None:
        st.get_entry(store, txno)  # NotFound names the number
    with store.write() as c:
        cid = st.insert_complaint(c, {"at": st.iso(at), "logged_by": logged_by, "txno": txno, "kind": kind,
                                      "category": category, "severity": severity, "text": text.strip(),
                                      "resolution": resolution, "follow_up": follow_up.isoformat() if follow_up else None})
        st.log_event(c, at, "complaint", logged_by, txno, id=cid, kind=kind, severity=severity)
    return cid


# ----------------------------------------------------------------------------- what-if (manager/whatif.py)

from pos_returns.manager.whatif import PARALLEL_FROM, Cancelled, Change, Progress, WhatIf, what_if  # noqa: E402,F401
