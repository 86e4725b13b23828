"""The receipt screen's lines: one row a sale line, what the cashier picks for it and the decision it got.

The model keeps each cell's answers in Qt's own items (a :class:`QStandardItemModel`), written once per loaded
sale, quantity typed and decision shown, and only where they changed. A paint of the table then asks Qt's
C++ items for every role of every cell and never calls back into Python: with a ``data()`` written in Python
each paint made some 300 calls to it (a dozen roles a cell), each answer turned into Qt values again, and the
header's ``headerData()`` as many again; that was half of what a paint of the table cost (0.83 -> 0.41 ms for
a receipt of two lines), and fitting the columns (``resizeColumnsToContents``) asked as often again.

What the cells show is exactly what the Python ``data()`` answered before (tests/ui/test_receipt_model.py
compares every role of every cell with the answers worked out from the sale, the choices and the decision).
One difference inside: a condition's or a reason's code (what the editors choose from) is kept under
:data:`CODE_ROLE`, since Qt's items keep one value for the display and the edit roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from pos_returns.domain.labels import CONDITION_LABELS
from pos_returns.domain.model import RequestLine, Sale
from pos_returns.domain.policy import CONDITIONS
from pos_returns.domain.policy_text import REASON_TEXT
from pos_returns.i18n import N_
from pos_returns.services import returns

from .context import AppContext
from .widgets import OUTCOME_COLOR, outcome_label

CONDITION_TEXT = CONDITION_LABELS

COLUMNS = (N_("Line"), N_("Item"), N_("Sold"), N_("Paid"), N_("Returned"), N_("Returnable"), N_("Return qty"),
           N_("Condition"), N_("Reason"), N_("Serial"), N_("Decision"), N_("Refund"))
C_ITEM, C_SOLD, C_PAID, C_RETURNED, C_RETURNABLE = 1, 2, 3, 4, 5
C_QTY, C_COND, C_REASON, C_SERIAL, C_DECISION, C_REFUND = 6, 7, 8, 9, 10, 11
QTY_REFUSED = N_("Line {line}: only {left} can be returned ({sold} sold, {returned} already returned).")

#: a condition's or reason's code (the display role shows its words); what the editors choose from
CODE_ROLE = Qt.ItemDataRole.UserRole + 1

_DISPLAY, _FOREGROUND, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, \
    Qt.ItemDataRole.ToolTipRole
_BASE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _BASE | Qt.ItemFlag.ItemIsEditable
_NOTHING = (None, None, None)  # (foreground colour, tooltip, code) of a cell that has none


def reason_label(ctx: AppContext, code: str) -> str:
    own = ctx.policy.label(code, ctx.lang)  # the policy's own name for it in this language, if it gives one
    return own or (ctx.gettext(REASON_TEXT[code]) if code in REASON_TEXT else code.replace("_", " "))


@dataclass
class LineState:
    qty: int = 0
    condition: str = "unopened"
    reason: str = ""
    serial: str = ""


class ReturnLinesModel(QStandardItemModel):
    changed = Signal()
    refused = Signal(str)  # a quantity above what may come back: the message to show

    def __init__(self, ctx: AppContext, sale: Sale):
        super().__init__(0, len(COLUMNS))
        self.ctx = ctx
        self._header_lang: str | None = None
        self._words: tuple | None = None  # (language, policy) the cells' words were written in
        self._cells: list[list[tuple]] = []  # per row, per column: (display, flags, (colour, tooltip, code)) set
        self._load(sale)
        self._write(reset=True)

    # -- what the rows are ------------------------------------------------------
    @property
    def sale(self) -> Sale:
        return self._sale

    @sale.setter
    def sale(self, sale: Sale) -> None:
        """The sale the rows are of (another till's return may have changed what is left of it)."""
        self._sale = sale
        self._left = [returns.returnable(sale, line) for line in sale.lines]

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
        same_rows = len(sale.lines) == len(self.sale.lines)
        self._load(sale)
        self._write(reset=not same_rows)

    def returnable(self, row: int) -> int:
        return self._left[row]

    def _serialized(self, row: int) -> bool:
        return bool(self.serial_tags & self.sale.lines[row].tags)

    # -- each cell's answers -----------------------------------------------------
    def _row(self, row: int) -> list[tuple]:
        """(display, flags, (foreground, tooltip, code)) of every column of ``row``: what the table shows."""
        ctx, line, state = self.ctx, self.sale.lines[row], self.states[row]
        decided = self.outcomes.get(line.line)
        left = self._left[row]
        serialized = self._serialized(row)
        editable = _EDITABLE if left > 0 else _BASE
        shown = decided and state.qty
        outcome = self.shown.get(decided.line, decided.outcome) if decided else None
        if left == 0:
            decision = ctx.gettext("Already returned")
        else:
            decision = outcome_label(ctx, outcome) if shown else ""
        tooltip = "\n".join(ctx.text(r) for r in decided.reasons) if decided else None
        return [
            (line.line, _BASE, _NOTHING),
            (f"{line.name or line.sku} ({line.sku})", _BASE, _NOTHING),
            (line.qty, _BASE, _NOTHING),
            (ctx.money(self.paid[line.line]) if line.line in self.paid else "", _BASE, _NOTHING),
            (self.sale.returned.get(line.line, 0), _BASE, _NOTHING),
            (left, _BASE, _NOTHING),
            (state.qty, editable, _NOTHING),
            (ctx.gettext(CONDITION_TEXT[state.condition]), editable, (None, None, state.condition)),
            (reason_label(ctx, state.reason), editable, (None, None, state.reason)),
            (state.serial if serialized else "", editable if serialized else _BASE, _NOTHING),
            (decision, _BASE, (OUTCOME_COLOR[outcome] if shown else None, tooltip, None)),
            (ctx.money(decided.refund) if shown else "", _BASE, _NOTHING),
        ]

    def _write(self, reset: bool = False, rows: range | None = None) -> None:
        """Put the answers into Qt's items where they changed, then tell the view once (a reset when the
        number of rows changed, else one dataChanged over the rows written)."""
        if self._header_lang != self.ctx.lang:
            self.retranslate_header()
        self._words = (self.ctx.lang, self.ctx.policy)
        n = len(self.sale.lines)
        rows = range(n) if rows is None else rows
        if reset:
            self.beginResetModel()
        blocked = self.blockSignals(True)  # one notice for the whole change, not one per item
        try:
            if reset:
                self.setRowCount(n)
                self._cells = [[None] * len(COLUMNS) for _ in range(n)]
            changed = False
            for row in rows:
                old = self._cells[row]
                for col, cell in enumerate(self._row(row)):
                    if old[col] == cell:
                        continue
                    changed = True
                    item = self.item(row, col)
                    if item is None:
                        item = QStandardItem()
                        self.setItem(row, col, item)
                    display, flags, (colour, tooltip, code) = cell
                    before = old[col]
                    if before is None or before[0] != display or type(before[0]) is not type(display):
                        item.setData(display, _DISPLAY)
                    if before is None or before[1] != flags:
                        item.setFlags(flags)
                    if before is None or before[2] != cell[2]:
                        item.setData(QBrush(QColor(colour)) if colour else None, _FOREGROUND)
                        item.setData(tooltip, _TOOLTIP)
                        item.setData(code, CODE_ROLE)
                    old[col] = cell
        finally:
            self.blockSignals(blocked)
        if reset:
            self.endResetModel()
        elif changed and len(rows):
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(COLUMNS) - 1))

    def retranslate_header(self) -> None:
        """The column titles in the interface language (the screen calls it at a language switch)."""
        self._header_lang = self.ctx.lang
        blocked = self.blockSignals(True)
        try:
            for col, title in enumerate(COLUMNS):
                self.setHeaderData(col, Qt.Orientation.Horizontal, self.ctx.gettext(title))
        finally:
            self.blockSignals(blocked)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def retranslate(self) -> None:
        """Every text in the interface language (conditions, reasons, outcomes, the titles), when it changed."""
        if self._words != (self.ctx.lang, self.ctx.policy):
            self._write()

    def column_texts(self, col: int) -> list[str]:
        """What column ``col`` shows in each row, as text."""
        return [str(cells[col][0]) if cells[col] is not None else "" for cells in self._cells]

    # -- the cashier's choices ---------------------------------------------------
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
        self._write(rows=range(index.row(), index.row() + 1))
        self.changed.emit()
        return True

    def request_lines(self) -> tuple[RequestLine, ...]:
        return tuple(RequestLine(line=line.line, qty=s.qty, condition=s.condition, reason=s.reason,
                                 serial=s.serial or None)
                     for line, s in zip(self.sale.lines, self.states) if s.qty > 0)

    def show_decision(self, decision, shown: dict[int, str] | None = None) -> None:
        self.outcomes = {d.line: d for d in decision.lines} if decision else {}
        self.shown = dict(shown or {})
        self._write()
