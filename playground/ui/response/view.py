"""One call's response as it arrives: status, timings, the body (display capped), raw and headers."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QMimeData, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from playground.core.errors import ApiError, PlaygroundError
from playground.core.events import (
    BinaryChunk,
    Finished,
    JsonBody,
    Notice,
    PredictEvent,
    ResponseStarted,
    Retrying,
)
from playground.core.files import write_atomically
from playground.core.jsontext import parse_json
from playground.core.metrics import Metrics
from playground.core.text import (
    Failure,
    ended_status,
    failure_outcome,
    human_size,
    retry_text,
    shown_headers,
    status_text,
    streamed_part,
    timings_text,
)
from playground.ui.look import set_state
from playground.ui.media.pane import MediaPane
from playground.ui.response.parts import (
    hrow,
    insert_at_end,
    make_button,
    make_label,
    make_text_view,
    running_loop,
    suggested_name,
)
from playground.ui.response.target_note import TargetNote
from playground.ui.widgets.batching import FrameBatcher
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.json_highlighter import MAX_HIGHLIGHT_CHARS, JsonHighlighter
from playground.ui.widgets.labels import ElidedLabel, make_plain
from playground.ui.widgets.response_body import PREVIEW_BYTES, ResponseBody

__all__ = ["PREVIEW_BYTES", "ResponseView"]

# One highlight pass runs in a single event-loop turn at ~0.33 ms per K characters: 128 K keeps
# that turn near 40 ms (a 256 K body would take ~85 ms, a visible stutter).
HIGHLIGHT_CHARS = min(PREVIEW_BYTES // 2, MAX_HIGHLIGHT_CHARS)
MAX_NOTICES = 20
# The status label's state, by status class; style.qss colours each (and cut, cancelled, failed).
STATUS_STATES = {2: "ok", 3: "redirect", 4: "client", 5: "server"}


class ResponseView(QWidget):
    """Fed by a controller: clear(), feed() each event, then fail() or cancelled() if it ends so.

    Streamed pieces are buffered and reach the screen on a FrameBatcher's tick (30 a second); the
    whole body is kept (`body_bytes()`, Copy, Save) while the tabs show at most PREVIEW_BYTES.
    Save… writes on a worker thread; the action line says when it is saved, or why not.
    """

    request_id_copied = Signal(str)
    logs_requested = Signal(str, str)  # request id, deployment id ("" when the answer had none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels_plain = False
        self._batcher = FrameBatcher(self._flush, self)  # per-delta inserts go quadratic
        self._highlighter: JsonHighlighter | None = None
        self._is_saving = False
        self._body = ResponseBody()
        self._build_ui()
        self._connect()
        self.clear()

    def _build_ui(self) -> None:
        mono = monospace_font()
        self.status_label = make_label("statusLabel", shrinks=False)  # short, and the first to read
        self.request_id_label = ElidedLabel()  # cut in the middle when narrow; Copy takes it whole
        self.request_id_label.setObjectName("requestIdLabel")
        self.request_id_label.setProperty("selectable", True)
        self.copy_id_button = make_button("copyRequestIdButton", "Copy", "Copy the request id")
        self.logs_button = make_button("logsButton", "Logs", "This request's lines in the logs")
        self.deployment_label = make_label("deploymentLabel", selectable=True)
        self.timings_label = make_label("timingsLabel", selectable=True, wraps=True)
        self.action_label = make_label("actionStatus")
        self.copy_body_button = make_button("copyBodyButton", "Copy body", "Copy the whole body")
        self.save_button = make_button("saveBodyButton", "Save…", "Save the whole body to a file")
        self.banner = make_label("errorBanner", selectable=True)
        self.notice_label = make_label("noticeLabel")
        self.preview_notice = make_label("previewNotice")
        self.binary_label = make_label("binarySummary", selectable=True)
        self.binary_save_button = make_button("binarySaveButton", "Save…", "Save the body")
        self.body_text = make_text_view("bodyText", mono)
        self.raw_text = make_text_view("rawText", mono)
        self.headers_text = make_text_view("headersText", mono)
        self.target_note = TargetNote()  # whose answer this is, once the target has changed
        self.media = MediaPane()  # images and audio, found by content

        # The request id alone on the first line (what a person quotes); the deployment below.
        header = hrow(self.status_label, self.request_id_label, self.copy_id_button)
        header.addWidget(self.logs_button)
        header.addStretch(1)
        strip = hrow(self.timings_label, self.deployment_label, self.action_label)
        for button in (self.copy_body_button, self.save_button):
            strip.addWidget(button)
        strip.setStretch(0, 1)
        self.binary_panel = QWidget()
        self.binary_panel.setLayout(hrow(self.binary_label, self.binary_save_button))
        body_page = QWidget()
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.binary_panel)
        body_layout.addWidget(self.media, 3)
        body_layout.addWidget(self.body_text, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("responseTabs")
        self.tabs.addTab(body_page, "Body")
        self.tabs.addTab(self.raw_text, "Raw")
        self.tabs.addTab(self.headers_text, "Headers")
        layout = QVBoxLayout(self)
        layout.addWidget(self.target_note)
        layout.addLayout(header)
        layout.addLayout(strip)
        for label in (self.banner, self.notice_label, self.preview_notice):
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(self.tabs, 1)

    def _connect(self) -> None:
        self.copy_id_button.clicked.connect(self._on_copy_id_clicked)
        self.logs_button.clicked.connect(self._on_logs_clicked)
        self.copy_body_button.clicked.connect(self._on_copy_body_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.binary_save_button.clicked.connect(self._on_save_clicked)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.media.text_ready.connect(self._on_media_text_ready)

    # --- public surface ----------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the previous response; ready for a new call."""
        self._batcher.cancel()
        if self._highlighter is not None:
            self._highlighter.setDocument(None)
            self._highlighter.deleteLater()
            self._highlighter = None
        self._body.close()
        self._body = ResponseBody()
        self.media.clear()
        self._metrics: Metrics | None = None
        self._content_type = ""
        self._is_streaming = False
        self._notices: list[str] = []
        self._notice_count = 0
        for view in (self.body_text, self.raw_text, self.headers_text):
            view.clear()
        self.body_text.setPlaceholderText("")
        for label in (self.status_label, self.deployment_label):
            label.clear()
        self.request_id_label.set_full_text("")
        self._status = 0
        set_state(self.status_label, "state", "")
        self.timings_label.setText("No response yet")
        self.action_label.clear()
        for button in (self.copy_id_button, self.logs_button):
            button.setEnabled(False)
            button.setVisible(False)  # a Copy with nothing beside it only puzzles
        for widget in (self.banner, self.notice_label, self.preview_notice, self.binary_panel):
            widget.hide()
        self.body_text.show()
        self.tabs.setCurrentIndex(0)
        self._update_actions()

    def _make_labels_plain(self) -> None:
        if not self._labels_plain:
            make_plain(self.findChildren(QLabel))
            self._labels_plain = True

    def feed(self, event: PredictEvent) -> None:
        """Take one event of the call; streamed pieces reach the screen on the next tick."""
        self._make_labels_plain()
        if (part := streamed_part(event)) is not None:
            self._stream(*part)
            return
        match event:
            case BinaryChunk(data=data):
                self._body.add_binary(data)
                self.media.add_binary(data, self._content_type)
                self._is_streaming = True
                self._schedule()
            case JsonBody():
                self._show_json(event)
            case ResponseStarted():
                self._on_started(event)
            case Retrying():
                self.timings_label.setText(retry_text(event))
            case Notice(message=message):
                self._notice_count += 1
                if len(self._notices) < MAX_NOTICES:
                    self._notices.append(message)
                self._schedule()
            case Finished(metrics=metrics):
                self._metrics = metrics
                self._end_stream()
                if not self._body.size:
                    self.body_text.setPlaceholderText("(empty body)")

    def fail(self, error: PlaygroundError) -> None:
        """The call failed: say how, in Baseten's words, and keep what had arrived. An error
        status is an answer like any other: its body, headers and timings are shown too."""
        self._make_labels_plain()
        if isinstance(error, ApiError):
            self._show_error_answer(error)
        else:
            # Whatever status the answer began with, it did not end well: say how it ended.
            self._set_ended(failure_outcome(error))
        partial = getattr(error, "partial", None)
        if isinstance(partial, Metrics):
            self._metrics = partial  # the predict path's partial: the figures up to the break
        elif error.metrics is not None:
            self._metrics = error.metrics  # an error status: how many attempts it took
        self._end_stream(is_cut=not isinstance(error, ApiError))
        kept = 0 if isinstance(error, ApiError) else self._body.size
        self._show_banner(Failure.of(error).banner(kept), "error")

    def cancelled(self) -> None:
        self._set_ended("cancelled")
        self._end_stream(is_cut=True)
        self._show_banner("Cancelled — what arrived is kept", "cancel")

    @property
    def is_streaming(self) -> bool:
        return self._is_streaming

    def body_bytes(self) -> bytes:
        """The whole body as kept (SSE events re-framed as `data:` lines), however big."""
        return self._body.data()

    def save_body(self, path: Path) -> None:
        """Write the whole body to `path` atomically: a temporary file beside it, then a rename."""
        write_atomically(path, self._body.data())

    # --- events ------------------------------------------------------------------------------

    def _on_started(self, event: ResponseStarted) -> None:
        self._metrics = event.metrics
        self._content_type = event.content_type
        self._set_status(event.status)
        if event.request_id:
            self._set_request_id(event.request_id)
        deployment = event.deployment_id
        self.deployment_label.setText(f"Deployment: {deployment}" if deployment else "")
        self.headers_text.setPlainText(shown_headers(event.headers))
        self._update_timings()

    def _show_error_answer(self, error: ApiError) -> None:
        """The error's status, request id, headers, timings and body, as for any response."""
        self._set_status(error.status)
        if error.request_id:
            self._set_request_id(error.request_id)
        if error.headers:
            self.headers_text.setPlainText(shown_headers(error.headers))
            self._content_type = error.headers.get("content-type", "")
        if isinstance(error.metrics, Metrics):
            self._metrics = error.metrics
        if not error.body:
            self.body_text.setPlaceholderText("(empty body)")
            return
        try:
            value = parse_json(error.body)  # an error body is small: the transport caps it
        except ValueError:
            self._body.add_text(error.body.decode("utf-8", "replace"), error.body)
            self._flush()
            return
        self._show_json(JsonBody(value, error.body))

    def _show_json(self, event: JsonBody) -> None:
        text, is_pretty = self._body.add_json(event)
        if not is_pretty and not self._body.is_capped:
            self._notices.append("Shown unformatted: pretty-printed it would pass the cap")
            self._notice_count += 1
        # Notices first: showing one after the text resizes the view and lays it all out again.
        self._refresh()
        # Searched for media on a worker (never parsed here); if it may hold some, its text waits.
        if not self.media.show_json(event.raw, text, is_pretty):
            self._on_media_text_ready(text, is_pretty)

    def _stream(self, shown: str, kept: bytes) -> None:
        self._body.add_text(shown, kept)
        self._is_streaming = True
        self._schedule()

    def _schedule(self) -> None:
        self._batcher.schedule()

    def _flush(self) -> None:
        """The tick: everything buffered goes in with one insert at the end of the document."""
        insert_at_end(self.body_text, self._body.take_shown())
        self._refresh()

    def _end_stream(self, *, is_cut: bool = False) -> None:
        self._is_streaming = False
        self.media.finish_binary(self._body.data, is_cut=is_cut)
        self._batcher.flush_now()

    # --- views -------------------------------------------------------------------------------

    def _refresh(self) -> None:
        if self.tabs.currentWidget() is self.raw_text:
            self._sync_raw()
        self._update_timings()
        body = self._body
        if self._notices:
            lines = [f"⚠ {message}" for message in self._notices]
            if self._notice_count > len(self._notices):
                lines.append(f"… and {self._notice_count - len(self._notices)} more")
            self.notice_label.setText("\n".join(lines))
            self.notice_label.show()
        if body.is_capped:
            cap, size = human_size(body.preview), human_size(body.size)
            so_far = " so far (the rest is kept, not shown)" if self._is_streaming else ""
            self.preview_notice.setText(
                f"Showing the first {cap} of {size}{so_far}; Copy and Save keep all of it"
            )
            self.preview_notice.show()
        if body.has_binary:
            kind = self._content_type or "unknown type"
            self.binary_label.setText(
                f"Binary body: {human_size(body.size)} ({kind}). Save… writes it byte for byte."
            )
            self.binary_panel.setVisible(not self.media.is_media)  # the preview says it all
            self.body_text.setVisible(body.has_text)
        self._update_actions()

    def _sync_raw(self) -> None:
        """Bring the Raw tab up to date with one insert; it is only filled while it is shown."""
        insert_at_end(self.raw_text, self._body.take_raw(final=not self._is_streaming))

    def _update_timings(self) -> None:
        text = timings_text(self._metrics, self._body.size, is_streaming=self._is_streaming)
        self.timings_label.setText(text)

    def _update_actions(self) -> None:
        body = self._body
        self.copy_body_button.setEnabled(body.size > 0 and not body.has_binary)
        self.copy_body_button.setToolTip(
            "Binary bodies are saved, not copied" if body.has_binary else "Copy the whole body"
        )
        # One save at a time: two renames racing to the same name could leave the older body.
        can_save = body.size > 0 and not self._is_saving
        self.save_button.setEnabled(can_save)
        self.binary_save_button.setEnabled(can_save)

    def _set_status(self, status: int) -> None:
        self._status = status
        self.status_label.setText(status_text(status))
        set_state(self.status_label, "state", STATUS_STATES.get(status // 100, "other"))

    def _set_ended(self, outcome: str) -> None:
        """Cut, cancelled or failed: a 200 that broke off is not a 200 OK."""
        self.status_label.setText(ended_status(outcome, self._status))
        set_state(self.status_label, "state", outcome)

    def _set_request_id(self, request_id: str) -> None:
        self.request_id_label.set_full_text(request_id)
        self.request_id_label.setToolTip(f"Request id (x-baseten-request-id): {request_id}")
        for button in (self.copy_id_button, self.logs_button):
            button.setEnabled(True)
            button.setVisible(True)

    def _show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        set_state(self.banner, "kind", kind)  # style.qss paints an error and a cancel apart
        self.banner.show()

    # --- slots -------------------------------------------------------------------------------

    def _on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.raw_text:
            self._sync_raw()

    def _on_media_text_ready(self, text: str, is_pretty: bool) -> None:
        self.body_text.setPlainText(text)  # media strings elided; Copy and Save keep the bytes
        if is_pretty and len(text) <= HIGHLIGHT_CHARS and self._highlighter is None:
            self._highlighter = JsonHighlighter(self.body_text.document())
        self.preview_notice.setVisible(self.preview_notice.isVisible() and not is_pretty)

    def _on_copy_id_clicked(self) -> None:
        request_id = self.request_id_label.full_text()
        QGuiApplication.clipboard().setText(request_id)
        self.action_label.setText("Request id copied")
        self.request_id_copied.emit(request_id)

    def _on_logs_clicked(self) -> None:  # the deployment as shown: "Deployment: ID"
        deployment = self.deployment_label.text().removeprefix("Deployment: ")
        self.logs_requested.emit(self.request_id_label.full_text(), deployment)

    def _on_copy_body_clicked(self) -> None:
        # The bytes as UTF-8 text, decoded only when something pastes them: decoding 20 MB to a
        # str and converting that to a QString held the GUI thread for ~40 ms (up to 290 ms).
        mime = QMimeData()
        mime.setData("text/plain;charset=utf-8", QByteArray(self._body.data()))
        QGuiApplication.clipboard().setMimeData(mime)  # the clipboard owns it now
        self.action_label.setText(f"Copied {human_size(self._body.size)}")

    def _on_save_clicked(self) -> None:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Save response body")
        dialog.setObjectName("saveBodyDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(suggested_name(self._content_type, self._body.has_binary))
        dialog.fileSelected.connect(self._on_save_dialog_file_selected)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_save_dialog_file_selected(self, name: str) -> None:
        path, data = Path(name), self._body.data()
        self._is_saving = True
        self._update_actions()
        self.action_label.setText(f"Saving {human_size(len(data))} to {path.name}…")
        # Writing 20 MB and syncing it held the GUI thread for 30-130 ms; the write releases the
        # GIL. The bytes are taken here: a new call may replace the body while the write runs.
        writing = running_loop().run_in_executor(None, write_atomically, path, data)
        writing.add_done_callback(partial(self._on_save_done, path, len(data)))

    def _on_save_done(self, path: Path, size: int, writing: asyncio.Future[None]) -> None:
        if writing.cancelled() or not shiboken6.isValid(self):  # the loop or the window is gone
            return
        self._is_saving = False
        self._update_actions()
        error = writing.exception()
        if isinstance(error, OSError):
            self.action_label.setText(f"Could not save {path.name}: {error.strerror or error}")
        elif error is not None:
            raise error  # a bug, not a full disk: the loop's exception handler reports it
        else:
            self.action_label.setText(f"Saved {human_size(size)} to {path.name}")
