"""The manager area: reports with a chart and exports, exceptions, complaints, what-if, day close, policy view.

Each tab is its own small widget; heavy queries run off the interface thread (ui.worker.Background), the
others through ui.ops.run_op; all of them call services.manager_view. Dates start from the context's clock.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QTabWidget, QTextEdit, QVBoxLayout, QWidget)

from pos_returns.domain import policy_text
from pos_returns.domain.version_text import describe_version
from pos_returns.i18n import N_, Percent, Text, format_value
from pos_returns.domain.money import Money
from pos_returns.domain.policy import PolicyError, load_policy
from pos_returns.services import manager_view as mv

from .context import AppContext
from .qt_words import file_dialog
from .ops import describe, run_op
from .widgets import MessageStrip
from .worker import Background

PERIODS = (("day", N_("Day")), ("week", N_("Week")), ("month", N_("Month")), ("range", N_("Range")))


def _table(headers: list[str], rows: list[list[str]], name: str, numeric: tuple[int, ...] = ()) -> QTableWidget:
    """A read-only table; ``numeric`` columns are right-aligned, the last column stretches and wraps."""
    table = QTableWidget(len(rows), len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(True)
    table.resizeRowsToContents()
    return table


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _percent(ctx: AppContext, share: float) -> str:
    from decimal import Decimal
    return format_value(Percent(Decimal(str(round(share * 100, 2)))), ctx.lang)


class PeriodPicker(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox(objectName="periodKind")
        for code, label in PERIODS:
            self.kind.addItem(ctx.gettext(label), code)
        self.kind.setCurrentIndex(2)
        start, end = mv.default_period(ctx.today())
        self.start = QDateEdit(_qdate(start), objectName="periodStart")
        self.end = QDateEdit(_qdate(end), objectName="periodEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        row.addWidget(self.kind)
        row.addWidget(self.start)
        row.addWidget(self.end)
        self.kind.currentIndexChanged.connect(self._show_period)
        self.end.dateChanged.connect(self._show_period)
        self._show_period()

    def _show_period(self, *_args) -> None:
        """For a day, week or month the fields show the period the report will cover (the month's first and
        last day), so what is on screen is what is counted."""
        if self.kind.currentData() == "range":
            return
        start, end = self.period()
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def period(self) -> tuple[date, date]:
        return mv.period(self.kind.currentData(), self.start.date().toPython(), self.end.date().toPython())

    def label(self) -> str:
        """The chosen period in the reader's words ("November 2026", a day, or first - last)."""
        return mv.period_label(self.kind.currentData(), *self.period(), self.ctx.lang)


class ReportsTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        self.report: mv.Report | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.picker = PeriodPicker(ctx)
        self.run_button = QPushButton(_("Show report") + " [Ctrl+R]", objectName="runReport")
        self.run_button.setShortcut("Ctrl+R")
        self.csv_button = QPushButton(_("Export CSV"), objectName="exportCsv")
        self.pdf_button = QPushButton(_("Export PDF"), objectName="exportPdf")
        for w in (self.picker, self.run_button, self.csv_button, self.pdf_button):
            top.addWidget(w)
        layout.addLayout(top)
        self.progress = QProgressBar(objectName="reportProgress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.summary = QLabel(objectName="reportSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        body = QHBoxLayout()
        self.tables = QTabWidget()
        body.addWidget(self.tables, 1)
        self.chart = QChartView()
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart.setMinimumWidth(420)
        body.addWidget(self.chart, 1)
        layout.addLayout(body, 1)
        self.worker = Background(self, self.progress)
        self.run_button.clicked.connect(self.run)
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button.clicked.connect(self.export_pdf)

    def run(self) -> None:
        start, end = self.picker.period()
        self.period_text = self.picker.label()  # what the summary names, as chosen when the report was run
        policy = self.ctx.policy
        self.message.clear_message()
        self.worker.start(self.ctx, lambda db: mv.report(db, policy, start, end), self.show_report,
                          self.message.error)

    def show_report(self, report: mv.Report) -> None:
        ctx, _ = self.ctx, self.ctx.gettext
        self.report = report
        m = report.money
        self.summary.setText(_("Period: {period}").format(period=self.period_text) + "\n" + _(
            "{count} transactions, refunds {refund}, new items in exchanges {exchange}, restocking fees {fees}, "
            "store credit issued {credit}. Without a receipt: {no_receipt}. Returned: {share} of sales. "
            "Approvals: {approvals}, overrides: {overrides}. Complaints: {complaints}, compliments: "
            "{compliments}.").format(
            count=report.count, refund=ctx.money(m(report.refund_total)), exchange=ctx.money(m(report.exchange_total)),
            fees=ctx.money(m(report.fees)), credit=ctx.money(m(report.store_credit)),
            no_receipt=_percent(ctx, report.no_receipt_share), share=_percent(ctx, report.returned_share),
            approvals=report.approvals,
            overrides=report.overrides, complaints=report.complaints, compliments=report.compliments))
        self.tables.clear()
        heads = [_("Key"), _("Count"), _("Refunds")]
        from .receipt import reason_label
        reasons = {reason_label(ctx, k): v for k, v in report.by_reason.items()}
        categories = {ctx.label(k): v for k, v in report.by_category.items()}  # the policy's names, per language
        from pos_returns.documents.formatting import KIND_NAMES
        kinds = {_(KIND_NAMES[k]) if k in KIND_NAMES else k: v for k, v in report.by_kind.items()}
        for title, table in ((_("By reason"), reasons), (_("By category"), categories),
                             (_("By cashier"), report.by_cashier), (_("By kind"), kinds)):
            rows = [[k, str(c), ctx.money(m(a))] for k, (c, a) in sorted(table.items())]
            self.tables.addTab(_table(heads, rows, "reportTable", numeric=(1, 2)), title)
        from .widgets import tender_label
        rows = [[tender_label(ctx, k), "", ctx.money(m(a))] for k, a in sorted(report.by_tender.items())]
        self.tables.addTab(_table(heads, rows, "reportTable", numeric=(1, 2)), _("By tender"))
        self._chart(report)

    def _chart(self, report: mv.Report) -> None:
        _ = self.ctx.gettext
        chart = QChart()
        chart.setTitle(_("Refunds by category"))
        bars = QBarSet(_("Refunds"))
        bars.setColor(QColor("#2f6db5"))
        keys = sorted(report.by_category)
        for key in keys:
            bars.append(float(report.money(report.by_category[key][1]).amount))  # display only
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([self.ctx.label(key) for key in keys])  # display names per language, not codes
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        axis_y = QValueAxis()
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        chart.legend().hide()
        self.chart.setChart(chart)

    def export_csv(self) -> None:
        if self.report is None:
            self.run()
            self.message.info(self.ctx.gettext("Run the report first, then export it."))
            return
        path = file_dialog(self.ctx.gettext, self, self.ctx.gettext("Export CSV"), "returns-report.csv",
                           "CSV (*.csv)", save=True)
        report = self.report
        if path and run_op(self.ctx, lambda: mv.save_report_csv(report, path), show=self.message.error):
            self.message.info(self.ctx.gettext("Saved {path}.").format(path=path))

    def export_pdf(self) -> None:
        if self.report is None:
            self.message.info(self.ctx.gettext("Run the report first, then export it."))
            return
        path = file_dialog(self.ctx.gettext, self, self.ctx.gettext("Export PDF"), "returns-report.pdf",
                           "PDF (*.pdf)", save=True)
        report, ctx = self.report, self.ctx
        # e.g. a missing font is named in the message
        if path and run_op(ctx, lambda: mv.save_report_pdf(report, ctx.policy, ctx.lang, path),
                           show=self.message.error):
            self.message.info(self.ctx.gettext("Saved {path}.").format(path=path))


class _JobTab(QWidget):
    """A tab whose query runs off the interface thread: busy bar, message strip, a result table below."""

    def __init__(self, ctx: AppContext, top: QHBoxLayout):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.holder = QVBoxLayout()
        layout.addLayout(self.holder, 1)
        self.table: QTableWidget | None = None
        self.worker = Background(self, self.progress)

    def run_job(self, fn, on_done) -> None:
        self.message.clear_message()
        self.worker.start(self.ctx, fn, on_done, self.message.error)

    def put_table(self, table: QTableWidget) -> None:
        if self.table is not None:
            self.table.deleteLater()
        self.table = table
        self.holder.addWidget(table)


class PeriodTab(_JobTab):
    """A tab of one query over a period: a period picker and a button; ``query(db, start, end)`` runs off the
    interface thread and ``show`` shows what it returns."""

    def __init__(self, ctx: AppContext, button_text: str, button_name: str):
        top = QHBoxLayout()
        self.picker = PeriodPicker(ctx)
        self.run_button = QPushButton(button_text, objectName=button_name)
        top.addWidget(self.picker)
        top.addWidget(self.run_button)
        super().__init__(ctx, top)
        self.run_button.clicked.connect(self.run)

    def run(self) -> None:
        start, end = self.picker.period()
        self.run_job(lambda db: self.query(db, start, end), self.show)

    def query(self, db, start, end):
        raise NotImplementedError


class ExceptionsTab(PeriodTab):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx, ctx.gettext("Show exceptions"), "runExceptions")

    def query(self, db, start, end):
        return mv.exceptions(db, self.ctx.policy, start, end)

    def show(self, figures) -> None:  # noqa: A003
        ctx, _ = self.ctx, self.ctx.gettext
        heads = [_("Staff"), _("Role"), _("Transactions"), _("Refunds"), _("No receipt"), _("Overrides"),
                 _("Reprints"), _("Wrong PINs"), _("Lockouts"), _("Just under the limit"), _("Flags")]
        roles = {"cashier": _("Cashier"), "approver": _("Approving manager")}
        rows = [[f.staff, roles[f.role], str(f.transactions), ctx.money(Money.from_minor(f.refund, ctx.policy.currency)),
                 str(f.no_receipt), str(f.overrides), str(f.reprints), str(f.wrong_pins), str(f.lockouts),
                 str(f.near_threshold),
                 "\u26a0 " + "; ".join(ctx.text(t) for t in f.flags) if f.flags else ""] for f in figures]
        table = _table(heads, rows, "exceptionsTable", numeric=(2, 3, 4, 5, 6, 7, 8, 9))
        for r, f in enumerate(figures):
            if f.flags:
                for c in range(len(heads)):
                    table.item(r, c).setBackground(QColor("#fde7e9"))
        self.put_table(table)


class ComplaintsTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox(objectName="complaintKind")
        self.kind.addItem(_("Complaint"), "complaint")
        self.kind.addItem(_("Compliment"), "compliment")
        self.category = QComboBox(objectName="complaintCategory")
        for code, label in (("service", N_("Service")), ("policy", N_("Policy")), ("wait", N_("Waiting time")),
                            ("product", N_("Product")), ("other", N_("Other"))):
            self.category.addItem(_(label), code)
        self.severity = QSpinBox(objectName="complaintSeverity")
        self.severity.setRange(1, 5)
        self.severity.setValue(3)
        self.txno = QLineEdit(objectName="complaintTxno")
        self.text = QTextEdit(objectName="complaintText")
        self.text.setMaximumHeight(80)
        self.resolution = QLineEdit(objectName="complaintResolution")
        self.follow_up = QDateEdit(_qdate(ctx.today()).addDays(7), objectName="complaintFollowUp")
        self.follow_up.setCalendarPopup(True)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Severity (1-5)"), self.severity)
        form.addRow(_("Transaction number (optional)"), self.txno)
        form.addRow(_("What the customer said"), self.text)
        form.addRow(_("Resolution"), self.resolution)
        form.addRow(_("Follow up on"), self.follow_up)
        layout.addLayout(form)
        self.save_button = QPushButton(_("Log it"), objectName="logComplaint")
        layout.addWidget(self.save_button)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.list = QTableWidget(0, 6, objectName="complaintList")
        layout.addWidget(self.list, 1)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def save(self) -> None:
        ctx = self.ctx
        fields = dict(at=ctx.clock(), logged_by=ctx.staff.id if ctx.staff else "?",
                      kind=self.kind.currentData(), category=self.category.currentData(),
                      severity=self.severity.value(), text=self.text.toPlainText(),
                      txno=self.txno.text().strip() or None, resolution=self.resolution.text().strip() or None,
                      follow_up=self.follow_up.date().toPython())
        if run_op(ctx, lambda: mv.log_complaint(ctx.store, **fields), show=self.message.error) is None:
            return
        self.text.clear()
        self.txno.clear()
        self.resolution.clear()
        self.message.info(ctx.gettext("Logged."))
        self.refresh()

    def refresh(self) -> None:
        _ = self.ctx.gettext
        ctx = self.ctx
        rows = run_op(ctx, lambda: mv.recent_complaints(ctx.store, ctx.today()), show=self.message.error)
        if rows is None:
            return
        self.list.setColumnCount(6)
        self.list.setHorizontalHeaderLabels([_("When"), _("Kind"), _("Severity"), _("Transaction"), _("Text"),
                                             _("Follow up on")])
        self.list.setRowCount(len(rows))
        for r, row in enumerate(reversed(rows)):
            for c, key in enumerate(("at", "kind", "severity", "txno", "text", "follow_up")):
                self.list.setItem(r, c, QTableWidgetItem(str(row[key] or "")))


