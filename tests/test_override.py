"""A manager's override of a rule that denied a line (services/override.py), on a real database.

Receipt 0001-877701, sold 200 days before the test's clock, 7.25 % tax added at the till:
  line 1  Slim jeans, apparel, 49.99      -> window.default (90 days): denied, a manager may override
  line 2  Headphones, electronics, 79.00  -> window.electronics (30 days): denied, a manager may override
  line 3  Desk lamp, clearance, 19.99     -> window.clearance (14 days, overridable = false): denied for good
Overriding line 1 names only window.default: line 2 stays denied. Line 1 refunds 49.99 + 7.25 % tax
(3.624 -> 3.62) = 53.61.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import storehelpers as h
from pos_returns.domain.model import Request, RequestLine
from pos_returns.services.override import NotOverridable, overridable_lines, prepare_override
from pos_returns.storage import store as st

RECEIPT = "0001-877701"
LINES = [("JEANS", "Slim jeans", "apparel", 1, "49.99"), ("HEADPH", "Headphones", "electronics", 1, "79.00"),
         ("CLRLAMP", "Desk lamp (clearance)", "clearance", 1, "19.99")]


@pytest.fixture
def store(tmp_path):
    path = h.fresh_db(tmp_path)
    s = st.open_store(path)
    sales = tmp_path / "old.json"
    sales.write_text(json.dumps({"sales": [h.sale_json(RECEIPT, LINES, sold_at=h.NOW - timedelta(days=200))]}))
    from pos_returns.services.importer import import_file
    assert import_file(s, h.policy(), sales, h.NOW).added == 1
    yield s
    s.close()


def _request(*lines):
    return Request(type="return", lines=tuple(RequestLine(line=n, qty=1, condition="unopened", reason="changed_mind")
                                              for n in lines))


def test_override_names_only_the_rules_that_denied_the_line_and_is_recorded(store):
    c = h.counter(store)
    cashier = h.signed_in(c, "c1")
    sale = c.lookup(RECEIPT)
    first = c.prepare(cashier, sale, _request(1, 2, 3))
    assert [(d.line, d.outcome, d.overridable, d.rules) for d in first.decision.lines] == [
        (1, "denied", True, ("window.default",)), (2, "denied", True, ("window.electronics",)),
        (3, "denied", False, ("window.clearance",))]
    assert [d.line for d in overridable_lines(first.decision)] == [1, 2]

    pending = prepare_override(c, cashier, sale, _request(1, 2, 3), 1)
    assert pending.case.request.overrides == frozenset({"window.default"})
    d = pending.decision
    assert [(x.line, x.outcome) for x in d.lines] == [(1, "needs_approval"), (2, "denied"), (3, "denied")]
    assert d.outcome == "partial" and [a.rule for a in d.approvals] == ["window.default"]
    assert d.refund_total.plain() == "53.61"

    grant = c.approve(pending, "m1", h.PIN["m1"], "loyal_customer")
    tx = c.commit(pending, [grant])
    [row] = store.query("SELECT manager, rules, reason_code, amount, used_by FROM approvals")
    assert row == {"manager": "m1", "rules": '["window.default"]', "reason_code": "loyal_customer", "amount": 5361,
                   "used_by": tx.txno}
    [entry] = store.query("SELECT payload, refund_total FROM journal WHERE txno = ?", (tx.txno,))
    assert entry["refund_total"] == 5361
    assert json.loads(entry["payload"])["case"]["request"]["overrides"] == ["window.default"]


def test_a_rule_a_manager_may_not_override_is_refused(store):
    c = h.counter(store)
    cashier = h.signed_in(c, "c1")
    sale = c.lookup(RECEIPT)
    with pytest.raises(NotOverridable) as err:
        prepare_override(c, cashier, sale, _request(3), 3)
    assert str(err.value) == "Line 3 was not denied by a rule a manager may override."


def test_without_the_managers_approval_the_override_cannot_be_recorded(store):
    c = h.counter(store)
    cashier = h.signed_in(c, "c1")
    pending = prepare_override(c, cashier, c.lookup(RECEIPT), _request(1), 1)
    with pytest.raises(Exception) as err:
        c.commit(pending, [])
    assert "window.default" in str(err.value)
    assert store.query("SELECT COUNT(*) AS n FROM journal WHERE receipt = ?", (RECEIPT,)) == [{"n": 0}]
