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
from .id_entry import IdEntry
from .ops import run_op, scan_product
from .receipt_keys import CellKeys, ask_discard, move_out_of_editor, override_or_approve, show_one_truth
from .receipt_table import ColumnFit, sized_once, steady_table
from .widgets import OUTCOME_COLOR, DecisionPanel, MessageStrip, outcome_label

CONDITION_TEXT = CONDITION_LABELS


def reason_label(ctx: AppContext, code: str) -> str:
    own = ctx.policy.label(code, ctx.lang)  # the policy's own name for it in this language, if it gives one
    return own or (ctx.gettext(REASON_TEXT[code]) if code in REASON_TEXT else code.replace("_", " "))


@dataclass
class LineState:
    qty: int = 0
    condition: str = "unopened"
    reason: str = ""
    serial: str = ""


@dataclass
class Basket:
    items: list[tuple[services.Product, int]] = field(default_factory=list)


COLUMNS = (N_("Line"), N_("Item"), N_("Sold"), N_("Paid"), N_("Returned"), N_("Returnable"), N_("Return qty"),
           N_("Condition"), N_("Reason"), N_("Serial"), N_("Decision"), N_("Refund"))
C_ITEM, C_SOLD, C_PAID, C_RETURNED, C_RETURNABLE = 1, 2, 3, 4, 5
C_QTY, C_COND, C_REASON, C_SERIAL, C_DECISION, C_REFUND = 6, 7, 8, 9, 10, 11
QTY_REFUSED = N_("Line {line}: only {left} can be returned ({sold} sold, {returned} already returned).")


_ROLES = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole))


