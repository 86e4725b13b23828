"""Helpers for the counter-app tests: the test data, a driver for the window, a driver for modal dialogs.

The demo store (400 receipts, staff c1/c2 cashiers PIN 1111/2222, m1/m2 managers PIN 9999/8888) is built once,
because every PIN hash costs about half a second. On top of it we import our own sales (a few days old) so the
outcomes are predictable, and record the history some tests need (a fully returned receipt, a customer who
already used up the limit of returns without a receipt).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget  # noqa: E402

from pos_returns import i18n  # noqa: E402
from pos_returns.storage import store as st  # noqa: E402
from pos_returns.domain.engine import sale_total  # noqa: E402
from pos_returns.domain.model import Customer, NoReceiptItem, Request, RequestLine, Sale, SaleLine  # noqa: E402
from pos_returns.domain.money import Money  # noqa: E402
from pos_returns.services.counter import Counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
POLICY_PATH = ROOT / "policies.toml"

TODAY = date.today()
NOW = datetime.combine(TODAY, time(12, 0))  # the fixed clock of every window in these tests
SOLD = datetime.combine(TODAY - timedelta(days=5), time(10, 30))
TAX = "0.0725"

# receipts imported on top of the demo store: receipt -> (store, [(sku, name, category, qty, unit price)], tender)
SALES = {
    "0001-900001": ("0001", [("JEANS", "Slim jeans", "apparel", 1, "49.99")], "credit"),  # full return
    "0001-900002": ("0001", [("JEANS", "Slim jeans", "apparel", 2, "49.99")], "credit"),  # partial return
    "0001-900003": ("0001", [("TSHIRT", "Cotton T-shirt", "apparel", 1, "14.99")], "credit"),  # exchange up
    "0001-900004": ("0001", [("JACKET", "Rain jacket", "apparel", 1, "129.00")], "credit"),  # exchange down
    "0001-900005": ("0001", [("JACKET", "Rain jacket", "apparel", 3, "129.00")], "credit"),  # needs a manager
    "0001-900006": ("0001", [("TSHIRT", "Cotton T-shirt", "apparel", 1, "14.99"),
                             ("JEANS", "Slim jeans", "apparel", 1, "49.99")], "cash"),  # keyboard-only run
    "0001-900007": ("0001", [("TOWEL", "Bath towel", "home", 1, "19.99")], "credit"),  # already returned
    "0001-900008": ("0001", [("PILLOW", "Pillow", "home", 2, "29.99")], "credit"),  # spare (busy database)
    "0002-000001": ("0002", [("TOWEL", "Bath towel", "home", 1, "19.99")], "credit"),  # another store
}
FULL, PARTIAL, EXCHANGE_UP, EXCHANGE_DOWN, BIG, KEYBOARD, RETURNED, SPARE = (f"0001-90000{i}" for i in range(1, 9))
OTHER_STORE = "0002-000001"
FREQUENT_CUSTOMER_ID = "D7654321"  # already made 3 returns without a receipt (the policy's limit)

STAFF = {"c1": "1111", "c2": "2222", "m1": "9999", "m2": "8888"}


def sale_model(receipt: str, store_id: str, lines: list, currency: str) -> Sale:
    return Sale(receipt=receipt, sold_at=SOLD, tenders=(), store_id=store_id, lines=tuple(
        SaleLine(line=n, sku=sku, name=name, category=cat, qty=qty, unit_price=Money.parse(price, currency),
                 discount=Money.zero(currency), tax_rate=Decimal(TAX))
        for n, (sku, name, cat, qty, price) in enumerate(lines, 1)))


def write_import(path: Path, policy) -> None:
    sales = []
    for receipt, (store_id, lines, tender) in SALES.items():
        model = sale_model(receipt, store_id, lines, policy.currency)
        total = sale_total(model, policy.store.prices_include_tax)
        sales.append({
            "receipt": receipt, "store": store_id, "sold_at": SOLD.isoformat(), "register": "R1",
            "lines": [{"line": n, "sku": sku, "name": name, "category": cat, "qty": qty, "unit_price": price,
                       "tax_rate": TAX} for n, (sku, name, cat, qty, price) in enumerate(lines, 1)],
            "tenders": [{"type": tender, "amount": total.plain(), **({"last4": "4242"} if tender == "credit"
                                                                    else {})}],
        })
    path.write_text(json.dumps({"sales": sales}, indent=1), encoding="utf-8")


def prepare_history(store: st.Database, policy) -> None:
    # the TOWEL receipt is returned completely the day before
    counter = Counter(store, policy, register="R2", clock=lambda: NOW - timedelta(days=1))
    cashier = counter.sign_in("c2", STAFF["c2"])
    sale = counter.lookup(RETURNED)
    pending = counter.prepare(cashier, sale, Request(type="return", lines=(
        RequestLine(line=1, qty=1, condition="unopened", reason="changed_mind"),)))
    assert pending.decision.outcome == "approved", pending.decision
    counter.commit(pending)
    # a customer who already returned three items without a receipt in the last weeks
    product = counter.find_product("TSHIRT")
    for days in (30, 20, 10):
        counter = Counter(store, policy, register="R2", clock=lambda d=days: NOW - timedelta(days=d))
        item = NoReceiptItem(sku=product.sku, category=product.category, qty=1,
                             lowest_price=counter.lowest_price(product.sku) or product.price,
                             tax_rate=product.tax_rate, tags=product.tags, name=product.name)
        request = Request(type="return", no_receipt_items=(item,),
                          customer=Customer(id_verified=True, id=FREQUENT_CUSTOMER_ID))
        pending = counter.prepare(cashier, None, request)
        assert pending.decision.outcome == "approved", pending.decision
        counter.commit(pending)


def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(source) + suffix)
        if extra.exists():
            shutil.copyfile(extra, Path(str(target) + suffix))
    return target


@dataclass
class App:
    """A running counter window and the ways a test drives it."""

    window: object
    ctx: object
    qtbot: object
    store: st.Database

    # -- where are we
    @property
    def screen(self) -> QWidget:
        return self.window.stack.currentWidget()

    def screen_name(self) -> str:
        return self.screen.objectName()

    # -- typing
    def type_into(self, widget: QWidget, text: str, enter: bool = True) -> None:
        self.reactivate()
        widget.setFocus()
        self.qtbot.keyClicks(widget, text)
        if enter:
            self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def reactivate(self) -> None:
        """What a window manager does when a modal dialog closes: the main window is active again.

        (The offscreen platform leaves no window active after a dialog closes, so focus-dependent
        shortcuts would not fire.)"""
        active = QApplication.activeWindow()
        # a closed popup (a combo box's list) can stay "active" though hidden; a window manager never leaves it so
        if QApplication.activeModalWidget() is None and (active is None or not active.isVisible()):
            self.window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window, timeout=2000)

    def key(self, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        """A key press to whatever has the keyboard focus (as a person at the counter would)."""
        self.reactivate()
        target = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(target, key, modifier)

    def sign_in(self, staff_id: str = "c1", pin: str | None = None) -> None:
        signin = self.window.signin
        assert self.screen is signin
        self.type_into(signin.staff_id, staff_id)
        self.type_into(signin.pin, STAFF[staff_id] if pin is None else pin)
        if pin is None:
            assert self.screen is self.window.home, signin.message.text()

    def scan(self, code: str) -> QWidget:
        home = self.window.home
        assert self.screen is home
        self.type_into(home.scan, code)
        return self.screen

    def tick(self, box) -> None:
        """Click a check box on its indicator."""
        from PySide6.QtWidgets import QStyle, QStyleOptionButton
        self.reactivate()
        option = QStyleOptionButton()
        box.initStyleOption(option)
        indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        self.qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=indicator.center())

    def click(self, button: QPushButton) -> None:
        self.reactivate()
        assert button.isEnabled(), button.objectName()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def set_qty(self, screen, row: int, qty: int, expect: int | None = None) -> None:
        """Quantity through the table's spin-box editor, by keyboard."""
        from ui.receipt import C_QTY
        table = screen.table
        table.setFocus()
        table.setCurrentIndex(screen.model.index(row, C_QTY))
        self.qtbot.keyClicks(table, str(qty))  # any key opens the editor (AllEditTriggers)
        editor = QApplication.focusWidget()
        assert editor is not table, "the quantity editor did not open"
        self.qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on a queued call
        want = qty if expect is None else expect
        self.qtbot.waitUntil(lambda: screen.model.states[row].qty == want, timeout=2000)


