"""The receipt screen when another till refunds part of the same sale between scan and Finish."""

from __future__ import annotations

import json
from datetime import timedelta

from counter_kit import NOW, STAFF, journal, tr
from pos_returns.services import counter as services
from pos_returns.storage import store as st
from pos_returns.services.importer import import_file
from pos_returns.domain.model import Request, RequestLine

SPLIT = "0001-970001"  # two lines of 50.00 (no tax), paid 60.00 by card ****4242 and 40.00 in cash
CHANGED = ("Receipt {receipt} changed at another till a moment ago, so this return's decision changed (the refund "
           "is now {refund}); check the new decision and finish again.")


def add_split_sale(store, policy, folder):
    sale = {"receipt": SPLIT, "store": "0001", "register": "R9", "sold_at": (NOW - timedelta(days=2)).isoformat(),
            "lines": [{"line": n, "sku": "JEANS", "name": "Slim jeans", "category": "apparel", "qty": 1,
                       "unit_price": "50.00", "tax_rate": "0"} for n in (1, 2)],
            "tenders": [{"type": "credit", "amount": "60.00", "last4": "4242"}, {"type": "cash", "amount": "40.00"}]}
    path = folder / "split.json"
    path.write_text(json.dumps({"sales": [sale]}), encoding="utf-8")
    assert import_file(store, policy, path, NOW - timedelta(days=1)).added == 1


def refund_tenders(decision):
    return sorted((t.type, t.amount.plain()) for t in decision.refund_tenders)


def test_finish_after_another_till_refunded_the_card_shows_the_new_decision(app, modals, policy, db_path, tmp_path):
    add_split_sale(app.store, policy, tmp_path)
    app.sign_in("c1")
    screen = app.scan(SPLIT)
    app.set_qty(screen, 0, 1)  # line 1
    assert refund_tenders(screen.pending.decision) == [("credit", "50.00")]

    # meanwhile, another till (its own connection) returns line 2 to the card
    with st.open_store(db_path, create=False) as other_db:
        other = services.Counter(other_db, policy, register="R2", clock=lambda: NOW)
        request = Request("return", lines=(RequestLine(line=2, qty=1, condition="unopened", reason="changed_mind"),))
        other.commit(other.prepare(other.sign_in("c2", STAFF["c2"]), other.lookup(SPLIT), request))

    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    # nothing recorded; the screen stays, says why, and shows the new decision: 10.00 to the card, 40.00 cash
    assert app.screen is screen
    assert screen.message.text().endswith(tr("en", CHANGED, receipt=SPLIT, refund=screen.pending.payout))
    assert refund_tenders(screen.pending.decision) == [("cash", "40.00"), ("credit", "10.00")]
    shown = screen.panel.details.toPlainText()
    assert "$10.00" in shown and "$40.00" in shown and "$50.00" not in shown.split("Refund to")[-1]
    assert len(journal(app.store, receipt=SPLIT)) == 1

    seen = {}
    modals.confirm(seen)
    app.click(screen.finish_button)
    modals.check()
    done = app.screen
    assert done.objectName() == "doneScreen", screen.message.text()
    txno = done.number.text()
    tenders = app.store.query("SELECT type, amount, last4 FROM journal_tenders WHERE txno = ? ORDER BY type",
                              (txno,))
    assert tenders == [{"type": "cash", "amount": 4000, "last4": None},
                       {"type": "credit", "amount": 1000, "last4": "4242"}]
