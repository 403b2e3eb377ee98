"""The window's request for predict, async and custom routes: the JSON body with its problem,
extra headers, the method and route, and the async options; read as a core `RequestForm`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.core.request.form import RequestForm
from playground.core.request.spec import METHODS, Mode, RequestSpec
from playground.ui.widgets.headers_edit import HeadersEdit
from playground.ui.widgets.json_editor import JsonEditor

EXAMPLE_BODY: dict[str, Any] = {"text": "I love how fast this is, great work!"}


class RequestEditor(QWidget):
    """The body and headers (this widget), and `route_row` / `async_row`, which the window puts
    in its call row; `set_mode` shows the row the mode needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.method_combo = QComboBox()
        self.method_combo.addItems(METHODS)
        self.route_edit = QLineEdit()
        self.route_edit.setObjectName("routeEdit")
        self.route_edit.setPlaceholderText("/health, /items/1 … (sent to sync/…)")
        self.priority_spin = QSpinBox()
        self.priority_spin.setRange(0, 2)
        self.priority_spin.setToolTip("0 runs first, 2 last")
        self.webhook_edit = QLineEdit()
        self.webhook_edit.setPlaceholderText("https://… webhook for the result (optional)")
        self.route_row = _row(self.method_combo, self.route_edit)
        self.async_row = _row(QLabel("Priority"), self.priority_spin, self.webhook_edit)

        self.body = JsonEditor(highlight=False)  # coloured once attached
        self.body.setObjectName("bodyEditor")
        self.body.set_json(EXAMPLE_BODY)
        self.body.document().setModified(False)  # a model's example input may replace it
        self.body_problem = QLabel("")
        self.body_problem.setObjectName("bodyProblem")
        self.body_problem.setWordWrap(True)
        self.headers_edit = HeadersEdit()
        self.headers_edit.setObjectName("headersEdit")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Request body (JSON)"))
        layout.addWidget(self.body, 1)
        layout.addWidget(self.body_problem)
        layout.addWidget(self.headers_edit)
        self.body.problem_changed.connect(self.body_problem.setText)

    def set_mode(self, mode: Mode) -> None:
        self.route_row.setVisible(mode == "route")
        self.async_row.setVisible(mode == "async")

    def form(self, mode: Mode) -> RequestForm:
        """What is typed, for `mode`: core turns it into the request (or says why not)."""
        body, problem = self.body.body_and_problem()
        return RequestForm(
            mode,
            body,
            problem,
            self.method_combo.currentText(),
            self.route_edit.text(),
            self.headers_edit.text(),
            self.webhook_edit.text(),
            self.priority_spin.value(),
        )

    def load(self, spec: RequestSpec) -> None:
        """Show `spec` (not chat): its body, headers, route and async options."""
        self.body.set_json(spec.body)
        self.body.document().setModified(True)  # the model's example must not replace it
        self.headers_edit.set_headers(spec.headers)
        if spec.mode == "route":
            self.method_combo.setCurrentText(spec.method)
            self.route_edit.setText(spec.route)
        if spec.mode == "async":
            options = spec.async_options
            self.webhook_edit.setText((options.webhook_endpoint if options else None) or "")
            priority = options.priority if options else None
            self.priority_spin.setValue(1 if priority is None else priority)

    def offer_example(self, example: object) -> None:
        """A model's example input, unless the person has typed a body of their own."""
        if not self.body.document().isModified():
            self.body.set_json(example)
            self.body.document().setModified(False)

    def restore(self, settings: QSettings) -> None:
        self.route_edit.setText(str(settings.value("request/route", "") or ""))

    def save(self, settings: QSettings) -> None:
        settings.setValue("request/route", self.route_edit.text())


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return row
