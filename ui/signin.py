"""Sign-in: staff ID (typed or badge-scanned) and PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pos_returns.services.counter import StaffMember

from .context import AppContext
from .ops import run_op
from .widgets import MessageStrip


class SignInScreen(QWidget):
    signed_in = Signal(object)  # StaffMember

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("signInScreen")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setObjectName("signinTitle")
        layout.addWidget(self.title)
        form = QFormLayout()
        self.staff_id = QLineEdit(objectName="staffId")
        self.pin = QLineEdit(objectName="pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.staff_id, self.pin):
            field.setMinimumHeight(44)
            field.setProperty("role", "signin")
        self.id_label, self.pin_label = QLabel(), QLabel()
        form.addRow(self.id_label, self.staff_id)
        form.addRow(self.pin_label, self.pin)
        layout.addLayout(form)
        self.button = QPushButton(objectName="signInButton")
        self.button.setMinimumHeight(56)
        layout.addWidget(self.button)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        layout.addStretch(2)
        self.staff_id.returnPressed.connect(self.pin.setFocus)  # a badge scanner types the id and Enter
        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self.title.setText(_("Sign in"))
        self.id_label.setText(_("Staff ID"))
        self.pin_label.setText(_("PIN"))
        self.button.setText(_("Sign in") + " [Enter]")
        self.staff_id.setPlaceholderText(_("Scan your badge or type your ID"))

    def reset(self) -> None:
        self.staff_id.clear()
        self.pin.clear()
        self.message.clear_message()
        self.staff_id.setFocus()

    def submit(self) -> None:
        staff_id, pin = self.staff_id.text().strip(), self.pin.text()
        self.pin.clear()
        if not staff_id:
            self.message.error(self.ctx.gettext("Enter your staff ID."))
            self.staff_id.setFocus()
            return
        member = run_op(self.ctx, lambda: self.ctx.counter().sign_in(staff_id, pin), show=self.message.error)
        if isinstance(member, StaffMember):
            self.message.clear_message()
            self.signed_in.emit(member)
        else:
            self.pin.setFocus()
