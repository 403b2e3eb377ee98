"""The streaming chat pane: a conversation with an OpenAI-compatible deployment or a Model API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.conversation import ChatParams, Conversation, Turn
from playground.core.errors import InvalidRequest, PlaygroundError
from playground.core.events import ChatDelta, ChatResult, ResponseStarted
from playground.core.files import write_atomically
from playground.core.metrics import Metrics
from playground.ui.request_spec import describe_error
from playground.ui.response_text import human_time
from playground.ui.send_edit import SendingTextEdit

if TYPE_CHECKING:
    from playground.ui.chat_controller import ChatController

FLUSH_MS = 16


def metrics_line(metrics: Metrics | None, request_id: str | None) -> str:
    """TTFT, tokens/s, completion tokens, total and request id, as LM Studio shows them."""
    if metrics is None:
        return ""
    parts = []
    if metrics.first_token_s is not None:
        parts.append(f"TTFT {human_time(metrics.first_token_s)}")
    rate = metrics.tokens_per_s
    if rate is not None:
        parts.append(f"{rate:.1f} tok/s")
    if metrics.tokens is not None:
        parts.append(
            f"~{metrics.tokens} tokens (estimated)"
            if metrics.tokens_estimated
            else f"{metrics.tokens} tokens"
        )
    if metrics.total_s is not None:
        parts.append(f"total {human_time(metrics.total_s)}")
    if request_id:
        parts.append(f"request {request_id}")
    return " · ".join(parts)


class MessageView(QFrame):
    """One turn. While an answer streams, text is appended in batches; when it ends, the
    assistant's text is rendered as Markdown once (never re-parsed per delta)."""

    def __init__(self, turn: Turn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.turn = turn
        self.setObjectName(f"{turn.role}Message")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.header = QLabel(turn.role.capitalize())
        self.header.setObjectName("messageHeader")
        self.reasoning_toggle = QToolButton()
        self.reasoning_toggle.setObjectName("reasoningToggle")
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setText("Reasoning")
        self.reasoning_toggle.setVisible(False)
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("reasoningText")
        self.reasoning.setReadOnly(True)
        self.reasoning.setVisible(False)
        self.reasoning.setMaximumHeight(110)
        self.content = QTextBrowser()
        self.content.setObjectName("messageText")
        self.content.setOpenExternalLinks(True)
        self.content.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.tools = QLabel("")
        self.tools.setObjectName("toolCalls")
        self.tools.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.tools.setFont(mono)
        self.tools.setVisible(False)
        self.footer = QLabel("")
        self.footer.setObjectName("messageFooter")
        self.footer.setWordWrap(True)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.clicked.connect(self.copy)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.reasoning_toggle)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.reasoning)
        layout.addWidget(self.content)
        layout.addWidget(self.tools)
        layout.addWidget(self.footer)
        self.reasoning_toggle.toggled.connect(self.reasoning.setVisible)
        self._pending_content: list[str] = []
        self._pending_reasoning: list[str] = []
        self.show_turn()

    def _fit(self, *_: object) -> None:
        height = int(self.content.document().size().height()) + 8
        self.content.setFixedHeight(max(28, height))

    def add_delta(self, delta: ChatDelta) -> None:
        if delta.content:
            self._pending_content.append(delta.content)
        if delta.reasoning:
            self._pending_reasoning.append(delta.reasoning)

    def flush(self) -> None:
        if self._pending_content:
            cursor = self.content.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("".join(self._pending_content))
            self._pending_content.clear()
        if self._pending_reasoning:
            self.reasoning_toggle.setVisible(True)
            cursor = self.reasoning.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("".join(self._pending_reasoning))
            self._pending_reasoning.clear()
        if self.turn.tool_calls:
            self._show_tools()

    def _show_tools(self) -> None:
        self.tools.setVisible(True)
        self.tools.setText("\n".join(f"🔧 {c.name}({c.arguments})" for c in self.turn.tool_calls))

    def show_turn(self) -> None:
        """Show the turn as it now is (after it finished, failed, or when rebuilt)."""
        self._pending_content.clear()
        self._pending_reasoning.clear()
        turn = self.turn
        if turn.role == "assistant" and turn.content and not turn.is_partial:
            self.content.setMarkdown(turn.content)
        else:
            self.content.setPlainText(turn.content)
        self.reasoning.setPlainText(turn.reasoning)
        self.reasoning_toggle.setVisible(bool(turn.reasoning))
        self.reasoning_toggle.setText(f"Reasoning ({len(turn.reasoning):,} chars)")
        if turn.tool_calls:
            self._show_tools()
        footer = metrics_line(turn.metrics, turn.request_id)
        if turn.finish_reason:
            footer = f"finish: {turn.finish_reason}" + (f" · {footer}" if footer else "")
        if turn.error:
            footer = f"⚠ {turn.error}" + (f" · {footer}" if footer else "")
        self.footer.setText(footer)
        self.footer.setVisible(bool(footer))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.turn.content)