class ReturnLinesModel(QAbstractTableModel):
    changed = Signal()
    refused = Signal(str)  # a quantity above what may come back: the message to show

    def __init__(self, ctx: AppContext, sale: Sale):
        super().__init__()
        self.ctx = ctx
        self._load(sale)

    def _load(self, sale: Sale) -> None:
        self.sale = sale
        default_reason = self.ctx.policy.reasons[0] if self.ctx.policy.reasons else ""
        self.states = [LineState(reason=default_reason) for _ in sale.lines]
        self.outcomes: dict[int, object] = {}
        self.shown: dict[int, str] = {}  # the outcome each line shows (services.outcomes: one truth on screen)
        self.serial_tags = self.ctx.policy.serial.tags
        self.paid = returns.paid_per_line(sale, self.ctx.policy.store.prices_include_tax)  # the price paid per line

    def set_sale(self, sale: Sale) -> None:
        """Show another sale in the same model (the screen is reused); as many lines as before: no reset."""
        if len(sale.lines) == len(self.sale.lines):
            self._load(sale)
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))
            return
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
            if col == C_ITEM:
                return f"{line.name or line.sku} ({line.sku})"
            if col == C_SOLD:
                return line.qty
            if col == C_PAID:
                return self.ctx.money(self.paid[line.line]) if line.line in self.paid else ""
            if col == C_RETURNED:
                return self.sale.returned.get(line.line, 0)
            if col == C_RETURNABLE:
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
                return outcome_label(self.ctx, self._shown(decided)) if decided and state.qty else ""
            if col == C_REFUND:
                return self.ctx.money(decided.refund) if decided and state.qty else ""
        if role == Qt.ItemDataRole.ForegroundRole and col == C_DECISION and decided and state.qty:
            return QBrush(QColor(OUTCOME_COLOR[self._shown(decided)]))
        if role == Qt.ItemDataRole.ToolTipRole and col == C_DECISION and decided:
            return "\n".join(self.ctx.text(r) for r in decided.reasons)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if role != Qt.ItemDataRole.EditRole:
            return False
        state = self.states[index.row()]
        col = index.column()
        if col == C_QTY:
            left = self.returnable(index.row())
            if int(value) > left:  # refused with a message, never silently cut down
                line = self.sale.lines[index.row()]
                self.refused.emit(self.ctx.gettext(QTY_REFUSED).format(
                    line=line.line, left=left, sold=line.qty, returned=self.sale.returned.get(line.line, 0)))
                return False
            state.qty = max(0, int(value))
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

    def _shown(self, decided) -> str:
        return self.shown.get(decided.line, decided.outcome)

    def show_decision(self, decision, shown: dict[int, str] | None = None) -> None:
        self.outcomes = {d.line: d for d in decision.lines} if decision else {}
        self.shown = dict(shown or {})
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
            box.setRange(0, 9999)  # more than may come back is refused by the model, with a message
            box.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
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

    def eventFilter(self, editor, event):  # noqa: N802
        """Up and Down leave the editor and move between rows; they never change a quantity or a choice."""
        if move_out_of_editor(self, editor, event):
            return True
        return super().eventFilter(editor, event)

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
        self.overrides: frozenset[str] = frozenset()  # rule ids a manager overrode (F8 on a denied line)
        self.basket = Basket()
        self._build(ctx, sale)
        self.retranslate()
        self.load(sale)

    def _build(self, ctx: AppContext, sale: Sale) -> None:
        """The widgets, once: the window keeps one receipt screen and loads each scanned sale into it."""
        layout = QVBoxLayout(self)
        self.header = QLabel(objectName="receiptHeader")
        layout.addWidget(self.header)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.id_entry = IdEntry(ctx, self)  # only when the policy asks for the customer's photo ID
        layout.addWidget(self.id_entry)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.model = ReturnLinesModel(ctx, sale)
        self.table = QTableView(objectName="linesTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(LineDelegate(ctx, self.model))
        # typing, F2, Enter (CellKeys) or a double click edit a cell; moving with the arrows never does
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked)
        self.cell_keys = CellKeys(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        steady_table(self.table, 44)  # fixed rows (never measured), a touch target each (ui.style.TARGET)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()  # the Line column numbers the rows
        sized_once(self.table)  # names and outcomes never cut off: fitted at each load (ColumnFit)
        self.fit = ColumnFit(self.table, C_ITEM, C_DECISION, C_REFUND)
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
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.escape)
        self.approve_button.clicked.connect(self.ask_approval)
        self.finish_button.clicked.connect(self.finish)
        for key, slot in (("Escape", self.escape), ("F8", self.ask_approval), ("F12", self.finish),
                          ("Ctrl+Return", self.finish), ("Ctrl+E", self.exchange_scan.setFocus),
                          ("Ctrl+L", self.table.setFocus)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.exchange_scan.returnPressed.connect(self.add_exchange_item)
        self.remove_button.clicked.connect(self.remove_exchange_item)
        self.model.changed.connect(self.refresh)
        self.id_entry.changed.connect(self.refresh)
        self.model.refused.connect(self.message.error)

    def load(self, sale: Sale) -> None:
        """Start over with ``sale``: no lines picked, no approvals, an empty exchange basket."""
        if sale is not self.model.sale:
            self.model.set_sale(sale)
        self.sale = sale
        self.pending = None
        self.grants = []
        self.overrides = frozenset()
        self.basket = Basket()
        self.message.clear_message()
        self.exchange_scan.clear()
        self.id_entry.reset(sale)
        self._set_header()  # the other texts stay (retranslate() sets them, and again when the language changes)
        self._fill_basket()
        # a receipt without serialized items needs no Serial column: the refund column then fits a 1366 screen
        self.table.setColumnHidden(C_SERIAL, not any(self.model._serialized(r) for r in range(self.model.rowCount())))
        self.fit.load(self.model, self.ctx.lang, self.ctx.money)
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
        if self.fit.language_changed(self.ctx.lang):  # the window retranslates at every go-home
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
            self.fit.load(self.model, self.ctx.lang, self.ctx.money)
        self._fill_basket()
        self.id_entry.retranslate()
        self.panel.retranslate()

    def _set_header(self) -> None:
        _ = self.ctx.gettext
        from pos_returns.i18n import format_value
        gift = ("  \u2022 " + _("Gift receipt")) if self.sale.gift_receipt else ""
        self.header.setText(_("Receipt {receipt}, sold {date}").format(
            receipt=self.sale.receipt, date=format_value(self.sale.sold_at, self.ctx.lang)) + gift)

    # -- decision -------------------------------------------------------------
    def request(self) -> Request | None:
        request = self.id_entry.applied(returns.receipt_request(self.model.request_lines(), self.basket.items))
        if request is not None and self.overrides:
            from dataclasses import replace
            request = replace(request, overrides=self.overrides)
        return request

    def work_in_progress(self) -> bool:
        """Anything the cashier would lose: a line picked, an item in the basket, a manager's approval."""
        return bool(self.model.request_lines() or self.basket.items or self.grants)

    def escape(self) -> None:
        """Esc: back to the scan field; with work in progress only after the cashier says so."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setFocus()  # an open editor closes first (its Esc); never a second meaning
            return
        if self.work_in_progress() and not ask_discard(self.ctx, self, bool(self.grants)):
            self.table.setFocus()
            return
        self.cancelled.emit()

    def refresh(self) -> None:
        if self.grants:  # an approval is bound to exactly what was approved: say so when a change ends it
            self.message.error(self.ctx.gettext("This change cancelled the manager's approval; ask for it "
                                                "again [F8]."))
        self.grants.clear()
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
        self._show_decision()

    def _show_decision(self) -> None:
        """Table marks, headline and buttons from one reading of the decision and the approvals given."""
        show_one_truth(self)
        self.fit.decision(self.model)

    def _buttons(self) -> None:
        show_one_truth(self)
        self.fit.decision(self.model)

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
        """F8: a manager's override of the denied line under the cursor, else the approval the decision asks."""
        done = override_or_approve(self)
        self.fit.decision(self.model)  # an approval changes what the lines show
        self.table.setFocus()
        return done

    def finish(self) -> None:
        from .dialogs import finish_transaction
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setFocus()  # commit the open editor first
        from pos_returns.services.override import overridable_lines
        if self.pending and self.pending.decision.outcome == "denied" \
                and overridable_lines(self.pending.decision) and not self.ask_approval():
            return
        names = {line.line: line.name or line.sku for line in self.sale.lines}
        tx = finish_transaction(self.ctx, self, self.pending, self.grants, names, self.message.error,
                                on_error=self._commit_refused)
        if tx is not None:
            self.committed.emit(tx)
        else:
            self.table.setFocus()  # back where the cashier goes on (a dialog closed, a message shown)

    def _commit_refused(self, exc: BaseException) -> None:
        """Another till changed this sale meanwhile: show the new decision (finishing again records that one)."""
        if not isinstance(exc, services.DecisionChanged):
            return
        self.pending = exc.pending
        self.sale = self.model.sale = exc.pending.case.sale
        self.grants.clear()  # an approval is bound to exactly what was approved
        self._show_decision()
