"""The receipt screen's lines table, made cheap to lay out: every scan loads the next sale into it.

:func:`steady_table` gives the table rows of one fixed height (never measured against their contents) and a
vertical scroll bar that is always there. Without it a receipt of one line more than the table shows (five,
at the usual window size) made the scroll bar appear, the viewport shrink and the table lay out and paint a
second time: that was the tail of a scan through the Qt screen (p95 10.4 ms, 5-line receipts ~11 ms against
~8 ms for the others).

:func:`fit_columns` sizes the columns once per loaded receipt (and again after a language switch), not by the
header's ResizeToContents mode: that mode measured every cell of every column again at each model change (a
quantity typed, a decision shown), about 1,200 ``data()`` calls and 500 ``headerData()`` calls a scan. The
columns whose text comes later (the decision, the refund) are made wide enough up front for the widest text
they can show, so nothing is cut off when the decision arrives.

Measured and left out earlier: a Python cache of each cell's answer in front of the Python ``data()``; every
answer still went through PySide's call into Python, so it cost more than it saved. The model now keeps the
answers in Qt's own items instead (ui/receipt_model.py), and a paint or a fit no longer calls Python at all.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView


def steady_table(table: QTableView, row_height: int) -> None:
    """Rows of one fixed height, never measured, and a scroll bar that does not come and go."""
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(row_height)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)


def sized_once(table: QTableView) -> None:
    """Columns keep the widths :func:`fit_columns` gives them; the last one takes the rest of the width. A header
    narrowed by :meth:`ColumnFit.keep_in_view` wraps its words onto a second line instead of being cut."""
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultAlignment(Qt.AlignmentFlag(int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)))
    header.setMinimumHeight(2 * table.fontMetrics().lineSpacing() + 16)


def fit_columns(table: QTableView, texts: Mapping[int, Iterable[str]]) -> dict[int, int]:
    """Every column as wide as its header and the cells it shows now, and at least as wide as each of
    ``texts[column]`` (every row's text, or the texts a column will show later) in the table's font.
    Returns the widths given, by column."""
    table.resizeColumnsToContents()
    for column, column_texts in texts.items():
        widest = text_width(table, column_texts)
        if widest > table.columnWidth(column):
            table.setColumnWidth(column, widest)
    return {column: table.columnWidth(column) for column in range(table.model().columnCount())}


def text_width(table: QTableView, texts: Iterable[str]) -> int:
    """The width a cell needs to show the widest of ``texts`` uncut, in the table's font."""
    metrics = table.fontMetrics()
    # a cell's text margin, as QCommonStyle lays out an item view cell (focus frame margin + 1, both sides)
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1) + 2
    return max((metrics.horizontalAdvance(text) for text in texts), default=0) + margin


def widen(table: QTableView, column: int, least: int, texts: Iterable[str]) -> None:
    """Column ``column`` as wide as the widest of ``texts`` (never under ``least``); unchanged if it is so."""
    width = max(least, text_width(table, texts))
    if width != table.columnWidth(column):
        table.setColumnWidth(column, width)


class ColumnFit(QObject):
    """The receipt table's widths: item names and refunds fitted once per sale and language (:func:`fit_columns`),
    the decision column following the outcomes the lines show (:func:`widen`), and the Decision and Refund
    columns kept on the screen (:meth:`keep_in_view`)."""

    def __init__(self, table: QTableView, item: int, decision: int, refund: int, shrinkable: tuple[int, ...] = ()):
        super().__init__(table)
        self.table, self.item, self.decision_column, self.refund = table, item, decision, refund
        self.shrinkable = shrinkable  # the columns that give up width after the item names, in this order
        self.fitted: tuple | None = None  # (sale, language) the columns were last fitted for
        self.widths: dict[int, int] = {}
        self.refund_needs = 0  # the refund column's width for its widest amount and its header
        table.viewport().installEventFilter(self)  # a window of another width: the columns fitted again

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.keep_in_view()
        return False

    def keep_in_view(self) -> None:
        """The Decision and Refund columns never off the right edge of a counter screen (in Czech, with the Serial
        column, twelve columns are wider than 1366 px): the item names give up width first, down to a dozen
        characters, then the serial, reason and condition columns, down to eight (their cells wrap onto a second
        line, then end in an ellipsis)."""
        table = self.table
        room = table.viewport().width()
        if room <= 0 or self.item not in self.widths:
            return
        chars = table.fontMetrics().averageCharWidth()
        columns = [c for c in range(table.model().columnCount()) if c != self.refund and not table.isColumnHidden(c)]
        widths = {c: self.widths.get(c, table.columnWidth(c)) for c in columns}
        widths[self.decision_column] = table.columnWidth(self.decision_column)  # it follows the outcomes shown
        over = sum(widths.values()) + self.refund_needs - room
        for column, least in ((self.item, 12 * chars), *((c, self._least(c, 8 * chars)) for c in self.shrinkable)):
            if over <= 0:
                break
            if column in widths and widths[column] > least:
                give = min(over, widths[column] - least)
                widths[column] -= give
                over -= give
        for column in (self.item, *self.shrinkable):
            if column in widths and widths[column] != table.columnWidth(column):
                table.setColumnWidth(column, widths[column])
        # the last column stretches over what is left, and keeps the width it was last given when nothing is:
        # it is given what its amounts and header need, so it never holds more than that off the screen
        if over >= 0 and table.columnWidth(self.refund) != self.refund_needs:
            table.setColumnWidth(self.refund, self.refund_needs)

    def _least(self, column: int, chars: int) -> int:
        """Narrow as ``chars``, but never narrower than the longest word of the column's header (it wraps there)."""
        header = self.table.horizontalHeader()
        words = str(self.table.model().headerData(column, Qt.Orientation.Horizontal) or "").split()
        return max([chars] + [header.fontMetrics().horizontalAdvance(word) + 16 for word in words])

    def language_changed(self, lang: str) -> bool:
        return self.fitted is None or self.fitted[1] != lang

    def load(self, model, lang: str, money) -> None:
        """Fit for the model's sale in ``lang`` (nothing to do when that is what the columns show)."""
        if self.fitted == (model.sale, lang):
            return
        self.fitted = (model.sale, lang)
        amounts = [money(amount) for amount in model.paid.values()]  # a refund is at most what was paid
        self.widths = fit_columns(self.table, {
            self.item: [model.data(model.index(row, self.item)) for row in range(model.rowCount())],
            self.refund: amounts})
        self.refund_needs = max(text_width(self.table, amounts), self.table.horizontalHeader().sectionSizeHint(
            self.refund))

    def decision(self, model) -> None:
        """The decision column as wide as the outcomes it shows now (measured by font, not cell by cell)."""
        column = self.decision_column
        widen(self.table, column, self.widths.get(column, 0), model.column_texts(column))
        self.keep_in_view()
