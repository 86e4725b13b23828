"""The words for tenders, conditions and outcomes, defined once for the screens and the paperwork.

Each is a msgid marked with ``N_`` (translated when shown, not at import). A condition and an outcome have two
forms: the label a screen shows on its own, and the word paperwork or a sentence uses.
"""

from __future__ import annotations

from pos_returns.i18n import N_

#: a tender's name (screens, receipts, reports); ``mailed_check`` only appears among refund tenders
TENDER_LABELS = {
    "cash": N_("Cash"), "check": N_("Check"), "credit": N_("Credit card"), "debit": N_("Debit card"),
    "gift_card": N_("Gift card"), "store_credit": N_("Store credit"), "mailed_check": N_("Check mailed from head office"),
}

#: an item's condition as a choice on a screen
CONDITION_LABELS = {"unopened": N_("Unopened"), "opened": N_("Opened"), "damaged": N_("Damaged"),
                    "defective": N_("Defective")}

#: a decision's outcome as a screen shows it (with a mark, so it never depends on colour alone)
OUTCOME_LABELS = {
    "approved": N_("Approved"),
    "needs_approval": N_("Needs manager"),
    "denied": N_("Denied"),
    "partial": N_("Partly approved"),
}
OUTCOME_MARKS = {"approved": "\u2714", "needs_approval": "!", "denied": "\u2716", "partial": "\u25d0"}

#: a recorded line's outcome as the paperwork prints it (after the fact: a needed approval was given)
OUTCOME_ON_PAPER = {"approved": N_("accepted"), "needs_approval": N_("manager approved"), "denied": N_("not accepted")}
