"""The receipt lines' model as it was before ui.receipt_model (a Python ``data()`` answering each role of each
cell when asked), kept unchanged for tests/ui/test_receipt_model.py to compare the new model with, cell by cell.
Not used by the app."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from pos_returns.domain.model import RequestLine, Sale
from pos_returns.domain.policy import CONDITIONS
from pos_returns.services import returns
from ui.context import AppContext
from ui.receipt_model import (C_COND, C_DECISION, C_ITEM, C_PAID, C_QTY, C_REASON, C_REFUND, C_RETURNABLE,
                              C_RETURNED, C_SERIAL, C_SOLD, COLUMNS, CONDITION_TEXT, QTY_REFUSED, LineState,
                              reason_label)
from ui.widgets import OUTCOME_COLOR, outcome_label


_ROLES = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole))


class OldLinesModel(QAbstractTableModel):
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
