"""The manager area's Day close tab: close a business day (its totals confirmed with a manager's PIN) and
what it counted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .context import AppContext
from .ops import run_op
from .widgets import MessageStrip
from .manager_common import _qdate


class DayCloseTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        from pos_returns.services import dayclose
        business = run_op(ctx, lambda: dayclose.business_day(ctx.store, ctx.clock()), show=lambda _m: None)
        self.day = QDateEdit(_qdate(business or ctx.today()), objectName="closeDate")  # the current business day
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.button = QPushButton(_("Close the day") + " [F9]", objectName="closeDay")
        shortcut = QShortcut(QKeySequence("F9"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.close_day)
        row.addWidget(self.day)
        row.addWidget(self.button)
        layout.addLayout(row)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.result = QLabel(objectName="closeResult")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.button.clicked.connect(self.close_day)

    def close_day(self) -> None:
        """The day's totals to confirm and a manager's PIN first (ui/dayclose), then the close."""
        from pos_returns.services import dayclose
        from .dayclose import DayCloseDialog
        ctx, _ = self.ctx, self.ctx.gettext
        day = self.day.date().toPython()
        figures = run_op(ctx, lambda: dayclose.preview(ctx.store, ctx.policy, day), show=self.message.error)
        if figures is None:
            return
        dialog = DayCloseDialog(ctx, figures, self)
        if not dialog.exec() or dialog.closed is None:
            return
        closed = dialog.closed
        tenders = ", ".join(f"{k}: {ctx.money(v)}" for k, v in closed.refunds_by_tender) or "\u2014"
        self.message.clear_message()
        self.result.setText(_("{txno}: {day} closed. {count} transactions; paid out {period} ({tenders}); "
                              "perpetual total {perpetual}.").format(
            txno=closed.txno, day=closed.day, count=closed.count, period=ctx.money(closed.period_total),
            tenders=tenders, perpetual=ctx.money(closed.perpetual_total)))
        self.day.setDate(_qdate(dayclose.business_day(ctx.store, ctx.clock())))  # the next business day
