"""The manager area's Chain tab (a till of a chain only): every store's returns over a period, by store and
for the chain, and the conflicts sync found. The query runs off the interface thread (ui.worker.Background,
through ui.ops.run_op) against the central database."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from pos_returns.domain.money import Money
from pos_returns.services import manager_view as mv

from .context import AppContext
from .manager_common import PeriodTab, _table


class ChainTab(PeriodTab):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx, ctx.gettext("Show the chain"), "runChain")

    def query(self, _db, start, end):  # the central database, not the till's
        return mv.chain_report(self.ctx.central, start, end)

    def show(self, result) -> None:  # noqa: A003
        rows, total, conflicts = result
        ctx, _ = self.ctx, self.ctx.gettext

        def money(minor: int) -> str:
            return ctx.money(Money.from_minor(minor, ctx.policy.currency))

        heads = [_("Store"), _("Transactions"), _("Refunds"), _("Exchanges"), _("No receipt"), _("Offline"),
                 _("Tills"), _("Conflicts")]
        body = [[r["store_id"] or "", str(r["transactions"]), money(r["refund_total"]), money(r["exchange_total"]),
                 str(r["no_receipt"]), str(r["offline"]), str(r["tills"]), str(r["conflicts"])]
                for r in rows + [dict(total, store_id=_("All stores"))]]
        table = _table(heads, body, "chainTable", numeric=(1, 2, 3, 4, 5, 6, 7))
        bold = QFont()
        bold.setBold(True)
        for c in range(len(heads)):
            table.item(len(body) - 1, c).setFont(bold)
        for r, row in enumerate(rows):
            if row["conflicts"]:
                for c in range(len(heads)):
                    table.item(r, c).setBackground(QColor("#fde7e9"))
        self.put_table(table)
        self.summary.setText("\n".join(f"\u26a0 {c['store_id']} {c['kind']}: {c['detail']}" for c in conflicts[:20]))
