"""The customer's photo ID on the receipt screen, shown only when the policy asks for one ([photo_id]) or
counts returns with a receipt by it ([customer_limits]): the ID number (masked once typed) and "ID checked"."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from pos_returns.domain.model import Customer, Request, Sale
from pos_returns.services import identity

from .context import AppContext


class IdEntry(QWidget):
    """Emits ``changed`` when the number is entered (Enter or leaving the field) or "ID checked" toggles."""

    changed = Signal()

    def __init__(self, ctx: AppContext, screen: QWidget):
        super().__init__(screen, objectName="idEntry")
        self.ctx = ctx
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.number = QLineEdit(objectName="receiptCustomerId")
        self.number.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # masked once entered
        self.checked = QCheckBox(objectName="receiptIdChecked")
        row.addWidget(self.label)
        row.addWidget(self.number, 1)
        row.addWidget(self.checked)
        self.number.editingFinished.connect(self.changed.emit)
        self.checked.toggled.connect(lambda _on: self.changed.emit())
        shortcut = QShortcut(QKeySequence("Ctrl+I"), screen)  # anywhere on the screen
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.number.setFocus)
        self.retranslate()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self.label.setText(_("Customer's photo ID number [Ctrl+I]"))
        self.checked.setText(_("Photo ID checked"))

    def reset(self, sale: Sale) -> None:
        """A new sale: empty, and shown only when the policy identifies the customer of a return by ID."""
        self.number.clear()
        self.checked.setChecked(False)
        self.setVisible(identity.counts_by_id(self.ctx.policy, sale))

    def applied(self, request: Request | None) -> Request | None:
        """``request`` with the customer's ID (the services hash and mask the number)."""
        if request is None or self.isHidden():
            return request
        document = self.number.text().strip() or None
        return replace(request, customer=replace(request.customer or Customer(), id=document,
                                                 id_verified=self.checked.isChecked()))
