"""The manager area's Complaints tab: record a complaint or a compliment, and the latest ones."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDateEdit, QFormLayout, QLineEdit, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QTextEdit, QVBoxLayout, QWidget)

from pos_returns.i18n import N_
from pos_returns.services import manager_view as mv

from .context import AppContext
from .ops import run_op
from .widgets import MessageStrip
from .manager_common import _qdate


class ComplaintsTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox(objectName="complaintKind")
        self.kind.addItem(_("Complaint"), "complaint")
        self.kind.addItem(_("Compliment"), "compliment")
        self.category = QComboBox(objectName="complaintCategory")
        for code, label in (("service", N_("Service")), ("policy", N_("Policy")), ("wait", N_("Waiting time")),
                            ("product", N_("Product")), ("other", N_("Other"))):
            self.category.addItem(_(label), code)
        self.severity = QSpinBox(objectName="complaintSeverity")
        self.severity.setRange(1, 5)
        self.severity.setValue(3)
        self.txno = QLineEdit(objectName="complaintTxno")
        self.text = QTextEdit(objectName="complaintText")
        self.text.setMaximumHeight(80)
        self.resolution = QLineEdit(objectName="complaintResolution")
        self.follow_up = QDateEdit(_qdate(ctx.today()).addDays(7), objectName="complaintFollowUp")
        self.follow_up.setCalendarPopup(True)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Severity (1-5)"), self.severity)
        form.addRow(_("Transaction number (optional)"), self.txno)
        form.addRow(_("What the customer said"), self.text)
        form.addRow(_("Resolution"), self.resolution)
        form.addRow(_("Follow up on"), self.follow_up)
        layout.addLayout(form)
        self.save_button = QPushButton(_("Log it"), objectName="logComplaint")
        layout.addWidget(self.save_button)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.list = QTableWidget(0, 6, objectName="complaintList")
        layout.addWidget(self.list, 1)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def save(self) -> None:
        ctx = self.ctx
        fields = dict(at=ctx.clock(), logged_by=ctx.staff.id if ctx.staff else "?",
                      kind=self.kind.currentData(), category=self.category.currentData(),
                      severity=self.severity.value(), text=self.text.toPlainText(),
                      txno=self.txno.text().strip() or None, resolution=self.resolution.text().strip() or None,
                      follow_up=self.follow_up.date().toPython())
        if run_op(ctx, lambda: mv.log_complaint(ctx.store, **fields), show=self.message.error) is None:
            return
        self.text.clear()
        self.txno.clear()
        self.resolution.clear()
        self.message.info(ctx.gettext("Logged."))
        self.refresh()

    def refresh(self) -> None:
        _ = self.ctx.gettext
        ctx = self.ctx
        rows = run_op(ctx, lambda: mv.recent_complaints(ctx.store, ctx.today()), show=self.message.error)
        if rows is None:
            return
        self.list.setColumnCount(6)
        self.list.setHorizontalHeaderLabels([_("When"), _("Kind"), _("Severity"), _("Transaction"), _("Text"),
                                             _("Follow up on")])
        self.list.setRowCount(len(rows))
        for r, row in enumerate(reversed(rows)):
            for c, key in enumerate(("at", "kind", "severity", "txno", "text", "follow_up")):
                self.list.setItem(r, c, QTableWidgetItem(str(row[key] or "")))
