"""The receipt screen: pick lines, quantities, condition and reason; see the decision; exchange basket."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QSplitter, QStyledItemDelegate, QTableView,
                               QVBoxLayout, QWidget)

from pos_returns.services import counter as services
from pos_returns.services import returns
from pos_returns.domain.model import Request, Sale
from pos_returns.domain.policy import CONDITIONS

from .context import AppContext
from .id_entry import IdEntry
from .ops import run_op, scan_product
from .receipt_keys import CellKeys, ask_discard, move_out_of_editor, override_or_approve, show_one_truth
from .receipt_model import (C_COND, C_DECISION, C_ITEM, C_PAID, C_QTY, C_REASON, C_REFUND, C_RETURNABLE,  # noqa: F401
                            C_RETURNED, C_SERIAL, C_SOLD, CODE_ROLE, COLUMNS, CONDITION_TEXT, QTY_REFUSED, LineState,
                            ReturnLinesModel, reason_label)
from .receipt_table import ColumnFit, sized_once, steady_table
from .widgets import DecisionPanel, MessageStrip

# the lines' model, its columns and LineState live in ui.receipt_model; they stay importable from here


@dataclass
class Basket:
    items: list[tuple[services.Product, int]] = field(default_factory=list)


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
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(CODE_ROLE)), 0))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(index.data(Qt.ItemDataRole.EditRole)))
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
        self.fit = ColumnFit(self.table, C_ITEM, C_DECISION, C_REFUND, (C_SERIAL, C_REASON, C_COND))
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
        self.fit.keep_in_view()  # the Serial column may have come or gone
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
        self.model.retranslate()  # the cells' words, when the language changed (nothing to do at a go-home)
        if self.fit.language_changed(self.ctx.lang):  # the window retranslates at every go-home
            self.fit.load(self.model, self.ctx.lang, self.ctx.money)
            self.fit.keep_in_view()
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
            self._buttons()  # the table, the panel and the buttons without a decision (show_one_truth), once
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
