"""The one helper through which screens call the core.

``run_op`` runs a core call; an error a user can cause (a wrong PIN, an unknown receipt, a busy database,
an invalid policy file...) becomes a message in the interface language, shown in the screen's message
area or a dialog; never a traceback. Anything unexpected is shown as a short message too, and nothing
that was committed is lost, because commits happen inside the core in one transaction.
"""

from __future__ import annotations

import logging
from typing import Callable, TypeVar

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from pos_returns.domain.case import CaseError
from pos_returns.i18n import N_, UserError
from pos_returns.domain.policy import PolicyError

from .context import AppContext

T = TypeVar("T")
log = logging.getLogger(__name__)


def describe(ctx: AppContext, exc: BaseException) -> str:
    if isinstance(exc, UserError):  # needs only the language (a printing context may have nothing else)
        return exc.message(ctx.lang)
    _ = ctx.gettext
    if isinstance(exc, PolicyError):
        return _("The policy file has errors:") + "\n" + "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, CaseError):
        return "\n".join(f"{exc.source}: {p}" for p in exc.problems)
    if isinstance(exc, OSError):
        return _("{file}: {error}").format(file=exc.filename or "", error=exc.strerror or exc)
    log.exception("unexpected error")
    return _("Something went wrong: {error}. Nothing was lost; try again.").format(error=exc)


def run_op(ctx: AppContext, op: Callable[[], T], *, show: Callable[[str], None],
           on_error: Callable[[BaseException], None] | None = None) -> T | None:
    """Run ``op``; on a user's error call ``show(message)`` and return None.

    ``on_error`` (if given) sees the error first, so a screen can take what it carries (e.g. a new decision)."""
    try:
        return op()
    except Exception as exc:  # noqa: BLE001 - every error becomes a message; the core keeps its data safe
        if on_error is not None:
            on_error(exc)
        if isinstance(getattr(show, "__self__", None), QLabel):  # a message strip: made again on a language switch
            show(lambda error=exc: describe(ctx, error))
        else:
            show(describe(ctx, exc))
        return None


def scan_product(ctx: AppContext, field, message):
    """Take the code a scanner typed into ``field``; the product, or None (unknown codes shown in ``message``)."""
    code = field.text().strip()
    field.clear()
    if not code:
        return None
    product = run_op(ctx, lambda: ctx.counter().find_product(code), show=message.error)
    if product is not None:
        message.clear_message()
    return product


def message_box(ctx: AppContext, parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A warning box with our own translated button (Qt has no Vietnamese catalog of its own)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setObjectName("errorBox")
    box.addButton(ctx.gettext(N_("OK")), QMessageBox.ButtonRole.AcceptRole)
    return box
