"""The day-close confirmation: the business day's totals, then the manager's ID and PIN; Enter closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from pos_returns import i18n
from pos_returns.services import dayclose

from .context import AppContext
from .dialogs import _buttons
from .ops import run_op
from .widgets import MessageStrip, _esc, tender_label


class DayCloseDialog(QDialog):
    """Shows what closing ``day`` will state; a manager confirms with their PIN. ``closed`` holds the result."""

    def __init__(self, ctx: AppContext, figures: dayclose.DayFigures, parent=None):
        super().__init__(parent)
        self.ctx, self.figures = ctx, figures
        self.closed = None
        _ = ctx.gettext
        self.setObjectName("dayCloseDialog")
        self.setWindowTitle(_("Close the day"))
        layout = QVBoxLayout(self)
        tenders = "".join(f"<li>{_esc(tender_label(ctx, k))}: {_esc(ctx.money(v))}</li>"
                          for k, v in figures.refunds_by_tender) or "<li>\u2014</li>"
        summary = QLabel(objectName="dayCloseTotals")
        summary.setWordWrap(True)
        summary.setText(
            "<p><b>" + _esc(_("Close business day {day}?").format(day=i18n.format_value(figures.day, ctx.lang))) + "</b></p><p>"
            + _esc(_("{count} transactions; paid out {period}; perpetual total {perpetual}.").format(
                count=figures.count, period=ctx.money(figures.period_total),
                perpetual=ctx.money(figures.perpetual_total))) + f"</p><ul>{tenders}</ul><p>"
            + _esc(_("Returns after the close belong to the next business day.")) + "</p>")
        layout.addWidget(summary)
        form = QFormLayout()
        self.manager = QLineEdit(ctx.staff.id if ctx.staff else "", objectName="managerId")
        self.pin = QLineEdit(objectName="managerPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Manager ID"), self.manager)
        form.addRow(_("PIN"), self.pin)
        layout.addLayout(form)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        buttons = _buttons(ctx, self, _("Close the day") + " [Enter]")
        buttons.accepted.connect(self.confirm)
        layout.addWidget(buttons)
        self.manager.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.confirm)
        self.resize(520, 360)
        self.pin.setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # each field handles its own Enter
            event.accept()
            return
        super().keyPressEvent(event)

    def confirm(self) -> None:
        manager, pin = self.manager.text(), self.pin.text()
        self.pin.clear()
        ctx, day = self.ctx, self.figures.day
        closed = run_op(ctx, lambda: dayclose.close_with_pin(ctx.counter(), day, manager, pin),
                        show=self.message.error)
        if closed is None:
            self.pin.setFocus()
            return
        self.closed = closed
        self.accept()
