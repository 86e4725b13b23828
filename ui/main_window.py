"""The window: a stack of screens, the status line, language switching, the idle lock.

The window only moves between screens; each screen owns its own widgets and calls services itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, QTranslator
from PySide6.QtWidgets import (QApplication, QInputDialog, QLabel, QMainWindow, QMenu, QStackedWidget, QVBoxLayout,
                               QWidget)

from pos_returns import i18n
from pos_returns.i18n import N_
from pos_returns.services import session

from .context import AppContext
from .home import HomeScreen
from .ops import message_box, run_op
from .qt_words import QT_CATALOG, qt_locale, qt_translator  # noqa: F401 - QT_CATALOG is importable here as before
from .signin import SignInScreen
from .style import apply as apply_style, mark

if TYPE_CHECKING:
    from .receipt import ReceiptScreen

# the receipt, no-receipt and done screens are imported when first shown: the first screen is the sign-in,
# and start-up is measured against a bare QApplication (bench/ui_start.py)



class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, printing=None):
        super().__init__()
        self.ctx = ctx
        self.printing = printing  # ui.paper.Paper or None
        self.setObjectName("mainWindow")
        apply_style()  # the one style sheet, on the whole application (dialogs and menus too)
        self.stack = QStackedWidget()
        # training shows above every screen: the banner belongs to the window, not to any one screen
        self.training_banner = QLabel(objectName="trainingBanner")
        self.training_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        central = QWidget(objectName="central")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.training_banner)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status = QLabel(objectName="statusLine")
        self.statusBar().addPermanentWidget(self.status, 1)
        from .chain_status import ChainIndicator
        self.chain_status = ChainIndicator(ctx, self)  # online / offline, when the till is one of a chain's
        self.statusBar().addPermanentWidget(self.chain_status)
        self.qt_translator: QTranslator | None = None
        self.receipt: ReceiptScreen | None = None  # reused from scan to scan (built on the first)
        self.signin = SignInScreen(ctx)
        self.home = HomeScreen(ctx)
        self.stack.addWidget(self.signin)
        self.stack.addWidget(self.home)
        self.signin.signed_in.connect(self.on_signed_in)
        self.home.scanned_receipt.connect(self.open_receipt)
        self.home.scanned_transaction.connect(self.reprint)
        self.home.action.connect(self.on_action)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.fit_to_screen()
        self.retranslate()
        self.lock()

    def fit_to_screen(self) -> None:
        """1200x800 where there is room, else the screen's available area (1366x768 counter screens are common:
        the status line and the Finish row must stay on screen), with room left for the window's frame."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(1200, 800)
            return
        area = screen.availableGeometry()
        frame = 40 if area.height() < 860 else 0  # a title bar the window manager adds above our client area
        width, height = min(1200, area.width()), min(800, area.height() - frame)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + max((area.height() - frame - height) // 2, 0))

    # -- status, language ---------------------------------------------------------
    def retranslate(self) -> None:
        _ = self.ctx.gettext
        ctx = self.ctx
        title = _("Returns and exchanges") + f" \u2014 {ctx.policy.store.name}"
        self.setWindowTitle(title + f" \u2014 {_('DEMO')}" if ctx.demo else title)
        who = ctx.staff.name if ctx.staff else _("nobody signed in")
        store_id = session.setting(ctx.store, "store_id") or ctx.policy.store.id  # a chain's till: its own store
        parts = [f"{ctx.policy.store.name} ({store_id})", _("Register {register}").format(
            register=ctx.register), who, i18n.language_name(ctx.lang)]
        if ctx.training:
            parts.append(_("TRAINING"))
        self.status.setText("  \u2022  ".join(parts))
        mark(self.status, "training", bool(ctx.training))
        self.training_banner.setText("\u26a0 " + _("TRAINING - nothing here is a real transaction") + " \u26a0")
        self.training_banner.setVisible(bool(ctx.training))
        self.chain_status.retranslate()
        for i in range(self.stack.count()):
            widget = self.stack.widget(i)
            if hasattr(widget, "retranslate"):
                widget.retranslate()

    def set_language(self, lang: str) -> None:
        self.ctx.lang = i18n.normalize_language(lang)
        app = QApplication.instance()
        if self.qt_translator is not None:
            app.removeTranslator(self.qt_translator)
            self.qt_translator = None
        translator = qt_translator(self.ctx.lang, self)  # Qt's own words where Qt ships them (cs, zh_TW)
        if translator is not None:
            app.installTranslator(translator)
            self.qt_translator = translator
        QLocale.setDefault(qt_locale(self.ctx.lang))  # Qt's date and number widgets made from now on
        self.retranslate()
        from .widgets import MessageStrip
        for strip in self.findChildren(MessageStrip):  # the messages on screen, in the new language
            strip.retranslate()

    def choose_language(self) -> None:
        menu = QMenu(self)
        menu.setObjectName("languageMenu")
        for code in i18n.LANGUAGES:
            action = menu.addAction(i18n.language_name(code))
            action.setData(code)
        chosen = menu.exec(self.home.buttons["language"].mapToGlobal(self.home.buttons["language"].rect().center()))
        if chosen is not None:
            self.set_language(chosen.data())

    # -- idle lock ------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) \
                and self.ctx.staff is not None:
            self.idle.start(self.ctx.idle_minutes * 60_000)
        return False

    def lock(self) -> None:
        self.ctx.staff = None
        self.ctx.training = False  # sign-out ends training: the next person starts on the real counter
        self._show(self.signin)
        self.signin.reset()
        self.retranslate()
        self.signin.staff_id.setFocus()

    # -- navigation -----------------------------------------------------------------
    def _show(self, widget: QWidget) -> None:
        current = self.stack.currentWidget()
        if self.stack.indexOf(widget) < 0:
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        if current not in (self.signin, self.home, self.receipt, widget) and current is not None:
            self.stack.removeWidget(current)
            current.deleteLater()

    def on_signed_in(self, member) -> None:
        self.ctx.staff = member
        self.idle.start(self.ctx.idle_minutes * 60_000)
        self.go_home()

    def go_home(self) -> None:
        self.ctx.customer_lang = None  # the next customer's language is chosen again
        self._show(self.home)
        self.retranslate()
        self.home.scan.setFocus()

    def open_receipt(self, code: str) -> None:
        with self._idle_filter_paused():
            self._open_receipt(code)

    @contextmanager
    def _idle_filter_paused(self):
        """The idle lock's application-wide filter taken off while a scan's screen is loaded and switched to,
        synchronously, with no event loop running: no keystroke or click can arrive meanwhile, and the hundred
        or so Show, Hide, Polish and layout events the switch sends would each be a call into Python."""
        app = QApplication.instance()
        if app is None:
            yield
            return
        app.removeEventFilter(self)
        try:
            yield
        finally:
            app.installEventFilter(self)

    def _open_receipt(self, code: str) -> None:
        sale = run_op(self.ctx, lambda: self.ctx.counter().lookup(code), show=self.home.message.error)
        if sale is None:
            return
        screen = self.receipt
        if screen is None:  # one receipt screen, built on the first scan and loaded with each next sale
            from .receipt import ReceiptScreen
            screen = self.receipt = ReceiptScreen(self.ctx, sale)
            screen.committed.connect(self.on_committed)
            screen.cancelled.connect(self.go_home)
        else:
            screen.load(sale)
        self._show(screen)
        screen.table.setFocus()

    def open_no_receipt(self) -> None:
        from .noreceipt import NoReceiptScreen
        screen = NoReceiptScreen(self.ctx)
        screen.committed.connect(self.on_committed)
        screen.cancelled.connect(self.go_home)
        self._show(screen)
        screen.customer_id.setFocus()

    def on_committed(self, tx) -> None:
        from .done import DoneScreen
        done = DoneScreen(self.ctx, tx)
        done.back.connect(self.go_home)
        done.reprint.connect(lambda txno: self.reprint(txno, done.message))
        self._show(done)
        if self.printing is not None:
            problem = self.printing.print_new(self.ctx, tx)
            _ = self.ctx.gettext
            if problem:
                done.message.error(problem + " " + _("The transaction is recorded; reprint it with F4."))
            elif self.printing.printer_name(self.ctx):
                done.message.success(_("Printed the customer receipt and the store copy on {printer}.").format(
                    printer=self.printing.printer_name(self.ctx)))
            else:
                done.message.success(_("No printer is set up: the customer receipt and the store copy were saved as "
                                    "PDF files next to the database."))
        else:
            done.message.info(self.ctx.gettext("No printing set up: the transaction is recorded and can be reprinted."))

    def reprint(self, txno: str, strip=None) -> None:
        strip = strip or self.home.message
        if self.printing is None:
            strip.error(self.ctx.gettext("No printing set up: the transaction is recorded and can be reprinted."))
            return
        problem = self.printing.reprint(self.ctx, txno)
        if problem:
            strip.error(problem)
        else:
            _ = self.ctx.gettext
            if self.printing.printer_name(self.ctx):
                strip.success(_("Reprinted {txno} (marked DUPLICATE).").format(txno=txno))
            else:
                strip.success(_("Reprinted {txno} (marked DUPLICATE) as PDF files next to the database; no "
                                "printer is set up.").format(txno=txno))

    def on_action(self, name: str) -> None:
        _ = self.ctx.gettext
        if name == "return":
            self.home.message.info(_("Scan or type the receipt number, then Enter"))
            self.home.scan.setFocus()
        elif name == "no_receipt":
            self.open_no_receipt()
        elif name == "reprint":
            ask = QInputDialog(self)
            ask.setObjectName("reprintDialog")
            ask.setWindowTitle(_("Reprint"))
            ask.setLabelText(_("Transaction number"))
            ask.setOkButtonText(_("Reprint"))  # our own words: Qt has no Vietnamese catalog
            ask.setCancelButtonText(_("Cancel"))
            if ask.exec() and ask.textValue().strip():
                self.reprint(ask.textValue().strip())
        elif name == "manager":
            self.manager_menu()
        elif name == "training":
            self.ctx.training = not self.ctx.training
            self.retranslate()
        elif name == "language":
            self.choose_language()
        elif name == "sign_out":
            self.lock()
        self.focus_next_field()

    def focus_next_field(self) -> None:
        """Focus where the next keystroke belongs on the screen shown (after an action, a dialog, a message):
        never a field of a screen that is not shown, so a PIN or a customer's ID is never read as a receipt."""
        current = self.stack.currentWidget()
        self.activateWindow()
        if current is self.home:
            self.home.scan.setFocus()
        elif current is self.signin:
            (self.signin.pin if self.signin.staff_id.text().strip() else self.signin.staff_id).setFocus()
        elif hasattr(current, "first_field"):
            current.first_field().setFocus()

    def manager_menu(self) -> None:
        from .manager import ManagerScreen
        _ = self.ctx.gettext
        if self.ctx.staff is None or not self.ctx.staff.is_manager:
            self.home.message.error(_("Only a manager can open the manager tools; sign in as a manager."))
            return
        screen = ManagerScreen(self.ctx, open_settings=self.open_settings, open_training=self.open_training)
        screen.closed.connect(self.go_home)
        self._show(screen)

    def open_settings(self) -> None:
        from .dialogs import SettingsDialog
        printers = self.printing.printers() if self.printing is not None else []
        if SettingsDialog(self.ctx, printers, self).exec():
            self.retranslate()

    def open_training(self) -> None:
        from .training import TrainingScreen
        screen = TrainingScreen(self.ctx)
        screen.closed.connect(self.go_home)
        self._show(screen)

    def show_error_box(self, text: str) -> None:
        message_box(self.ctx, self, self.ctx.gettext(N_("Error")), text).exec()


