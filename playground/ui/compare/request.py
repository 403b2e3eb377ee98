"""The compare view's request: predict or custom-route body, or a chat body, and its headers
(typed as in the main window), sent to every column."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.remote.remotes import Target
from playground.core.request.form import RequestForm, is_chat_body
from playground.core.request.spec import METHODS, Mode, RequestSpec
from playground.ui.widgets.headers_edit import HeadersEdit
from playground.ui.widgets.json_editor import JsonEditor

COMPARE_MODES: tuple[tuple[Mode, str], ...] = (
    ("predict", "Predict"),
    ("route", "Custom route"),
    ("chat", "OpenAI chat"),
)
CHAT_EXAMPLE: dict[str, Any] = {
    "messages": [{"role": "user", "content": "What is a cold start?"}],
    "stream": True,
}


class CompareRequestEditor(QWidget):
    """Mode, route and the JSON body (for chat: the whole OpenAI body, messages and parameters)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("compareMode")
        for mode, label in COMPARE_MODES:
            self.mode_combo.addItem(label, mode)
        self.method_combo = QComboBox()
        self.method_combo.addItems(METHODS)
        self.method_combo.setCurrentText("POST")
        self.route_edit = QLineEdit()
        self.route_edit.setObjectName("compareRoute")
        self.route_edit.setPlaceholderText("/route (sent to sync/…)")
        self.from_window_button = QPushButton("Use the main window's request")
        self.from_window_button.setToolTip(
            "Take the body (or chat), mode and target from the window"
        )
        self.headers_toggle = QToolButton()
        self.headers_toggle.setText("Headers")
        self.headers_toggle.setCheckable(True)
        self.headers_toggle.setToolTip(
            "Extra request headers for every column (a column's own headers add to them)"
        )
        self.headers_edit = HeadersEdit(
            "Headers for every column, one per line: X-Trace: 1 (the API key is added for you)"
        )
        self.headers_edit.setObjectName("compareHeaders")
        self.headers_edit.hide()
        self.editor = JsonEditor()
        self.editor.setObjectName("compareBody")
        self.editor.setMaximumHeight(140)
        self.problem_label = QLabel("")
        self.problem_label.setProperty("tone", "error")  # style.qss colours it
        self.problem_label.hide()

        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Request</b>"))
        row.addWidget(self.mode_combo)
        row.addWidget(self.method_combo)
        row.addWidget(self.route_edit, 1)
        row.addStretch(0)
        row.addWidget(self.headers_toggle)
        row.addWidget(self.from_window_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.editor)
        layout.addWidget(self.headers_edit)
        layout.addWidget(self.problem_label)

        self.mode_combo.currentIndexChanged.connect(self._update_mode)
        self.headers_toggle.toggled.connect(self.headers_edit.setVisible)
        self.editor.problem_changed.connect(self._on_editor_problem_changed)
        self._update_mode()

    def mode(self) -> Mode:
        mode: Mode = self.mode_combo.currentData()
        return mode

    def set_request(self, spec: RequestSpec) -> None:
        """Put `spec` in the editor: mode, route, body and headers (async becomes predict: its
        answer goes to a webhook, so it cannot be compared)."""
        mode: Mode = "predict" if spec.mode == "async" else spec.mode
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        if mode == "route":
            self.method_combo.setCurrentText(spec.method)
            self.route_edit.setText(spec.route)
        self.editor.set_json(spec.body)
        self.headers_edit.set_headers(spec.headers)
        self.headers_toggle.setChecked(bool(spec.headers))

    def request(self, target: Target | None, model_api: str) -> RequestSpec | str:
        """The request (for the first column's target), or a sentence why there is none."""
        body, problem = self.editor.body_and_problem()
        return RequestForm(
            self.mode(),
            body,
            problem,
            self.method_combo.currentText(),
            self.route_edit.text(),
            self.headers_edit.text(),
        ).spec(target, None if target is not None else model_api)

    def _update_mode(self, *_: object) -> None:
        mode = self.mode()
        self.method_combo.setVisible(mode == "route")
        self.route_edit.setVisible(mode == "route")
        if mode == "chat" and not is_chat_body(self._body_or_none()):
            self.editor.set_json(CHAT_EXAMPLE)

    def _body_or_none(self) -> Any:
        try:
            return self.editor.value()
        except ValueError:
            return None

    def _on_editor_problem_changed(self, problem: str) -> None:
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
