"""The manager's approval (and override) dialog: what is approved, then manager ID, reason, PIN.

It says what the manager signs for (each line with its outcome and refund, the amount the store hands back or
the customer pays, every rule that asks for a manager), asks the reason *before* the PIN with no reason chosen
in advance (a reason is the manager's own statement), and has room for its messages in every language: the
message strip wraps and the dialog grows to show it (a lockout message says until when).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout

from pos_returns.domain.policy_text import APPROVAL_CODE_TEXT, code_label
from pos_returns.i18n import N_
from pos_returns.services import counter as services, outcomes
from pos_returns.services.settlement import settlement_text

from .context import AppContext
from .ops import run_op
from .widgets import MessageStrip, _esc, outcome_label

CHOOSE_REASON = N_("Choose the reason for the approval first (Down arrow or type its first letter).")


def approval_summary(ctx: AppContext, pending: services.Pending, names: dict[int, str] | None = None) -> str:
    """What the manager approves, as rich text: lines, the amount, and the rules asking for a manager."""
    _ = ctx.gettext
    names = names or {}
    d = pending.decision
    shown = outcomes.shown_outcomes(d, ())[1]  # as the receipt screen marks them before the approval
    rows = "".join(
        f"<tr><td>{_esc(_('Line'))} {line.line}</td><td>{_esc(names.get(line.line, line.sku))}</td>"
        f"<td>\u00d7{line.qty}</td><td>{_esc(outcome_label(ctx, shown.get(line.line, line.outcome)))}</td>"
        f"<td align=right>{_esc(ctx.money(line.refund))}</td></tr>" for line in d.lines)
    amount = settlement_text(d, _, ctx.money)  # a mailed cheque is never said as money from the till
    rules = "".join(f"<li>{_esc(ctx.text(a.reason))} <small>({_esc(a.rule)})</small></li>" for a in d.approvals)
    return (f"<table cellspacing=4>{rows}</table><p><b>{_esc(amount)}</b></p>"
            f"<b>{_esc(_('Needs a manager'))}:</b><ul>{rules}</ul>")


class ApprovalDialog(QDialog):
    """Lists what needs approval and why; a manager signs with ID, a reason code and PIN."""

    def __init__(self, ctx: AppContext, pending: services.Pending, parent=None, names: dict[int, str] | None = None,
                 title: str | None = None):
        super().__init__(parent)
        from .dialogs import _buttons  # the dialogs' shared OK/Cancel row
        self.ctx, self.pending = ctx, pending
        self.grant: services.Grant | None = None
        _ = ctx.gettext
        self.setObjectName("approvalDialog")
        self.setWindowTitle(title or _("Manager approval"))
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        what = QLabel(approval_summary(ctx, pending, names))
        what.setObjectName("approvalList")
        what.setWordWrap(True)
        what.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(what)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.manager = QLineEdit(objectName="managerId")
        self.reason = QComboBox(objectName="reasonCode")
        self.reason.setPlaceholderText(_("Choose a reason"))
        for code in ctx.policy.approval.reason_codes:
            self.reason.addItem(code_label(code, ctx.lang, APPROVAL_CODE_TEXT), code)
        self.reason.setCurrentIndex(-1)  # no reason is chosen for the manager
        self.pin = QLineEdit(objectName="managerPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.manager, self.reason, self.pin):
            field.setMinimumHeight(44)
        form.addRow(_("Manager ID"), self.manager)
        form.addRow(_("Reason"), self.reason)
        form.addRow(_("PIN"), self.pin)
        layout.addLayout(form)
        self.message = MessageStrip()
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        layout.addWidget(self.message)
        buttons = _buttons(ctx, self, _("Approve") + " [Enter]")
        buttons.accepted.connect(self.approve)
        layout.addWidget(buttons)
        self.setTabOrder(self.manager, self.reason)
        self.setTabOrder(self.reason, self.pin)
        self.reason.installEventFilter(self)
        self.manager.returnPressed.connect(self.reason.setFocus)
        self.pin.returnPressed.connect(self.approve)
        self.manager.setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Enter is handled by each field (ID -> reason -> PIN -> approve); letting the dialog see it too would
        # press "Approve" a second time and spend one of the manager's five PIN tries.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        """Enter in the reason list (closed): on to the PIN once a reason is chosen."""
        if obj is self.reason and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.reason.view().isVisible():
            if self.reason.currentIndex() < 0:
                self._say(self.ctx.gettext(CHOOSE_REASON))
            else:
                self.pin.setFocus()
            return True
        return super().eventFilter(obj, event)

    def _say(self, text: str) -> None:
        self.message.error(text)
        self.adjustSize()  # the strip wraps; the dialog grows so nothing of it is cut off

    def approve(self) -> None:
        if self.reason.currentIndex() < 0:  # asked before the PIN: no PIN try is spent on a missing reason
            self._say(self.ctx.gettext(CHOOSE_REASON))
            self.reason.setFocus()
            return
        manager, pin = self.manager.text().strip(), self.pin.text()
        self.pin.clear()
        code = self.reason.currentData()
        grant = run_op(self.ctx, lambda: self.ctx.counter().approve(self.pending, manager, pin, code),
                       show=self._say)
        if grant is not None:
            self.grant = grant
            self.accept()
        else:
            self.pin.setFocus()
