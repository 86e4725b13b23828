"""The manager area's Policy tab: the policy in force, in words."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from pos_returns.domain import policy_text
from pos_returns.domain.version_text import describe_version

from .context import AppContext
from .manager_common import _table


class PolicyTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        head = QLabel(f"{ctx.policy.store.name} \u2014 {ctx.policy_path} (sha256 {ctx.policy.sha256[:12]})")
        layout.addWidget(head)
        self.version = QLabel(describe_version(ctx.policy, ctx.lang), objectName="policyVersion")
        self.version.setWordWrap(True)
        layout.addWidget(self.version)
        rows = [[r.id, r.kind, r.scope, _("yes") if r.overridable else _("no"), r.explanation]
                for r in policy_text.describe(ctx.policy, ctx.lang)]
        table = _table([_("Rule"), _("Kind"), _("Applies to"), _("Manager may override"), _("What it says")], rows,
                       "policyTable")
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(2, 220)
        table.horizontalHeader().sectionResized.connect(lambda *_: table.resizeRowsToContents())
        self.table = table
        layout.addWidget(table, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - row heights follow the wrapped text at the real width
        super().showEvent(event)
        self.table.resizeRowsToContents()
