"""The receipt screen's lines table (ui/receipt_table.py gives it fixed rows and a steady scroll bar): what a
cashier sees in it must follow every change at once: a quantity typed, the decision that comes back, another
receipt scanned, the language switched."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHeaderView

from counter_kit import FULL, PARTIAL, tr
from pos_returns.domain.labels import CONDITION_LABELS
from ui.receipt import C_COND, C_DECISION, C_QTY, C_REFUND


def shown(screen, row: int, col: int) -> str:
    value = screen.model.index(row, col).data(Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)


def test_the_table_shows_each_change_as_it_happens(app):
    app.sign_in("c1")
    screen = app.scan(FULL)
    assert (shown(screen, 0, C_QTY), shown(screen, 0, C_DECISION), shown(screen, 0, C_REFUND)) == ("0", "", "")
    app.set_qty(screen, 0, 1)
    assert shown(screen, 0, C_QTY) == "1"
    assert shown(screen, 0, C_DECISION).endswith("Approved") and shown(screen, 0, C_REFUND) == "$53.61"
    app.set_qty(screen, 0, 0)
    assert (shown(screen, 0, C_QTY), shown(screen, 0, C_DECISION), shown(screen, 0, C_REFUND)) == ("0", "", "")
    app.set_qty(screen, 0, 1)
    app.window.set_language("cs")
    assert shown(screen, 0, C_COND) == tr("cs", CONDITION_LABELS["unopened"]) != CONDITION_LABELS["unopened"]
    assert shown(screen, 0, C_DECISION).endswith(tr("cs", "Approved"))
    assert shown(screen, 0, C_REFUND) == "$53.61"  # amounts in the store's own format, whatever the language
    assert screen.model.headerData(C_QTY, Qt.Orientation.Horizontal) == tr("cs", "Return qty")
    app.window.set_language("en")
    assert shown(screen, 0, C_COND) == CONDITION_LABELS["unopened"] and shown(screen, 0, C_DECISION).endswith("Approved")


def test_the_next_receipt_shows_its_own_lines(app, modals):
    app.sign_in("c1")
    screen = app.scan(FULL)
    app.set_qty(screen, 0, 1)
    first = [shown(screen, 0, c) for c in range(screen.model.columnCount())]

    def discard(box):  # Esc with a line picked asks first: Tab from "Keep working" to "Discard", Space
        app.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                            and box.isAncestorOf(QApplication.focusWidget()), timeout=3000)
        app.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        app.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)

    modals.expect("discardBox", discard)
    app.key(Qt.Key.Key_Escape)
    modals.check()
    assert app.screen is app.window.home
    again = app.scan(PARTIAL)
    assert again is screen  # the same screen, loaded with the next sale
    rows = [[shown(screen, r, c) for c in range(screen.model.columnCount())] for r in range(screen.model.rowCount())]
    assert rows and rows[0] != first and all(row[C_QTY] == "0" and row[C_DECISION] == "" for row in rows)
    assert PARTIAL in screen.header.text()


def test_rows_keep_one_height_and_the_scroll_bar_stays(app):
    app.sign_in("c1")
    screen = app.scan(FULL)
    rows = screen.table.verticalHeader()
    assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed and rows.defaultSectionSize() == 44
    assert screen.table.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn


def test_a_receipt_without_serialized_items_shows_no_serial_column(app):
    """Twelve columns do not fit a 1366 px counter screen: the Serial column is there only when a line needs one,
    and the Line column numbers the rows (no second, empty row header)."""
    from ui.receipt import C_SERIAL
    app.sign_in("c1")
    screen = app.scan(FULL)
    assert not any(screen.model._serialized(r) for r in range(screen.model.rowCount()))
    assert screen.table.isColumnHidden(C_SERIAL) and not screen.table.verticalHeader().isVisible()
    assert not screen.table.isColumnHidden(C_REFUND) and not screen.table.isColumnHidden(C_DECISION)
