"""The manager area's What-if tab: a changed policy replayed over the journal, with progress, off the
interface thread."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton

from pos_returns.i18n import N_, Text
from pos_returns.domain.money import Money
from pos_returns.domain.policy import PolicyError, load_policy
from pos_returns.services import manager_view as mv

from .context import AppContext
from .qt_words import file_dialog
from .ops import describe
from .manager_common import _JobTab, _table


class WhatIfTab(_JobTab):
    def __init__(self, ctx: AppContext):
        _ = ctx.gettext
        top = QHBoxLayout()
        self.path = QLineEdit(objectName="whatifPolicy")
        self.path.setPlaceholderText(_("New policy file (.toml)"))
        browse = QPushButton(_("Choose\u2026"))
        self.run_button = QPushButton(_("Replay past returns"), objectName="runWhatif")
        self.cancel_button = QPushButton(_("Cancel the replay"), objectName="cancelWhatif")
        self.cancel_button.hide()
        top.addWidget(self.path, 1)
        top.addWidget(browse)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        super().__init__(ctx, top)
        self.summary.setObjectName("whatifSummary")
        self.versions = QLabel(objectName="whatifVersions")  # the new version's dates, below the summary
        self.versions.setWordWrap(True)
        self.layout().insertWidget(self.layout().indexOf(self.summary) + 1, self.versions)
        self.progress.setFormat(_("%v of %m returns replayed"))
        browse.clicked.connect(self.browse)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.worker.cancel)

    def browse(self) -> None:
        path = file_dialog(self.ctx.gettext, self, self.ctx.gettext("New policy file (.toml)"), "",
                           "TOML (*.toml)", save=False)
        if path:
            self.path.setText(path)

    def run(self) -> None:
        try:
            new = load_policy(self.path.text().strip())
        except PolicyError as err:
            self.message.error(describe(self.ctx, err))
            return
        self.new_policy = new
        self.message.clear_message()
        self.summary.setText("")
        self.cancel_button.show()
        self.worker.start(self.ctx, lambda db, progress: mv.what_if(db, new, progress), self.show, self.failed,
                          cancel_error=mv.WhatIfCancelled)

    def failed(self, text: str) -> None:
        self.cancel_button.hide()
        self.message.error(text)

    def show(self, result: mv.WhatIf) -> None:  # noqa: A003
        self.cancel_button.hide()
        ctx, _ = self.ctx, self.ctx.gettext
        cur = ctx.policy.currency
        diff = Money.from_minor(result.difference, cur)
        text = _("{replayed} past returns replayed; {changed} decisions change; refunds {old} \u2192 "
                 "{new} ({diff}).").format(
            replayed=result.replayed, changed=len(result.changed),
            old=ctx.money(Money.from_minor(result.old_total, cur)),
            new=ctx.money(Money.from_minor(result.new_total, cur)), diff=ctx.money(diff))
        self.summary.setText(text)
        self.versions.setText(self.versions_text(mv.version_summary(result, self.new_policy)))
        rows = [[c.txno, c.at, c.old_outcome, c.old_refund, c.new_outcome, c.new_refund, c.note, c.old_version]
                for c in result.changed]
        self.put_table(_table([_("Transaction"), _("When"), _("Was"), _("Refund"), _("Would be"), _("Refund"),
                               _("Rules"), _("Decided under")], rows, "whatifTable", numeric=(3, 5)))

    def versions_text(self, v: mv.VersionSummary) -> str:
        _ = self.ctx.gettext
        if v.effective_from is None:
            return _("New policy {version} (no effective_from: undated).").format(version=v.new_version)
        text = self.ctx.text(Text(N_("New policy version {version}, in force from {date}."),
                                  {"version": v.new_version, "date": v.effective_from}))
        if v.earlier_sales and v.applies_to_earlier_sales == "no":
            text += " " + _("{count} of the changes are of earlier sales: at the counter they keep the decision of "
                            "the version they were sold under.").format(count=v.earlier_sales)
        elif v.earlier_sales:
            text += " " + _("{count} of the changes are of earlier sales: at the counter they change only where "
                            "the new version is more generous on every line.").format(count=v.earlier_sales)
        return text
