"""The one helper through which screens call the core: errors a user can cause become a message box
in the interface language, never a traceback."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from pos_returns.case import CaseError
from pos_returns.policy import PolicyError

T = TypeVar("T")


def run_op(parent: QWidget, title: str, op: Callable[[], T]) -> T | None:
    try:
        return op()
    except PolicyError as err:
        _show(parent, title, "\n".join(str(p) for p in err.problems))
    except CaseError as err:
        _show(parent, title, "\n".join(f"{err.source}: {p}" for p in err.problems))
    except OSError as err:
        _show(parent, title, f"{err.filename or ''}: {err.strerror or err}")
    return None


def _show(parent: QWidget, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.open()
