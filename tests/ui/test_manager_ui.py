"""The manager area (F5) and the training cards, driven through the real widgets (pytest-qt, offscreen).

The database is the session's demo store (conftest), copied per test; the window's clock is NOW (today, noon).
Heavy tabs run their query on a worker thread: the tests wait for the result with ``qtbot.waitUntil``.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QPushButton, QTableWidget

from counter_kit import NOW, POLICY_PATH, TODAY, tr
from pos_returns.storage import store as st
from pos_returns.domain.money import Money
from pos_returns.domain.policy import load_policy

WAIT = 15000


def open_manager(app, staff: str = "m1"):
    app.sign_in(staff)
    app.key(Qt.Key.Key_F5)  # the button's shortcut animates a click: it lands a moment later
    app.qtbot.waitUntil(lambda: app.screen is not app.window.home, timeout=WAIT)
    screen = app.screen
    assert screen.objectName() == "managerScreen", app.window.home.message.text()
    return screen


def tab(screen, title: str):
    tabs = screen.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    index = titles.index(title)
    tabs.setCurrentIndex(index)
    return tabs.widget(index)


def real_entries(store, start: str, end: str) -> list[dict]:
    """Real (not training) returns, exchanges and returns without a receipt dated in [start, end)."""
    return store.query("SELECT txno, kind, cashier FROM journal WHERE training = 0 AND at >= ? AND at < ? "
                       "AND kind IN ('return', 'exchange', 'no_receipt')", (start, end))


def cell_texts(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


# ----------------------------------------------------------------------------- who gets in

def test_cashier_pressing_f5_is_refused(app):
    app.sign_in("c1")
    app.key(Qt.Key.Key_F5)
    app.qtbot.waitUntil(lambda: app.window.home.message.text() != "", timeout=WAIT)
    assert app.screen is app.window.home
    assert app.window.home.message.text().endswith(tr(
        "en", "Only a manager can open the manager tools; sign in as a manager."))


def test_manager_opens_the_area_with_f5_and_sees_every_tab(app):
    screen = open_manager(app)
    tabs = screen.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Reports", "Exceptions", "Complaints", "What if", "Day close", "Policy", "Signing key"]
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        assert tabs.currentWidget().isVisible()
    app.key(Qt.Key.Key_Escape)  # Back [Esc]
    app.qtbot.waitUntil(lambda: app.screen is app.window.home, timeout=WAIT)


# ----------------------------------------------------------------------------- the tabs

def test_reports_tab_runs_off_the_interface_thread_and_shows_the_count(app):
    screen = open_manager(app)
    reports = tab(screen, "Reports")
    picker = reports.picker
    picker.kind.setCurrentIndex(picker.kind.findData("range"))
    start, end = TODAY - timedelta(days=400), TODAY
    picker.start.setDate(QDate(start.year, start.month, start.day))
    picker.end.setDate(QDate(end.year, end.month, end.day))
    assert reports.summary.text() == ""
    app.click(reports.run_button)
    app.qtbot.waitUntil(lambda: reports.summary.text() != "", timeout=WAIT)
    count = len(real_entries(app.store, start.isoformat(), (end + timedelta(days=1)).isoformat()))
    assert count > 0
    # issue 13 item 11: the summary names its period first, then the figures
    first, figures = reports.summary.text().split("\n", 1)
    assert first == f"Period: {start:%B} {start.day}, {start.year} \u2013 {end:%B} {end.day}, {end.year}"
    assert figures.startswith(f"{count} transactions, refunds $")
    assert not reports.worker.running()
    assert reports.report is not None and reports.report.count == count
    titles = [reports.tables.tabText(i) for i in range(reports.tables.count())]
    assert titles == ["By reason", "By category", "By cashier", "By kind", "By tender"]
    by_cashier = reports.tables.widget(titles.index("By cashier"))
    cashiers = {e["cashier"] for e in real_entries(app.store, start.isoformat(),
                                                   (end + timedelta(days=1)).isoformat())}
    assert set(cell_texts(by_cashier, 0)) == cashiers
    assert sum(int(n) for n in cell_texts(by_cashier, 1)) == count


def test_exceptions_tab_lists_staff(app):
    screen = open_manager(app)
    exceptions = tab(screen, "Exceptions")
    picker = exceptions.picker
    picker.kind.setCurrentIndex(picker.kind.findData("range"))
    start = TODAY - timedelta(days=400)
    picker.start.setDate(QDate(start.year, start.month, start.day))
    app.click(exceptions.run_button)
    app.qtbot.waitUntil(lambda: exceptions.table is not None, timeout=WAIT)
    table = exceptions.table
    assert table.objectName() == "exceptionsTable"
    cashiers = {e["cashier"] for e in real_entries(app.store, start.isoformat(),
                                                   (TODAY + timedelta(days=1)).isoformat())}
    staff = cell_texts(table, 0)
    roles = cell_texts(table, 1)
    assert {s for s, r in zip(staff, roles) if r == "Cashier"} == cashiers
    assert set(roles) <= {"Cashier", "Approving manager"}


def test_complaints_tab_logs_one_and_lists_it(app):
    screen = open_manager(app)
    complaints = tab(screen, "Complaints")
    assert complaints.list.rowCount() == 0
    # nothing said: refused, nothing logged
    app.click(complaints.save_button)
    assert "Describe what the customer said." in complaints.message.text()
    assert complaints.list.rowCount() == 0
    complaints.severity.setValue(4)
    complaints.category.setCurrentIndex(complaints.category.findData("wait"))
    complaints.text.setFocus()
    app.qtbot.keyClicks(complaints.text, "Waited twenty minutes at the counter")
    app.click(complaints.save_button)
    assert complaints.message.text() == "Logged."
    assert complaints.list.rowCount() == 1
    assert complaints.list.item(0, 1).text() == "complaint"
    assert complaints.list.item(0, 2).text() == "4"
    assert complaints.list.item(0, 4).text() == "Waited twenty minutes at the counter"
    [row] = st.list_complaints(app.store, TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat())
    assert (row["logged_by"], row["category"], row["severity"], row["at"]) == ("m1", "wait", 4,
                                                                               NOW.isoformat())
    # an unknown transaction number is refused
    complaints.txno.setText("0001-R1-999999")
    complaints.text.setFocus()
    app.qtbot.keyClicks(complaints.text, "Second")
    app.click(complaints.save_button)
    assert "0001-R1-999999" in complaints.message.text()
    assert complaints.list.rowCount() == 1


def test_what_if_tab_replays_under_a_policy_file(app, tmp_path):
    text = POLICY_PATH.read_text(encoding="utf-8")
    text, n = re.subn(r'(id = "window.default"\ndays = )90', r"\g<1>7", text)
    assert n == 1
    new = tmp_path / "short-window.toml"
    new.write_text(text, encoding="utf-8")
    screen = open_manager(app)
    whatif = tab(screen, "What if")
    # a file that is no policy: said in the tab, no worker started
    whatif.path.setText(str(tmp_path / "missing.toml"))
    app.click(whatif.run_button)
    assert whatif.message.text() and whatif.summary.text() == "" and not whatif.worker.running()
    whatif.path.setText(str(new))
    bar: list[tuple[int, int]] = []  # (maximum, value) of the progress bar as the replay goes
    whatif.progress.valueChanged.connect(lambda v: bar.append((whatif.progress.maximum(), v)))
    app.click(whatif.run_button)
    app.qtbot.waitUntil(lambda: whatif.summary.text() != "", timeout=WAIT)
    replayed = len(real_entries(app.store, "1970-01-01", "9999-12-31"))
    assert (replayed, replayed) in bar and len([m for m, _v in bar if m == replayed]) > 2
    assert whatif.progress.isHidden() and whatif.cancel_button.isHidden()
    match = re.match(r"(\d+) past returns replayed; (\d+) decisions change; refunds (.+) \u2192 (.+) \((.+)\)\.$",
                     whatif.summary.text())
    assert match, whatif.summary.text()
    assert int(match.group(1)) == replayed > 0
    changed = int(match.group(2))
    assert whatif.table is not None and whatif.table.rowCount() == changed
    assert changed > 0  # a 7-day window denies the demo's older returns
    for txno in cell_texts(whatif.table, 0):
        assert txno.startswith("0001-")
    # issue 12 item 10: the version that made each decision, and the new policy's dates (this one is undated)
    header = [whatif.table.horizontalHeaderItem(i).text() for i in range(whatif.table.columnCount())]
    assert header[-1] == "Decided under"
    sample_sha = load_policy(POLICY_PATH).sha256
    assert set(cell_texts(whatif.table, len(header) - 1)) == {sample_sha[:12]}
    assert whatif.versions.text() == f"New policy {load_policy(new).sha256[:12]} (no effective_from: undated)."


def test_what_if_tab_cancel_stops_the_replay(app, tmp_path, monkeypatch):
    import threading
    from pos_returns.services import manager_view as mv
    real, reached, gate = mv.what_if, threading.Event(), threading.Event()

    def held(db, new, progress):  # the real replay, held at its first progress report until Cancel is pressed
        def hold(done, total):
            reached.set()
            gate.wait(WAIT / 1000)
            progress(done, total)
        return real(db, new, hold)

    monkeypatch.setattr(mv, "what_if", held)
    screen = open_manager(app)
    whatif = tab(screen, "What if")
    whatif.path.setText(str(POLICY_PATH))
    app.click(whatif.run_button)
    app.qtbot.waitUntil(reached.is_set, timeout=WAIT)
    assert whatif.cancel_button.isVisible() and whatif.progress.isVisible()
    app.click(whatif.cancel_button)
    gate.set()
    app.qtbot.waitUntil(lambda: not whatif.worker.running() and whatif.message.text() != "", timeout=WAIT)
    assert whatif.message.text().endswith(tr("en", "The replay was cancelled; nothing was changed."))
    assert whatif.summary.text() == "" and whatif.table is None and whatif.cancel_button.isHidden()


def test_day_close_tab_closes_the_day(app, modals):
    """Issue 13 item 9 changes this test: the close asks for the totals' confirmation and a manager's PIN (wrong
    PINs are refused and counted), and afterwards the tab offers the next business day, which later returns
    belong to (a second close of the same day is no longer possible from the tab)."""
    from PySide6.QtWidgets import QApplication, QWidget
    from test_settlement import focus_in, pick_first_line
    focus = QApplication.focusWidget
    screen = open_manager(app)
    close = tab(screen, "Day close")
    assert close.day.date().toPython() == TODAY  # nothing closed yet: today is the business day
    count = len(app.store.query("SELECT txno FROM journal WHERE training = 0 AND register != ? AND "
                                "substr(at, 1, 10) = ?", (st.DAY_REGISTER, TODAY.isoformat())))
    paid = app.store.query("SELECT COALESCE(SUM(t.amount), 0) AS s FROM journal_tenders t JOIN journal j "
                           "ON j.txno = t.txno WHERE j.training = 0 AND substr(j.at, 1, 10) = ?",
                           (TODAY.isoformat(),))[0]["s"]
    seen = {}

    def confirm(dialog):
        focus_in(app, dialog)
        seen["totals"] = dialog.findChild(QWidget, "dayCloseTotals").text()
        assert focus() is dialog.findChild(QWidget, "managerPin")
        app.qtbot.keyClicks(focus(), "0000")
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
        seen["wrong"] = dialog.findChild(QWidget, "message").text()
        seen["closed_after_wrong"] = len(app.store.query("SELECT txno FROM journal WHERE register = ?",
                                                         (st.DAY_REGISTER,)))
        app.qtbot.keyClicks(focus(), "9999")
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
        assert not dialog.isVisible()

    modals.expect("dayCloseDialog", confirm)
    close.day.setFocus()  # the day to close, then F9
    app.qtbot.keyClick(focus(), Qt.Key.Key_F9)
    modals.check()
    assert f"{count} transactions; paid out ${paid / 100:,.2f}" in seen["totals"], seen["totals"]
    assert "Wrong PIN for m1" in seen["wrong"] and seen["closed_after_wrong"] == 0
    [entry] = app.store.query("SELECT txno, payload FROM journal WHERE register = ? ORDER BY seq DESC LIMIT 1",
                              (st.DAY_REGISTER,))
    figures = json.loads(entry["payload"])
    assert figures["date"] == TODAY.isoformat() and figures["count"] == count and figures["period_total"] == paid
    text = close.result.text()
    assert text.startswith(f"{entry['txno']}: {TODAY.isoformat()} closed. {count} transactions;"), text
    assert close.day.date().toPython() == TODAY + timedelta(days=1)  # the next business day
    # a return after the close, the same afternoon: recorded, on the next business day
    app.key(Qt.Key.Key_Escape)  # back to the counter (to whatever has the focus once the window is active)
    app.qtbot.waitUntil(lambda: app.screen is app.window.home, timeout=WAIT)
    app.reactivate()
    app.qtbot.waitUntil(lambda: focus() is app.window.home.scan, timeout=WAIT)
    app.qtbot.keyClicks(focus(), "0001-900002")
    app.qtbot.keyClick(focus(), Qt.Key.Key_Return)
    receipt = app.screen
    pick_first_line(app, receipt)

    def record(dialog):
        focus_in(app, dialog)
        app.qtbot.keyClick(focus(), Qt.Key.Key_Return)

    modals.expect("confirmDialog", record)
    app.key(Qt.Key.Key_F12)
    modals.check()
    assert app.screen.objectName() == "doneScreen", receipt.message.text()
    [row] = app.store.query("SELECT at, business_day FROM journal WHERE txno = ?", (app.screen.number.text(),))
    assert row["at"].startswith(TODAY.isoformat()) and row["business_day"] == (TODAY + timedelta(days=1)).isoformat()


def test_month_means_the_chosen_calendar_month_and_the_summary_names_it(app):
    from PySide6.QtWidgets import QApplication
    from pos_returns.services.manager_view import month_of
    screen = open_manager(app)
    reports = tab(screen, "Reports")
    assert reports.picker.kind.currentData() == "month"  # the default choice
    reports.run_button.setFocus()
    app.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    app.qtbot.waitUntil(lambda: reports.summary.text() != "", timeout=WAIT)
    first = TODAY.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)  # e.g. 2026-12-31
    assert month_of(TODAY) == (first, last)
    assert (reports.report.start, reports.report.end) == (first, last)
    shown = (reports.picker.start.date().toPython(), reports.picker.end.date().toPython())
    assert shown == (first, last)  # the fields show what is counted
    assert reports.summary.text().split("\n")[0] == f"Period: {TODAY:%B} {TODAY.year}"
    count = len(real_entries(app.store, first.isoformat(), (last + timedelta(days=1)).isoformat()))
    assert reports.report.count == count


def test_policy_tab_lists_the_rules(app):
    screen = open_manager(app)
    policy = tab(screen, "Policy")
    table = policy.findChild(QTableWidget, "policyTable")
    ids = cell_texts(table, 0)
    assert "window.default" in ids and "approval.large_refund" in ids
    row = ids.index("window.default")
    assert table.item(row, 1).text() == "Return window"
    assert "90 days" in table.item(row, 4).text()
    assert table.item(row, 3).text() == "yes"
    sha = load_policy(POLICY_PATH).sha256
    assert policy.version.text() == (f"Policy {sha[:12]} (undated: it decides every return; give [policy] "
                                     "effective_from to keep versions).")


# ----------------------------------------------------------------------------- training cards

def test_training_cards_answer_and_the_score_changes(app):
    screen = open_manager(app)
    entries = st.count(app.store, "journal")
    app.click(_button(screen, "openTraining"))
    training = app.screen
    assert training.objectName() == "trainingScreen"
    assert training.score.text() == "Score: 0 of 0"
    assert training.cards and training.title.text().startswith("Card 1 of ")
    card = training.cards[0]
    expect = json.loads(Path(card.source).read_text(encoding="utf-8"))["expect"]
    # the right answer, as the scenario file says
    training.outcome.setCurrentIndex(training.outcome.findData(expect["outcome"]))
    app.type_into(training.refund, Money.parse(expect.get("refund_total", "0"), "USD").plain())
    assert training.score.text() == "Score: 1 of 1"
    assert training.message.text().endswith("Right.")
    # the next card (F12), answered wrong
    app.key(Qt.Key.Key_F12)
    app.qtbot.waitUntil(lambda: training.title.text().startswith("Card 2 of "), timeout=WAIT)
    assert training.score.text() == "Score: 1 of 1"
    card = training.cards[1]
    expect = json.loads(Path(card.source).read_text(encoding="utf-8"))["expect"]
    wrong = "partial" if expect["outcome"] != "partial" else "approved"
    training.outcome.setCurrentIndex(training.outcome.findData(wrong))
    app.type_into(training.refund, "0.01")
    assert training.score.text() == "Score: 1 of 2"
    assert training.message.text().endswith("Not quite.")
    assert "The policy says:" in training.verdict.toPlainText()
    assert st.count(app.store, "journal") == entries  # training answers are never committed


def _button(parent, name: str):
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    return button


def test_signing_key_tab_shows_the_key_and_a_manager_approves_a_new_one(app):
    """A register of its own (the session's config folder holds the keys of every test's registers)."""
    import hashlib
    import os
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    app.ctx.register = "RUI1"
    keyfile = Path(os.environ["POS_RETURNS_CONFIG"]) / "signing-RUI1.key"

    def fp() -> str:
        pub = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(keyfile.read_text().strip())).public_key() \
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        d = hashlib.sha256(pub).hexdigest()[:16]
        return "-".join(d[i:i + 4] for i in range(0, 16, 4))

    screen = open_manager(app)
    keys = tab(screen, "Signing key")
    first = fp()  # made on first use, when the tab looked at it
    assert first in keys.status.text() and "records it with the first entry" in keys.status.text()
    app.type_into(keys.reason, "new till", enter=False)
    app.type_into(keys.pin, "1234")  # a wrong PIN: refused, said in the tab, nothing recorded
    assert "Wrong PIN" in keys.message.text()
    assert app.store.query("SELECT * FROM register_keys WHERE signer = 'RUI1'") == []
    app.type_into(keys.pin, "9999")  # the journal knew no key yet: this one is recorded, approved by m1
    assert fp() == first and "The journal knows this key." in keys.status.text()
    app.type_into(keys.reason, "yearly change", enter=False)
    app.type_into(keys.pin, "9999")  # now a new key, handed over by the old one
    assert fp() != first
    assert fp() in keys.result.text() and "signed by the old key" in keys.result.text()
    assert fp() in keys.status.text() and "The journal knows this key." in keys.status.text()
    assert cell_texts(keys.periods, 0) == [first, fp()] and cell_texts(keys.periods, 4) == ["no", "yes"]
    rows = app.store.query("SELECT approved_by, fingerprint FROM register_keys WHERE signer = 'RUI1' "
                           "ORDER BY from_counter, rowid")
    assert rows == [{"approved_by": "m1", "fingerprint": first}, {"approved_by": "m1", "fingerprint": fp()}]
