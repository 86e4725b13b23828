"""Long work off the interface thread, on its own database connection, with a busy indicator."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QProgressBar

from pos_returns.storage import store as st


class _Job(QObject):
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, db_path: Path, fn: Callable[[st.Database], Any]):
        super().__init__()
        self.db_path, self.fn = db_path, fn

    def run(self) -> None:
        try:
            with st.open_store(self.db_path, create=False) as store:
                result = self.fn(store)
        except Exception as exc:  # noqa: BLE001 - shown to the user by the caller
            self.failed.emit(exc)
            return
        self.done.emit(result)


class Background(QObject):
    """Run ``fn(store)`` in a thread; ``bar`` shows a busy indicator meanwhile."""

    def __init__(self, parent: QObject, bar: QProgressBar | None = None):
        super().__init__(parent)
        self.bar = bar
        self.thread: QThread | None = None
        self.job: _Job | None = None

    def start(self, db_path: Path, fn: Callable[[st.Database], Any], on_done: Callable[[Any], None],
              on_failed: Callable[[BaseException], None]) -> None:
        if self.thread is not None and self.thread.isRunning():
            return
        self.thread = QThread(self)
        self.job = _Job(db_path, fn)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.done.connect(on_done)
        self.job.failed.connect(on_failed)
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
