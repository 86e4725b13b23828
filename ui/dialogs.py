"""Dialogs: manager approval, the summary to confirm, and settings (managers only)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTextBrowser, QVBoxLayout)

from pos_returns import i18n
from pos_returns.services import counter as services
from pos_returns.services import outcomes, returns, session, settlement
from pos_returns.domain.policy import PolicyError, load_policy

from .context import AppContext
from .approval import ApprovalDialog  # noqa: F401 - moved to ui/approval.py, still importable here
from .ops import run_op
from .widgets import MessageStrip, _esc, outcome_label, tender_label


def _buttons(ctx: AppContext, dialog: QDialog, ok_text: str, enter_accepts: bool = False) -> QDialogButtonBox:
    """OK/Cancel with our own translated words (Qt has no Vietnamese catalog)."""
    box = QDialogButtonBox()
    ok = QPushButton(ok_text, objectName="okButton")
    cancel = QPushButton(ctx.gettext("Cancel") + " [Esc]", objectName="cancelButton")
    for button in (ok, cancel):  # Enter in a field acts through the field's own returnPressed, never twice
        button.setAutoDefault(False)
        button.setDefault(False)
    ok.setDefault(enter_accepts)  # only dialogs without text fields accept on Enter
    ok.setMinimumHeight(48)
    cancel.setMinimumHeight(48)
    box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    box.rejected.connect(dialog.reject)
    return box


class ConfirmDialog(QDialog):
    """The summary the cashier confirms before anything is recorded: returned lines, the new items of an exchange
    with their tax, what happens with money at the till and, when the customer owes the difference, the tender
    they pay it with (F5 cash, F6 card; Enter refuses until one is chosen)."""

    def __init__(self, ctx: AppContext, pending: services.Pending, names: dict[int, str], parent=None,
                 grants: list[services.Grant] | None = None):
        super().__init__(parent)
        _ = ctx.gettext
        self.ctx, self.pending = ctx, pending
        self.payment: str | None = None
        self.setObjectName("confirmDialog")
        self.setWindowTitle(_("Confirm"))
        d = pending.decision
        # confirmed only once every approval is given: what needed a manager shows as approved (one truth)
        shown = outcomes.shown_outcomes(d, grants)[1] if grants is not None else {}
        layout = QVBoxLayout(self)
        rows = "".join(
            f"<tr><td>{line.line}</td><td>{_esc(names.get(line.line, line.sku))}</td><td>\u00d7{line.qty}</td>"
            f"<td>{_esc(outcome_label(ctx, shown.get(line.line, line.outcome)))}</td>"
            f"<td align=right>{_esc(ctx.money(line.refund))}</td></tr>"
            for line in d.lines)
        tenders = "".join(f"<li>{_esc(tender_label(ctx, t.type, t.last4))}: {_esc(ctx.money(t.amount))}</li>"
                          for t in d.refund_tenders)
        items = settlement.new_items(pending, ctx.policy)
        new_rows = ""
        if items:
            tax_word = _("incl. tax {amount}") if items[0].tax_included else _("tax {amount}")
            new_rows = f"<p><b>{_esc(_('New items'))}</b></p><table width=100%>" + "".join(
                f"<tr><td>{_esc(i.name)} ({_esc(i.sku)})</td><td>\u00d7{i.qty}</td>"
                f"<td align=right>{_esc(ctx.money(i.amount))}</td>"
                f"<td align=right>{_esc(tax_word.format(amount=ctx.money(i.tax)))}</td>"
                f"<td align=right><b>{_esc(ctx.money(i.total))}</b></td></tr>" for i in items) + "</table>"
        marker = _("TRAINING")
        training = f"<p style='color:#9a6200'><b>{_esc(marker)}</b></p>" if pending.training else ""
        self.summary = QTextBrowser(objectName="summary")
        self._html = (training, f"<table width=100%>{rows}</table>{new_rows}", f"<ul>{tenders}</ul>")
        layout.addWidget(self.summary)
        self.pay_label = QLabel(objectName="paymentChoice")
        self.pay_label.setWordWrap(True)
        self.pay_label.setStyleSheet("font-size: 14pt;")
        layout.addWidget(self.pay_label)
        self.pay_label.setVisible(settlement.needs_payment(pending))
        for key, kind in (("F5", "cash"), ("F6", "card")):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda kind=kind: self.choose_payment(kind))
        row = QFormLayout()
        self.paper_lang = QComboBox(objectName="paperLanguage")
        for code in i18n.LANGUAGES:
            self.paper_lang.addItem(i18n.language_name(code), code)
        self.paper_lang.setCurrentIndex(max(self.paper_lang.findData(ctx.paper_lang), 0))
        row.addRow(_("Customer's language for the receipt"), self.paper_lang)
        layout.addLayout(row)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        buttons = _buttons(ctx, self, _("Record and print") + " [Enter]", enter_accepts=True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(640, 480)
        self._show_money()

    def choose_payment(self, kind: str) -> None:
        if settlement.needs_payment(self.pending):
            self.payment = kind
            self.message.clear_message()
            self._show_money()

    def _show_money(self) -> None:
        _ = self.ctx.gettext
        money = settlement.settlement_text(self.pending.decision, _, self.ctx.money, self.payment)
        training, lines, tenders = self._html
        self.summary.setHtml(f"{training}{lines}<p><b>{_esc(money)}</b></p>{tenders}")
        marks = {kind: ("\u25c9 " if self.payment == kind else "\u25cb ") for kind in ("cash", "card")}
        self.pay_label.setText(_("The customer pays by:") + f"  {marks['cash']}{_('Cash')} [F5]   "
                               f"{marks['card']}{_('Card')} [F6]")

    def accept(self) -> None:
        paid = run_op(self.ctx, lambda: settlement.with_payment(self.pending, self.payment), show=self.message.error)
        if paid is None:
            return
        self.pending = settlement.with_paper_language(paid, self.paper_lang.currentData())
        self.ctx.customer_lang = self.paper_lang.currentData()
        super().accept()


class SettingsDialog(QDialog):
    """Register, printer, paperwork language, idle lock and policy file. The policy is validated first."""

    def __init__(self, ctx: AppContext, printers: list[str], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        _ = ctx.gettext
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.register = QLineEdit(ctx.register, objectName="register")
        self.printer = QComboBox(objectName="printer")
        self.printer.addItem(_("No printer (PDF only)"), "")
        for name in printers:
            self.printer.addItem(name, name)
        if ctx.printer:
            index = self.printer.findData(ctx.printer)
            self.printer.setCurrentIndex(max(index, 0))
        self.receipt_printer = QLineEdit(ctx.receipt_printer, objectName="receiptPrinter")
        self.receipt_printer.setPlaceholderText("tcp://192.168.1.50:9100 · usb://04b8:0202 · serial:///dev/ttyS0")
        self.idle = QSpinBox(objectName="idleMinutes")
        self.idle.setRange(1, 120)
        self.idle.setValue(ctx.idle_minutes)
        self.policy = QLineEdit(str(ctx.policy_path), objectName="policyPath")
        form.addRow(_("Register"), self.register)
        form.addRow(_("Printer"), self.printer)
        form.addRow(_("Receipt printer (ESC/POS)"), self.receipt_printer)
        form.addRow(_("Lock after idle minutes"), self.idle)
        form.addRow(_("Policy file"), self.policy)
        layout.addLayout(form)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        buttons = _buttons(ctx, self, _("Save"))
        buttons.accepted.connect(self.save)
        layout.addWidget(buttons)

    def save(self) -> None:
        _ = self.ctx.gettext
        register = run_op(self.ctx, lambda: session.check_register(self.register.text()), show=self.message.error)
        if register is None:
            return
        from pos_returns.services import receipt_printer
        thermal = run_op(self.ctx, lambda: receipt_printer.check_target(self.receipt_printer.text()),
                         show=self.message.error)
        if thermal is None:
            self.receipt_printer.setFocus()
            return
        path = self.policy.text().strip()
        try:
            policy = load_policy(path)
        except PolicyError as err:
            self.message.error(_("The policy file has errors:") + "\n" + "\n".join(str(p) for p in err.problems))
            return
        ctx = self.ctx
        changed = policy.sha256 != ctx.policy.sha256
        ctx.policy, ctx.register = policy, register
        ctx.printer = self.printer.currentData() or None
        ctx.idle_minutes = self.idle.value()
        ctx.save_setting("register", register)
        ctx.save_setting("printer", ctx.printer or "")
        ctx.receipt_printer = thermal
        ctx.save_setting("receipt_printer", thermal)
        ctx.save_setting("idle_minutes", str(ctx.idle_minutes))
        ctx.save_setting("policy_path", path)
        if changed:
            actor = ctx.staff.id if ctx.staff else None
            run_op(ctx, lambda: services.note_policy(ctx.store, policy, actor, ctx.clock()), show=self.message.error)
        self.accept()


def finish_transaction(ctx: AppContext, parent, pending: services.Pending | None, grants: list[services.Grant],
                       names: dict[int, str], show_error, on_error=None) -> services.Transaction | None:
    """The end of every return: a manager's approval if still needed, the summary, then the commit.

    ``grants`` gains the approval given here, so a cancelled confirmation keeps it for the next try."""
    if not pending or pending.decision.outcome == "denied":
        show_error(ctx.gettext("Nothing on this return can be accepted; there is nothing to record."))
        return None
    if not returns.covered(pending.decision, grants):
        dialog = ApprovalDialog(ctx, pending, parent, names)
        if not dialog.exec() or dialog.grant is None:
            return None
        grants.append(dialog.grant)
    confirm = ConfirmDialog(ctx, pending, names, parent, grants)
    if not confirm.exec():
        return None
    pending = confirm.pending  # with the customer's language and, for an exchange's balance, how they pay
    granted = tuple(grants)
    return run_op(ctx, lambda: ctx.counter().commit(pending, granted), show=show_error, on_error=on_error)
