"""Start the application window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMainWindow, QPlainTextEdit, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_returns import services
from pos_returns.policy import Policy

from .ops import run_op


class PolicyWindow(QMainWindow):
    """The live policy as rules with their ids and scopes, and the decision for a case file."""

    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy
        self.setWindowTitle(f"pos-returns — {policy.store.name} ({policy.store.id})")
        central = QWidget()
        layout = QVBoxLayout(central)
        self.header = QLabel(f"<b>{policy.store.name}</b> · {policy.currency} · {policy.path}")
        layout.addWidget(self.header)
        splitter = QSplitter()
        self.rules = QTableWidget(0, 3)
        self.rules.setHorizontalHeaderLabels(["Rule", "Applies to", "Overridable"])
        self.decision = QPlainTextEdit(readOnly=True)
        self.decision.setPlaceholderText("Open a case file (Ctrl+O) to see its decision.")
        splitter.addWidget(self.rules)
        splitter.addWidget(self.decision)
        layout.addWidget(splitter)
        self.setCentralWidget(central)
        open_case = QAction("&Open case…", self)
        open_case.setShortcut(QKeySequence.StandardKey.Open)
        open_case.triggered.connect(self.choose_case)
        self.menuBar().addMenu("&File").addAction(open_case)
        self._fill_rules()
        self.resize(1100, 650)

    def _fill_rules(self) -> None:
        p = self.policy
        rows = [(r, ", ".join(sorted(r.scope.categories | r.scope.tags | r.scope.skus | r.scope.tiers)) or "all",
                 r.overridable)
                for group in (p.windows, p.seasonal, p.not_returnable, p.conditions, p.fees, p.warranties)
                for r in group]
        self.rules.setRowCount(len(rows))
        for i, (rule, scope, overridable) in enumerate(rows):
            for j, text in enumerate((rule.id, scope, "yes" if overridable else "no")):
                self.rules.setItem(i, j, QTableWidgetItem(text))
        self.rules.resizeColumnsToContents()

    def choose_case(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open case", str(Path.cwd()), "Case JSON (*.json)")
        if path:
            self.show_case(path)

    def show_case(self, path: str) -> None:
        result = run_op(self, "Case", lambda: services.decide_case_file(self.policy, path))
        if result is not None:
            import json
            self.decision.setPlainText(json.dumps(result.json, ensure_ascii=False, indent=2))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    app = QApplication(argv)
    policy_path = argv[1] if len(argv) > 1 else "policies.toml"
    policy = run_op(None, "Policy", lambda: services.open_policy(policy_path))  # type: ignore[arg-type]
    if policy is None:
        print(f"cannot open policy {policy_path}", file=sys.stderr)
        return 2
    window = PolicyWindow(policy)
    window.show()
    return app.exec()
