"""The streaming chat pane: a conversation with an OpenAI-compatible deployment or a Model API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from playground.core.chat.conversation import ChatParams, Conversation, Turn
from playground.core.chat.parts import image_part
from playground.core.errors import InvalidRequest, PlaygroundError
from playground.core.events import ChatDelta, ChatResult, ResponseStarted
from playground.core.files import write_atomically
from playground.core.metrics import Metrics
from playground.core.remote.remotes import Target
from playground.core.request.form import RequestForm
from playground.core.request.spec import RequestSpec
from playground.core.text import Failure
from playground.ui.chat.attachments import ComposerEdit
from playground.ui.chat.body_dialog import body_dialog
from playground.ui.chat.extras import ChatExtras
from playground.ui.chat.message_view import MessageView, metrics_line
from playground.ui.chat.params import ChatParamsBar
from playground.ui.chat.schema_editor import check_answer
from playground.ui.widgets.batching import FrameBatcher
from playground.ui.widgets.flow_layout import FlowLayout

if TYPE_CHECKING:
    from playground.ui.chat.controller import ChatController


class ChatPane(QWidget):
    """Parameters, a system prompt, the transcript, and the input with Send / Stop / Regenerate."""

    def __init__(
        self, conversation: Conversation | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.conversation = conversation or Conversation("", ChatParams(), [])
        self.controller: ChatController | None = None
        self._target: Callable[[], Target | None] = lambda: None
        self._answer: MessageView | None = None
        self._views: list[MessageView] = []
        self._offered_base: str | None = None  # where the served names were last listed from
        self._asked_schema: dict[str, Any] | None = None  # the answer is checked against it
        self._batcher = FrameBatcher(self._flush, self)
        self._build_ui()

    def _build_ui(self) -> None:
        self.params_bar = ChatParamsBar()
        self.model_combo = self.params_bar.model_combo

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
        self._follow = True
        bar = self.scroll_area.verticalScrollBar()
        bar.rangeChanged.connect(self._on_bar_range_changed)
        bar.valueChanged.connect(self._on_bar_value_changed)

        self.input = ComposerEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText("Message (Ctrl+Enter sends)")
        self.input.setMaximumHeight(90)
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.regenerate_button = QPushButton("Regenerate")
        self.clear_button = QPushButton("Clear")
        self.undo_clear_button = QPushButton("Undo clear")  # shown until the next message
        self.undo_clear_button.setObjectName("chatUndoClear")
        self.undo_clear_button.hide()
        self._cleared: list[Turn] = []
        self.body_button = QPushButton("Request body…")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save the conversation as OpenAI JSON (.json) or Markdown (.md)"
        )
        self.extras = ChatExtras(self.params_bar, self.input)
        self.status = QLabel("")
        self.status.setObjectName("chatStatus")
        self.status.setWordWrap(True)
        buttons = FlowLayout()  # wraps in a narrow window rather than widening it
        for button in (
            self.send_button,
            self.extras.tray.attach_button,
            self.stop_button,
            self.regenerate_button,
            self.clear_button,
            self.undo_clear_button,
            self.body_button,
            self.export_button,
        ):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.params_bar)
        beside = QHBoxLayout()  # the system prompt, and the headers and schema when shown
        beside.addWidget(self.system_edit, 1, Qt.AlignmentFlag.AlignTop)
        for widget in self.extras.widgets():
            beside.addWidget(widget, 1)
        layout.addLayout(beside)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.extras.tray)
        layout.addWidget(self.input)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.clear_button.clicked.connect(self.clear)
        self.undo_clear_button.clicked.connect(self.undo_clear)
        self.body_button.clicked.connect(self.show_request_body)
        self.export_button.clicked.connect(self.ask_export)
        self.input.send_requested.connect(self.send)
        self.extras.tray.failed.connect(self.status.setText)

    # --- wiring ----------------------------------------------------------------------------------

    def attach(self, controller: ChatController, target: Callable[[], Target | None]) -> None:
        """`target` gives the window's chosen target (None without one); a chat with it goes to
        its `…/sync/v1`, one with a Model API to the remote's Model APIs base."""
        self.controller = controller
        self._target = target
        self.params_bar.source_changed.connect(self.offer_models)
        controller.answer_started.connect(self._on_controller_answer_started)
        controller.delta_received.connect(self._on_controller_delta_received)
        controller.answer_finished.connect(self._on_controller_answer_finished)
        controller.answer_failed.connect(self._on_controller_answer_failed)
        controller.answer_cancelled.connect(self._on_controller_answer_cancelled)
        controller.notice_received.connect(self.status.setText)
        controller.models_listed.connect(self._on_controller_models_listed)

    # --- actions ---------------------------------------------------------------------------------

    def params(self) -> ChatParams:
        return self.extras.params(self.params_bar.params())

    def load_spec(self, spec: RequestSpec) -> None:
        """Show a saved chat (a preset's, a history entry's): its turns, parameters, and where
        it went (a Model API, or the window's target)."""
        body = dict(spec.body) if isinstance(spec.body, dict) else {}
        if spec.model_api:
            body["model"] = spec.model_api
        self.load_body(body, model_api=bool(spec.model_api))
        self.extras.show_spec(spec)

    def load_body(self, body: dict[str, Any], *, model_api: bool = False) -> None:
        """Show a chat body: its turns and parameters."""
        self.stop()
        self._forget_cleared()
        self.conversation = Conversation.from_body(body)
        self.params_bar.set_source("model_apis" if model_api else "deployment")
        self.params_bar.set_params(self.conversation.params)
        self.extras.show_params(self.conversation.params)
        self.system_edit.setPlainText(self.conversation.system_prompt)
        self._rebuild()

    @property
    def uses_model_api(self) -> bool:
        return self.params_bar.source() == "model_apis"

    def base(self) -> str | None:
        """Where the next message goes: the deployment's `…/sync/v1`, or the Model APIs base."""
        if self.controller is None:
            return None
        if self.uses_model_api:
            return self.controller.client.openai_base(None)
        target = self._target()
        return self.controller.client.openai_base(target) if target is not None else None

    def request_spec(self) -> RequestSpec | str:
        """What the next Send would send (its body ending with what was asked), or why not."""
        self._prepare()
        return self._spec(self.conversation.request_body(stream=True))

    def _spec(self, body: dict[str, Any]) -> RequestSpec | str:
        form = RequestForm("chat", body, headers=self.extras.headers_text())
        if self.uses_model_api:
            spec = form.spec(None, str(body.get("model") or ""))
        else:
            spec = form.spec(self._target())
        return spec if isinstance(spec, str) else self.extras.spec(spec)

    def offer_models(self) -> None:
        """List the served model names (or Model API slugs) of the current base to pick from.
        Another base (another model, or Model APIs) serves other names: the one shown goes, and
        the new base's first name takes its place when they are listed."""
        base = self.base()
        if base != self._offered_base and self._offered_base is not None:
            self.params_bar.model_combo.clear()
            self.params_bar.model_combo.setEditText("")
        self._offered_base = base
        if self.controller is not None and base is not None:
            self.controller.list_models(base)

    def _prepare(self) -> bool:
        """Refresh the conversation's settings from the widgets; whether there is where to send."""
        try:
            self.conversation.params = self.params()
        except InvalidRequest as exc:
            self.status.setText(str(exc))
            return False
        self.conversation.system_prompt = self.system_edit.toPlainText().strip()
        where = self._spec(self.conversation.request_body(stream=True))
        if self.controller is None or isinstance(where, str):
            self.status.setText(where if isinstance(where, str) else "Still starting…")
            return False
        return True

    def request_body(self) -> dict[str, Any]:
        """The exact body the next Send would post (for viewing and copying)."""
        self._prepare()
        return self.conversation.request_body(stream=True)

    def send(self) -> None:
        """Send what is typed (and the images attached); with nothing typed, answer a question
        still waiting for its answer (a preset's, a history entry's last user message)."""
        text = self.input.toPlainText().strip()
        images = self.extras.tray.refs()
        ready = self._prepare()
        if not ready or self.controller is None or self.controller.is_answering:
            return
        if text or images:
            self._add_view(self.conversation.add_user(text, [image_part(r) for r in images]))
            self.input.clear()
            self.extras.tray.take()
        elif not (self.conversation.turns and self.conversation.turns[-1].role == "user"):
            return
        self._ask(self.conversation.request_body(stream=True))

    def _is_busy(self) -> bool:
        if self.controller is not None and self.controller.is_answering:
            self.status.setText("Stop the answer first (Esc or Stop).")
            return True
        return False

    def regenerate(self) -> None:
        ready = self._prepare()
        if not ready or self.controller is None or not self.conversation.turns:
            return
        if self._is_busy():
            return
        body = self.conversation.regenerate_body()
        self._rebuild()
        self._ask(body)

    def edit(self, index: int, text: str) -> None:
        """Replace an earlier user turn and resend from there."""
        ready = self._prepare()
        if not ready or self.controller is None or self._is_busy():
            return
        body = self.conversation.edit(index, text)
        self._rebuild()
        self._ask(body)

    def show_request_body(self) -> QDialog:
        """The exact JSON the next Send would post, to read and copy (opened, never exec'd);
        an attached image shows as its short token, never as its base64."""
        return body_dialog(self, self.request_body())

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
        """Forget the turns and figures; Undo clear brings the turns back until the next send."""
        self.stop()
        turns = list(self.conversation.turns)
        self.conversation.clear()
        self._rebuild()
        self._cleared = turns
        self.undo_clear_button.setVisible(bool(turns))
        count = f"{len(turns)} message{'s' if len(turns) != 1 else ''}"
        self.status.setText(f"Cleared {count}." if turns else "")

    def undo_clear(self) -> None:
        if not self._cleared or self.conversation.turns:
            return
        self.conversation.turns.extend(self._cleared)
        self._forget_cleared()
        self._rebuild()
        self.status.setText("The conversation is back.")

    def _forget_cleared(self) -> None:
        self._cleared = []
        self.undo_clear_button.hide()

    def _ask(self, body: dict[str, Any]) -> None:
        """Send `body` to the target (or the Model API) as a RequestSpec."""
        assert self.controller is not None
        self._forget_cleared()  # a new message starts a new conversation: no undo past it
        spec = self._spec(body)
        if isinstance(spec, str):
            self.status.setText(spec)
            return
        turn = self.conversation.begin_assistant()
        self._asked_schema = self.extras.schema()
        self._answer = self._add_view(turn)
        self.stop_button.setEnabled(True)
        self.status.setText("Waiting for the first token…")
        self.controller.send(spec)

    def _add_view(self, turn: Turn) -> MessageView:
        view = MessageView(turn)
        view.resend_requested.connect(self._on_view_resend_requested)
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
        self._follow = True
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_bar_range_changed(self, _low: int, high: int) -> None:
        # The transcript grew (after its layout, so this is one scroll and one paint per batch):
        # follow the answer down, unless the person scrolled up to read.
        if self._follow:
            self.scroll_area.verticalScrollBar().setValue(high)

    def _on_bar_value_changed(self, value: int) -> None:
        self._follow = value >= self.scroll_area.verticalScrollBar().maximum() - 4

    def messages(self) -> list[MessageView]:
        return list(self._views)

    # --- controller events -------------------------------------------------------------------------

    def _flush(self) -> bool:
        """Show what came since the last frame (the turn has it already); whether that was more
        new text than the transcript shows at once (a flood: FrameBatcher slows down)."""
        if self._answer is None:
            return False
        return self._answer.flush() >= self.scroll_area.viewport().height()

    def _end(self) -> None:
        self._batcher.cancel()
        self.stop_button.setEnabled(False)
        if self._answer is not None:
            self._answer.show_turn()
        self._answer = None
        QTimer.singleShot(0, self._scroll_to_end)  # after the Markdown has been laid out

    def _on_controller_answer_started(self, started: ResponseStarted) -> None:
        if self._answer is not None:
            self._answer.turn.request_id = started.request_id or None

    def _on_controller_delta_received(self, delta: ChatDelta) -> None:
        # The controller merged the deltas of each network read into this one signal (per-delta
        # signals cost more than the rest of a fast stream); nothing merges them again. The turn
        # takes each at once, so it is always current; the screen takes them on the next frame.
        if self._answer is None:
            return
        turn = self._answer.turn
        if not (turn.content or turn.reasoning or turn.tool_calls):
            self.status.setText("Streaming…")
        self.conversation.apply_delta(turn, delta)
        self._answer.add_delta(delta)
        self._batcher.schedule()

    def _on_controller_answer_finished(self, result: ChatResult, metrics: Metrics) -> None:
        self._batcher.flush_now()
        if self._answer is not None:
            turn = self._answer.turn
            self.conversation.finish(turn, result, metrics, turn.request_id)
            self.status.setText(metrics_line(metrics, None))
            if self._asked_schema is not None and not turn.tool_calls:
                self._answer.show_check(check_answer(self._asked_schema, turn.content))
        self._end()

    def _on_controller_answer_failed(
        self, error: PlaygroundError, partial: ChatResult | None
    ) -> None:
        self._batcher.flush_now()
        if self._answer is not None:
            self.conversation.fail(self._answer.turn, Failure.of(error).line(), partial)
        self.status.setText(Failure.of(error).line())
        self._end()

    def _on_controller_answer_cancelled(self) -> None:
        self._batcher.flush_now()
        if self._answer is not None:
            self.conversation.fail(self._answer.turn, "Stopped; what arrived is kept.", None)
        self.status.setText("Stopped; the connection is closed.")
        self._end()

    def _on_view_resend_requested(self, view: MessageView, text: str) -> None:
        index = next((i for i, t in enumerate(self.conversation.turns) if t is view.turn), None)
        if index is not None:
            self.edit(index, text)

    def _on_controller_models_listed(self, names: list[str]) -> None:
        self.params_bar.set_models(names)
