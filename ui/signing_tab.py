"""The manager area's "Signing key" tab: the key this register signs the journal with, the keys the journal knows
for it (each period), and a manager's approval of a new key (a replaced till, a lost key, a scheduled change).

Every core call goes through ui.ops.run_op to services.signing_keys.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pos_returns.services import signing_keys

from .context import AppContext
from .ops import run_op
from .widgets import MessageStrip


class SigningKeyTab(QWidget):
    def __init__(self, ctx: AppContext, table):
        super().__init__()
        self.ctx = ctx
        self._table = table
        _ = ctx.gettext
        self.layout_ = QVBoxLayout(self)
        self.status = QLabel(objectName="keyStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.status)
        self.periods = None
        form = QFormLayout()
        self.reason = QLineEdit(objectName="keyReason")
        self.reason.setPlaceholderText(_("For example: till replaced, key lost, yearly change"))
        self.manager = QLineEdit(ctx.staff.id if ctx.staff else "", objectName="keyManager")
        self.pin = QLineEdit(objectName="keyPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Why a new key"), self.reason)
        form.addRow(_("Manager"), self.manager)
        form.addRow(_("PIN"), self.pin)
        self.layout_.addLayout(form)
        self.button = QPushButton(_("Approve a new signing key"), objectName="approveKey")
        self.layout_.addWidget(self.button)
        self.message = MessageStrip()
        self.layout_.addWidget(self.message)
        self.result = QLabel(objectName="keyResult")
        self.result.setWordWrap(True)
        self.layout_.addWidget(self.result)
        self.layout_.addStretch(1)
        self.button.clicked.connect(self.approve)
        self.pin.returnPressed.connect(self.approve)
        self.refresh()

    def refresh(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        status = run_op(ctx, lambda: signing_keys.key_status(ctx.store, ctx.register), show=self.message.error)
        if status is None:
            return
        text = _("Register {register} signs the journal with key {fingerprint} ({key}).").format(
            register=status.register, fingerprint=status.fingerprint, key=status.public_key)
        if status.known_fingerprint is None:
            text += " " + _("The journal records it with the first entry it signs.")
        elif status.known:
            text += " " + _("The journal knows this key.")
        else:
            text += " " + _("The journal knows another key for this register ({known}): nothing can be recorded "
                            "here until a manager approves this one.").format(known=status.known_fingerprint)
        self.status.setText(text)
        rows = [[p.fingerprint, f"#{p.from_counter}", p.at, p.approved_by or "\u2014",
                 _("yes") if p.old_key_signed else (_("first key") if p.approved_by is None else _("no"))]
                for p in status.periods]
        table = self._table([_("Key"), _("From signature"), _("Since"), _("Approved by"), _("Signed by the old key")],
                            rows, "keyPeriods")
        if self.periods is not None:
            self.layout_.replaceWidget(self.periods, table)
            self.periods.deleteLater()
        else:
            self.layout_.insertWidget(1, table)
        self.periods = table

    def approve(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        pin = self.pin.text()
        self.pin.clear()
        change = run_op(ctx, lambda: signing_keys.approve_new_key(
            ctx.store, ctx.policy, ctx.register, self.manager.text().strip(), pin, self.reason.text(), ctx.clock),
            show=self.message.error)
        if change is None:
            return
        self.message.clear_message()
        how = _("signed by the old key") if change.old_key_signed else _("not signed by the old key (it is not "
                                                                          "here)")
        self.result.setText(_("Register {register} now signs with key {fingerprint} from signature #{counter}, "
                              "{how}. Give the new public key to head office: {key}").format(
            register=change.register, fingerprint=change.fingerprint, counter=change.from_counter, how=how,
            key=change.public_key))
        self.reason.clear()
        self.refresh()
