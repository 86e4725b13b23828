"""Home: one scan field that always has focus, and the big actions with their shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_returns.services import session

from .context import AppContext
from .widgets import BigButton, MessageStrip

TXNO_RE = session.TXNO_RE  # our own paperwork: STORE-REGISTER-SEQ (the rule lives in services)


class HomeScreen(QWidget):
    scanned_receipt = Signal(str)
    scanned_transaction = Signal(str)
    action = Signal(str)  # "return", "no_receipt", "reprint", "manager", "training", "language", "sign_out"

    ACTIONS = (("return", "F2"), ("no_receipt", "F3"), ("reprint", "F4"), ("manager", "F5"),
               ("training", "F6"), ("language", "F7"), ("sign_out", "F10"))

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("homeScreen")
        layout = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setStyleSheet("font-size: 16pt;")
        layout.addWidget(self.prompt)
        self.scan = QLineEdit(objectName="scanField")
        self.scan.setMinimumHeight(56)
        self.scan.setStyleSheet("font-size: 20pt;")
        layout.addWidget(self.scan)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        grid = QGridLayout()
        self.buttons: dict[str, BigButton] = {}
        for i, (name, key) in enumerate(self.ACTIONS):
            button = BigButton(key, self)
            button.setObjectName(f"action_{name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the focus
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[name] = button
        layout.addLayout(grid)
        layout.addStretch(1)
        self.scan.returnPressed.connect(self._scanned)
        self.retranslate()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self.prompt.setText(_("Scan or type the receipt number, then Enter"))
        self.scan.setPlaceholderText(_("Receipt number or barcode"))
        labels = {"return": _("Return or exchange"), "no_receipt": _("No receipt"), "reprint": _("Reprint"),
                  "manager": _("Manager"), "training": _("Training: on") if self.ctx.training else _("Training"),
                  "language": _("Language"), "sign_out": _("Sign out")}
        for name, button in self.buttons.items():
            button.set_label(labels[name])

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.scan.setFocus()

    def _scanned(self) -> None:
        code = self.scan.text().strip()
        self.scan.clear()
        if not self.isVisible():  # typed while another screen is shown (a PIN, an ID number): never a lookup
            return
        if not code:
            self.message.error(self.ctx.gettext("Scan or type a receipt number."))
            return
        self.message.clear_message()
        if session.is_transaction_number(code):
            self.scanned_transaction.emit(code)
        else:
            self.scanned_receipt.emit(code)
