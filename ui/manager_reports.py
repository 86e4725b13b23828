"""The manager area's Reports tab: returns over a period with a chart, exported as CSV or PDF."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QTabWidget, QVBoxLayout, QWidget

from pos_returns.services import manager_view as mv

from .context import AppContext
from .qt_words import file_dialog
from .ops import run_op
from .widgets import MessageStrip
from .worker import Background
from .manager_common import PeriodPicker, _percent, _table


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
