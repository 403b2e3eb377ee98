"""The predict / async / custom-route side of the window: the request editor, Send and Cancel,
the async panel, and where the answer is shown, kept in step with the request controller."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.core.request.form import RequestForm
from playground.core.request.spec import Mode
from playground.ui.request.async_panel import AsyncPanel
from playground.ui.request.editor import RequestEditor
from playground.ui.widgets.url_line import UrlLine

if TYPE_CHECKING:
    from playground.core.errors import PlaygroundError
    from playground.core.events import PredictEvent
    from playground.core.jobs.model import Job
    from playground.core.remote.remotes import Remote, Target
    from playground.ui.host import ResponseSink
    from playground.ui.request.controller import RequestController

StatusFn = Callable[[str, int], None]
# The splitter's panes have fixed minimums: a pane whose minimum followed its content (a long
# request id, the timings) would move the splitter on every response.
EDITOR_MIN_WIDTH = 180
RESPONSE_MIN_WIDTH = 260


class RequestPanel(QWidget):
    """The editor on the left; the async panel and the response on the right. `send_button`
    and `cancel_button` are placed by the window in its call row, beside the editor's rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = RequestEditor()
        self.async_panel = AsyncPanel()
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.url_line = UrlLine()  # the window shows it under its call row, for every mode
        self._where: tuple[Remote, Mode, Target | None, bool] | None = None
        self.last_request_id = ""
        self._mode: Mode = "predict"
        self._response: ResponseSink | None = None
        self._placeholder = QLabel("No response yet")  # until the response view is built
        self._placeholder.setObjectName("responsePlaceholder")
        right = QWidget()
        right.setMinimumWidth(RESPONSE_MIN_WIDTH)
        self.editor.setMinimumWidth(EDITOR_MIN_WIDTH)
        self._right = QVBoxLayout(right)
        self._right.setContentsMargins(0, 0, 0, 0)
        self._right.addWidget(self.async_panel)
        self._right.addWidget(self._placeholder, 1)
        # A plain QSplitter inside: subclassing one makes shiboken build Qt's ~90 enums (~27 ms)
        # before the first paint.
        self.splitter = QSplitter()
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.editor.body.validity_changed.connect(self.send_button.setEnabled)
        self.editor.route_edit.textChanged.connect(self._update_url)
        self.editor.method_combo.currentIndexChanged.connect(self._update_url)

    def fill_call_row(self, row: QHBoxLayout) -> None:
        """Beside the window's mode: the route or the async options (one shows at a time, and
        takes the room), then Send and Cancel at the right."""
        row.addWidget(self.editor.route_row, 1)
        row.addWidget(self.editor.async_row, 1)
        row.addStretch(0)
        row.addWidget(self.send_button)
        row.addWidget(self.cancel_button)

    def set_response(self, view: QWidget, sink: ResponseSink) -> None:
        """The response view takes the placeholder's place (it is built after the first paint)."""
        self._right.replaceWidget(self._placeholder, view)
        self._placeholder.deleteLater()
        self._response = sink

    def restore(self, settings: QSettings) -> None:
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        self.editor.restore(settings)

    def save(self, settings: QSettings) -> None:
        settings.setValue("window/splitter", self.splitter.saveState())
        self.editor.save(settings)

    def show_url(
        self, remote: Remote, mode: Mode, target: Target | None, model_api: bool = False
    ) -> None:
        """Where the next Send goes: `mode` to `target` on `remote` (a chat to the Model APIs
        when `model_api`); the route typed here is followed as it changes."""
        self._where = (remote, mode, target, model_api)
        self._update_url()

    def _update_url(self, *_: object) -> None:
        if self._where is None:
            return
        remote, mode, target, model_api = self._where
        if mode == "chat":  # the URL is the same whatever the messages and the Model API slug
            spec = RequestForm("chat", {"messages": []}).spec(target, "-" if model_api else None)
        else:  # the body does not change the URL: even one being typed has one
            method, route = self.editor.method_combo.currentText(), self.editor.route_edit.text()
            spec = RequestForm(mode, method=method, route=route).spec(target)
        if isinstance(spec, str):
            self.url_line.set_url("", spec)
        else:
            self.url_line.set_url(spec.url(remote))

    def set_mode(self, mode: Mode) -> None:
        self._mode = mode
        self.editor.set_mode(mode)
        self.async_panel.setVisible(mode == "async")

    def attach(self, requests: RequestController, status: StatusFn) -> None:
        self._status = status
        self.requests = requests
        requests.request_started.connect(self._on_request_started)
        requests.event_received.connect(self._on_request_event)
        requests.request_finished.connect(self._on_request_finished)
        requests.request_failed.connect(self._on_request_failed)
        requests.request_cancelled.connect(self._on_request_cancelled)
        requests.async_submitted.connect(self.async_panel.show_submitted)
        requests.async_job_changed.connect(self._on_async_job_changed)
        requests.async_cancel_answered.connect(lambda a: status(str(a.get("message", "")), 0))
        requests.async_cancel_failed.connect(lambda e: status(_line(e), 0))
        self.async_panel.cancel_button.clicked.connect(requests.cancel_async)

    def copy_request_id(self) -> None:
        if request_id := self.last_request_id:
            QGuiApplication.clipboard().setText(request_id)
            self._status(f"Copied request id {request_id}", 3000)

    def cancel(self) -> None:
        if self.requests.is_busy:
            self.requests.cancel()
        else:
            self._status("Nothing to cancel.", 3000)

    @property
    def _view(self) -> ResponseSink:
        assert self._response is not None  # the window attaches after building the view
        return self._response

    def _ended(self) -> ResponseSink:
        self.cancel_button.setEnabled(False)
        return self._view

    def _on_request_started(self, description: str) -> None:
        self._view.clear()
        self.last_request_id = ""
        self.cancel_button.setEnabled(True)
        self._status(f"Sending: {description}…", 0)

    def _on_request_event(self, event: PredictEvent) -> None:
        from playground.core.events import ResponseStarted  # after the first paint

        if isinstance(event, ResponseStarted):
            self.last_request_id = event.request_id
        self._view.feed(event)

    def _on_request_finished(self) -> None:
        self._ended()
        if self._mode != "async":  # the async panel's last word stays
            self._status("Done.", 3000)

    def _on_request_failed(self, error: PlaygroundError) -> None:
        self.last_request_id = getattr(error, "request_id", None) or self.last_request_id
        self._ended().fail(error)
        self._status(_line(error), 0)

    def _on_request_cancelled(self) -> None:
        self._ended().cancelled()
        self._status("Cancelled; the connection is closed and what arrived is kept.", 0)

    def _on_async_job_changed(self, job: Job) -> None:
        from playground.core.jobs.outcome import outcome
        from playground.ui.widgets.job_outcome import show_job

        self.async_panel.show_job(job)
        if self._mode == "async":
            show_job(self._view, job)
            self._status(f"Async request {job.request_id}: {outcome(job).text}", 0)


def _line(error: PlaygroundError) -> str:
    from playground.core.text import Failure  # after the first paint (http's enums, events)

    return Failure.of(error).line()
