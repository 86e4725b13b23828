"""A till whose signing key the journal does not know (a replaced machine) records nothing: the cashier is told
why, in their language, and what the manager does about it; nothing is written until then."""

from __future__ import annotations

import os

from counter_kit import SPARE, journal, tr

WARN = "\u26a0 "


def test_a_till_with_an_unknown_key_is_told_and_records_nothing(app, modals, monkeypatch):
    monkeypatch.setenv("POS_RETURNS_KEY", os.urandom(32).hex())  # not the key the journal knows for R1
    app.sign_in("c1")
    app.window.set_language("cs")
    screen = app.scan(SPARE)
    app.set_qty(screen, 0, 1)
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    assert app.screen is screen  # still on the receipt
    msgid = ("Register {register} signs with key {new}, but the journal knows its key as {old}; nothing was "
             "recorded. A manager must approve the new key first: in the manager area (F5), Signing key, or with "
             "'journal new-key --register {register} --manager ID'.")
    text = screen.message.text()
    assert text.startswith(WARN + tr("cs", msgid, register="R1", new="@", old="@").split("@")[0]), text
    assert "journal new-key --register R1" in text
    assert journal(app.store, receipt=SPARE) == []
    monkeypatch.delenv("POS_RETURNS_KEY")  # the till's own key again: the same return is recorded
    modals.confirm()
    app.click(screen.finish_button)
    modals.check()
    assert app.screen.objectName() == "doneScreen", screen.message.text()
    assert len(journal(app.store, receipt=SPARE)) == 1
