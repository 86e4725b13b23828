"""The manager area: reports with a chart and exports, exceptions, complaints, what-if, day close, policy view.

Each tab is its own small widget; heavy queries run off the interface thread (ui.worker.Background), the
others through ui.ops.run_op; all of them call services.manager_view. Dates start from the context's clock.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from .context import AppContext
from .manager_common import PERIODS, PeriodPicker, PeriodTab, _JobTab, _percent, _qdate, _table  # noqa: F401
from .manager_complaints import ComplaintsTab
from .manager_day_close import DayCloseTab
from .manager_exceptions import ExceptionsTab
from .manager_policy import PolicyTab
from .manager_reports import ReportsTab
from .manager_whatif import WhatIfTab

# each tab is its own module (ui.manager_*); the names stay importable from here

__all__ = ["PERIODS", "ComplaintsTab", "DayCloseTab", "ExceptionsTab", "ManagerScreen", "PeriodPicker", "PeriodTab",
           "PolicyTab", "ReportsTab", "WhatIfTab"]


class ManagerScreen(QWidget):
    """Tabs of manager tools; only a signed-in manager gets here (checked by the window)."""

    closed = Signal()

    def __init__(self, ctx: AppContext, open_settings=None, open_training=None):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        self.setObjectName("managerScreen")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel(_("Manager"))
        title.setProperty("role", "title")
        top.addWidget(title, 1)
        if open_training is not None:
            training = QPushButton(_("Training cards") + " [Ctrl+T]", objectName="openTraining")
            training.setShortcut("Ctrl+T")
            training.clicked.connect(open_training)
            top.addWidget(training)
        if open_settings is not None:
            settings = QPushButton(_("Settings"), objectName="openSettings")
            settings.clicked.connect(open_settings)
            top.addWidget(settings)
        back = QPushButton(_("Back") + " [Esc]", objectName="backButton")
        back.clicked.connect(self.closed.emit)
        back.setShortcut("Escape")
        top.addWidget(back)
        layout.addLayout(top)
        self.tabs = QTabWidget(objectName="managerTabs")
        self.tabs.addTab(ReportsTab(ctx), _("Reports"))
        self.tabs.addTab(ExceptionsTab(ctx), _("Exceptions"))
        self.tabs.addTab(ComplaintsTab(ctx), _("Complaints"))
        self.tabs.addTab(WhatIfTab(ctx), _("What if"))
        self.tabs.addTab(DayCloseTab(ctx), _("Day close"))
        self.tabs.addTab(PolicyTab(ctx), _("Policy"))
        from .signing_tab import SigningKeyTab
        self.tabs.addTab(SigningKeyTab(ctx, _table), _("Signing key"))
        if ctx.central:  # a till of a chain: every store (ui.manager_chain)
            from .manager_chain import ChainTab
            self.tabs.addTab(ChainTab(ctx), _("Chain"))
        layout.addWidget(self.tabs, 1)
