"""One message of a chat: its text (streamed, then Markdown), reasoning, tool calls, figures,
and editing a user turn to resend from there."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.chat.conversation import Turn
from playground.core.events import ChatDelta
from playground.core.logprobs import TokenLogprob
from playground.core.metrics import Metrics
from playground.core.text import human_time
from playground.ui import theme
from playground.ui.chat.attachments import thumbnails_row
from playground.ui.chat.logprobs_view import LogprobsText
from playground.ui.look import marker_html, set_state
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.send_edit import SendingTextEdit
from playground.ui.widgets.streaming_text import StreamingText

MARKDOWN_LIMIT = 24_000  # characters rendered as Markdown without being asked
# Reasoning reads as an aside, not as the answer: muted italic text on a tinted panel with a bar.
REASONING_STYLE = (
    "QPlainTextEdit#reasoningText {{ background: {alt_base}; color: {muted}; font-style: italic;"
    " border: none; border-left: 3px solid {info}; padding-left: 4px; }}"
)


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


def tool_call_html(name: str, arguments: str) -> str:
    """One tool call as rich text: the tool icon, then `name(arguments)` as it came."""
    call = html.escape(f"{name}({arguments})")
    return f"{marker_html('tool')} <span style='white-space:pre-wrap'>{call}</span>"


class MessageView(QFrame):
    """One turn. While an answer streams, text is appended in batches (selectable as it grows);
    when it ends, the assistant's text is rendered as Markdown once (never re-parsed per delta)."""

    resend_requested = Signal(object, str)  # this view, the edited text

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
        self.reasoning.setStyleSheet(theme.styled(REASONING_STYLE))
        self.content = QTextBrowser()
        self.content.setObjectName("messageText")
        self.content.setOpenExternalLinks(True)
        self.content.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.streaming = StreamingText()  # while the answer streams; Markdown once it is done
        self.streaming.setObjectName("streamingText")
        self.streaming.setVisible(False)
        self.logprobs = LogprobsText()  # instead of both when the answer came with logprobs
        self.logprobs.setVisible(False)
        self.check = QLabel("")  # a structured answer checked against its schema
        self.check.setObjectName("schemaCheck")
        self.check.setWordWrap(True)
        self.check.setVisible(False)
        self.tools = QLabel("")
        self.tools.setObjectName("toolCalls")
        self.tools.setTextFormat(Qt.TextFormat.RichText)  # each call after a drawn tool icon
        self.tools.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = monospace_font()
        self.tools.setFont(mono)
        self.tools.setVisible(False)
        self.footer = QLabel("")
        self.footer.setObjectName("messageFooter")
        self.footer.setWordWrap(True)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy this message's text")
        self.copy_button.clicked.connect(self.copy)
        self.markdown_button = QToolButton()
        self.markdown_button.setText("Render Markdown")
        self.markdown_button.setToolTip("A long answer is shown as plain text; render it now")
        self.markdown_button.setVisible(False)
        self.markdown_button.clicked.connect(self.render_markdown)
        self.edit_button = QToolButton()
        self.edit_button.setText("Edit")
        self.edit_button.setToolTip("Change this message and resend the conversation from here")
        self.edit_button.setVisible(turn.role == "user")
        self.edit_button.clicked.connect(self.start_editing)
        self.editor = SendingTextEdit()
        self.editor.setObjectName("turnEditor")
        self.editor.setMaximumHeight(90)
        self.editor.send_requested.connect(self._on_resend_clicked)
        resend = QPushButton("Resend from here")
        resend.clicked.connect(self._on_resend_clicked)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.stop_editing)
        self.edit_row = QWidget()
        edit_layout = QVBoxLayout(self.edit_row)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        edit_layout.addWidget(self.editor)
        edit_buttons = QHBoxLayout()
        edit_buttons.addStretch(1)
        edit_buttons.addWidget(cancel)
        edit_buttons.addWidget(resend)
        edit_layout.addLayout(edit_buttons)
        self.edit_row.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.reasoning_toggle)
        top.addWidget(self.markdown_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        if turn.parts:
            layout.addWidget(thumbnails_row(turn.parts))
        layout.addWidget(self.reasoning)
        layout.addWidget(self.content)
        layout.addWidget(self.edit_row)
        layout.addWidget(self.streaming)
        layout.addWidget(self.logprobs)
        layout.addWidget(self.check)
        layout.addWidget(self.tools)
        layout.addWidget(self.footer)
        self.reasoning_toggle.toggled.connect(self.reasoning.setVisible)
        self.reasoning_toggle.clicked.connect(self._on_reasoning_toggle_clicked)
        self._pending_content: list[str] = []  # what came since the last flush
        self._pending_reasoning: list[str] = []
        self._pending_tokens: list[TokenLogprob] = []
        self._is_reasoning_live = False
        self._has_new_tools = False
        self.show_turn()

    def _fit(self, *_: object) -> None:
        height = int(self.content.document().size().height()) + 8
        self.content.setFixedHeight(max(28, height))

    def add_delta(self, delta: ChatDelta) -> None:
        """Keep what `delta` shows for the next flush (the turn has taken it already)."""
        if delta.content:
            self._pending_content.append(delta.content)
        if delta.reasoning:
            self._pending_reasoning.append(delta.reasoning)
        if delta.logprobs:
            self._pending_tokens.extend(delta.logprobs)
        self._has_new_tools = self._has_new_tools or bool(delta.tool_calls)

    def flush(self) -> int:
        """Show what came since the last flush: one append per part, whatever the deltas. How
        much taller the answer's text grew, in pixels."""
        lines = 0
        if self._pending_tokens:  # tinted tokens stand for the content
            if self.logprobs.isHidden():
                self.content.setVisible(False)
                self.streaming.setVisible(False)
                self.logprobs.setVisible(True)
            lines = self.logprobs.append_tokens(self._pending_tokens)
        elif self._pending_content and self.logprobs.isHidden():
            if not self.streaming.isVisible():
                self.content.setVisible(False)
                self.streaming.setVisible(True)
            lines = self.streaming.append("".join(self._pending_content))
        if self._pending_reasoning:
            if self.reasoning_toggle.isHidden():
                # Open while it streams: the person sees the model think, not a closed box; it
                # folds away when the answer is done (unless the person opened it themselves).
                self.reasoning_toggle.setVisible(True)
                self.reasoning_toggle.setChecked(True)
                self._is_reasoning_live = True
                self.reasoning_toggle.setText("Reasoning (live…)")
            cursor = self.reasoning.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("".join(self._pending_reasoning))
        if self._has_new_tools:
            self.show_tools()
        self._forget_pending()
        return lines * self.streaming.fontMetrics().lineSpacing()

    def _forget_pending(self) -> None:
        self._pending_content, self._pending_reasoning = [], []
        self._pending_tokens = []
        self._has_new_tools = False

    def show_tools(self) -> None:
        self.tools.setVisible(True)
        self.tools.setText(
            "<br>".join(tool_call_html(c.name, c.arguments) for c in self.turn.tool_calls)
        )

    def show_turn(self) -> None:
        """Show the turn as it now is (after it finished, failed, or when rebuilt)."""
        self._forget_pending()
        turn = self.turn
        as_markdown = turn.role == "assistant" and bool(turn.content) and not turn.is_partial
        # Stopped or cut short, the tinted tokens that came stay when they spell what was kept
        # (the text may run a little ahead of them); else, and for a finished answer whose result
        # has none (a key spelled in them drops them all), the text shows plain.
        kept_tints = (
            turn.is_partial
            and self.logprobs.token_count() > 0
            and self.logprobs.text() == turn.content
        )
        is_tinted = turn.role == "assistant" and bool(turn.logprobs or kept_tints)
        self.logprobs.setVisible(is_tinted)
        if is_tinted:
            self._show_logprobs()
        elif turn.role == "assistant" and (len(turn.content) > MARKDOWN_LIMIT or turn.is_partial):
            # Laying out Markdown takes ~1.5 ms per 10 KB in one go: a long answer stays as it
            # streamed (plain, wrapped) unless asked for, so the window never stalls for it.
            if self.streaming.text() != turn.content:
                self.streaming.setText(turn.content)
            self.content.setVisible(False)
            self.streaming.setVisible(True)
            self.markdown_button.setVisible(as_markdown)
        else:
            self.streaming.setVisible(False)
            self.streaming.clear()
            self.content.setVisible(True)
            self.markdown_button.setVisible(False)
            if as_markdown:
                self.content.setMarkdown(turn.content)
            else:
                self.content.setPlainText(turn.content)
        self.reasoning.setPlainText(turn.reasoning)
        if self._is_reasoning_live:
            self._is_reasoning_live = False
            self.reasoning_toggle.setChecked(False)
        self.reasoning_toggle.setVisible(bool(turn.reasoning))
        self.reasoning_toggle.setText(f"Reasoning ({len(turn.reasoning):,} chars)")
        if turn.tool_calls:
            self.show_tools()
        footer = metrics_line(turn.metrics, turn.request_id)
        if turn.finish_reason:
            footer = f"finish: {turn.finish_reason}" + (f" · {footer}" if footer else "")
        if turn.error:
            footer = f"⚠ {turn.error}" + (f" · {footer}" if footer else "")
        self.footer.setText(footer)
        self.footer.setVisible(bool(footer))

    def _on_reasoning_toggle_clicked(self) -> None:
        self._is_reasoning_live = False  # the person's choice stays

    def _show_logprobs(self) -> None:
        """The tinted tokens (as streamed, or all at once when shown again) instead of the text."""
        if self.turn.logprobs and self.logprobs.token_count() != len(self.turn.logprobs):
            self.logprobs.set_tokens(self.turn.logprobs)
        self.content.setVisible(False)
        self.streaming.setVisible(False)
        self.logprobs.setVisible(True)
        self.markdown_button.setVisible(False)

    def show_check(self, verdict: str) -> None:
        """How the answer fares against its schema: "valid", or the first failing place."""
        self.check.setText(f"Schema: {verdict}")
        set_state(self.check, "tone", "ok" if verdict == "valid" else "error")
        self.check.setVisible(True)

    def render_markdown(self) -> None:
        """Show a long answer as Markdown after all (on request: it takes a moment)."""
        self.content.setMarkdown(self.turn.content)
        self.streaming.setVisible(False)
        self.streaming.clear()
        self.content.setVisible(True)
        self.markdown_button.setVisible(False)

    # --- editing a user turn -------------------------------------------------------------------

    def start_editing(self) -> None:
        self.editor.setPlainText(self.turn.content)
        self.content.setVisible(False)
        self.edit_row.setVisible(True)
        self.editor.setFocus()

    def stop_editing(self) -> None:
        self.edit_row.setVisible(False)
        self.content.setVisible(True)

    def _on_resend_clicked(self) -> None:
        text = self.editor.toPlainText().strip()
        if text:
            self.stop_editing()
            self.resend_requested.emit(self, text)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.turn.content)
