"""What the manager area's tabs share: read-only tables, the period picker, a tab whose query runs off
the interface thread (ui.worker.Background) and one that runs it over a period."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_returns.i18n import N_, Percent, format_value
from pos_returns.services import manager_view as mv

from .context import AppContext
from .widgets import MessageStrip
from .worker import Background


PERIODS = (("day", N_("Day")), ("week", N_("Week")), ("month", N_("Month")), ("range", N_("Range")))


def _table(headers: list[str], rows: list[list[str]], name: str, numeric: tuple[int, ...] = ()) -> QTableWidget:
    """A read-only table; ``numeric`` columns are right-aligned, the last column stretches and wraps."""
    table = QTableWidget(len(rows), len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(True)
    table.resizeRowsToContents()
    return table


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _percent(ctx: AppContext, share: float) -> str:
    from decimal import Decimal
    return format_value(Percent(Decimal(str(round(share * 100, 2)))), ctx.lang)


class PeriodPicker(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox(objectName="periodKind")
        for code, label in PERIODS:
            self.kind.addItem(ctx.gettext(label), code)
        self.kind.setCurrentIndex(2)
        start, end = mv.default_period(ctx.today())
        self.start = QDateEdit(_qdate(start), objectName="periodStart")
        self.end = QDateEdit(_qdate(end), objectName="periodEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        row.addWidget(self.kind)
        row.addWidget(self.start)
        row.addWidget(self.end)
        self.kind.currentIndexChanged.connect(self._show_period)
        self.end.dateChanged.connect(self._show_period)
        self._show_period()

    def _show_period(self, *_args) -> None:
        """For a day, week or month the fields show the period the report will cover (the month's first and
        last day), so what is on screen is what is counted."""
        if self.kind.currentData() == "range":
            return
        start, end = self.period()
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def period(self) -> tuple[date, date]:
        return mv.period(self.kind.currentData(), self.start.date().toPython(), self.end.date().toPython())

    def label(self) -> str:
        """The chosen period in the reader's words ("November 2026", a day, or first - last)."""
        return mv.period_label(self.kind.currentData(), *self.period(), self.ctx.lang)


class _JobTab(QWidget):
    """A tab whose query runs off the interface thread: busy bar, message strip, a result table below."""

    def __init__(self, ctx: AppContext, top: QHBoxLayout):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.holder = QVBoxLayout()
        layout.addLayout(self.holder, 1)
        self.table: QTableWidget | None = None
        self.worker = Background(self, self.progress)

    def run_job(self, fn, on_done) -> None:
        self.message.clear_message()
        self.worker.start(self.ctx, fn, on_done, self.message.error)

    def put_table(self, table: QTableWidget) -> None:
        if self.table is not None:
            self.table.deleteLater()
        self.table = table
        self.holder.addWidget(table)


class PeriodTab(_JobTab):
    """A tab of one query over a period: a period picker and a button; ``query(db, start, end)`` runs off the
    interface thread and ``show`` shows what it returns."""

    def __init__(self, ctx: AppContext, button_text: str, button_name: str):
        top = QHBoxLayout()
        self.picker = PeriodPicker(ctx)
        self.run_button = QPushButton(button_text, objectName=button_name)
        top.addWidget(self.picker)
        top.addWidget(self.run_button)
        super().__init__(ctx, top)
        self.run_button.clicked.connect(self.run)

    def run(self) -> None:
        start, end = self.picker.period()
        self.run_job(lambda db: self.query(db, start, end), self.show)

    def query(self, db, start, end):
        raise NotImplementedError
