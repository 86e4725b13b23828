"""Driver for the start-up benchmark: run the real ``ui.app.main`` and quit as soon as the window is shown.

``python bench/ui_start.py --db PATH`` (QT_QPA_PLATFORM=offscreen). A zero-delay timer is queued before
``main`` runs; it fires on the first turn of the event loop, i.e. right after ``window.show()``, prints
the seconds since the process started (``time.perf_counter`` is not process-relative, so the parent
measures the wall time of the whole process; this number is for information) and quits.
``--bare`` starts only a QApplication and one empty QMainWindow (the floor).
"""

from __future__ import annotations

import sys
import time

T0 = time.perf_counter()

from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    shown: list[float] = []

    def first_show() -> None:
        shown.append(time.perf_counter() - T0)
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        print(f"SHOWN {shown[0]:.4f} {len(windows)}", flush=True)
        app.quit()

    QTimer.singleShot(0, first_show)
    if "--bare" in sys.argv:
        window = QMainWindow()
        window.show()
        return app.exec()
    from ui.app import main as app_main
    args = sys.argv[1:]
    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
