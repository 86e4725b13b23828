"""The manager area's Exceptions tab: each member of staff's figures over a period (refunds, no-receipt
returns, overrides, wrong PINs, ...), the flagged ones marked."""

from __future__ import annotations

from PySide6.QtGui import QColor

from pos_returns.domain.money import Money
from pos_returns.services import manager_view as mv

from .context import AppContext
from .manager_common import PeriodTab, _table


class ExceptionsTab(PeriodTab):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx, ctx.gettext("Show exceptions"), "runExceptions")

    def query(self, db, start, end):
        return mv.exceptions(db, self.ctx.policy, start, end)

    def show(self, figures) -> None:  # noqa: A003
        ctx, _ = self.ctx, self.ctx.gettext
        heads = [_("Staff"), _("Role"), _("Transactions"), _("Refunds"), _("No receipt"), _("Overrides"),
                 _("Reprints"), _("Wrong PINs"), _("Lockouts"), _("Just under the limit"), _("Flags")]
        roles = {"cashier": _("Cashier"), "approver": _("Approving manager")}
        rows = [[f.staff, roles[f.role], str(f.transactions), ctx.money(Money.from_minor(f.refund, ctx.policy.currency)),
                 str(f.no_receipt), str(f.overrides), str(f.reprints), str(f.wrong_pins), str(f.lockouts),
                 str(f.near_threshold),
                 "\u26a0 " + "; ".join(ctx.text(t) for t in f.flags) if f.flags else ""] for f in figures]
        table = _table(heads, rows, "exceptionsTable", numeric=(2, 3, 4, 5, 6, 7, 8, 9))
        for r, f in enumerate(figures):
            if f.flags:
                for c in range(len(heads)):
                    table.item(r, c).setBackground(QColor("#fde7e9"))
        self.put_table(table)
