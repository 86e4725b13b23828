"""Small shared widgets: big action buttons, the message strip, the decision panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QTextBrowser, QVBoxLayout,
                               QWidget)

from pos_returns.domain.labels import OUTCOME_LABELS, OUTCOME_MARKS, TENDER_LABELS
from pos_returns.domain.model import Decision
from pos_returns.services.settlement import settlement_text

from .context import AppContext

OUTCOME_TEXT = OUTCOME_LABELS
OUTCOME_MARK = OUTCOME_MARKS
OUTCOME_COLOR = {"approved": "#1b7a2f", "needs_approval": "#9a6200", "denied": "#b3261e", "partial": "#9a6200"}
TENDER_TEXT = TENDER_LABELS


def outcome_label(ctx: AppContext, outcome: str) -> str:
    """Outcome in words with a mark, so it never depends on colour alone."""
    return f"{OUTCOME_MARK[outcome]} {ctx.gettext(OUTCOME_TEXT[outcome])}"


def tender_label(ctx: AppContext, kind: str, last4: str | None = None) -> str:
    text = ctx.gettext(TENDER_TEXT.get(kind, kind))
    return f"{text} \u2022\u2022\u2022\u2022{last4}" if last4 else text


class BigButton(QPushButton):
    """A large touch target with its keyboard shortcut shown on it."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("font-size: 15pt; padding: 8px;")
        self.shortcut = QShortcut(QKeySequence(key), parent or self)
        self.shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.shortcut.activated.connect(self.animateClick)

    def set_label(self, text: str) -> None:
        self.setText(f"{text}\n[{self.key}]")


class MessageStrip(QLabel):
    """A line for errors and notices in the screen itself (no modal box for everyday mistakes)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("message")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_message()

    def error(self, text: str) -> None:
        self.setProperty("kind", "error")
        self.setStyleSheet("background:#fde7e9; color:#7a1212; padding:8px; font-size:12pt;")
        self.setText("\u26a0 " + text)
        self.show()

    def info(self, text: str) -> None:
        self.setProperty("kind", "info")
        self.setStyleSheet("background:#e8f1fb; color:#0b3a66; padding:8px; font-size:12pt;")
        self.setText(text)
        self.show()

    def success(self, text: str) -> None:
        """Something the user asked for is done (printed, saved): green, with a check mark."""
        self.setProperty("kind", "success")
        self.setStyleSheet("background:#e6f4ea; color:#145c24; padding:8px; font-size:12pt;")
        self.setText("\u2714 " + text)
        self.show()

    def clear_message(self) -> None:
        self.setProperty("kind", "")
        self.setText("")
        self.hide()


class DecisionPanel(QFrame):
    """The decision in words: per line outcome, reason and rule ids; fees, tax, totals, refund tenders."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("decisionHeadline")
        self.headline.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.details = QTextBrowser()
        self.details.setObjectName("decisionDetails")
        self.details.setOpenLinks(False)
        self.totals = QGridLayout()
        layout.addWidget(self.headline)
        layout.addWidget(self.details, 1)
        layout.addLayout(self.totals)
        self.total_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate(("fee", "tax", "refund_total", "exchange_total", "balance")):
            name, value = QLabel(), QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            value.setObjectName(f"total_{key}")
            value.setStyleSheet("font-size: 13pt;")
            self.totals.addWidget(name, row, 0)
            self.totals.addWidget(value, row, 1)
            self.total_labels[key] = (name, value)
        self.decision: Decision | None = None
        self.names: dict[int, str] = {}
        self.show_decision(None)

    def show_decision(self, decision: Decision | None, names: dict[int, str] | None = None) -> None:
        self.decision = decision
        self.names = names or {}
        self.retranslate()

    def retranslate(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        labels = {"fee": _("Restocking fees"), "tax": _("Tax"), "refund_total": _("Refund value"),
                  "exchange_total": _("New items"), "balance": _("Balance")}
        for key, (name, _value) in self.total_labels.items():
            name.setText(labels[key])
        d = self.decision
        if d is None:
            self.headline.setText(_("Choose what the customer brings back."))
            self.headline.setStyleSheet("font-size: 16pt;")
            self.details.setHtml("")
            for _name, value in self.total_labels.values():
                value.setText("")
            return
        self.headline.setText(outcome_label(ctx, d.outcome))
        self.headline.setStyleSheet(f"font-size: 16pt; font-weight: bold; color: {OUTCOME_COLOR[d.outcome]};")
        parts = []
        line_word, rules_word = _("Line"), _("Rules")
        needs_word, refund_word = _("Needs a manager"), _("Refund to")
        for line in d.lines:
            color = OUTCOME_COLOR[line.outcome]
            reasons = "".join(f"<li>{_esc(ctx.text(r))}</li>" for r in line.reasons)
            rules = ", ".join(line.rules)
            title = self.names.get(line.line, line.sku)
            over = (" \u2014 " + _("a manager may override")) if line.outcome == "denied" and line.overridable else ""
            money = ""
            if line.outcome != "denied":
                money = _("refund {refund} (item {item}, fee {fee}, tax {tax})").format(
                    refund=ctx.money(line.refund), item=ctx.money(line.item), fee=ctx.money(line.fee),
                    tax=ctx.money(line.tax))
            parts.append(
                f"<p><b>{line_word} {line.line}: {_esc(title)} \u00d7{line.qty}</b> "
                f"<span style='color:{color}'><b>{_esc(outcome_label(ctx, line.outcome))}</b></span>{_esc(over)}"
                f"<br>{_esc(money)}<ul>{reasons}</ul><small>{rules_word}: {_esc(rules)}</small></p>")
        if d.approvals:
            items = "".join(f"<li>{_esc(ctx.text(a.reason))} <small>({_esc(a.rule)})</small></li>"
                            for a in d.approvals)
            parts.append(f"<p><b>{needs_word}:</b><ul>{items}</ul></p>")
        if d.reasons:
            parts.append("<ul>" + "".join(f"<li>{_esc(ctx.text(r))}</li>" for r in d.reasons) + "</ul>")
        if d.refund_tenders:
            tenders = "".join(f"<li>{_esc(tender_label(ctx, t.type, t.last4))}: {_esc(ctx.money(t.amount))}</li>"
                              for t in d.refund_tenders)
            parts.append(f"<p><b>{refund_word}:</b><ul>{tenders}</ul></p>")
        self.details.setHtml("".join(parts))
        zero = d.refund_total * 0
        fee = sum((line.fee for line in d.lines), zero)
        tax = sum((line.tax for line in d.lines), zero)
        values = {"fee": fee, "tax": tax, "refund_total": d.refund_total, "exchange_total": d.exchange_total}
        for key, amount in values.items():
            self.total_labels[key][1].setText(ctx.money(amount))
        self.total_labels["balance"][1].setText(settlement_text(d, _, ctx.money))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
