"""One column of the compare view: its target (or Model API), overrides, live output and metrics strip."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare.results import ColumnResult, ColumnSummary, figure_of
from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    JsonBody,
    ResponseStarted,
)
from playground.core.metrics import Metrics
from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.core.text import (
    Failure,
    ended_status,
    human_size,
    human_time,
    status_text,
    streamed_part,
)
from playground.ui import theme
from playground.ui.compare.chart import COLUMN_COLOURS
from playground.ui.compare.picker import ColumnPicker
from playground.ui.logs.controller import LogsSubject
from playground.ui.look import set_state
from playground.ui.media.pane import MediaPane
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.response_body import ResponseBody
from playground.ui.widgets.streaming_area import StreamingTextArea
from playground.ui.widgets.streaming_text import StreamingText

LETTERS = "ABCDEF"
# (key, caption): the figures of the strip; `Comparison.best()` names the same keys.
FIGURES = (
    ("status", "Status"),
    ("ttfb", "TTFB"),
    ("ttft", "TTFT"),
    ("total", "Total"),
    ("tokens_per_s", "Tokens/s"),
    ("bytes", "Size"),
)
BEST_STYLE = "background: {best_bg}; color: {best_text}; border-radius: 3px; padding: 0 3px;"
PLAIN_STYLE = "padding: 0 3px;"
ERROR_STYLE = (
    "background: {error_bg}; border: 1px solid {error_border}; border-radius: 4px; padding: 4px;"
)
STATE_COLOURS = {
    "streaming": "info",  # colours of playground/ui/theme.py; the styles above are filled from it
    "waiting": "info",
    "done": "ok",
    "failed": "error",
    "stopped": "muted",
}


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(theme.styled("color: {muted}; font-size: 8pt;"))
    return label


class CompareColumnView(QFrame):
    """Fed by the compare view: begin(), feed() each event, flush() on its tick, then an end."""

    remove_requested = Signal()
    stop_requested = Signal()
    logs_requested = Signal(object)  # LogsSubject: this column's last request

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._body = ResponseBody()
        self._pending: list[str] = []
        self._text: list[str] = []  # a chat answer's content, whole
        self._is_chat = False
        self.result: ColumnResult | None = None
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
        self.logs_button = QToolButton()
        self.logs_button.setText("Logs")
        self.logs_button.setObjectName("columnLogs")
        self.logs_button.setToolTip("This column's request in its deployment's logs")
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this column")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.tag_label)
        header.addStretch(1)
        header.addWidget(self.state_label)
        header.addWidget(self.logs_button)
        header.addWidget(self.stop_button)
        header.addWidget(self.remove_button)

        self.picker = ColumnPicker(LETTERS[0])
        self.target_bar = self.picker.target_bar

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
            strip.addWidget(value, (i // 3) * 2 + 1, i % 3, Qt.AlignmentFlag.AlignLeft)
        self.request_id_label = QLabel("")
        self.request_id_label.setObjectName("columnRequestId")
        self.deployment_label = QLabel("")
        self.deployment_label.setObjectName("columnDeployment")
        for label in (self.request_id_label, self.deployment_label):
            # a long id is cut at the column's edge rather than widening every column
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet(theme.styled("color: {muted}; font-size: 8pt;"))
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.banner = QLabel("")
        self.banner.setObjectName("columnError")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(theme.styled(ERROR_STYLE))
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Laid out in time linear in the answer, selectable; it follows the end as text comes.
        self.output = StreamingText()
        self.output.setObjectName("columnOutput")
        self.output_area = StreamingTextArea(self.output)
        self.output_area.setObjectName("columnOutputArea")
        self._mono = monospace_font()
        self.media = MediaPane()  # the response view's previews, the same widget
        self._content_type = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.picker)
        layout.addLayout(strip)
        layout.addWidget(self.request_id_label)
        layout.addWidget(self.deployment_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.media, 2)
        layout.addWidget(self.output_area, 1)

    def _connect(self) -> None:
        self.stop_button.clicked.connect(self.stop_requested)
        self.remove_button.clicked.connect(self.remove_requested)
        self.logs_button.clicked.connect(lambda: self.logs_requested.emit(self.logs_subject()))
        self.media.text_ready.connect(lambda text, _is_pretty: self.output.setText(text))

    # --- what the view reads -------------------------------------------------------------------

    def set_index(self, index: int) -> None:
        self.index = index
        self.letter = LETTERS[index]
        self.picker.letter = self.letter
        colour = theme.colour(COLUMN_COLOURS[index % len(COLUMN_COLOURS)])
        self.title.setText(f"<b style='color:{colour}'>■ {self.letter}</b>")
        self.setStyleSheet(f"#compareColumn {{ border-top: 3px solid {colour}; }}")

    def column(self) -> Column | str:
        """What this column calls, or a sentence why it cannot."""
        return self.picker.column()

    def set_column(self, column: Column) -> None:
        self.picker.set_column(column)

    def set_target(self, target: Target) -> None:
        self.picker.set_target(target)

    def set_model_apis(self, slugs: list[str]) -> None:
        self.picker.set_model_apis(slugs)

    def logs_subject(self) -> LogsSubject:
        """The request of the last run, on the target it ran on (not the one picked since)."""
        return LogsSubject(self._ran_on, self._request_id, self._deployment_id)

    def text(self) -> str:
        """What the column received: a chat answer's text, or the body as shown."""
        if self._is_chat:
            return "".join(self._text)
        return self._body.data().decode("utf-8", "replace")

    # --- a run ---------------------------------------------------------------------------------

    def begin(self, *, is_chat: bool = False, clear_only: bool = False) -> None:
        self._is_chat = is_chat
        self._body = ResponseBody()
        self.media.clear()
        self._pending = []
        self._text = []
        self.result = None
        self.output.clear()
        self.output.setFont(self.font() if is_chat else self._mono)
        self.banner.hide()
        self.request_id_label.clear()
        self.deployment_label.clear()
        self._request_id = self._deployment_id = ""
        self.logs_button.hide()  # until an answer names its request
        column = self.column()
        self._ran_on = column.target if isinstance(column, Column) and not clear_only else None
        for label in self.figure_labels.values():
            label.setText("—")
            label.setStyleSheet(PLAIN_STYLE)
            label.setToolTip("")
        set_state(self.figure_labels["status"], "state", "")
        self.set_tag(None)
        if clear_only:
            self._set_state("", "")
            return
        self.stop_button.setEnabled(True)
        self._set_state("waiting", "waiting…")

    def feed(self, event: object) -> None:
        """One event of the run; text reaches the screen on the next flush()."""
        if (part := streamed_part(event)) is not None:
            self._body.add_text(*part)
            return
        match event:
            case ChatDelta(content=content, reasoning=reasoning):
                if content:
                    self._text.append(content)
                    self._pending.append(content)
                elif reasoning and not self._text:
                    self._set_state("streaming", "reasoning…")
            case BinaryChunk(data=data):
                self._body.add_binary(data)
                self.media.add_binary(data, self._content_type)
            case JsonBody():
                text, _ = self._body.add_json(event)
                self.output.setText(text)
                self.media.show_json(event.raw)  # searched on a worker, elided text to come
            case ResponseStarted():
                self._content_type = event.content_type
                self._on_started(event)

    def flush(self) -> None:
        """The tick: whatever arrived goes in with one append at the end (the view's
        FrameBatcher calls it; StreamingText re-wraps only its last line)."""
        text = "".join(self._pending) if self._is_chat else self._body.take_shown()
        self._pending.clear()
        if not text:
            return
        if self.state_label.text() in ("waiting…", "reasoning…"):
            self._set_state("streaming", "streaming…")
        self.output.append(text)

    def end(self, result: ColumnResult) -> None:
        """The run ended (done, failed or stopped); show its figures, and why if it failed."""
        self.flush()
        self.stop_button.setEnabled(False)
        self.result = result
        self.show_metrics(result.metrics)
        self.set_tag(result.cold)
        shown = self.output.text()
        self.media.finish_binary(self._body.data, is_cut=not result.is_ok)
        if self._body.has_binary and not shown and not self.media.is_media:
            self.output.setText(f"(binary body, {human_size(self._body.size)})")
        calls = result.details.get("tool_calls") or []
        if calls:  # a tool-calling answer: the calls are the answer, a paragraph of their own
            lines = [
                f"tool call {c['function']['name']}({c['function']['arguments']})" for c in calls
            ]
            self.output.append(("\n" if shown else "") + "\n".join(lines))
        if not result.is_ok:
            self._show_ended(result)
        if result.outcome == "cancelled":
            self._set_state("stopped", "stopped")
            self.state_label.setToolTip(
                "Stopped; the connection is closed and what arrived is kept"
            )
        elif result.outcome == "failed":
            failure = Failure(result.error, request_id=result.request_id, hint=result.hint or None)
            self.banner.setText(failure.banner())
            self.banner.show()
            self._set_state("failed", "failed")
        else:
            self._set_state("done", "done")

    def show_metrics(self, metrics: Metrics) -> None:
        labels = self.figure_labels
        if metrics.status:
            labels["status"].setText(status_text(metrics.status))
            ok = 200 <= metrics.status < 300
            set_state(labels["status"], "state", "ok" if ok else "error")  # style.qss colours it
        for key in ("ttfb", "ttft", "total"):
            value = figure_of(metrics, key)
            labels[key].setText(human_time(value) if value is not None else "—")
            labels[key].setToolTip("")
        rate = metrics.tokens_per_s
        labels["tokens_per_s"].setText(f"{rate:.1f}" if rate is not None else "—")
        if metrics.tokens is not None:
            approx = "~" if metrics.tokens_estimated else ""
            labels["tokens_per_s"].setToolTip(f"{approx}{metrics.tokens} tokens")
        labels["bytes"].setText(human_size(metrics.bytes) if metrics.bytes else "—")
        if metrics.request_id:
            self._request_id = metrics.request_id
            self.logs_button.setVisible(self._ran_on is not None)  # a Model API has no logs
            self.request_id_label.setText(f"request {metrics.request_id}")
            self.request_id_label.setToolTip(f"Request id {metrics.request_id}")
        if metrics.deployment_id:
            self._deployment_id = metrics.deployment_id
            self.deployment_label.setText(f"served by deployment {metrics.deployment_id}")

    def show_summary(self, summary: ColumnSummary) -> None:
        """After repeated runs: each timing's warm p50 (with p95 and the cold run in the tip)."""
        for key in ("ttfb", "ttft", "total", "tokens_per_s"):
            value = summary.value(key)
            if value is None:
                continue
            warm, cold = summary.warm[key], summary.cold[key]
            text = f"{value:.1f}" if key == "tokens_per_s" else human_time(value)
            self.figure_labels[key].setText(text)
            tip = [f"p50 of {warm.n} warm runs" if warm.n else "the cold run (no warm run)"]
            if warm.n and warm.p95 is not None:
                p95 = f"{warm.p95:.1f}" if key == "tokens_per_s" else human_time(warm.p95)
                tip.append(f"p95 {p95}")
            if cold.n and cold.p50 is not None:
                was = f"{cold.p50:.1f}" if key == "tokens_per_s" else human_time(cold.p50)
                tip.append(f"cold run, kept apart: {was}")
            self.figure_labels[key].setToolTip(" · ".join(tip))

    def set_best(self, keys: set[str]) -> None:
        """Highlight the figures in which this column is the best of all."""
        for key, label in self.figure_labels.items():
            if key == "status":
                continue
            label.setStyleSheet(theme.styled(BEST_STYLE) if key in keys else PLAIN_STYLE)

    def set_tag(self, cold: bool | None) -> None:
        """Mark the run cold (the target had scaled to zero) or warm; None hides the tag."""
        if cold is None:
            self.tag_label.hide()
            return
        self.tag_label.setText("cold" if cold else "warm")
        self.tag_label.setToolTip(
            "The target was scaled to zero when the comparison began: its first run is kept"
            " apart from the warm ones"
            if cold
            else "The target was already running"
        )
        self.tag_label.setStyleSheet(
            theme.styled(
                "color: {chip_text}; background: {chip_bg}; border-radius: 3px; padding: 0 4px;"
                if cold
                else "color: {muted}; border: 1px solid {border}; border-radius: 3px; padding: 0 4px;"
            )
        )
        self.tag_label.show()

    # --- internals -----------------------------------------------------------------------------

    def _show_ended(self, result: ColumnResult) -> None:
        """A run that began well and ended badly is not a 200 OK: say how it ended."""
        status = result.metrics.status
        if status and not 200 <= status < 300:
            return  # an error status says it already
        outcome = "cancelled" if result.outcome == "cancelled" else "failed"
        label = self.figure_labels["status"]
        label.setText(ended_status(outcome, status or None))
        label.setToolTip(result.error)
        set_state(label, "state", outcome)

    def _on_started(self, event: ResponseStarted) -> None:
        self.show_metrics(event.metrics)

    def _set_state(self, state: str, text: str) -> None:
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {theme.colour(STATE_COLOURS.get(state, 'muted'))};")
