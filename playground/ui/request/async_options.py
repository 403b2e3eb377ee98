"""Every option of an async request, typed in the window's call row: priority, webhook, the
longest wait in the queue and the retry config, each checked as the command line checks it, with
what is wrong said beside the fields, and a warning while no webhook is given."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from playground.core.request.asyncform import LABELS, NO_WEBHOOK, ReadOptions, read_options
from playground.core.request.asyncopts import AsyncOptions
from playground.ui.look import set_state

NUMBERS = (  # field, placeholder (Baseten's default), tooltip
    ("max_time_in_queue_seconds", "600", "Longest wait in the queue: 10–259200 s"),
    ("max_attempts", "1", "inference_retry_config.max_attempts: 1–10"),
    ("initial_delay_ms", "1000", "initial_delay_ms between attempts: 0–10000"),
    ("max_delay_ms", "5000", "max_delay_ms between attempts: 0–60000"),
)


class AsyncOptionsRow(QWidget):
    """`read()` gives the options, or each problem by its field; `changed` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("asyncOptions")
        self.priority_spin = QSpinBox()
        self.priority_spin.setObjectName("prioritySpin")
        self.priority_spin.setRange(0, 2)
        self.priority_spin.setValue(1)
        self.priority_spin.setToolTip("0 runs first, 2 last (Baseten's default is 1)")
        self.webhook_edit = QLineEdit()
        self.webhook_edit.setObjectName("webhookEdit")
        self.webhook_edit.setPlaceholderText("https://… webhook for the result")
        self.number_edits: dict[str, QLineEdit] = {}
        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        first.addWidget(QLabel("Priority"))
        first.addWidget(self.priority_spin)
        first.addWidget(self.webhook_edit, 1)
        # The queue and retry options in a drop-down form: the call row must fit a 1024 px window.
        form_box = QWidget()
        form = QFormLayout(form_box)
        for name, placeholder, tip in NUMBERS:
            edit = QLineEdit()
            edit.setObjectName(f"{name}Edit")
            edit.setPlaceholderText(placeholder)
            edit.setToolTip(tip + " (empty: Baseten's default)")
            self.number_edits[name] = edit
            form.addRow(LABELS[name], edit)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(form_box)
        menu.addAction(action)
        self.more_button = QToolButton()
        self.more_button.setObjectName("asyncMoreButton")
        self.more_button.setText("Queue and retries")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(menu)
        self.problem_label = QLabel("")
        self.problem_label.setObjectName("asyncOptionsProblem")
        set_state(self.problem_label, "tone", "error")
        self.webhook_warning = QLabel(NO_WEBHOOK)
        self.webhook_warning.setObjectName("noWebhookWarning")
        set_state(self.webhook_warning, "tone", "warn")
        for label in (self.problem_label, self.webhook_warning):
            label.setWordWrap(True)
            label.setMinimumWidth(1)  # wrapped to the row, never widening the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.more_button)
        words = QVBoxLayout()
        words.addWidget(self.problem_label)
        words.addWidget(self.webhook_warning)
        second.addLayout(words, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(first)
        layout.addLayout(second)
        self.webhook_edit.textChanged.connect(self._on_edited)
        self.priority_spin.valueChanged.connect(self._on_edited)
        for edit in self.number_edits.values():
            edit.textChanged.connect(self._on_edited)
        self._update_problems(self.read())

    def read(self) -> ReadOptions:
        fields: dict[str, str | int | None] = {
            name: edit.text() for name, edit in self.number_edits.items()
        }
        fields["priority"] = self.priority_spin.value()
        fields["webhook_endpoint"] = self.webhook_edit.text()
        return read_options(fields)

    def load(self, options: AsyncOptions | None) -> None:
        """Show `options` (None: Baseten's defaults)."""
        options = options or AsyncOptions()
        self.webhook_edit.setText(options.webhook_endpoint or "")
        self.webhook_edit.setCursorPosition(0)  # its host first, not the end of its path
        self.priority_spin.setValue(1 if options.priority is None else options.priority)
        for name, edit in self.number_edits.items():
            value = getattr(options, name)
            edit.setText("" if value is None else str(value))

    def _on_edited(self, *_: object) -> None:
        self._update_problems(self.read())
        self.changed.emit()

    def _update_problems(self, read: ReadOptions) -> None:
        self.problem_label.setText(read.problem())
        self.problem_label.setVisible(bool(read.problems))
        self.webhook_warning.setVisible(not self.webhook_edit.text().strip())
