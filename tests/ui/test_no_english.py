"""No English and no raw codes on the counter in another language (issue 13, item 13).

The window is walked by keys, in Vietnamese, Czech and Chinese, through sign-in, home, a receipt that needs a
manager, the approval dialog, a return confirmed and done, the no-receipt screen, every manager tab (its chart
too) and the training cards. On each, the visible text of every widget is collected (labels, buttons, fields'
hints, list and table cells and headers, tabs, chart axes, window titles) and checked:

- against the English msgids of the code: a text that is an English msgid (its placeholders filled with
  anything), where the language's catalog says something else, is an untranslated string on screen;
- against the codes of the policy and the app (categories, tags, reasons, approval codes, tenders, outcomes,
  conditions): a code shown as such is a word the reader was never meant to see.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QChartView
from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLabel, QLineEdit,
                               QTabBar, QTabWidget, QTextBrowser, QWidget)

from counter_kit import BIG, FULL
from test_catalogs import EXTRACTED
from pos_returns import i18n
from pos_returns.domain.labels import CONDITION_LABELS, OUTCOME_LABELS, TENDER_LABELS

LANGS = ("vi", "cs", "zh_Hant")
SHORTCUT = re.compile(r"\s*\[[^\]]+\]$")
MARKS = "\u2714\u2716\u26a0!\u2022 "


def _pieces(text: str) -> set[str]:
    out = set()
    for line in text.replace("\u2029", "\n").split("\n"):
        for part in [line, *line.split("  \u2022  "), *line.split(" \u2014 ")]:
            part = SHORTCUT.sub("", part.strip()).strip(MARKS).strip()
            if part:
                out.add(part)
    return out


def _plain(text: str) -> str:
    if "<" in text and ">" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def _model_texts(model: QAbstractItemModel) -> list[str]:
    from PySide6.QtCore import QAbstractListModel, QModelIndex
    root = QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    texts = []
    for c in range(columns):
        texts.append(str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
    for r in range(min(model.rowCount(root), 60)):
        for c in range(columns):
            value = model.index(r, c).data()
            if value is not None:
                texts.append(str(value))
    return texts


def visible_texts(top: QWidget) -> dict[str, str]:
    """Every piece of text a person can see in ``top`` and its children -> the widget that shows it."""
    found: dict[str, str] = {}
    widgets = [top, *top.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisible():
            continue
        texts: list[str] = []
        if w.isWindow():
            texts.append(w.windowTitle())
        if isinstance(w, QLabel):
            texts.append(_plain(w.text()))
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts.extend(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QTextBrowser):
            texts.append(w.toPlainText())
        elif isinstance(w, QTabBar):
            texts.extend(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            texts.extend(_model_texts(w.model()))
        elif isinstance(w, QChartView) and w.chart() is not None:
            chart = w.chart()
            texts.append(chart.title())
            for axis in chart.axes():
                if isinstance(axis, QBarCategoryAxis):
                    texts.extend(axis.categories())
        for t in texts:
            for piece in _pieces(t or ""):
                found.setdefault(piece, w.objectName() or type(w).__name__)
    return found


def _english(lang: str):
    """(static English msgids, [(regex, msgid)]) of every message whose translation in ``lang`` differs."""
    tr = i18n.translations(lang)
    static, patterns = set(), []
    for msgid, (plural, _where) in EXTRACTED.items():
        if tr.gettext(msgid) == msgid or len(msgid) < 3:
            continue
        for form in (msgid, plural) if plural else (msgid,):
            if "{" in form:
                if not re.search(r"[A-Za-z]{2}", re.sub(r"\{[^}]*\}", "", form)):
                    continue  # only placeholders and punctuation: says nothing in any language
                body = re.escape(form)
                body = re.sub(r"\\\{[a-z_0-9]+\\\}", ".+?", body)
                patterns.append((re.compile(body), form))
            else:
                static.add(SHORTCUT.sub("", form).strip(MARKS).strip())
    return static, patterns


def _codes(policy) -> set[str]:
    codes = set(policy.categories) | set(policy.tags) | set(policy.tiers) | set(policy.reasons)
    codes |= set(policy.approval.reason_codes) | set(TENDER_LABELS) | set(OUTCOME_LABELS) | set(CONDITION_LABELS)
    return {c for c in codes if "_" in c or c.islower()}


def problems_on(top: QWidget, lang: str, policy, where: str) -> list[str]:
    static, patterns = _english(lang)
    codes = _codes(policy)
    problems = []
    for text, widget in sorted(visible_texts(top).items()):
        if text in static:
            problems.append(f"{where}: English {text!r} in {widget}")
        elif text in codes:
            problems.append(f"{where}: raw code {text!r} in {widget}")
        else:
            for rx, msgid in patterns:
                if rx.fullmatch(text):
                    problems.append(f"{where}: English {text!r} (msgid {msgid!r}) in {widget}")
                    break
    return problems


def press(app, key, modifier=Qt.KeyboardModifier.NoModifier):
    app.key(key, modifier)


def type_keys(app, text):
    app.reactivate()
    app.qtbot.keyClicks(QApplication.focusWidget(), text)


def in_dialog(app, name: str, act) -> QTimer:
    """Run ``act(dialog)`` once dialog ``name`` is the active window with the keyboard focus in it."""
    timer = QTimer()
    timer.setInterval(20)

    def tick():
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if dialog is None or dialog.objectName() != name or not dialog.isActiveWindow() or focus is None \
                or not (focus is dialog or dialog.isAncestorOf(focus)):
            return
        timer.stop()
        act(dialog, focus)

    timer.timeout.connect(tick)
    timer.start()
    return timer


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_speaks_the_language(make_app, policy, lang):
    app = make_app(lang=lang)
    app.window.set_language(lang)
    problems: list[str] = []

    def look(where: str, top: QWidget | None = None):
        problems.extend(problems_on(top or app.window, lang, policy, where))

    look("sign-in")
    app.sign_in("m1")
    look("home")

    type_keys(app, BIG)  # three rain jackets: over what a cashier may refund alone
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    assert screen.objectName() == "receiptScreen"
    press(app, Qt.Key.Key_3)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 3, timeout=2000)
    app.qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.table, timeout=2000)
    look("receipt, needs a manager")

    def approval(dialog, focus):
        look("approval dialog", dialog)
        app.qtbot.keyClick(focus, Qt.Key.Key_Escape)

    timer = in_dialog(app, "approvalDialog", approval)
    press(app, Qt.Key.Key_F8)
    timer.stop()
    def discard(box, focus):  # Esc with a line picked asks first: Tab from "Keep working" to "Discard", Space
        look("discard box", box)
        app.qtbot.keyClick(focus, Qt.Key.Key_Tab)
        app.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)

    timer = in_dialog(app, "discardBox", discard)
    press(app, Qt.Key.Key_Escape)  # back home: nothing approved, nothing recorded
    timer.stop()
    app.qtbot.waitUntil(lambda: app.screen is app.window.home, timeout=2000)

    type_keys(app, FULL)
    press(app, Qt.Key.Key_Return)
    screen = app.screen
    press(app, Qt.Key.Key_1)
    press(app, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: screen.model.states[0].qty == 1, timeout=2000)
    app.qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.table, timeout=2000)
    look("receipt, approved")

    def confirm(dialog, focus):
        look("confirm dialog", dialog)
        app.qtbot.keyClick(focus, Qt.Key.Key_Return)

    timer = in_dialog(app, "confirmDialog", confirm)
    press(app, Qt.Key.Key_F12)
    timer.stop()
    assert app.screen.objectName() == "doneScreen"
    look("done")
    press(app, Qt.Key.Key_Return)

    press(app, Qt.Key.Key_F3)
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "noReceiptScreen", timeout=2000)
    look("no receipt")
    app.screen.customer_id.setFocus()
    press(app, Qt.Key.Key_Escape)
    app.qtbot.waitUntil(lambda: app.screen is app.window.home, timeout=2000)

    press(app, Qt.Key.Key_F5)
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "managerScreen", timeout=2000)
    from PySide6.QtWidgets import QPushButton
    from ui.manager import ReportsTab
    reports = app.screen.findChild(ReportsTab)
    app.screen.findChild(QPushButton, "runReport").setFocus()
    press(app, Qt.Key.Key_Space)  # show the report: its tables and its chart by category
    app.qtbot.waitUntil(lambda: reports.report is not None, timeout=10000)
    assert reports.report.by_category, "the report has categories to chart"
    tabs = app.screen.findChild(QTabWidget, "managerTabs")
    tabs.tabBar().setFocus()
    for i in range(tabs.count()):
        app.qtbot.waitUntil(lambda: tabs.currentIndex() == i, timeout=2000)
        look(f"manager tab {i + 1}")
        press(app, Qt.Key.Key_Right)
    press(app, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "trainingScreen", timeout=2000)
    look("training card")

    assert not problems, f"{lang}: {len(problems)} problems\n" + "\n".join(problems)


def test_the_check_finds_english(make_app, policy):
    """The check itself: an English window is all English msgids, and a raw code is seen."""
    app = make_app(lang="en")
    found = problems_on(app.window, "vi", policy, "sign-in")
    assert any("English" in p for p in found), found
    label = QLabel("gift_cards", app.window.signin)
    label.show()
    assert any("raw code 'gift_cards'" in p for p in problems_on(app.window, "vi", policy, "x"))


@pytest.mark.parametrize("lang", ["vi", "cs", "zh_Hant"])
def test_qt_file_dialog_speaks_the_language(make_app, lang, tmp_path, monkeypatch):
    """Export CSV from the reports: Qt's own file dialog, its words ours where Qt has no catalog (Vietnamese),
    Qt's where it ships one (Czech, Chinese)."""
    from PySide6.QtWidgets import QDialogButtonBox, QHeaderView, QPushButton
    monkeypatch.chdir(tmp_path)
    app = make_app(lang=lang)
    app.window.set_language(lang)
    tr = i18n.translations(lang).gettext
    app.sign_in("m1")
    press(app, Qt.Key.Key_F5)
    app.qtbot.waitUntil(lambda: app.screen.objectName() == "managerScreen", timeout=2000)
    reports = app.screen.findChild(QPushButton, "exportCsv")
    reports.setFocus()  # Tab ... to the button, as the cashier would
    seen = {}

    def act(dialog, focus):
        labels = {w.text() for w in dialog.findChildren(QLabel) if w.isVisible()}
        buttons = {b.text() for box in dialog.findChildren(QDialogButtonBox) for b in box.buttons()}
        headers = {h.model().headerData(0, Qt.Orientation.Horizontal) for h in dialog.findChildren(QHeaderView)
                   if h.orientation() == Qt.Orientation.Horizontal and h.model() is not None}
        seen.update(labels=labels, buttons=buttons, headers=headers)
        app.qtbot.keyClick(focus, Qt.Key.Key_Escape)

    from ui.manager import ReportsTab
    tab = app.screen.findChild(ReportsTab)
    press(app, Qt.Key.Key_Space)  # "run the report first": it runs, then the next press exports
    app.qtbot.waitUntil(lambda: tab.report is not None, timeout=10000)
    reports.setFocus()
    timer = in_dialog(app, "fileDialog", act)
    press(app, Qt.Key.Key_Space)
    timer.stop()
    assert seen, "the file dialog did not open"
    assert tr("File name:") in seen["labels"] and tr("Files of type:") in seen["labels"]
    assert {tr("Save"), tr("Cancel")} <= seen["buttons"]
    assert "Save" not in seen["buttons"] and "Cancel" not in seen["buttons"]
    if lang in ("cs", "zh_Hant"):  # Qt's own catalog: its column titles too
        assert "Name" not in seen["headers"], seen["headers"]


def test_messages_are_redrawn_on_a_language_switch(app):
    """An error on screen is said again in the language the cashier switches to (F7)."""
    from PySide6.QtWidgets import QMenu
    app.sign_in("c1")
    type_keys(app, "0001-999999")
    press(app, Qt.Key.Key_Return)  # an unknown receipt: a message in English
    strip = app.window.home.message
    english = strip.text()
    assert "0001-999999" in english

    def choose(menu):
        for _ in range(list(i18n.LANGUAGES).index("cs") + 1):  # the first Down lands on the first language
            app.qtbot.keyClick(menu, Qt.Key.Key_Down)
        app.qtbot.keyClick(menu, Qt.Key.Key_Return)

    def tick():
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu) and menu.isVisible():
            timer.stop()
            choose(menu)

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    press(app, Qt.Key.Key_F7)
    app.qtbot.waitUntil(lambda: app.ctx.lang == "cs", timeout=3000)
    timer.stop()
    assert strip.isVisible() and "0001-999999" in strip.text() and strip.text() != english
    assert app.window.home.prompt.text() == i18n.translations("cs").gettext(
        "Scan or type the receipt number, then Enter")
