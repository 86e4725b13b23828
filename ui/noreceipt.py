"""A return without a receipt: scan the items, take the customer's ID (masked), see the limits."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QVBoxLayout, QWidget)

from pos_returns.services import counter as services
from pos_returns.services import returns
from pos_returns.domain.model import Request
from pos_returns.domain.policy import CONDITIONS

from .context import AppContext
from .ops import run_op, scan_product
from .receipt import CONDITION_TEXT
from .widgets import DecisionPanel, MessageStrip


class NoReceiptScreen(QWidget):
    committed = Signal(object)
    cancelled = Signal()

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("noReceiptScreen")
        self.items: list[tuple[services.Product, str, int]] = []  # product, condition, qty
        self.pending: services.Pending | None = None
        self.grants: list[services.Grant] = []
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        layout.addWidget(self.title)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        left = QVBoxLayout()
        form = QFormLayout()
        # labels above their fields: long labels (Czech, Vietnamese) never squeeze a field to a few letters
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.customer_id = QLineEdit(objectName="customerId")
        self.customer_id.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # masked once entered
        self.id_checked = QCheckBox(objectName="idChecked")
        self.scan = QLineEdit(objectName="itemScan")
        self.condition = QComboBox(objectName="itemCondition")
        self.id_label, self.checked_label, self.scan_label, self.cond_label = QLabel(), QLabel(), QLabel(), QLabel()
        form.addRow(self.id_label, self.customer_id)
        form.addRow(self.checked_label, self.id_checked)
        form.addRow(self.cond_label, self.condition)
        form.addRow(self.scan_label, self.scan)
        left.addLayout(form)
        self.limits = QLabel(objectName="limits")
        self.limits.setWordWrap(True)
        left.addWidget(self.limits)
        self.list = QListWidget(objectName="itemList")
        left.addWidget(self.list, 1)
        row.addLayout(left, 2)
        self.panel = DecisionPanel(ctx)
        row.addWidget(self.panel, 3)
        layout.addLayout(row, 1)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(objectName="cancelButton")
        self.finish_button = QPushButton(objectName="finishButton")
        for b in (self.cancel_button, self.finish_button):
            b.setMinimumHeight(56)
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.finish_button.clicked.connect(self.finish)
        for key, slot in (("Escape", self.cancelled.emit), ("F12", self.finish), ("Ctrl+Return", self.finish)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.scan.returnPressed.connect(self.add_item)
        self.customer_id.editingFinished.connect(self.refresh)
        self.id_checked.toggled.connect(self.refresh)
        self.customer_id.returnPressed.connect(self.scan.setFocus)
        self.retranslate()
        self.refresh()
        self.customer_id.setFocus()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self.title.setText(_("Return without a receipt"))
        self.id_label.setText(_("Customer ID number"))
        self.checked_label.setText(_("ID checked"))
        self.scan_label.setText(_("Scan item"))
        self.cond_label.setText(_("Condition"))
        current = self.condition.currentData()
        self.condition.clear()
        for code in CONDITIONS:
            self.condition.addItem(_(CONDITION_TEXT[code]), code)
        self.condition.setCurrentIndex(max(self.condition.findData(current or "unopened"), 0))
        self.scan.setPlaceholderText(_("SKU or barcode, then Enter"))
        self.cancel_button.setText(_("Cancel") + " [Esc]")
        self.finish_button.setText(_("Finish") + " [F12]")
        self._fill()
        self._limits()
        self.panel.retranslate()

    def add_item(self) -> None:
        product = scan_product(self.ctx, self.scan, self.message)
        if product is None:
            return
        self.items.append((product, self.condition.currentData(), 1))
        self._fill()
        self.refresh()

    def _fill(self) -> None:
        self.list.clear()
        counter = self.ctx.counter()
        for product, condition, qty in self.items:
            # the store's own lowest price of the look-back, shown; the services price the return the same way
            low = run_op(self.ctx, lambda: counter.lowest_price(product.sku), show=self.message.error)
            self.list.addItem(f"{product.name} ({product.sku}) \u00d7{qty} \u2014 "
                              f"{self.ctx.gettext(CONDITION_TEXT[condition])} \u2014 "
                              f"{self.ctx.money(low) if low is not None else chr(0x2014)}")

    def _limits(self) -> None:
        _ = self.ctx.gettext
        rule = self.ctx.policy.no_receipt
        document = self.customer_id.text()
        standing = run_op(self.ctx, lambda: returns.no_receipt_standing(self.ctx.counter(), document),
                          show=self.message.error)
        if standing is None:
            self.limits.setText("")
            return
        count, value = standing
        parts = [_("In the last {days} days: {count} returns without a receipt, {value}.").format(
            days=rule.limit_days, count=count, value=self.ctx.money(value))]
        if rule.limit_count is not None:
            parts.append(_("Limit: {count} returns.").format(count=rule.limit_count))
        if rule.limit_value is not None:
            parts.append(_("Limit: {value}.").format(value=self.ctx.money(self.ctx.policy.money(rule.limit_value))))
        self.limits.setText(" ".join(parts))

    def request(self) -> Request | None:
        # no price from the screen: the services take the store's lowest price of the look-back
        return returns.no_receipt_request(self.items, self.customer_id.text(), self.id_checked.isChecked())

    def refresh(self) -> None:
        self.grants.clear()
        self._limits()
        request = self.request()
        if request is None:
            self.pending = None
            self.panel.show_decision(None)
            self.finish_button.setEnabled(False)
            return
        staff = self.ctx.staff  # the signed-in session; prepare refuses without one
        self.pending = run_op(self.ctx, lambda: self.ctx.counter().prepare(staff, None, request),
                              show=self.message.error)
        decision = self.pending.decision if self.pending else None
        names = {i: p.name for i, (p, _c, _q) in enumerate(self.items, 1)}
        self.panel.show_decision(decision, names)
        self.finish_button.setEnabled(bool(decision and decision.outcome != "denied"))

    def finish(self) -> None:
        from .dialogs import finish_transaction
        names = {i: p.name for i, (p, _c, _q) in enumerate(self.items, 1)}
        tx = finish_transaction(self.ctx, self, self.pending, self.grants, names, self.message.error)
        if tx is not None:
            self.committed.emit(tx)
