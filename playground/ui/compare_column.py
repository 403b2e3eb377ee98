"""One column of the compare view: its target (or Model API), overrides, live output and metrics strip."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    JsonBody,
    NdjsonLine,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.metrics import Metrics
from playground.core.request import Column
from playground.ui.compare_chart import COLUMN_COLOURS
from playground.ui.response_body import ResponseBody
from playground.ui.response_text import human_size, human_time, sse_text, status_text
from playground.ui.target_bar import TargetBar

LETTERS = "ABCDEF"
SPLIT_CHARS = 1200  # a streaming paragraph longer than this is broken where it wraps
REFLOW_CHARS = 256 * 1024  # at the end, output up to this size is set again without the breaks
# (key, caption): the figures of the strip; `Comparison.best()` names the same keys.
FIGURES = (
    ("status", "Status"),
    ("ttfb", "TTFB"),
    ("ttft", "TTFT"),
    ("total", "Total"),
    ("tokens_per_s", "Tokens/s"),
    ("bytes", "Size"),
)
BEST_STYLE = "background: #dafbe1; color: #116329; border-radius: 3px; padding: 0 3px;"
PLAIN_STYLE = "padding: 0 3px;"
ERROR_STYLE = "background: #ffebe9; border: 1px solid #cf222e; border-radius: 4px; padding: 4px;"
STATE_COLOURS = {
    "streaming": "#0969da",
    "waiting": "#0969da",
    "done": "#1a7f37",
    "failed": "#cf222e",
    "stopped": "#57606a",
}


def compact(bar: TargetBar) -> TargetBar:
    """Lay a TargetBar out in two short rows (model; target, badges, Wake) to fit a column."""
    layout = bar.layout()
    assert isinstance(layout, QBoxLayout)
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel) and widget.text() in ("Model", "Target"):
            widget.hide()  # the combos' placeholders say it
    for combo in (bar.model_combo, bar.target_combo):
        combo.setMinimumContentsLength(10)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    second = QHBoxLayout()
    second.addWidget(bar.target_combo, 1)
    second.addWidget(bar.production_label)
    second.addWidget(bar.status_label)
    second.addWidget(bar.wake_button)
    layout.setDirection(QBoxLayout.Direction.TopToBottom)
    layout.setSpacing(3)
    layout.addWidget(bar.model_combo)
    layout.addLayout(second)
    return bar


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #57606a; font-size: 8pt;")
    return label


class CompareColumnView(QFrame):
    """Fed by the compare view: begin(), feed() each event, flush() on its tick, then an end."""

    remove_requested = Signal()
    stop_requested = Signal()

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._body = ResponseBody()
        self._pending: list[str] = []
        self._text: list[str] = []  # a chat answer's content, whole
        self._shown: list[str] = []  # what went into the output, for the reflow at the end
        self._is_split = False
        self._is_chat = False
        self.metrics: Metrics | None = None
        self._build_ui()
        self._connect()
        self.set_index(index)
        self.begin(clear_only=True)

    def _build_ui(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("columnTitle")
        self.tag_label = QLabel("")
        self.tag_label.setObjectName("coldTag")
        self.state_label = QLabel("")
        self.state_label.setObjectName("columnState")
        self.stop_button = QToolButton()
        self.stop_button.setText("Stop")
        self.stop_button.setObjectName("columnStop")
        self.stop_button.setEnabled(False)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this column")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.tag_label)
        header.addStretch(1)
        header.addWidget(self.state_label)
        header.addWidget(self.stop_button)
        header.addWidget(self.remove_button)

        self.source_combo = QComboBox()
        self.source_combo.setObjectName("columnSource")
        self.source_combo.addItem("Model", "model")
        self.source_combo.addItem("Model API", "model_api")
        self.target_bar = compact(TargetBar())
        self.api_combo = QComboBox()
        self.api_combo.setObjectName("modelApiCombo")
        self.api_combo.setEditable(True)
        line = self.api_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText("Model API slug, e.g. playground/demo-chat")
        api_page = QWidget()
        api_layout = QVBoxLayout(api_page)
        api_layout.setContentsMargins(0, 0, 0, 0)
        api_layout.addWidget(self.api_combo)
        api_layout.addStretch(1)
        self.picker = QStackedWidget()
        self.picker.addWidget(self.target_bar)
        self.picker.addWidget(api_page)
        self.overrides_edit = QLineEdit()
        self.overrides_edit.setObjectName("columnOverrides")
        self.overrides_edit.setPlaceholderText('overrides, e.g. {"model": "served-name"}')
        self.overrides_edit.setToolTip("JSON merged into the request body for this column only")
        self.problem_label = QLabel("")
        self.problem_label.setStyleSheet("color: #a11d1d;")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        strip = QGridLayout()
        strip.setHorizontalSpacing(6)
        strip.setVerticalSpacing(0)
        self.figure_labels: dict[str, QLabel] = {}
        for i, (key, caption) in enumerate(FIGURES):
            value = QLabel("—")
            value.setObjectName(f"figure_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.figure_labels[key] = value
            strip.addWidget(_caption(caption), (i // 3) * 2, i % 3)
            strip.addWidget(value, (i // 3) * 2 + 1, i % 3)
        self.request_id_label = QLabel("")
        self.request_id_label.setObjectName("columnRequestId")
        self.deployment_label = QLabel("")
        self.deployment_label.setObjectName("columnDeployment")
        for label in (self.request_id_label, self.deployment_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet("color: #57606a; font-size: 8pt;")
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.banner = QLabel("")
        self.banner.setObjectName("columnError")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.output = QPlainTextEdit()
        self.output.setObjectName("columnOutput")
        self.output.setReadOnly(True)
        self.output.setUndoRedoEnabled(False)
        self.output.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.source_combo)
        layout.addWidget(self.picker)
        layout.addWidget(self.overrides_edit)
        layout.addWidget(self.problem_label)
        layout.addLayout(strip)
        layout.addWidget(self.request_id_label)
        layout.addWidget(self.deployment_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.output, 1)

    def _connect(self) -> None:
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.stop_button.clicked.connect(self.stop_requested)
        self.remove_button.clicked.connect(self.remove_requested)
        self.overrides_edit.textChanged.connect(self._on_overrides_changed)

    # --- what the view reads -------------------------------------------------------------------

    def set_index(self, index: int) -> None:
        self.index = index
        self.letter = LETTERS[index]
        colour = COLUMN_COLOURS[index % len(COLUMN_COLOURS)]
        self.title.setText(f"<b style='color:{colour}'>■ {self.letter}</b>")
        self.setStyleSheet(f"#compareColumn {{ border-top: 3px solid {colour}; }}")

    def uses_model_api(self) -> bool:
        return bool(self.source_combo.currentData() == "model_api")

    def overrides(self) -> dict[str, Any]:
        """The column's body overrides; raises ValueError in words when they are not an object."""
        text = self.overrides_edit.text().strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Overrides: {exc.msg} at column {exc.colno}") from None
        if not isinstance(value, dict):
            raise ValueError("Overrides must be a JSON object")
        return value

    def column(self) -> Column | str:
        """What this column calls, or a sentence why it cannot."""
        try:
            overrides = self.overrides()
        except ValueError as exc:
            return str(exc)
        if self.uses_model_api():
            slug = self.api_combo.currentText().strip()
            if not slug:
                return f"Column {self.letter}: pick a Model API."
            return Column(None, slug, overrides)
        target = self.target_bar.target()
        if target is None:
            return f"Column {self.letter}: pick a model, or type its id."
        return Column(target, overrides=overrides)

    def set_column(self, column: Column) -> None:
        """Show `column` (a saved comparison's, or the window's target)."""
        if column.target is None:
            self.source_combo.setCurrentIndex(1)
            self.api_combo.setEditText(column.model_api)
        else:
            self.source_combo.setCurrentIndex(0)
            self.target_bar.set_target(column.target)
        overrides = dict(column.overrides)
        self.overrides_edit.setText(json.dumps(overrides, ensure_ascii=False) if overrides else "")

    def set_model_apis(self, slugs: list[str]) -> None:
        current = self.api_combo.currentText()
        self.api_combo.clear()
        self.api_combo.addItems(slugs)
        self.api_combo.setEditText(current or (slugs[0] if slugs else ""))

    def text(self) -> str:
        """What the column received: a chat answer's text, or the body as shown."""
        if self._is_chat:
            return "".join(self._text)
        return self._body.data().decode("utf-8", "replace")

    # --- a run ---------------------------------------------------------------------------------

    def begin(self, *, is_chat: bool = False, clear_only: bool = False) -> None:
        self._is_chat = is_chat
        self._body = ResponseBody()
        self._pending = []
        self._text = []
        self._shown = []
        self._is_split = False
        self.metrics = None
        self.output.clear()
        self.output.setFont(self.font() if is_chat else self._mono)
        self.banner.hide()
        self.request_id_label.clear()
        self.deployment_label.clear()
        for label in self.figure_labels.values():
            label.setText("—")
            label.setStyleSheet(PLAIN_STYLE)
            label.setToolTip("")
        self.set_tag(None)
        if clear_only:
            self._set_state("", "")
            return
        self.stop_button.setEnabled(True)
        self._set_state("waiting", "waiting…")

    def feed(self, event: object) -> None:
        """One event of the run; text reaches the screen on the next flush()."""
        match event:
            case ChatDelta(content=content):
                if content:
                    self._text.append(content)
                    self._pending.append(content)
            case TextChunk(text=text):
                self._body.add_text(text, text.encode())
            case SseEvent():
                self._body.add_text(sse_text(event), sse_text(event, wire=True).encode())
            case NdjsonLine(raw=raw):
                self._body.add_text(raw + "\n", (raw + "\n").encode())
            case BinaryChunk(data=data):
                self._body.add_binary(data)
            case JsonBody():
                text, _ = self._body.add_json(event)
                self.output.setPlainText(text)
            case ResponseStarted():
                self._on_started(event)

    def flush(self) -> None:
        """The tick: whatever arrived goes in with one insert at the end."""
        text = "".join(self._pending) if self._is_chat else self._body.take_shown()
        self._pending.clear()
        if not text:
            return
        if self.state_label.text() == "waiting…":
            self._set_state("streaming", "streaming…")
        self._shown.append(text)
        bar = self.output.verticalScrollBar()
        follow = bar.value() >= bar.maximum()
        cursor = QTextCursor(self.output.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self._split_long_block(cursor)
        if follow:
            bar.setValue(bar.maximum())

    def _split_long_block(self, cursor: QTextCursor) -> None:
        """Keep the streaming paragraph short: every insert lays its whole paragraph out again,
        so a 10,000-character answer without a line break would cost ~10 ms per tick. The break
        goes where the view already wraps a line, so nothing moves; the end reflows it all."""
        block = self.output.document().lastBlock()
        layout = block.layout()
        if block.length() < SPLIT_CHARS or layout is None or layout.lineCount() < 2:
            return
        line = layout.lineAt(layout.lineCount() - 1)
        cursor.setPosition(block.position() + line.textStart())
        cursor.insertBlock()
        self._is_split = True

    def _end_stream(self) -> None:
        self.flush()
        if self._is_split:  # the hard breaks go; the text wraps to the column's width again
            text = "".join(self._shown)
            if len(text) <= REFLOW_CHARS:
                self.output.setPlainText(text)
                self.output.verticalScrollBar().setValue(self.output.verticalScrollBar().maximum())
            self._is_split = False

    def finish(self, metrics: Metrics | None, error: str = "") -> None:
        """The run ended (with `error` in words if it failed); show its figures."""
        self._end_stream()
        self.stop_button.setEnabled(False)
        if metrics is not None:
            self.show_metrics(metrics)
        if self._body.has_binary and not self.output.toPlainText():
            self.output.setPlainText(f"(binary body, {human_size(self._body.size)})")
        if error:
            self.banner.setText(error)
            self.banner.show()
            self._set_state("failed", "failed")
        else:
            total = metrics.total_s if metrics else None
            self._set_state("done", f"done in {human_time(total)}" if total else "done")

    def stopped(self) -> None:
        self._end_stream()
        self.stop_button.setEnabled(False)
        self._set_state("stopped", "stopped; what arrived is kept")

    def show_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        labels = self.figure_labels
        if metrics.status:
            labels["status"].setText(status_text(metrics.status))
            ok = 200 <= metrics.status < 300
            labels["status"].setStyleSheet(PLAIN_STYLE + f"color: {'#1a7f37' if ok else '#cf222e'};")
        for key, value in (
            ("ttfb", metrics.first_byte_s),
            ("ttft", metrics.first_token_s),
            ("total", metrics.total_s),
        ):
            labels[key].setText(human_time(value) if value is not None else "—")
        rate = metrics.tokens_per_s
        labels["tokens_per_s"].setText(f"{rate:.1f}" if rate is not None else "—")
        if metrics.tokens is not None:
            approx = "~" if metrics.tokens_estimated else ""
            labels["tokens_per_s"].setToolTip(f"{approx}{metrics.tokens} tokens")
        labels["bytes"].setText(human_size(metrics.bytes) if metrics.bytes else "—")
        if metrics.request_id:
            self.request_id_label.setText(f"request {metrics.request_id}")
        if metrics.deployment_id:
            self.deployment_label.setText(f"served by deployment {metrics.deployment_id}")

    def set_best(self, keys: set[str]) -> None:
        """Highlight the figures in which this column is the best of all."""
        for key, label in self.figure_labels.items():
            if key == "status":
                continue
            label.setStyleSheet(BEST_STYLE if key in keys else PLAIN_STYLE)
            if key in keys:
                label.setToolTip("best of the columns")

    def set_tag(self, cold: bool | None) -> None:
        """Mark the run cold (the target had scaled to zero) or warm; None hides the tag."""
        if cold is None:
            self.tag_label.hide()
            return
        self.tag_label.setText("cold" if cold else "warm")
        self.tag_label.setToolTip(
            "The target was scaled to zero: this run includes the wake-up, kept apart"
            if cold
            else "The target was already running"
        )
        colour = "#0550ae" if cold else "#57606a"
        self.tag_label.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 3px; padding: 0 4px;"
        )
        self.tag_label.show()

    # --- internals -----------------------------------------------------------------------------

    def _on_started(self, event: ResponseStarted) -> None:
        self.show_metrics(event.metrics)
        self.metrics = None  # not final yet
        self.figure_labels["status"].setText(status_text(event.status))

    def _set_state(self, state: str, text: str) -> None:
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {STATE_COLOURS.get(state, '#57606a')};")

    def _on_source_changed(self, index: int) -> None:
        self.picker.setCurrentIndex(index)

    def _on_overrides_changed(self, _text: str) -> None:
        try:
            self.overrides()
        except ValueError as exc:
            self.problem_label.setText(str(exc))
            self.problem_label.show()
        else:
            self.problem_label.hide()
