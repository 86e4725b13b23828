"""The counter's look: ONE style sheet, applied to the whole application.

Widgets carry an objectName or a dynamic property (``role``, ``outcome``, ``kind``, ``training``) and this
sheet says how each looks; no widget sets its own style. What it is made for:

- a counter, read at arm's length under shop lights: dark text on white, strong borders, a thick focus ring
  (the keyboard is the cashier's first tool: where the next keystroke goes must be visible);
- touch: every button, field and table row at least 44 px high (:data:`TARGET`);
- the money: the amount to hand back (or to take) is the largest text on the receipt and done screens;
- outcomes in mark + word + colour (the mark and the word come from ``ui.widgets.outcome_label``), so none
  depends on colour alone; the colours pass WCAG AA contrast on white (>= 4.5:1) and on their tints.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

TARGET = 44  # px: the smallest touch target (Apple HIG 44 pt, WCAG 2.5.5)

INK = "#111111"
GREEN, AMBER, RED, BLUE = "#12602a", "#7a4a00", "#a3150d", "#0b4fa8"
TINT = {"approved": "#e3f4e6", "needs_approval": "#fff1d6", "denied": "#fde4e1", "partial": "#fff1d6"}
COLOR = {"approved": GREEN, "needs_approval": AMBER, "denied": RED, "partial": AMBER}

SHEET = f"""
QWidget {{ color: {INK}; font-size: 12pt; }}
QMainWindow, QDialog, QStackedWidget > QWidget {{ background: #ffffff; }}

QPushButton {{
    min-height: {TARGET}px; padding: 6px 14px; font-size: 13pt;
    border: 2px solid #3c3c3c; border-radius: 6px; background: #f2f2f2;
}}
QPushButton:hover {{ background: #e6e6e6; }}
QPushButton:pressed {{ background: #d0d0d0; }}
QPushButton:focus {{ border: 3px solid {BLUE}; }}
QPushButton:default {{ background: {BLUE}; color: #ffffff; border-color: {BLUE}; }}
QPushButton:disabled {{ color: #6b6b6b; background: #f7f7f7; border-color: #b8b8b8; }}
QPushButton#okButton, QPushButton#finishButton {{ background: {BLUE}; color: #ffffff; border-color: #083a7c; }}
QPushButton#okButton:disabled, QPushButton#finishButton:disabled {{
    background: #c9d6ea; color: #3d4757; border-color: #a9b8cf; }}
QPushButton#okButton:focus, QPushButton#finishButton:focus {{ border: 3px solid #000000; }}
QPushButton[role="action"] {{ min-height: 64px; font-size: 15pt; padding: 8px; }}

QLineEdit, QComboBox, QSpinBox, QDateEdit {{
    min-height: {TARGET}px; padding: 0 8px; font-size: 13pt;
    border: 2px solid #5a5a5a; border-radius: 4px; background: #ffffff;
}}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDateEdit:focus {{ border: 3px solid {BLUE}; }}
QLineEdit[role="scan"] {{ font-size: 20pt; min-height: 56px; }}
QLineEdit[role="signin"] {{ font-size: 16pt; }}
QComboBox QAbstractItemView {{ font-size: 13pt; }}

QTableView {{
    font-size: 12pt; gridline-color: #9a9a9a; border: 2px solid #5a5a5a;
    selection-background-color: #cfe0fa; selection-color: {INK};
}}
QTableView:focus {{ border: 3px solid {BLUE}; }}
QHeaderView::section {{ font-size: 11pt; font-weight: bold; padding: 4px; background: #e9e9e9;
    border: 1px solid #9a9a9a; }}
QTextBrowser {{ border: 1px solid #9a9a9a; font-size: 12pt; }}
QTabBar::tab {{ min-height: {TARGET}px; padding: 0 14px; font-size: 12pt; }}

QLabel[role="title"] {{ font-size: 18pt; font-weight: bold; }}
QLabel#signinTitle {{ font-size: 22pt; font-weight: bold; }}
QLabel#prompt, QLabel#receiptHeader {{ font-size: 15pt; }}

QLabel#message {{ border-left: 6px solid transparent; padding: 8px; font-size: 13pt; }}
QLabel#message[kind="error"] {{ background: #fde4e1; color: #6e0c06; border-left: 6px solid {RED};
    padding: 8px; font-size: 13pt; }}
QLabel#message[kind="info"] {{ background: #e6effc; color: #072f66; border-left: 6px solid {BLUE};
    padding: 8px; font-size: 13pt; }}
QLabel#message[kind="success"] {{ background: {TINT["approved"]}; color: {GREEN}; border-left: 6px solid {GREEN};
    padding: 8px; font-size: 13pt; }}

QLabel#decisionHeadline {{ font-size: 17pt; font-weight: bold; padding: 6px 10px; border-radius: 4px;
    border-left: 8px solid transparent; }}
""" + "".join(
    f"QLabel#decisionHeadline[outcome=\"{o}\"], QLabel#doneTitle[outcome=\"{o}\"] "
    f"{{ color: {COLOR[o]}; background: {TINT[o]}; border-left: 8px solid {COLOR[o]}; }}\n"
    for o in COLOR) + f"""
QLabel[role="total"] {{ font-size: 13pt; }}
QLabel#total_balance {{ font-size: 24pt; font-weight: bold; }}
QLabel#doneTitle {{ font-size: 20pt; font-weight: bold; padding: 6px; border-left: 8px solid transparent; }}
QLabel#txno {{ font-size: 20pt; font-family: monospace; }}
QLabel#doneMoney {{ font-size: 40pt; font-weight: bold; }}

QLabel#trainingBanner {{ background: #ffd23f; color: #000000; font-size: 16pt; font-weight: bold;
    padding: 6px; border-bottom: 3px solid #000000; }}
QLabel#statusLine {{ font-size: 11pt; }}
QLabel#statusLine[training="true"] {{ background: #ffd23f; color: #000000; font-weight: bold; }}
"""


def apply(app: QApplication | None = None) -> None:
    """Install the sheet on the application (once; a second call changes nothing)."""
    app = app or QApplication.instance()
    if app is not None and app.styleSheet() != SHEET:
        app.setStyleSheet(SHEET)


def mark(widget: QWidget, name: str, value) -> None:
    """Set a property the sheet styles by, and have the widget's look follow it at once."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
