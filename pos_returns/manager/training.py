"""Training: scenario cards drawn from the scenario files and from the store's own past returns (anonymised).

A trainee reads the situation, says what the policy decides (outcome and refund); the engine checks the
answer and explains it. Answers are kept as events, so each trainee has a score. Nothing here touches the
real totals: cards are never committed to the journal.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from pos_returns.storage import store as st
from pos_returns.domain.case import Case, CaseError, load_json, read_case
from pos_returns.domain.engine import evaluate
from pos_returns.i18n import N_, Text
from pos_returns.domain.model import Customer, Decision
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy
from pos_returns.domain.scenarios import scenario_files


@dataclass(frozen=True)
class Card:
    id: str
    story: str
    case: Case
    source: str


@dataclass(frozen=True)
class Verdict:
    correct: bool
    decision: Decision
    explanation: tuple[Text, ...]


def cards_from_scenarios(policy: Policy, folder: Path) -> list[Card]:
    cards = []
    for path in scenario_files([folder]):
        try:
            data = load_json(path)
            case = read_case(data, policy, str(path))
        except CaseError:
            continue  # a scenario of another policy
        story = situation(data.get("description") or "")
        cards.append(Card(f"scenario:{path.stem}", story, case, str(path)))
    return cards


# what a scenario's description says after the situation: its arithmetic, rule ids and verdict
_CUT = re.compile(r"[:;=(]|\. |->|\bso\b|\bbut\b")
_ANSWER = re.compile(r"\b(?:deny|denie[sd]|approv\w*|refund\w*|accept\w*|overrid\w*|needs?|fails?|allow\w*|"
                     r"returnable|credit|fee|limit|window|warranty|rule|inside|outside|late|early|exactly|above|"
                     r"below|under|over|capped|waived|clears?|cleared|clearing|outcome|partial)\b|[a-z_]+\.[a-z_]+",
                     re.IGNORECASE)

_AMOUNT = re.compile(r"\s*(?:\b(?:at|for|of) )?(?<![\d-])\d+\.\d{2}(?![\d-])")


def situation(description: str) -> str:
    """The situation a scenario describes, without its answer: the text before its first arithmetic, rule id or
    verdict, and only the comma-separated parts that name no outcome (a training card must not give it away)."""
    first = _CUT.split(description, maxsplit=1)[0]
    parts = [_AMOUNT.sub("", p).strip() for p in first.split(",")]  # the card lists the prices itself
    kept = [p for p in parts if p and not _ANSWER.search(p)]
    if not kept and parts:  # every part names the outcome: what comes before it
        kept = [re.sub(r"(?:\s+(?:with|the|a|an|of|in|on|and|but|is|are|was))+$", "",
                       _ANSWER.split(parts[0], maxsplit=1)[0].strip())]
    return ", ".join(kept).strip(" .")


def cards_from_journal(store: st.Database, policy: Policy, count: int = 20, seed: int = 1) -> list[Card]:
    """Past real returns with the receipt number, customer and ID removed."""
    rows = st.recent_real_entries(store, 500)
    rng = random.Random(seed)
    rng.shuffle(rows)
    cards = []
    for n, row in enumerate(rows[:count], 1):
        payload = json.loads(row["payload"])
        try:
            case = read_case(payload["case"], policy, "journal")
        except CaseError:
            continue
        sale = replace(case.sale, receipt=f"TRAIN-{n:03d}") if case.sale else None
        request = replace(case.request, customer=Customer(id_verified=case.request.customer.id_verified,
                                                          tier=case.request.customer.tier))
        anon = Case(now=case.now, sale=sale, request=request, history=case.history)
        cards.append(Card(f"past:{n:03d}", "", anon, "journal"))
    return cards


def check(policy: Policy, card: Card, outcome: str, refund: str) -> Verdict:
    """Compare a trainee's answer with the engine: the outcome must match and the refund be within a cent."""
    case = card.case
    decision = evaluate(policy, case.sale, case.request, case.history, case.now)
    try:
        said = Money.parse(refund or "0", policy.currency)
        close = abs((said - decision.refund_total).amount) <= Decimal("0.01")
    except ValueError:
        close = False
    correct = outcome == decision.outcome and close
    explanation = tuple(r for line in decision.lines for r in line.reasons) + \
        tuple(a.reason for a in decision.approvals) + decision.reasons
    if not correct:
        explanation = (Text(N_("The policy says: {outcome}, refund {refund}."),
                            {"outcome": Text(OUTCOME_WORDS[decision.outcome]), "refund": decision.refund_total}),
                       ) + explanation
    return Verdict(correct, decision, explanation)


OUTCOME_WORDS = {"approved": N_("approved"), "needs_approval": N_("needs a manager"), "denied": N_("denied"),
                 "partial": N_("partly approved")}


def record_answer(store: st.Database, trainee: str, card: Card, verdict: Verdict, now: datetime) -> None:
    st.record_event(store, now, "training_answer", trainee, None, card=card.id, correct=verdict.correct)


def scores(store: st.Database) -> dict[str, tuple[int, int]]:
    """Per trainee: (answered, correct)."""
    out: dict[str, list[int]] = {}
    for row in st.events_of(store, "training_answer"):
        slot = out.setdefault(row["actor"], [0, 0])
        slot[0] += 1
        slot[1] += 1 if json.loads(row["detail"]).get("correct") else 0
    return {k: (v[0], v[1]) for k, v in out.items()}