class ModalDriver:
    """Acts on modal dialogs opened with exec(): each step waits for a dialog with the given objectName.

    A repeating timer runs inside the dialog's own event loop, finds ``QApplication.activeModalWidget()`` and,
    when it is the next expected dialog, calls that step with it.
    """

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.steps: list[tuple[str, Callable[[QWidget], None]]] = []
        self.seen: list[str] = []
        self.errors: list[BaseException] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self._busy = False

    def expect(self, name: str, action: Callable[[QWidget], None]) -> "ModalDriver":
        self.steps.append((name, action))
        if not self.timer.isActive():
            self.timer.start()
        return self

    def _tick(self) -> None:
        if self._busy or not self.steps:
            return
        modal = QApplication.activeModalWidget()
        if modal is None or not modal.isVisible() or not modal.isActiveWindow():
            return  # not yet where a person's keys would land (a dialog gets the keyboard once it is active)
        name, action = self.steps[0]
        if modal.objectName() != name:
            self.errors.append(AssertionError(f"expected dialog {name}, got {modal.objectName()}"))
            self.steps.clear()
            modal.reject()
            return
        self.steps.pop(0)
        self.seen.append(name)
        self._busy = True
        try:
            action(modal)
        except BaseException as exc:  # noqa: BLE001 - reported by check()
            self.errors.append(exc)
            if modal.isVisible():
                modal.reject()
        finally:
            self._busy = False
        if not self.steps:
            self.timer.stop()

    def check(self) -> None:
        self.timer.stop()
        if self.errors:
            raise self.errors[0]
        assert not self.steps, f"dialogs never shown: {[n for n, _ in self.steps]}"

    # -- common steps
    def approve(self, manager: str, pin: str, seen: dict | None = None, cancel_after: bool = False,
                reason: int | None = 0) -> "ModalDriver":
        """Type the manager's ID, choose a reason (none is chosen in advance; ``reason=None`` leaves it so),
        type the PIN and click Approve (OK)."""
        def act(dialog):
            manager_id = dialog.findChild(QLineEdit, "managerId")
            pin_field = dialog.findChild(QLineEdit, "managerPin")
            if reason is not None:
                dialog.findChild(QWidget, "reasonCode").setCurrentIndex(reason)
            manager_id.setFocus()
            self.qtbot.keyClicks(manager_id, manager)
            pin_field.setFocus()
            self.qtbot.keyClicks(pin_field, pin)
            self.qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
            if seen is not None:
                seen["message"] = dialog.findChild(QWidget, "message").text()
                seen["open"] = dialog.isVisible()
            if cancel_after and dialog.isVisible():
                self.qtbot.mouseClick(dialog.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
        return self.expect("approvalDialog", act)

    def confirm(self, seen: dict | None = None, keys: tuple = ()) -> "ModalDriver":
        def act(dialog):
            if seen is not None:
                seen["summary"] = dialog.findChild(QWidget, "summary").toPlainText()
            for key in keys:  # pressed where the keyboard focus is in the dialog, as a cashier would
                self.qtbot.keyClick(QApplication.focusWidget() or dialog, key)
            self.qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
        return self.expect("confirmDialog", act)

    def cancel(self, name: str) -> "ModalDriver":
        return self.expect(name, lambda d: self.qtbot.mouseClick(d.findChild(QPushButton, "cancelButton"),
                                                                 Qt.MouseButton.LeftButton))


def tr(lang: str, msgid: str, **params) -> str:
    """The catalog's text for ``msgid`` in ``lang``, filled as the app fills it."""
    template = i18n.translations(lang).gettext(msgid)
    return template.format(**{k: i18n.format_value(v, lang) for k, v in params.items()}) if params else template


def journal(store: st.Database, **where) -> list[dict]:
    sql = "SELECT * FROM journal"
    if where:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
    return store.query(sql + " ORDER BY rowid", tuple(where.values()))
