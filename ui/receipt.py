"""The receipt screen: pick lines, quantities, condition and reason; see the decision; exchange basket."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QSplitter, QStyledItemDelegate, QTableView,
                               QVBoxLayout, QWidget)

from pos_returns.services import counter as services
from pos_returns.services import returns
from pos_returns.i18n import N_
from pos_returns.domain.labels import CONDITION_LABELS
from pos_returns.domain.policy_text import REASON_TEXT
from pos_returns.domain.model import Request, RequestLine, Sale
from pos_returns.domain.policy import CONDITIONS

from .context import AppContext
from .ops import run_op, scan_product
from .receipt_table import steady_table
from .widgets import OUTCOME_COLOR, DecisionPanel, MessageStrip, outcome_label

CONDITION_TEXT = CONDITION_LABELS


def reason_label(ctx: AppContext, code: str) -> str:
    return ctx.gettext(REASON_TEXT[code]) if code in REASON_TEXT else code.replace("_", " ")


@dataclass
class LineState:
    qty: int = 0
    condition: str = "unopened"
    reason: str = ""
    serial: str = ""


@dataclass
class Basket:
    items: list[tuple[services.Product, int]] = field(default_factory=list)


COLUMNS = (N_("Line"), N_("Item"), N_("Sold"), N_("Returned"), N_("Returnable"), N_("Return qty"),
           N_("Condition"), N_("Reason"), N_("Serial"), N_("Decision"), N_("Refund"))
C_QTY, C_COND, C_REASON, C_SERIAL, C_DECISION, C_REFUND = 5, 6, 7, 8, 9, 10


_ROLES = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole))


class ReturnLinesModel(QAbstractTableModel):
    changed = Signal()

    def __init__(self, ctx: AppContext, sale: Sale):
        super().__init__()
        self.ctx = ctx
        self._load(sale)

    def _load(self, sale: Sale) -> None:
        self.sale = sale
        default_reason = self.ctx.policy.reasons[0] if self.ctx.policy.reasons else ""
        self.states = [LineState(reason=default_reason) for _ in sale.lines]
        self.outcomes: dict[int, object] = {}
        self.serial_tags = self.ctx.policy.serial.tags

    def set_sale(self, sale: Sale) -> None:
        """Show another sale in the same model (the screen is reused from scan to scan)."""
        self.beginResetModel()
        self._load(sale)
        self.endResetModel()

    def returnable(self, row: int) -> int:
        return returns.returnable(self.sale, self.sale.lines[row])

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.sale.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.ctx.gettext(COLUMNS[section])
        return None

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (C_QTY, C_COND, C_REASON) and self.returnable(index.row()) > 0:
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == C_SERIAL and self._serialized(index.row()) and self.returnable(index.row()) > 0:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def _serialized(self, row: int) -> bool:
        return bool(self.serial_tags & self.sale.lines[row].tags)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # a paint asks every cell for a dozen roles; answer the ones we never fill before any other work
        if role not in _ROLES or not index.isValid():
            return None
        row, col = index.row(), index.column()
        line, state = self.sale.lines[row], self.states[row]
        decided = self.outcomes.get(line.line)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return line.line
            if col == 1:
                return f"{line.name or line.sku} ({line.sku})"
            if col == 2:
                return line.qty
            if col == 3:
                return self.sale.returned.get(line.line, 0)
            if col == 4:
                return self.returnable(row)
            if col == C_QTY:
                return state.qty
            if col == C_COND:
                return state.condition if role == Qt.ItemDataRole.EditRole else \
                    self.ctx.gettext(CONDITION_TEXT[state.condition])
            if col == C_REASON:
                return state.reason if role == Qt.ItemDataRole.EditRole else reason_label(self.ctx, state.reason)
            if col == C_SERIAL:
                return state.serial if self._serialized(row) else ""
            if col == C_DECISION:
                if self.returnable(row) == 0:
                    return self.ctx.gettext("Already returned")
                return outcome_label(self.ctx, decided.outcome) if decided and state.qty else ""
            if col == C_REFUND:
                return self.ctx.money(decided.refund) if decided and state.qty else ""
        if role == Qt.ItemDataRole.ForegroundRole and col == C_DECISION and decided and state.qty:
            return QBrush(QColor(OUTCOME_COLOR[decided.outcome]))
        if role == Qt.ItemDataRole.ToolTipRole and col == C_DECISION and decided:
            return "\n".join(self.ctx.text(r) for r in decided.reasons)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if role != Qt.ItemDataRole.EditRole:
            return False
        state = self.states[index.row()]
        col = index.column()
        if col == C_QTY:
            state.qty = max(0, min(int(value), self.returnable(index.row())))
        elif col == C_COND and value in CONDITIONS:
            state.condition = value
        elif col == C_REASON and value in self.ctx.policy.reasons:
            state.reason = value
        elif col == C_SERIAL:
            state.serial = str(value).strip()
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.changed.emit()
        return True

    def request_lines(self) -> tuple[RequestLine, ...]:
        return tuple(RequestLine(line=line.line, qty=s.qty, condition=s.condition, reason=s.reason,
                                 serial=s.serial or None)
                     for line, s in zip(self.sale.lines, self.states) if s.qty > 0)

    def show_decision(self, decision) -> None:
        self.outcomes = {d.line: d for d in decision.lines} if decision else {}
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))


class LineDelegate(QStyledItemDelegate):
    """Editors: a spin box for the quantity, lists from the policy for condition and reason."""

    def __init__(self, ctx: AppContext, model: ReturnLinesModel):
        super().__init__()
        self.ctx, self.model = ctx, model

    def createEditor(self, parent, option, index):  # noqa: N802
        col = index.column()
        if col == C_QTY:
            box = QSpinBox(parent)
            box.setRange(0, self.model.returnable(index.row()))
            return box
        if col in (C_COND, C_REASON):
            box = QComboBox(parent)
            if col == C_COND:
                for code in CONDITIONS:
                    box.addItem(self.ctx.gettext(CONDITION_TEXT[code]), code)
            else:
                for code in self.ctx.policy.reasons:
                    box.addItem(reason_label(self.ctx, code), code)
            return box
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value())
        else:
            super().setModelData(editor, model, index)


class ReceiptScreen(QWidget):
    """One sale being returned or exchanged. Emits ``committed`` with the recorded Transaction."""

    committed = Signal(object)
    cancelled = Signal()

    def __init__(self, ctx: AppContext, sale: Sale):
        super().__init__()
        self.ctx, self.sale = ctx, sale
        self.setObjectName("receiptScreen")
        self.pending: services.Pending | None = None
        self.grants: list[services.Grant] = []
        self.basket = Basket()
        self._build(ctx, sale)
        self.retranslate()
        self.load(sale)

    def _build(self, ctx: AppContext, sale: Sale) -> None:
        """The widgets, once: the window keeps one receipt screen and loads each scanned sale into it."""
        layout = QVBoxLayout(self)
        self.header = QLabel(objectName="receiptHeader")
        self.header.setStyleSheet("font-size: 14pt;")
        layout.addWidget(self.header)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.model = ReturnLinesModel(ctx, sale)
        self.table = QTableView(objectName="linesTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(LineDelegate(ctx, self.model))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        steady_table(self.table, 40)  # fixed 40 px rows, a steady scroll bar
        self.table.horizontalHeader().setStretchLastSection(True)
        splitter.addWidget(self.table)
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        exchange = QVBoxLayout()
        self.exchange_label = QLabel()
        self.exchange_scan = QLineEdit(objectName="exchangeScan")
        self.exchange_list = QListWidget(objectName="exchangeList")
        self.remove_button = QPushButton(objectName="removeExchange")
        exchange.addWidget(self.exchange_label)
        exchange.addWidget(self.exchange_scan)
        exchange.addWidget(self.exchange_list)
        exchange.addWidget(self.remove_button)
        lower_layout.addLayout(exchange, 1)
        self.panel = DecisionPanel(ctx)
        lower_layout.addWidget(self.panel, 2)
        splitter.addWidget(lower)
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(objectName="cancelButton")
        self.approve_button = QPushButton(objectName="approveButton")
        self.finish_button = QPushButton(objectName="finishButton")
        for b in (self.cancel_button, self.approve_button, self.finish_button):
            b.setMinimumHeight(56)
            b.setStyleSheet("font-size: 14pt;")
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.approve_button.clicked.connect(self.ask_approval)
        self.finish_button.clicked.connect(self.finish)
        for key, slot in (("Escape", self.cancelled.emit), ("F8", self.ask_approval), ("F12", self.finish),
                          ("Ctrl+Return", self.finish), ("Ctrl+E", self.exchange_scan.setFocus),
                          ("Ctrl+L", self.table.setFocus)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.exchange_scan.returnPressed.connect(self.add_exchange_item)
        self.remove_button.clicked.connect(self.remove_exchange_item)
        self.model.changed.connect(self.refresh)

    def load(self, sale: Sale) -> None:
        """Start over with ``sale``: no lines picked, no approvals, an empty exchange basket."""
        if sale is not self.model.sale:
            self.model.set_sale(sale)
        self.sale = sale
        self.pending = None
        self.grants = []
        self.basket = Basket()
        self.message.clear_message()
        self.exchange_scan.clear()
        self._set_header()  # the other texts stay (retranslate() sets them, and again when the language changes)
        self._fill_basket()
        self.refresh()
        self.table.scrollToTop()
        first = next((r for r in range(self.model.rowCount()) if self.model.returnable(r) > 0), None)
        if first is None:
            self.message.error(self.ctx.gettext("Everything on receipt {receipt} has already been returned.").format(
                receipt=sale.receipt))
        else:
            self.table.setCurrentIndex(self.model.index(first, C_QTY))

    # -- text -----------------------------------------------------------------
    def retranslate(self) -> None:
        _ = self.ctx.gettext
        self._set_header()
        self.exchange_label.setText(_("Exchange basket: scan new items [Ctrl+E]"))
        self.exchange_scan.setPlaceholderText(_("SKU or barcode, then Enter"))
        self.remove_button.setText(_("Remove item [Del]"))
        self.cancel_button.setText(_("Cancel") + " [Esc]")
        self.approve_button.setText(_("Manager approval") + " [F8]")
        self.finish_button.setText(_("Finish") + " [F12]")
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._fill_basket()
        self.panel.retranslate()

    def _set_header(self) -> None:
        _ = self.ctx.gettext
        from pos_returns.i18n import format_value
        gift = ("  \u2022 " + _("Gift receipt")) if self.sale.gift_receipt else ""
        self.header.setText(_("Receipt {receipt}, sold {date}").format(
            receipt=self.sale.receipt, date=format_value(self.sale.sold_at, self.ctx.lang)) + gift)

    # -- decision -------------------------------------------------------------
    def request(self) -> Request | None:
        return returns.receipt_request(self.model.request_lines(), self.basket.items)

    def refresh(self) -> None:
        self.grants.clear()  # an approval is bound to exactly what was approved
        request = self.request()
        if request is None:
            self.pending = None
            self.model.show_decision(None)
            self.panel.show_decision(None)
            self._buttons()
            return
        staff = self.ctx.staff  # the signed-in session; prepare refuses without one
        self.pending = run_op(self.ctx, lambda: self.ctx.counter().prepare(staff, self.sale, request),
                              show=self.message.error)
        decision = self.pending.decision if self.pending else None
        self.model.show_decision(decision)
        self.panel.show_decision(decision, {line.line: line.name or line.sku for line in self.sale.lines})
        self._buttons()

    def _buttons(self) -> None:
        d = self.pending.decision if self.pending else None
        needs = bool(d and d.approvals and not self._approved())
        self.approve_button.setEnabled(needs)
        self.finish_button.setEnabled(bool(d and d.outcome != "denied"))

    def _approved(self) -> bool:
        return bool(self.pending) and returns.covered(self.pending.decision, self.grants)

    # -- exchange -------------------------------------------------------------
    def add_exchange_item(self) -> None:
        product = scan_product(self.ctx, self.exchange_scan, self.message)
        if product is None:
            return
        for i, (p, q) in enumerate(self.basket.items):
            if p.sku == product.sku:
                self.basket.items[i] = (p, q + 1)
                break
        else:
            self.basket.items.append((product, 1))
        self._fill_basket()
        self.refresh()

    def remove_exchange_item(self) -> None:
        row = self.exchange_list.currentRow()
        if 0 <= row < len(self.basket.items):
            del self.basket.items[row]
            self._fill_basket()
            self.refresh()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Delete and self.exchange_list.hasFocus():
            self.remove_exchange_item()
            return
        super().keyPressEvent(event)

    def _fill_basket(self) -> None:
        self.exchange_list.clear()
        for product, qty in self.basket.items:
            QListWidgetItem(f"{product.name} ({product.sku}) \u00d7{qty}  {self.ctx.money(product.price)}",
                            self.exchange_list)

    # -- approval and finish ----------------------------------------------------
    def ask_approval(self) -> bool:
        from .dialogs import ApprovalDialog
        if not self.pending or not self.pending.decision.approvals:
            return True
        dialog = ApprovalDialog(self.ctx, self.pending, self)
        if dialog.exec() and dialog.grant is not None:
            self.grants.append(dialog.grant)
            self.message.info(self.ctx.gettext("Approved by {manager}.").format(manager=dialog.grant.manager))
            self._buttons()
            return True
        return False

    def finish(self) -> None:
        from .dialogs import finish_transaction
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setFocus()  # commit the open editor first
        names = {line.line: line.name or line.sku for line in self.sale.lines}
        tx = finish_transaction(self.ctx, self, self.pending, self.grants, names, self.message.error,
                                on_error=self._commit_refused)
        if tx is not None:
            self.committed.emit(tx)

    def _commit_refused(self, exc: BaseException) -> None:
        """Another till changed this sale meanwhile: show the new decision (finishing again records that one)."""
        if not isinstance(exc, services.DecisionChanged):
            return
        self.pending = exc.pending
        self.sale = self.model.sale = exc.pending.case.sale
        self.grants.clear()  # an approval is bound to exactly what was approved
        decision = self.pending.decision
        self.model.show_decision(decision)
        self.panel.show_decision(decision, {line.line: line.name or line.sku for line in self.sale.lines})
        self._buttons()
