"""The chain's online / offline indicator in the status line, and the background sync behind it.

With a central database (``--central URL`` or ``POS_RETURNS_CENTRAL``) the counter sends its outbox every
:data:`INTERVAL_MS` on a connection of its own, off the interface thread (ui.worker.Background, through
ui.ops.run_op); the label says whether the last attempt reached the central database. Without one the label
stays hidden: the till works alone, as before.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from .context import AppContext
from .worker import Background

INTERVAL_MS = 30_000


class ChainIndicator(QLabel):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent, objectName="chainStatus")
        self.ctx = ctx
        self.state: str | None = None  # None: not tried yet; "online"; "offline"
        self.last_sync: datetime | None = None
        self.problem = ""
        self.background = Background(self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        if ctx.central:
            self.timer.start(interval_ms)
            QTimer.singleShot(0, self.sync_now)
        else:
            self.hide()
        self.retranslate()

    def sync_now(self) -> None:
        if not self.ctx.central or self.background.running():
            return
        from pos_returns.services import chain  # only a till of a chain syncs (not loaded at every start)
        url, policy, clock = self.ctx.central, self.ctx.policy, self.ctx.clock
        self.background.start(self.ctx, lambda db: chain.sync(db, policy, url, now=clock()), self._synced,
                              self._failed)

    def _synced(self, _result) -> None:
        self.state, self.problem, self.last_sync = "online", "", self.ctx.clock()
        if self.ctx.central_link is not None:  # the counter's next call need not wait out its offline pause
            self.ctx.central_link.retry_at = 0.0
        self.retranslate()

    def _failed(self, message: str) -> None:
        self.state, self.problem = "offline", message
        self.retranslate()

    def retranslate(self) -> None:
        _ = self.ctx.gettext
        if self.state == "online":
            self.setText(_("Central: online"))
            self.setStyleSheet("color:#1b5e20;")
            self.setToolTip(_("Last sync at {time}").format(time=self.last_sync.strftime("%H:%M")))
        elif self.state == "offline":
            self.setText(_("Central: offline"))
            self.setStyleSheet("color:#b71c1c; font-weight:bold;")
            self.setToolTip(self.problem)
        else:
            self.setText(_("Central: connecting\u2026"))
            self.setStyleSheet("")
            self.setToolTip("")
