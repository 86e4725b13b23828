"""The decision engine: ``evaluate(policy, sale, request, history, now) -> Decision``.

Pure and deterministic: no I/O, no clock, no database. Money arithmetic stays in Decimal and is rounded
to the currency's minor unit at defined points (see :mod:`.amounts`). One evaluation runs in steps, one
module each: the item rules (:mod:`.items`: not returnable, condition, window and warranty, fee), the
lines of a receipt (:mod:`.receipt`) or of a return without one (:mod:`.noreceipt`), and the refund
tenders (:mod:`.tenders`); :mod:`.evaluation` runs them in order and adds up the decision.
"""

from pos_returns.domain.engine.amounts import paid_by_line, sale_total, tax_of
from pos_returns.domain.engine.context import CONDITION_TEXT
from pos_returns.domain.engine.evaluation import evaluate
from pos_returns.domain.engine.memo import RuleMemo
from pos_returns.domain.engine.versions import evaluate_versions, in_force, version_problems

__all__ = ["CONDITION_TEXT", "RuleMemo", "evaluate", "evaluate_versions", "in_force", "version_problems",
           "paid_by_line", "sale_total", "tax_of"]
