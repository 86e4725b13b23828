"""The receipt screen's keys that must not destroy work, its one truth on screen, and F8 (approve / override).

- Enter on a cell opens its editor (typing does too); Up and Down inside an editor commit it and move to the
  next row (they never change a quantity); Esc with lines picked, items in the basket or a manager's approval
  asks before anything is discarded.
- The table's marks, the headline and the buttons come from one reading (services.outcomes).
- F8 on a line "Denied - a manager may override" asks for a manager's override (the same sealed approval as
  every other), else the approval the decision asks for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QMessageBox, QStyledItemDelegate

from pos_returns.i18n import N_
from pos_returns.services import outcomes
from pos_returns.services.override import overridable_lines, override_target, prepare_override

from .ops import run_op

if TYPE_CHECKING:
    from .receipt import ReceiptScreen

DISCARD_TITLE = N_("Discard this return?")
DISCARD_TEXT = N_("The lines and items chosen for this customer will be lost.")
DISCARD_APPROVAL = N_("The manager's approval given for it will be lost too.")


class CellKeys(QObject):
    """Enter (or the keypad's Enter) on a cell that is not being edited opens its editor (a list opens its
    choices)."""

    def __init__(self, table: QAbstractItemView):
        super().__init__(table)
        self.table = table
        table.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier \
                and self.table.state() != QAbstractItemView.State.EditingState:
            index = self.table.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.table.edit(index)
                editor = self.table.indexWidget(index) or QApplication.focusWidget()
                if isinstance(editor, QComboBox):
                    editor.showPopup()  # the choices open at once: arrows pick one, Enter takes it
                return True
        return False


def move_out_of_editor(delegate: QStyledItemDelegate, editor, event) -> bool:
    """In an open cell editor, Up/Down commit it and move the current cell one row (True: handled)."""
    if event.type() != QEvent.Type.KeyPress or event.key() not in (Qt.Key.Key_Up, Qt.Key.Key_Down):
        return False
    if isinstance(editor, QComboBox) and editor.view().isVisible():
        return False  # choosing in an open list
    table = editor.parent().parent() if editor.parent() is not None else None
    if not isinstance(table, QAbstractItemView):
        return False
    index = table.currentIndex()
    delegate.commitData.emit(editor)
    delegate.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
    step = 1 if event.key() == Qt.Key.Key_Down else -1
    row = min(max(index.row() + step, 0), table.model().rowCount() - 1)
    table.setCurrentIndex(table.model().index(row, index.column()))
    table.setFocus()
    return True


def ask_discard(ctx, parent, with_approval: bool) -> bool:
    """Whether the cashier really discards the work; "Keep working" is the default (Enter and Esc keep it)."""
    _ = ctx.gettext
    box = QMessageBox(parent)
    box.setObjectName("discardBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_(DISCARD_TITLE))
    box.setText(_(DISCARD_TITLE))
    box.setInformativeText(_(DISCARD_TEXT) + (" " + _(DISCARD_APPROVAL) if with_approval else ""))
    keep = box.addButton(_("Keep working"), QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton(_("Discard"), QMessageBox.ButtonRole.DestructiveRole)
    keep.setObjectName("keepButton")
    discard.setObjectName("discardButton")
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


def show_one_truth(screen: "ReceiptScreen") -> None:
    """Table marks, headline and buttons of the receipt screen from one reading of decision + grants."""
    d = screen.pending.decision if screen.pending else None
    shown = outcomes.shown_outcomes(d, screen.grants)
    screen.model.show_decision(d, shown[1])
    screen.panel.show_decision(d, {line.line: line.name or line.sku for line in screen.sale.lines}, shown)
    approved = outcomes.covered(d, screen.grants)
    needs = bool(d and d.approvals and not approved)
    can_override = bool(overridable_lines(d))
    screen.approve_button.setEnabled(needs or can_override)
    screen.finish_button.setEnabled(bool(d and (d.outcome != "denied" or can_override)))


def override_or_approve(screen: "ReceiptScreen") -> bool:
    """F8. True when nothing more is needed (approved now, or nothing to approve)."""
    from .approval import ApprovalDialog
    ctx = screen.ctx
    _ = ctx.gettext
    if not screen.pending:
        return True
    names = {line.line: line.name or line.sku for line in screen.sale.lines}
    current = screen.table.currentIndex()
    row_line = screen.sale.lines[current.row()].line if current.isValid() else None
    decision = screen.pending.decision
    target = override_target(decision, row_line)
    approvals_open = bool(decision.approvals) and not outcomes.covered(decision, screen.grants)
    if target is not None and (not approvals_open or target.line == row_line):
        request = screen.request()
        staff = ctx.staff
        pending = run_op(ctx, lambda: prepare_override(ctx.counter(), staff, screen.sale, request, target.line),
                         show=screen.message.error)
        if pending is None:
            return False
        dialog = ApprovalDialog(ctx, pending, screen, names, title=_("Manager override"))
        if not dialog.exec() or dialog.grant is None:
            return False
        screen.overrides = pending.case.request.overrides
        screen.pending = pending
        screen.grants[:] = [dialog.grant]
        screen.message.info(_("Line {line} overridden by {manager}.").format(line=target.line,
                                                                           manager=dialog.grant.manager))
        show_one_truth(screen)
        return True
    if not approvals_open:
        return True
    dialog = ApprovalDialog(ctx, screen.pending, screen, names)
    if dialog.exec() and dialog.grant is not None:
        screen.grants.append(dialog.grant)
        screen.message.info(_("Approved by {manager}.").format(manager=dialog.grant.manager))
        show_one_truth(screen)
        return True
    return False


__all__ = ["CellKeys", "ask_discard", "move_out_of_editor", "override_or_approve", "show_one_truth"]
