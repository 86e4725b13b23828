"""Long work off the interface thread, on its own database connection, with a busy indicator.

The work goes through :func:`ui.ops.run_op` like every other core call: an error becomes the message the
screen shows (emitted back to the interface thread), never a traceback.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QProgressBar

from pos_returns.services import session

from .context import AppContext
from .ops import run_op


class _Job(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, fn: Callable[[session.Database], Any]):
        super().__init__()
        self.ctx, self.fn = ctx, fn
        self.path = ctx.db_path

    def run(self) -> None:
        errors: list[BaseException] = []
        result = run_op(self.ctx, lambda: session.on_own_connection(self.path, self.fn), show=self.failed.emit,
                        on_error=errors.append)
        if not errors:
            self.done.emit(result)


class Background(QObject):
    """Run ``fn(db)`` in a thread on a connection of its own; ``bar`` shows a busy indicator meanwhile."""

    def __init__(self, parent: QObject, bar: QProgressBar | None = None):
        super().__init__(parent)
        self.bar = bar
        self.thread: QThread | None = None
        self.job: _Job | None = None

    def start(self, ctx: AppContext, fn: Callable[[session.Database], Any], on_done: Callable[[Any], None],
              show_error: Callable[[str], None]) -> None:
        if self.thread is not None and self.thread.isRunning():
            return
        self.thread = QThread(self)
        self.job = _Job(ctx, fn)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.done.connect(on_done)
        self.job.failed.connect(show_error)
        self.job.done.connect(self._stop)
        self.job.failed.connect(self._stop)
        if self.bar is not None:
            self.bar.setRange(0, 0)  # busy
            self.bar.show()
        self.thread.start()

    def _stop(self, *_: Any) -> None:
        if self.bar is not None:
            self.bar.setRange(0, 1)
            self.bar.hide()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()

    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()
