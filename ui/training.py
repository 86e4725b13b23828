"""Training cards: the situation, the trainee's answer, the engine's verdict and why; a score per trainee."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout,
                               QWidget)

from pos_returns.i18n import format_value
from pos_returns.services import manager_view as mv

from .context import AppContext
from .ops import run_op
from .receipt import CONDITION_TEXT, reason_label
from .widgets import OUTCOME_TEXT, MessageStrip, _esc

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class TrainingScreen(QWidget):
    closed = Signal()

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        self.setObjectName("trainingScreen")
        self.message = MessageStrip()
        self.cards = run_op(ctx, lambda: mv.training_cards(ctx.store, ctx.policy, SCENARIOS, 20),
                            show=self.message.error) or []
        self.index = 0
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(objectName="cardTitle")
        self.title.setProperty("role", "title")
        top.addWidget(self.title, 1)
        self.score = QLabel(objectName="trainingScore")
        top.addWidget(self.score)
        back = QPushButton(_("Back") + " [Esc]", objectName="backButton")
        back.setShortcut("Escape")
        back.clicked.connect(self.closed.emit)
        top.addWidget(back)
        layout.addLayout(top)
        self.card = QTextBrowser(objectName="cardText")
        layout.addWidget(self.card, 2)
        answer = QHBoxLayout()
        self.outcome = QComboBox(objectName="answerOutcome")
        for code in ("approved", "needs_approval", "denied", "partial"):
            self.outcome.addItem(_(OUTCOME_TEXT[code]), code)
        self.refund = QLineEdit(objectName="answerRefund")
        self.refund.setPlaceholderText(_("Refund amount, e.g. 24.99"))
        self.check_button = QPushButton(_("Check my answer") + " [Enter]", objectName="checkAnswer")
        self.next_button = QPushButton(_("Next card") + " [F12]", objectName="nextCard")
        self.next_button.setShortcut("F12")
        for w in (self.outcome, self.refund, self.check_button, self.next_button):
            answer.addWidget(w)
        layout.addLayout(answer)
        layout.addWidget(self.message)
        self.verdict = QTextBrowser(objectName="verdict")
        layout.addWidget(self.verdict, 1)
        self.refund.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.next_button.clicked.connect(self.next_card)
        self.show_card()

    def show_card(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        self.verdict.clear()
        self.message.clear_message()
        self._score()
        if not self.cards:
            self.title.setText(_("No training cards yet."))
            return
        card = self.cards[self.index % len(self.cards)]
        case = card.case
        self.title.setText(_("Card {n} of {total}").format(n=self.index % len(self.cards) + 1, total=len(self.cards)))
        # the story is the scenario author's English: shown only to an English reader, never half-translated
        parts = [f"<p><i>{_esc(card.story)}</i></p>"] if card.story and ctx.lang == "en" else []
        today = _("Today is {date}.").format(date=format_value(case.now, ctx.lang))
        parts.append(f"<p>{_esc(today)}</p>")
        if case.sale is not None:
            sale = case.sale
            head = _("Receipt {receipt}, sold {date}").format(receipt=sale.receipt,
                                                              date=format_value(sale.sold_at, ctx.lang))
            parts.append(f"<p><b>{_esc(head)}</b>"
                         + (f" \u2022 {_esc(_('Gift receipt'))}" if sale.gift_receipt else "") + "</p><ul>")
            for line in sale.lines:
                parts.append(f"<li>{line.line}. {_esc(line.name or line.sku)} ({_esc(ctx.label(line.category))}) "
                             f"\u00d7{line.qty} "
                             f"{_esc(ctx.money(line.unit_price))}</li>")
            parts.append("</ul>")
        brings = _("The customer brings back:")
        parts.append(f"<p><b>{_esc(brings)}</b></p><ul>")
        line_word = _("Line")
        for rl in case.request.lines:
            parts.append(f"<li>{_esc(line_word)} {rl.line} \u00d7{rl.qty}: {_esc(_(CONDITION_TEXT[rl.condition]))}, "
                         f"{_esc(reason_label(ctx, rl.reason))}</li>")
        no_receipt = _("no receipt")
        for item in case.request.no_receipt_items:
            parts.append(f"<li>{_esc(item.name or item.sku)} ({_esc(ctx.label(item.category))}) \u00d7{item.qty}, "
                         f"{_esc(_(CONDITION_TEXT[item.condition]))}, {_esc(no_receipt)}</li>")
        parts.append("</ul>")
        self.card.setHtml("".join(parts))
        self.refund.clear()
        self.outcome.setFocus()

    def check(self) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        if not self.cards:
            return
        card = self.cards[self.index % len(self.cards)]
        trainee = ctx.staff.id if ctx.staff else "?"
        outcome, refund = self.outcome.currentData(), self.refund.text().strip()
        verdict = run_op(ctx, lambda: mv.check_answer(ctx.store, ctx.policy, trainee, card, outcome, refund,
                                                      ctx.clock()), show=self.message.error)
        if verdict is None:
            return
        if verdict.correct:
            self.message.info("\u2714 " + _("Right."))
        else:
            self.message.error(_("Not quite."))
        self.verdict.setHtml("<ul>" + "".join(f"<li>{_esc(ctx.text(t))}</li>" for t in verdict.explanation) + "</ul>")
        self._score()

    def next_card(self) -> None:
        self.index += 1
        self.show_card()

    def _score(self) -> None:
        trainee = self.ctx.staff.id if self.ctx.staff else "?"
        score = run_op(self.ctx, lambda: mv.score(self.ctx.store, trainee), show=self.message.error)
        answered, correct = score or (0, 0)
        self.score.setText(self.ctx.gettext("Score: {correct} of {answered}").format(correct=correct,
                                                                                      answered=answered))
