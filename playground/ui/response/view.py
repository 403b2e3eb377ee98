"""One call's response as it arrives: status, timings, the body (display capped), raw and headers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

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
from playground.core.metrics import Metrics
from playground.core.text import (
    Failure,
    human_size,
    retry_text,
    shown_headers,
    status_text,
    streamed_part,
    timings_text,
)
from playground.ui.look import set_state
from playground.ui.widgets.batching import FrameBatcher
from playground.ui.widgets.json_highlighter import MAX_HIGHLIGHT_CHARS, JsonHighlighter
from playground.ui.widgets.labels import make_plain
from playground.ui.widgets.response_body import PREVIEW_BYTES, ResponseBody

__all__ = ["PREVIEW_BYTES", "ResponseView"]

# One highlight pass runs in a single event-loop turn at ~0.33 ms per K characters: 128 K keeps
# that turn near 40 ms (a 256 K body would take ~85 ms, a visible stutter).
HIGHLIGHT_CHARS = min(PREVIEW_BYTES // 2, MAX_HIGHLIGHT_CHARS)
MAX_NOTICES = 20
STATUS_COLOURS = {2: "#1a7f37", 3: "#0969da", 4: "#bc4c00", 5: "#cf222e"}


def _label(name: str, *, selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("selectable", selectable)
    return label


def _button(name: str, text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _text_view(name: str, font: QFont) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)  # an undo stack would keep a second copy of the body
    # Wrapping at word boundaries is quadratic in the longest word: 256 K of base64 took 1.5 s
    # to lay out (65 K: 93 ms). Anywhere, like a terminal, it takes ~40 ms whatever the text.
    view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
    view.setFont(font)
    return view


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


def _insert_at_end(view: QPlainTextEdit, text: str) -> None:
    """One insert at the end; the view keeps following the end only if the reader was there."""
    if not text:
        return
    bar = view.verticalScrollBar()
    follow = bar.value() >= bar.maximum()
    cursor = QTextCursor(view.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text)
    if follow:
        bar.setValue(bar.maximum())


class ResponseView(QWidget):
    """Fed by a controller: clear(), feed() each event, then fail() or cancelled() if it ends so.

    Streamed pieces are buffered and reach the screen on a FrameBatcher's tick (30 a second); the
    whole body is kept (`body_bytes()`, Copy, Save) while the tabs show at most PREVIEW_BYTES.
    """

    request_id_copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels_plain = False
        self._batcher = FrameBatcher(self._flush, self)  # per-delta inserts go quadratic
        self._highlighter: JsonHighlighter | None = None
        self._body = ResponseBody()
        self._build_ui()
        self._connect()
        self.clear()

    def _build_ui(self) -> None:
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.status_label = _label("statusLabel")
        self.request_id_label = _label("requestIdLabel", selectable=True)
        self.copy_id_button = _button("copyRequestIdButton", "Copy", "Copy the request id")
        self.deployment_label = _label("deploymentLabel", selectable=True)
        self.timings_label = _label("timingsLabel", selectable=True)
        self.action_label = _label("actionStatus")
        self.copy_body_button = _button("copyBodyButton", "Copy body", "Copy the whole body")
        self.save_button = _button("saveBodyButton", "Save…", "Save the whole body to a file")
        self.banner = _label("errorBanner", selectable=True)
        self.notice_label = _label("noticeLabel")
        self.preview_notice = _label("previewNotice")
        self.binary_label = _label("binarySummary", selectable=True)
        self.binary_save_button = _button("binarySaveButton", "Save…", "Save the body")
        self.body_text = _text_view("bodyText", mono)
        self.raw_text = _text_view("rawText", mono)
        self.headers_text = _text_view("headersText", mono)

        header = _row(self.status_label, self.request_id_label, self.copy_id_button)
        header.addSpacing(12)
        header.addWidget(self.deployment_label)
        header.addStretch(1)
        strip = _row(self.timings_label, self.action_label, self.copy_body_button, self.save_button)
        strip.setStretch(0, 1)
        self.binary_panel = QWidget()
        self.binary_panel.setLayout(_row(self.binary_label, self.binary_save_button))
        body_page = QWidget()
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.binary_panel)
        body_layout.addWidget(self.body_text, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("responseTabs")
        self.tabs.addTab(body_page, "Body")
        self.tabs.addTab(self.raw_text, "Raw")
        self.tabs.addTab(self.headers_text, "Headers")
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(strip)
        for label in (self.banner, self.notice_label, self.preview_notice):
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(self.tabs, 1)

    def _connect(self) -> None:
        self.copy_id_button.clicked.connect(self._on_copy_id_clicked)
        self.copy_body_button.clicked.connect(self._on_copy_body_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.binary_save_button.clicked.connect(self._on_save_clicked)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

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
        self._metrics: Metrics | None = None
        self._content_type = ""
        self._is_streaming = False
        self._notices: list[str] = []
        self._notice_count = 0
        for view in (self.body_text, self.raw_text, self.headers_text):
            view.clear()
        self.body_text.setPlaceholderText("")
        for label in (self.status_label, self.request_id_label, self.deployment_label):
            label.clear()
        self.status_label.setStyleSheet("")
        self.timings_label.setText("No response yet")
        self.action_label.clear()
        self.copy_id_button.setEnabled(False)
        self.copy_id_button.setVisible(False)  # a Copy with nothing beside it only puzzles
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
        """The call failed: say how, in Baseten's words, and keep what had arrived."""
        self._make_labels_plain()
        if isinstance(error, ApiError):
            self._set_status(error.status)
            if error.request_id:
                self._set_request_id(error.request_id)
        partial = getattr(error, "partial", None)
        if isinstance(partial, Metrics):
            self._metrics = partial  # the predict path's partial: the figures up to the break
        elif error.metrics is not None:
            self._metrics = error.metrics  # an error status: how many attempts it took
        self._end_stream()
        self._show_banner(Failure.of(error).banner(self._body.size), "error")

    def cancelled(self) -> None:
        self._end_stream()
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

    def _show_json(self, event: JsonBody) -> None:
        text, is_pretty = self._body.add_json(event)
        if not is_pretty and not self._body.is_capped:
            self._notices.append("Shown unformatted: pretty-printed it would pass the cap")
            self._notice_count += 1
        # Notices first: showing one after the text resizes the view and lays it all out again.
        self._refresh()
        self.body_text.setPlainText(text)  # once per call, not per chunk
        if is_pretty and len(text) <= HIGHLIGHT_CHARS:
            self._highlighter = JsonHighlighter(self.body_text.document())

    def _stream(self, shown: str, kept: bytes) -> None:
        self._body.add_text(shown, kept)
        self._is_streaming = True
        self._schedule()

    def _schedule(self) -> None:
        self._batcher.schedule()

    def _flush(self) -> None:
        """The tick: everything buffered goes in with one insert at the end of the document."""
        _insert_at_end(self.body_text, self._body.take_shown())
        self._refresh()

    def _end_stream(self) -> None:
        self._is_streaming = False
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
            self.binary_panel.show()
            self.body_text.setVisible(body.has_text)
        self._update_actions()

    def _sync_raw(self) -> None:
        """Bring the Raw tab up to date with one insert; it is only filled while it is shown."""
        _insert_at_end(self.raw_text, self._body.take_raw(final=not self._is_streaming))

    def _update_timings(self) -> None:
        text = timings_text(self._metrics, self._body.size, is_streaming=self._is_streaming)
        self.timings_label.setText(text)

    def _update_actions(self) -> None:
        body = self._body
        self.copy_body_button.setEnabled(body.size > 0 and not body.has_binary)
        self.copy_body_button.setToolTip(
            "Binary bodies are saved, not copied" if body.has_binary else "Copy the whole body"
        )
        self.save_button.setEnabled(body.size > 0)

    def _set_status(self, status: int) -> None:
        self.status_label.setText(status_text(status))
        colour = STATUS_COLOURS.get(status // 100, "#57606a")
        self.status_label.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def _set_request_id(self, request_id: str) -> None:
        self.request_id_label.setText(request_id)
        self.request_id_label.setToolTip("Request id (x-baseten-request-id)")
        self.copy_id_button.setEnabled(True)
        self.copy_id_button.setVisible(True)

    def _show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        set_state(self.banner, "kind", kind)  # style.qss paints an error and a cancel apart
        self.banner.show()

    # --- slots -------------------------------------------------------------------------------

    def _on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.raw_text:
            self._sync_raw()

    def _on_copy_id_clicked(self) -> None:
        request_id = self.request_id_label.text()
        QGuiApplication.clipboard().setText(request_id)
        self.action_label.setText("Request id copied")
        self.request_id_copied.emit(request_id)

    def _on_copy_body_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._body.data().decode("utf-8", "replace"))
        self.action_label.setText(f"Copied {human_size(self._body.size)}")

    def _on_save_clicked(self) -> None:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Save response body")
        dialog.setObjectName("saveBodyDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(self._suggested_name())
        dialog.fileSelected.connect(self._on_save_dialog_file_selected)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_save_dialog_file_selected(self, name: str) -> None:
        try:
            self.save_body(Path(name))
        except OSError as exc:
            self.action_label.setText(f"Could not save: {exc.strerror or exc}")
        else:
            self.action_label.setText(f"Saved {human_size(self._body.size)} to {Path(name).name}")

    def _suggested_name(self) -> str:
        content_type = self._content_type.partition(";")[0].strip().lower()
        if self._body.has_binary:
            return "response.bin"
        if content_type == "text/event-stream":
            return "response.sse"
        if "ndjson" in content_type or "jsonl" in content_type:
            return "response.ndjson"
        return "response.json" if "json" in content_type else "response.txt"
