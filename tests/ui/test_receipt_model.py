"""The receipt lines' model keeps each cell's answers in Qt's items (ui/receipt_model.py) instead of a Python
``data()`` computing them when asked: old and new side by side over the demo store's receipts, every role of
every cell the same, from the scan through a quantity, a refused quantity, a decision, other choices and a
language switch; the one reused model (loaded sale after sale, as the screen does) answers the same too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from counter_kit import NOW, POLICY_PATH, SALES
from old_lines_model import OldLinesModel
from pos_returns.domain.policy import CONDITIONS
from pos_returns.services import outcomes, returns
from pos_returns.services.records import ServiceError
from ui.context import AppContext
from ui.receipt_model import C_COND, C_QTY, C_REASON, CODE_ROLE, ReturnLinesModel

R = Qt.ItemDataRole
ROLES = (R.DisplayRole, R.EditRole, R.ForegroundRole, R.ToolTipRole, R.DecorationRole, R.FontRole,
         R.BackgroundRole, R.CheckStateRole, R.TextAlignmentRole, R.SizeHintRole)


def plain(value):
    """A brush as its colour (QBrush compares by identity of its data), anything else as it is."""
    if hasattr(value, "color") and callable(value.color):
        return ("brush", value.color().name())
    return value


def answers(model, old: bool) -> list:
    out = [model.rowCount(), model.columnCount(),
           [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]]
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            cell = [plain(model.data(index, role)) for role in ROLES]
            if col in (C_COND, C_REASON):  # the code the editors choose from: the edit role before, CODE_ROLE now
                cell[1] = model.data(index, R.EditRole if old else CODE_ROLE)
            cell.append(int(model.flags(index).value) if hasattr(model.flags(index), "value") else
                        int(model.flags(index)))
            out.append((row, col, cell))
    return out


def same(old: OldLinesModel, *new: ReturnLinesModel) -> None:
    want = answers(old, old=True)
    for model in new:
        assert answers(model, old=False) == want


def test_every_cell_answers_as_the_python_model_did(store, policy):
    ctx = AppContext(store=store, policy=policy, policy_path=POLICY_PATH, clock=lambda: NOW)
    counter = ctx.counter()
    cashier = counter.sign_in("c1", "1111")
    codes = [f"0001-{n:06d}" for n in range(1, 401, 3)] + list(SALES)
    reused = None
    decisions = 0
    for code in codes:
        ctx.lang = "en"
        try:
            sale = counter.lookup(code)
        except ServiceError:  # a receipt of another store: nothing to show
            continue
        old, new = OldLinesModel(ctx, sale), ReturnLinesModel(ctx, sale)
        if reused is None:
            reused = ReturnLinesModel(ctx, sale)
        else:
            reused.set_sale(sale)
        models = (new, reused)
        same(old, *models)
        rows = [r for r in range(old.rowCount()) if old.returnable(r) > 0]
        if not rows:
            continue
        too_many = old.returnable(rows[0]) + 1  # refused with a message, on both
        assert old.setData(old.index(rows[0], C_QTY), too_many) is False
        assert all(m.setData(m.index(rows[0], C_QTY), too_many) is False for m in models)
        for row in rows:
            for m in (old, *models):
                assert m.setData(m.index(row, C_QTY), 1)
        same(old, *models)  # quantities typed, no decision yet
        request = returns.receipt_request(old.request_lines(), [])
        assert all(m.request_lines() == old.request_lines() for m in models)
        decision = counter.prepare(cashier, sale, request).decision
        shown = outcomes.shown_outcomes(decision, [])[1]
        for m in (old, *models):
            m.show_decision(decision, shown)
        decisions += 1
        same(old, *models)
        for m in (old, *models):  # another condition and reason on the first line, one line put back to 0
            m.setData(m.index(rows[0], C_COND), CONDITIONS[-1])
            m.setData(m.index(rows[0], C_REASON), policy.reasons[-1])
            m.setData(m.index(rows[-1], C_QTY), 0)
        same(old, *models)
        ctx.lang = "cs"
        for m in models:
            m.retranslate()
        same(old, *models)
    assert decisions > 50
    ctx.lang = "en"
