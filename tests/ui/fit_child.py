"""Child process of test_screen_fit: the real window on one offscreen screen of the size given, driven by keys.

    python tests/ui/fit_child.py DB WIDTHxHEIGHT      prints JSON: the screen, the window, the Finish row and the
                                                     status line (global rectangles) after sign-in and a scan
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]


def main(db: str, size: str) -> int:
    width, height = (int(v) for v in size.split("x"))
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "counter", "x": 0, "y": 0, "width": width,
                                               "height": height}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from counter_kit import KEYBOARD, NOW, POLICY_PATH, STAFF
    from pos_returns.domain.policy import load_policy
    from pos_returns.storage import store as st
    from ui.context import AppContext
    from ui.main_window import MainWindow

    app = QApplication([])
    store = st.open_store(Path(db))
    ctx = AppContext(store=store, policy=load_policy(POLICY_PATH), policy_path=POLICY_PATH, clock=lambda: NOW)
    window = MainWindow(ctx, printing=None)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowExposed(window)

    def typed(text: str) -> None:
        QTest.keyClicks(QApplication.focusWidget(), text)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        app.processEvents()

    typed("c1")
    typed(STAFF["c1"])
    typed(KEYBOARD)
    screen = window.stack.currentWidget()
    app.processEvents()

    def rect(widget) -> list[int]:
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        return [top_left.x(), top_left.y(), widget.width(), widget.height()]

    # the receipt table in every language, on a receipt with serialized items too (the Serial column shown):
    # where the Decision and Refund columns end against the table's visible width, and the sideways scroll
    from ui.receipt import C_DECISION, C_REFUND
    serialized = store.query("SELECT receipt FROM sale_lines WHERE serial IS NOT NULL ORDER BY receipt LIMIT 1")
    columns = []
    for lang in ("en", "vi", "cs", "zh_Hant"):
        window.set_language(lang)
        for receipt in (KEYBOARD, serialized[0]["receipt"]):
            window.go_home()  # (Esc with a line picked asks first; keys of that are tested elsewhere)
            app.processEvents()
            typed(receipt)
            typed("1")  # one of the first line: a decision shown (the Decision column widens to its words)
            table = window.stack.currentWidget().table
            app.processEvents()
            header = table.horizontalHeader()
            columns.append({"lang": lang, "receipt": receipt, "room": table.viewport().width(),
                            "decision_end": table.columnViewportPosition(C_DECISION) + table.columnWidth(C_DECISION),
                            "refund_start": table.columnViewportPosition(C_REFUND),
                            "refund_header": header.sectionSizeHint(C_REFUND),
                            "scroll": table.horizontalScrollBar().maximum(), "widths": [table.columnWidth(c) for c in range(header.count())]})
    window.set_language("en")

    area = window.screen().availableGeometry()
    print(json.dumps({"screen": [area.x(), area.y(), area.width(), area.height()],
                      "window": [window.x(), window.y(), window.width(), window.height()],
                      "shown": screen.objectName(), "finish": rect(screen.finish_button),
                      "cancel": rect(screen.cancel_button), "status": rect(window.status),
                      "status_visible": window.status.isVisible(), "finish_visible": screen.finish_button.isVisible(),
                      "columns": columns}))
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
