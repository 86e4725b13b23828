"""Long work off the interface thread, on its own database connection, with a busy indicator.

The work goes through :func:`ui.ops.run_op` like every other core call: an error becomes the message the
screen shows (emitted back to the interface thread), never a traceback.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QProgressBar

from pos_returns.services import session

from .context import AppContext
from .ops import run_op


class _Job(QObject):
    done = Signal(object)
    failed = Signal(str)
    progressed = Signal(int, int)

    def __init__(self, ctx: AppContext, fn: Callable[..., Any], cancel_error: Callable[[], BaseException] | None):
        super().__init__()
        self.ctx, self.fn = ctx, fn
        self.path = ctx.db_path
        self.cancel_error = cancel_error
        self.stop = threading.Event()

    def tick(self, done: int, total: int) -> None:
        """The work's progress(done, total), in the worker thread: shown by the bar; raises to cancel."""
        if self.stop.is_set() and self.cancel_error is not None:
            raise self.cancel_error()
        self.progressed.emit(done, total)

    def run(self) -> None:
        errors: list[BaseException] = []
        fn = self.fn if self.cancel_error is None else (lambda db: self.fn(db, self.tick))
        result = run_op(self.ctx, lambda: session.on_own_connection(self.path, fn), show=self.failed.emit,
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

    def start(self, ctx: AppContext, fn: Callable[..., Any], on_done: Callable[[Any], None],
              show_error: Callable[[str], None], *, cancel_error: Callable[[], BaseException] | None = None
              ) -> None:
        """``cancel_error`` given: the work reports progress, ``fn(db, progress)`` with ``progress(done, total)``
        moving the bar, and :meth:`cancel` makes the next call raise ``cancel_error()``."""
        if self.thread is not None and self.thread.isRunning():
            return
        self.thread = QThread(self)
        self.job = _Job(ctx, fn, cancel_error)
        self.job.progressed.connect(self._progressed)
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

    def _progressed(self, done: int, total: int) -> None:
        if self.bar is not None and total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def cancel(self) -> None:
        """Ask running work that reports progress to stop (at its next report)."""
        if self.job is not None:
            self.job.stop.set()

    def _stop(self, *_: Any) -> None:
        if self.bar is not None:
            self.bar.setRange(0, 1)
            self.bar.hide()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()

    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()