class WhatIfTab(_JobTab):
    def __init__(self, ctx: AppContext):
        _ = ctx.gettext
        top = QHBoxLayout()
        self.path = QLineEdit(objectName="whatifPolicy")
        self.path.setPlaceholderText(_("New policy file (.toml)"))
        browse = QPushButton(_("Choose\u2026"))
        self.run_button = QPushButton(_("Replay past returns"), objectName="runWhatif")
        self.cancel_button = QPushButton(_("Cancel the replay"), objectName="cancelWhatif")
        self.cancel_button.hide()
        top.addWidget(self.path, 1)
        top.addWidget(browse)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        super().__init__(ctx, top)
        self.summary.setObjectName("whatifSummary")
        self.versions = QLabel(objectName="whatifVersions")  # the new version's dates, below the summary
        self.versions.setWordWrap(True)
        self.layout().insertWidget(self.layout().indexOf(self.summary) + 1, self.versions)
        self.progress.setFormat(_("%v of %m returns replayed"))
        browse.clicked.connect(self.browse)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.worker.cancel)

    def browse(self) -> None:
        path = file_dialog(self.ctx.gettext, self, self.ctx.gettext("New policy file (.toml)"), "",
                           "TOML (*.toml)", save=False)
        if path:
            self.path.setText(path)

    def run(self) -> None:
        try:
            new = load_policy(self.path.text().strip())
        except PolicyError as err:
            self.message.error(describe(self.ctx, err))
            return
        self.new_policy = new
        self.message.clear_message()
        self.summary.setText("")
        self.cancel_button.show()
        self.worker.start(self.ctx, lambda db, progress: mv.what_if(db, new, progress), self.show, self.failed,
                          cancel_error=mv.WhatIfCancelled)

    def failed(self, text: str) -> None:
        self.cancel_button.hide()
        self.message.error(text)

    def show(self, result: mv.WhatIf) -> None:  # noqa: A003
        self.cancel_button.hide()
        ctx, _ = self.ctx, self.ctx.gettext
        cur = ctx.policy.currency
        diff = Money.from_minor(result.difference, cur)
        text = _("{replayed} past returns replayed; {changed} decisions change; refunds {old} \u2192 "
                 "{new} ({diff}).").format(
            replayed=result.replayed, changed=len(result.changed),
            old=ctx.money(Money.from_minor(result.old_total, cur)),
            new=ctx.money(Money.from_minor(result.new_total, cur)), diff=ctx.money(diff))
        self.summary.setText(text)
        self.versions.setText(self.versions_text(mv.version_summary(result, self.new_policy)))
        rows = [[c.txno, c.at, c.old_outcome, c.old_refund, c.new_outcome, c.new_refund, c.note, c.old_version]
                for c in result.changed]
        self.put_table(_table([_("Transaction"), _("When"), _("Was"), _("Refund"), _("Would be"), _("Refund"),
                               _("Rules"), _("Decided under")], rows, "whatifTable", numeric=(3, 5)))

    def versions_text(self, v: mv.VersionSummary) -> str:
        _ = self.ctx.gettext
        if v.effective_from is None:
            return _("New policy {version} (no effective_from: undated).").format(version=v.new_version)
        text = self.ctx.text(Text(N_("New policy version {version}, in force from {date}."),
                                  {"version": v.new_version, "date": v.effective_from}))
        if v.earlier_sales and v.applies_to_earlier_sales == "no":
            text += " " + _("{count} of the changes are of earlier sales: at the counter they keep the decision of "
                            "the version they were sold under.").format(count=v.earlier_sales)
        elif v.earlier_sales:
            text += " " + _("{count} of the changes are of earlier sales: at the counter they change only where "
                            "the new version is more generous on every line.").format(count=v.earlier_sales)
        return text


class DayCloseTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        from pos_returns.services import dayclose
        business = run_op(ctx, lambda: dayclose.business_day(ctx.store, ctx.clock()), show=lambda _m: None)
        self.day = QDateEdit(_qdate(business or ctx.today()), objectName="closeDate")  # the current business day
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.button = QPushButton(_("Close the day") + " [F9]", objectName="closeDay")
        shortcut = QShortcut(QKeySequence("F9"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.close_day)
        row.addWidget(self.day)
        row.addWidget(self.button)
        layout.addLayout(row)
        self.message = MessageStrip()
        layout.addWidget(self.message)
        self.result = QLabel(objectName="closeResult")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.button.clicked.connect(self.close_day)

    def close_day(self) -> None:
        """The day's totals to confirm and a manager's PIN first (ui/dayclose), then the close."""
        from pos_returns.services import dayclose
        from .dayclose import DayCloseDialog
        ctx, _ = self.ctx, self.ctx.gettext
        day = self.day.date().toPython()
        figures = run_op(ctx, lambda: dayclose.preview(ctx.store, ctx.policy, day), show=self.message.error)
        if figures is None:
            return
        dialog = DayCloseDialog(ctx, figures, self)
        if not dialog.exec() or dialog.closed is None:
            return
        closed = dialog.closed
        tenders = ", ".join(f"{k}: {ctx.money(v)}" for k, v in closed.refunds_by_tender) or "\u2014"
        self.message.clear_message()
        self.result.setText(_("{txno}: {day} closed. {count} transactions; paid out {period} ({tenders}); "
                              "perpetual total {perpetual}.").format(
            txno=closed.txno, day=closed.day, count=closed.count, period=ctx.money(closed.period_total),
            tenders=tenders, perpetual=ctx.money(closed.perpetual_total)))
        self.day.setDate(_qdate(dayclose.business_day(ctx.store, ctx.clock())))  # the next business day


class PolicyTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        _ = ctx.gettext
        layout = QVBoxLayout(self)
        head = QLabel(f"{ctx.policy.store.name} \u2014 {ctx.policy_path} (sha256 {ctx.policy.sha256[:12]})")
        layout.addWidget(head)
        self.version = QLabel(describe_version(ctx.policy, ctx.lang), objectName="policyVersion")
        self.version.setWordWrap(True)
        layout.addWidget(self.version)
        rows = [[r.id, r.kind, r.scope, _("yes") if r.overridable else _("no"), r.explanation]
                for r in policy_text.describe(ctx.policy, ctx.lang)]
        table = _table([_("Rule"), _("Kind"), _("Applies to"), _("Manager may override"), _("What it says")], rows,
                       "policyTable")
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(2, 220)
        table.horizontalHeader().sectionResized.connect(lambda *_: table.resizeRowsToContents())
        self.table = table
        layout.addWidget(table, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - row heights follow the wrapped text at the real width
        super().showEvent(event)
        self.table.resizeRowsToContents()


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
