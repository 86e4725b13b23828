"""Done: the transaction number, what was printed (or why not), reprint; Enter goes back to the scan field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from pos_returns.services.counter import Transaction
from pos_returns.services.settlement import recorded_payment, settlement_text

from .context import AppContext
from .style import mark
from .widgets import MessageStrip


class DoneScreen(QWidget):
    back = Signal()
    reprint = Signal(str)

    def __init__(self, ctx: AppContext, tx: Transaction):
        super().__init__()
        self.ctx, self.tx = ctx, tx
        self.setObjectName("doneScreen")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(objectName="doneTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark(self.title, "outcome", "approved")
        self.number = QLabel(tx.txno, objectName="txno")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.money = QLabel(objectName="doneMoney")
        self.money.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = MessageStrip()
        self.reprint_button = QPushButton(objectName="reprintButton")
        self.back_button = QPushButton(objectName="backButton")
        for b in (self.reprint_button, self.back_button):
            b.setMinimumHeight(56)
        for w in (self.title, self.number, self.money, self.message, self.reprint_button, self.back_button):
            layout.addWidget(w)
        layout.addStretch(2)
        self.reprint_button.clicked.connect(lambda: self.reprint.emit(self.tx.txno))
        self.back_button.clicked.connect(self.back.emit)
        for key in ("Return", "Enter", "Escape"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.back.emit)
        shortcut = QShortcut(QKeySequence("F4"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.reprint.emit(self.tx.txno))
        self.retranslate()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self.title.setText("\u2714 " + _("Recorded") + (" \u2014 " + _("TRAINING") if self.tx.entry.training else ""))
        self.money.setText(settlement_text(self.tx.decision, _, self.ctx.money, recorded_payment(self.tx)))
        self.reprint_button.setText(_("Reprint") + " [F4]")
        self.back_button.setText(_("Next customer") + " [Enter]")

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.back_button.setFocus()
