"""The Jobs dock: every async job with its live status, when each state was seen, errors in
words, the result once its webhook delivered it (shown in the response view when picked),
cancel while queued, send again, and the queue depth of the targets as a small live chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.jobs.outcome import clock, outcome, timeline_text
from playground.ui import theme
from playground.ui.jobs.chart import QueueChartView
from playground.ui.jobs.inbox_dialog import InboxDialog, use_inbox
from playground.ui.jobs.verify_dialog import VerifyDialog
from playground.ui.look import set_state
from playground.ui.widgets.flow_layout import fit_width
from playground.ui.widgets.job_outcome import show_job

if TYPE_CHECKING:
    from playground.core.jobs.jobs import CancelResult
    from playground.core.jobs.model import Job
    from playground.ui.host import WindowHost
    from playground.ui.jobs.controller import JobsController

COLUMNS = ("Sent", "Status", "Target", "Request id")
DOCK_WIDTH = 420
ID_CHARS = 10  # of a request id in the list; the detail and the tooltip have all of it
TONES = {"failed": "error", "stopped": "warn", "result": "ok", "done": "", "pending": "info"}
COLOURS = {"error": "error", "warn": "warn", "ok": "ok", "info": "info"}


class JobsPanel(QDockWidget):
    def __init__(self, controller: JobsController, host: WindowHost) -> None:
        super().__init__("Jobs", host.widget())
        self.setObjectName("jobsDock")
        self.controller = controller
        self.host = host
        self._jobs: dict[int, Job] = {}
        self._showing: int | None = None  # the job the response view shows, until a send
        self._was_shown = False
        self._inbox_dialog: InboxDialog | None = None
        self._verify_dialog: VerifyDialog | None = None
        self._build_ui()
        self._connect()
        for job in reversed(controller.all_jobs()):
            self._put(job)
        self._update_buttons()

    def _build_ui(self) -> None:
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelJobButton")
        self.cancel_button.setToolTip("Baseten cancels a job only while it is QUEUED")
        self.again_button = QPushButton("Send again")
        self.again_button.setObjectName("sendAgainButton")
        self.inbox_button = QPushButton("Inbox…")
        self.inbox_button.setObjectName("inboxButton")
        self.inbox_button.setToolTip("The webhook inbox: receive the results on this machine")
        buttons = QHBoxLayout()
        for button in (self.cancel_button, self.again_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.inbox_button)
        for button in (self.cancel_button, self.again_button, self.inbox_button):
            fit_width(button)  # the dock's narrowest is its buttons' row: no wider than they need
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("jobsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.detail_label = QLabel("Async requests appear here as jobs.")
        self.detail_label.setObjectName("jobDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inbox_label = QLabel("")
        self.inbox_label.setObjectName("inboxState")
        self.inbox_label.setWordWrap(True)
        self.inbox_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = QueueChartView()
        for label in (self.detail_label, self.inbox_label):
            label.setMinimumWidth(1)  # wrapped to the dock's width, never widening it
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.table.setMinimumWidth(1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(QLabel("Queue depth"))
        layout.addWidget(self.chart)
        layout.addWidget(self.inbox_label)
        self.setWidget(content)
        self._update_inbox("")

    def _connect(self) -> None:
        c = self.controller
        c.job_changed.connect(self._on_controller_job_changed)
        c.queue_measured.connect(self.chart.add)
        c.cancel_answered.connect(self._on_controller_cancel_answered)
        c.action_failed.connect(self.host.show_status)
        c.inbox_started.connect(self._update_inbox)
        c.inbox_stopped.connect(lambda: self._update_inbox(""))
        c.inbox_failed.connect(self._on_controller_inbox_failed)
        self.table.currentCellChanged.connect(self._on_table_current_changed)
        self.host.requests.request_sent.connect(self._on_requests_request_sent)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.again_button.clicked.connect(self.send_again_selected)
        self.inbox_button.clicked.connect(self.open_inbox)

    # --- what a person does ----------------------------------------------------------------------

    def selected(self) -> Job | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return None if item is None else self._jobs.get(item.data(Qt.ItemDataRole.UserRole))

    def select(self, job_id: int) -> None:
        row = self._row_of(job_id)
        if row is not None:
            self.table.setCurrentCell(row, 0)

    def cancel_selected(self) -> None:
        if (job := self.selected()) is not None:
            self.controller.cancel(job)

    def send_again_selected(self) -> None:
        if (job := self.selected()) is not None:
            self.controller.send_again(job)

    def open_inbox(self) -> InboxDialog:
        if self._inbox_dialog is None:
            self._inbox_dialog = InboxDialog(self.controller, self.host)
        self._inbox_dialog.show()
        return self._inbox_dialog

    def open_verify(self) -> VerifyDialog:
        if self._verify_dialog is None:
            self._verify_dialog = VerifyDialog(self.host.widget())
        self._verify_dialog.refresh_secrets()
        self._verify_dialog.show()
        return self._verify_dialog

    def fill_webhook(self) -> None:
        """The inbox's endpoint in the window's webhook field, for async sends."""
        self.host.show_status(use_inbox(self.host, self.controller.inbox_endpoint), 0)

    def toggle(self) -> None:
        self.setVisible(not self.isVisible())
        if self.isVisible():
            self.reveal()

    def reveal(self) -> None:
        self.show()
        if not self._was_shown:
            self._was_shown = True
            self.host.widget().resizeDocks([self], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.raise_()

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Each job top to bottom: when it was sent, its status, its target and its whole
        request id (the list shows its start; its tooltip all of it)."""
        return [
            (
                _text(self.table.item(r, 0)),
                _text(self.table.item(r, 1)),
                _text(self.table.item(r, 2)),
                (self.table.item(r, 3) or QTableWidgetItem()).toolTip(),
            )
            for r in range(self.table.rowCount())
        ]

    # --- views -----------------------------------------------------------------------------------

    def _row_of(self, job_id: int) -> int | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == job_id:
                return row
        return None

    def _put(self, job: Job) -> None:
        """Add `job` at the top, or refresh its row."""
        self._jobs[job.id] = job
        row = self._row_of(job.id)
        if row is None:
            row = 0
            self.table.insertRow(0)
        target = f"{job.target.model_id} · {job.target.label}"
        said = outcome(job)
        status = job.status + (" · result" if job.has_result else "")
        short = (
            job.request_id[:ID_CHARS] + "…" if len(job.request_id) > ID_CHARS else job.request_id
        )
        cells = (clock(job.created_at), status, target, short or "—")
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, job.id)
            if column == 1:
                item.setToolTip(said.text)
                if tone := TONES[said.kind]:
                    item.setForeground(QBrush(QColor(theme.colour(COLOURS[tone]))))
            if column == 2:
                item.setToolTip(target)
            if column == 3:
                item.setToolTip(job.request_id)
            self.table.setItem(row, column, item)

    def _show(self, job: Job | None) -> None:
        if job is None:
            self.detail_label.setText("Pick a job to see what became of it.")
            set_state(self.detail_label, "tone", "")
            return
        said = outcome(job)
        lines = [said.text, timeline_text(job)]
        options = job.options
        where = options.webhook_endpoint or "no webhook"
        lines.append(
            f"Webhook: {where}" + (f" ({job.webhook_status})" if job.webhook_status else "")
        )
        if job.request_id:
            lines.append(f"Request id: {job.request_id}")
        self.detail_label.setText("\n".join(lines))
        set_state(self.detail_label, "tone", "error" if said.kind == "failed" else "")
        if self._showing == job.id:
            show_job(self.host.response, job)

    def _update_buttons(self) -> None:
        job = self.selected()
        self.cancel_button.setEnabled(job is not None and job.can_cancel)
        self.again_button.setEnabled(job is not None)

    def _update_inbox(self, endpoint: str) -> None:
        if endpoint:
            self.inbox_label.setText(f"Inbox listening · webhook_endpoint: {endpoint}")
            set_state(self.inbox_label, "tone", "ok")
        else:
            self.inbox_label.setText("Inbox off: results reach this app only through a webhook.")
            set_state(self.inbox_label, "tone", "muted")

    # --- slots -----------------------------------------------------------------------------------

    def _on_controller_job_changed(self, job: Job) -> None:
        is_new = job.id not in self._jobs
        self._put(job)
        if is_new:
            self.reveal()
        selected = self.selected()
        if is_new or (selected is not None and selected.id == job.id):
            self.select(job.id)
            self._show(job)
        self._update_buttons()

    def _on_controller_cancel_answered(self, answer: CancelResult) -> None:
        self.host.show_status(answer.message or ("Canceled." if answer.canceled else ""), 0)
        self._put(answer.job)
        self._update_buttons()

    def _on_controller_inbox_failed(self, message: str) -> None:
        self.inbox_label.setText(message)
        set_state(self.inbox_label, "tone", "error")

    def _on_table_current_changed(self, row: int, *_: int) -> None:
        job = self.selected() if row >= 0 else None
        self._showing = None if job is None else job.id  # picked: shown in the response view
        self._show(job)
        self._update_buttons()

    def _on_requests_request_sent(self, _spec: object) -> None:
        self._showing = None  # the response view is the new request's now


def _text(item: QTableWidgetItem | None) -> str:
    return "" if item is None else item.text()