class ChatPane(QWidget):
    """Parameters, a system prompt, the transcript, and the input with Send / Stop / Regenerate."""

    def __init__(
        self, conversation: Conversation | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.conversation = conversation or Conversation("", ChatParams(), [])
        self.controller: ChatController | None = None
        self._base: Callable[[], str | None] = lambda: None
        self._answer: MessageView | None = None
        self._views: list[MessageView] = []
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush)
        self._build_ui()

    def _build_ui(self) -> None:
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("chatModel")
        self.model_combo.setEditable(True)
        self.model_combo.setMinimumContentsLength(20)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(-0.01, 4.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setSpecialValueText("default")
        self.temperature.setValue(-0.01)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(0, 262_144)
        self.max_tokens.setSpecialValueText("default")
        self.json_mode = QCheckBox("JSON")
        self.extra = QLineEdit()
        self.extra.setObjectName("chatExtra")
        self.extra.setPlaceholderText('extra JSON, e.g. {"top_p": 0.9, "seed": 7}')
        params = QHBoxLayout()
        for label, widget in (
            ("Served model", self.model_combo),
            ("Temperature", self.temperature),
            ("Max tokens", self.max_tokens),
        ):
            params.addWidget(QLabel(label))
            params.addWidget(widget)
        params.addWidget(self.json_mode)
        params.addWidget(self.extra, 1)

        self.system_edit = QPlainTextEdit()
        self.system_edit.setObjectName("systemPrompt")
        self.system_edit.setPlaceholderText("System prompt (optional)")
        self.system_edit.setMaximumHeight(60)

        self.transcript = QWidget()
        self.transcript_layout = QVBoxLayout(self.transcript)
        self.transcript_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.transcript)

        self.input = SendingTextEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText("Message (Ctrl+Enter sends)")
        self.input.setMaximumHeight(90)
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.regenerate_button = QPushButton("Regenerate")
        self.clear_button = QPushButton("Clear")
        self.body_button = QPushButton("Request body…")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save the conversation as OpenAI JSON (.json) or Markdown (.md)"
        )
        self.status = QLabel("")
        self.status.setObjectName("chatStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.send_button,
            self.stop_button,
            self.regenerate_button,
            self.clear_button,
            self.body_button,
            self.export_button,
        ):
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(params)
        layout.addWidget(self.system_edit)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.input)
        layout.addLayout(buttons)

        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.clear_button.clicked.connect(self.clear)
        self.body_button.clicked.connect(self.show_request_body)
        self.export_button.clicked.connect(self.ask_export)
        self.input.send_requested.connect(self.send)

    # --- wiring ----------------------------------------------------------------------------------

    def attach(self, controller: ChatController, base: Callable[[], str | None]) -> None:
        """`base` gives the OpenAI base to talk to (a deployment's …/sync/v1, or Model APIs)."""
        self.controller, self._base = controller, base
        controller.answer_started.connect(self._on_controller_answer_started)
        controller.delta_received.connect(self._on_controller_delta_received)
        controller.answer_finished.connect(self._on_controller_answer_finished)
        controller.answer_failed.connect(self._on_controller_answer_failed)
        controller.answer_cancelled.connect(self._on_controller_answer_cancelled)
        controller.notice_received.connect(self.status.setText)
        controller.models_listed.connect(self._on_controller_models_listed)

    # --- actions ---------------------------------------------------------------------------------

    def params(self) -> ChatParams:
        extra_text = self.extra.text().strip()
        try:
            extra = json.loads(extra_text) if extra_text else {}
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"Extra JSON: {exc.msg} at column {exc.colno}") from exc
        if not isinstance(extra, dict):
            raise InvalidRequest("Extra JSON must be an object")
        params = ChatParams(
            model=self.model_combo.currentText().strip(),
            temperature=self.temperature.value() if self.temperature.value() >= 0 else None,
            max_tokens=self.max_tokens.value() or None,
            response_format="json_object" if self.json_mode.isChecked() else None,
            extra=extra,
        )
        params.validate()
        return params

    def load_body(self, body: dict[str, Any]) -> None:
        """Show a saved chat (a preset's, a history entry's): its turns and parameters."""
        self.stop()
        conversation = Conversation.from_body(body)
        params = conversation.params
        self.conversation = conversation
        self.model_combo.setEditText(params.model)
        self.temperature.setValue(params.temperature if params.temperature is not None else -0.01)
        self.max_tokens.setValue(params.max_tokens or 0)
        self.json_mode.setChecked(params.response_format == "json_object")
        extra = params.to_body()
        for name in ("model", "temperature", "max_tokens", "response_format"):
            extra.pop(name, None)
        extra.update(params.extra)
        self.extra.setText(json.dumps(extra, ensure_ascii=False) if extra else "")
        self.system_edit.setPlainText(conversation.system_prompt)
        self._rebuild()

    def _prepare(self) -> str | None:
        """Refresh the conversation's settings from the widgets; the base to send to, or None."""
        try:
            self.conversation.params = self.params()
        except InvalidRequest as exc:
            self.status.setText(str(exc))
            return None
        self.conversation.system_prompt = self.system_edit.toPlainText().strip()
        base = self._base()
        if self.controller is None or base is None:
            self.status.setText("Pick a model (or a Model API) to chat with.")
            return None
        return base

    def request_body(self) -> dict[str, Any]:
        """The exact body the next Send would post (for viewing and copying)."""
        self._prepare()
        return self.conversation.request_body(stream=True)

    def send(self) -> None:
        text = self.input.toPlainText().strip()
        base = self._prepare()
        if not text or base is None or self.controller is None or self.controller.is_answering:
            return
        self._add_view(self.conversation.add_user(text))
        self.input.clear()
        self._ask(base, self.conversation.request_body(stream=True))

    def regenerate(self) -> None:
        base = self._prepare()
        if base is None or self.controller is None or not self.conversation.turns:
            return
        body = self.conversation.regenerate_body()
        self._rebuild()
        self._ask(base, body)

    def edit(self, index: int, text: str) -> None:
        """Replace an earlier user turn and resend from there."""
        base = self._prepare()
        if base is None or self.controller is None:
            return
        body = self.conversation.edit(index, text)
        self._rebuild()
        self._ask(base, body)

    def show_request_body(self) -> QDialog:
        """The exact JSON the next Send would post, to read and copy (opened, never exec'd)."""
        text = json.dumps(self.request_body(), indent=2, ensure_ascii=False)
        dialog = QDialog(self)
        dialog.setWindowTitle("Request body")
        view = QPlainTextEdit(text)
        view.setObjectName("requestBodyText")
        view.setReadOnly(True)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.resize(640, 480)
        dialog.open()
        return dialog

    def export(self, path: Path) -> None:
        """Markdown for `.md`, OpenAI messages JSON otherwise; written atomically."""
        self._prepare()
        if path.suffix.lower() in (".md", ".markdown"):
            text = self.conversation.to_markdown()
        else:
            text = self.conversation.to_openai_json()
        write_atomically(path, text.encode("utf-8"))
        self.status.setText(f"Saved the conversation to {path}")

    def ask_export(self) -> None:
        dialog = QFileDialog(self, "Export the conversation")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["OpenAI messages (*.json)", "Markdown (*.md)"])
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(lambda name: self.export(Path(name)))
        dialog.open()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def clear(self) -> None:
        self.stop()
        self.conversation.clear()
        self._rebuild()

    def _ask(self, base: str, body: dict[str, Any]) -> None:
        assert self.controller is not None
        turn = self.conversation.begin_assistant()
        self._answer = self._add_view(turn)
        self.stop_button.setEnabled(True)
        self.status.setText("Waiting for the first token…")
        self.controller.send(base, body)

    def _add_view(self, turn: Turn) -> MessageView:
        view = MessageView(turn)
        self._views.append(view)
        self.transcript_layout.insertWidget(self.transcript_layout.count() - 1, view)
        QTimer.singleShot(0, self._scroll_to_end)
        return view

    def _rebuild(self) -> None:
        for view in self._views:
            view.setParent(None)
            view.deleteLater()
        self._views = []
        self._answer = None
        for turn in self.conversation.turns:
            self._add_view(turn)

    def _scroll_to_end(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def messages(self) -> list[MessageView]:
        return list(self._views)

    # --- controller events -------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._answer is not None:
            self._answer.flush()
            self._scroll_to_end()

    def _end(self) -> None:
        self._timer.stop()
        self.stop_button.setEnabled(False)
        if self._answer is not None:
            self._answer.show_turn()
        self._answer = None
        QTimer.singleShot(0, self._scroll_to_end)  # after the Markdown has been laid out

    def _on_controller_answer_started(self, started: ResponseStarted) -> None:
        if self._answer is not None:
            self._answer.turn.request_id = started.headers.get("x-baseten-request-id")

    def _on_controller_delta_received(self, delta: ChatDelta) -> None:
        if self._answer is None:
            return
        self.conversation.apply_delta(self._answer.turn, delta)
        self._answer.add_delta(delta)
        if not self._timer.isActive():
            self.status.setText("Streaming…")
            self._timer.start()

    def _on_controller_answer_finished(self, result: ChatResult, metrics: Metrics) -> None:
        if self._answer is not None:
            turn = self._answer.turn
            self.conversation.finish(turn, result, metrics, turn.request_id)
            self.status.setText(metrics_line(metrics, None))
        self._end()

    def _on_controller_answer_failed(
        self, error: PlaygroundError, partial: ChatResult | None
    ) -> None:
        if self._answer is not None:
            self.conversation.fail(self._answer.turn, describe_error(error), partial)
        self.status.setText(describe_error(error))
        self._end()

    def _on_controller_answer_cancelled(self) -> None:
        if self._answer is not None:
            self.conversation.fail(self._answer.turn, "Stopped; what arrived is kept.", None)
        self.status.setText("Stopped; the connection is closed.")
        self._end()

    def _on_controller_models_listed(self, names: list[str]) -> None:
        current = self.model_combo.currentText()
        self.model_combo.clear()
        self.model_combo.addItems(names)
        if current:
            self.model_combo.setCurrentText(current)
