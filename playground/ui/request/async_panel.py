"""An async request's panel above the response: its request id, its state in words (each end
told apart), and cancelling it while it is still queued. Every job is in the Jobs panel too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from playground.ui.look import set_state
from playground.ui.widgets.labels import make_plain

if TYPE_CHECKING:
    from playground.core.jobs.model import Job

TONES = {"failed": "error", "stopped": "warn", "result": "ok", "done": "", "pending": ""}


class AsyncPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("asyncPanel")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.async_id_label = QLabel("—")
        self.async_id_label.setProperty("selectable", True)
        self.async_status_label = QLabel("—")
        self.async_status_label.setObjectName("asyncStatus")
        self.cancel_button = QPushButton("Cancel queued request")
        self.cancel_button.setEnabled(False)
        form.addRow("Async request", self.async_id_label)
        form.addRow("Status", self.async_status_label)
        form.addRow("", self.cancel_button)

    def finish_setup(self) -> None:
        """After the first paint: what uses Qt's enums (~30 ms the first time)."""
        make_plain([self.async_id_label, self.async_status_label])

    def show_submitted(self, request_id: str) -> None:
        self.async_id_label.setText(request_id)
        self.async_status_label.setText("QUEUED")
        self.cancel_button.setEnabled(True)

    def show_job(self, job: Job) -> None:
        from playground.core.jobs.outcome import outcome

        said = outcome(job)
        self.async_id_label.setText(job.request_id or "—")
        # The status alone (a sentence would overlap the next row in a narrow column): its words
        # are in the tooltip, the response view and the status bar.
        self.async_status_label.setText(job.status)
        self.async_status_label.setToolTip(said.text)
        set_state(self.async_status_label, "tone", TONES[said.kind])
        self.cancel_button.setEnabled(job.can_cancel)
