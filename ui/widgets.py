"""Small shared widgets: big action buttons, the message strip, the decision panel."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QTextBrowser, QVBoxLayout,
                               QWidget)

from pos_returns.domain.labels import OUTCOME_LABELS, OUTCOME_MARKS, TENDER_LABELS
from pos_returns.domain.model import Decision
from pos_returns.services.settlement import settlement_text

from .context import AppContext
from .style import COLOR, mark

OUTCOME_TEXT = OUTCOME_LABELS
OUTCOME_MARK = OUTCOME_MARKS
OUTCOME_COLOR = COLOR  # one palette: ui.style
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
        self.setProperty("role", "action")
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

    def error(self, text: str | Callable[[], str]) -> None:
        """Show an error; given a function that makes the text, it is made again after a language switch."""
        self._said = ("error", text)
        mark(self, "kind", "error")
        self.setText("\u26a0 " + (text() if callable(text) else text))
        self.show()

    def info(self, text: str | Callable[[], str]) -> None:
        self._said = ("info", text)
        mark(self, "kind", "info")
        self.setText(text() if callable(text) else text)
        self.show()

    def success(self, text: str | Callable[[], str]) -> None:
        """Something the user asked for is done (printed, saved): green, with a check mark."""
        self._said = ("success", text)
        mark(self, "kind", "success")
        self.setText("\u2714 " + (text() if callable(text) else text))
        self.show()

    def clear_message(self) -> None:
        self._said = None
        mark(self, "kind", "")
        self.setText("")
        self.hide()

    def retranslate(self) -> None:
        """After a language switch: the message in the new language (one given as finished text is cleared,
        rather than left standing in the old language)."""
        said = getattr(self, "_said", None)
        if said is None:
            return
        kind, text = said
        if callable(text):
            {"error": self.error, "success": self.success}.get(kind, self.info)(text)
        else:
            self.clear_message()


class DecisionPanel(QFrame):
    """The decision in words: per line outcome, reason and rule ids; fees, tax, totals, refund tenders."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("decisionHeadline")
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
            value.setProperty("role", "total")
            name.setProperty("role", "total")
            self.totals.addWidget(name, row, 0)
            self.totals.addWidget(value, row, 1)
            self.total_labels[key] = (name, value)
        self.decision: Decision | None = None
        self.names: dict[int, str] = {}
        self._drawn: tuple | None = None  # what the panel shows now, so the same again is not laid out again
        self.show_decision(None)

    def show_decision(self, decision: Decision | None, names: dict[int, str] | None = None,
                      shown: tuple[str | None, dict[int, str]] | None = None) -> None:
        """``shown``: (headline outcome, per-line outcomes) after the approvals given (services.outcomes)."""
        self.decision = decision
        self.names = names or {}
        self.shown = shown or (None, {})
        self.retranslate()

    def retranslate(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        drawn = (self.decision, dict(self.names), (self.shown[0], dict(self.shown[1])), ctx.lang)
        if self._drawn is not None and self._drawn[0] is drawn[0] and self._drawn[1:] == drawn[1:]:
            return  # the same decision in the same language: each scan and go-home asked for it again
        self._drawn = drawn
        labels = {"fee": _("Restocking fees"), "tax": _("Tax"), "refund_total": _("Refund value"),
                  "exchange_total": _("New items"), "balance": _("Balance")}
        for key, (name, _value) in self.total_labels.items():
            name.setText(labels[key])
        d = self.decision
        if d is None:
            self.headline.setText(_("Choose what the customer brings back."))
            mark(self.headline, "outcome", "")
            self.details.setHtml("")
            for _name, value in self.total_labels.values():
                value.setText("")
            return
        headline, shown = getattr(self, "shown", (None, {}))
        headline = headline or d.outcome
        self.headline.setText(outcome_label(ctx, headline))
        mark(self.headline, "outcome", headline)
        parts = []
        line_word, rules_word = _("Line"), _("Rules")
        needs_word, refund_word = _("Needs a manager"), _("Refund to")
        for line in d.lines:
            outcome = shown.get(line.line, line.outcome)
            color = OUTCOME_COLOR[outcome]
            reasons = "".join(f"<li>{_esc(ctx.text(r))}</li>" for r in line.reasons)
            rules = ", ".join(line.rules)
            title = self.names.get(line.line, line.sku)
            over = (" \u2014 " + _("a manager may override") + " [F8]") if line.outcome == "denied" and line.overridable else ""
            money = ""
            if line.outcome != "denied":
                money = _("refund {refund} (item {item}, fee {fee}, tax {tax})").format(
                    refund=ctx.money(line.refund), item=ctx.money(line.item), fee=ctx.money(line.fee),
                    tax=ctx.money(line.tax))
            parts.append(
                f"<p><b>{line_word} {line.line}: {_esc(title)} \u00d7{line.qty}</b> "
                f"<span style='color:{color}'><b>{_esc(outcome_label(ctx, outcome))}</b></span>{_esc(over)}"
                f"<br>{_esc(money)}<ul>{reasons}</ul><small>{rules_word}: {_esc(rules)}</small></p>")
        if d.approvals and (not shown or "needs_approval" in shown.values()):
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
