"""Start the counter app: find the database (a demo store on first start), the policy, then the window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog

from pos_returns import i18n
from pos_returns.services import counter as services
from pos_returns.services import session
from pos_returns.domain.policy import PolicyError, load_policy

from . import platform_check
from .context import AppContext
from .main_window import MainWindow

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "policies.toml"


class DemoWorker(QObject):
    """Builds the demo store on its own connection, off the interface thread."""

    progress = Signal(int, int)
    finished = Signal(str)  # "" on success, else the message

    def __init__(self, db_path: Path, policy_path: Path, lang: str = "en", clock: services.Clock = services.system_clock):
        super().__init__()
        self.db_path, self.policy_path, self.lang, self.clock = db_path, policy_path, lang, clock

    def run(self) -> None:
        try:
            policy = load_policy(self.policy_path)
            session.build_demo(self.db_path, policy, today=self.clock().date(), progress=self.progress.emit, batch=500)
            self.finished.emit("")
        except i18n.UserError as exc:
            self.finished.emit(exc.message(self.lang))
        except Exception as exc:  # noqa: BLE001 - reported to the user
            self.finished.emit(str(exc))


class LazyPaper:
    """``ui.printing.Paper``, imported on first use: printing pulls in ReportLab, the paperwork, QtPdf and
    QtPrintSupport, which the sign-in screen does not need (start-up budget: within 3x a bare QApplication)."""

    def __init__(self, method: str = "auto"):
        self._method = method
        self._paper = None

    @staticmethod
    def available() -> bool:
        """Whether Qt's PDF and print modules are installed (what importing ``ui.printing`` needs)."""
        import importlib.util
        return all(importlib.util.find_spec(name) is not None for name in ("PySide6.QtPdf", "PySide6.QtPrintSupport"))

    def __getattr__(self, name: str):
        if self._paper is None:
            from .printing import Paper
            self._paper = Paper(self._method)
        return getattr(self._paper, name)


def build_demo_with_progress(app: QApplication, db_path: Path, policy_path: Path, lang: str,
                             clock: services.Clock = services.system_clock) -> str:
    _ = i18n.translations(lang).gettext
    dialog = QProgressDialog(_("Creating the demo store\u2026"), "", 0, 100)
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.setWindowTitle(_("Returns and exchanges"))
    thread = QThread()
    worker = DemoWorker(db_path, policy_path, lang, clock)
    worker.moveToThread(thread)
    result: list[str] = []
    worker.progress.connect(lambda done, total: (dialog.setMaximum(total), dialog.setValue(done)))
    worker.finished.connect(lambda message: (result.append(message), thread.quit()))
    thread.started.connect(worker.run)
    thread.finished.connect(dialog.close)
    dialog.show()
    thread.start()
    while thread.isRunning():
        app.processEvents()
        thread.wait(20)
    app.processEvents()
    return result[0] if result else ""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="pos-returns counter app")
    parser.add_argument("--db", default=None, help="database (default: $POS_RETURNS_DB or the user's data folder)")
    parser.add_argument("--policy", default=None, help="policy file (default: the one in settings, else policies.toml)")
    parser.add_argument("--lang", default=os.environ.get("POS_RETURNS_LANG", "en"), help="en, vi, cs or zh_Hant")
    parser.add_argument("--register", default=None)
    parser.add_argument("--central", default=None,
                        help="the chain's central PostgreSQL (a libpq connection string; default $POS_RETURNS_CENTRAL)")
    parser.add_argument("--demo", action="store_true",
                        help="open (or build, in a new database) the demo store; without it a demo store is only "
                             "built on a first start with no database file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        lang = i18n.normalize_language(args.lang)
    except i18n.UnknownLanguage:
        print(f"--lang {args.lang}: use one of {', '.join(i18n.LANGUAGES)}", file=sys.stderr)
        return 2
    if QApplication.instance() is None and platform_check.will_use_xcb():
        missing = platform_check.missing_packages()  # before Qt fails with "could not load the platform plugin"
        if missing:
            print(platform_check.advice(missing, os.geteuid() == 0, lang), file=sys.stderr)
            return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    _ = i18n.translations(lang).gettext
    clock = services.system_clock  # the one clock, handed to everything below through the AppContext
    db_path = session.resolve_db_path(args.db)
    first_start = not db_path.exists()
    if first_start:  # a policy with errors must not leave an empty database behind (the next start is a first one)
        try:
            load_policy(Path(args.policy or DEFAULT_POLICY))
        except PolicyError as err:
            message_box_text(app, lang, _("The policy file has errors:") + "\n" +
                             "\n".join(str(p) for p in err.problems))
            return 2
    try:
        store = session.open_database(db_path)
    except session.DatabaseError as exc:
        message_box_text(app, lang, exc.message(lang))
        return 2
    policy_path = Path(args.policy or session.setting(store, "policy_path") or DEFAULT_POLICY)
    try:
        policy = load_policy(policy_path)
    except PolicyError as err:
        store.close()
        message_box_text(app, lang, _("The policy file has errors:") + "\n" + "\n".join(str(p) for p in err.problems))
        return 2
    # demo sales and staff with known PINs never go into a store's own database: only into a new file on a first
    # start, or with --demo (into an empty database, or one already marked demo that was not finished)
    demo_wanted = first_start or args.demo or session.is_demo(store)
    if demo_wanted and not session.demo_finished(store):
        if session.is_demo(store):  # a first start stopped while building: start that demo over
            store = session.start_demo_over(store)
        problem = build_demo_with_progress(app, db_path, policy_path, lang, clock)
        if problem:
            message_box_text(app, lang, problem)
            store.close()
            return 2
    try:
        services.note_policy(store, policy, None, clock())
    except session.DatabaseError as exc:  # a read-only database still opens for lookups
        print(exc.message(lang), file=sys.stderr)
    ctx = AppContext(store=store, policy=policy, policy_path=policy_path, clock=clock, lang=lang,
                     demo=session.is_demo(store))
    ctx.load_settings()
    from pos_returns.services.chain_config import central_url  # not services.chain: a till alone never syncs
    ctx.central = central_url(args.central)
    if args.register:
        ctx.register = args.register
    window = MainWindow(ctx, LazyPaper() if LazyPaper.available() else None)
    window.set_language(lang)
    window.show()
    if ctx.demo:
        window.signin.message.info(lambda: ctx.gettext("Demo store: cashiers c1 / c2 (PIN 1111 / 2222), managers "
                                                       "m1 / m2 (PIN 9999 / 8888)."))
    code = app.exec()
    store.close()
    return code


def message_box_text(app: QApplication, lang: str, text: str) -> None:
    print(text, file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    gettext = i18n.translations(lang).gettext
    from .qt_words import ok_box
    ok_box(gettext, None, gettext("Returns and exchanges"), text).exec()  # Qt has no Vietnamese "OK"


