"""The window's request for predict, async and custom routes: the JSON body with its problem
(and its files: Insert file, drop, paste; Copy body copies what is sent), extra headers, the
method and route, and the async options; read as a core `RequestForm`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.request.attachments import Encoding, file_refs
from playground.core.request.form import RequestForm
from playground.core.request.spec import METHODS, Mode, RequestSpec
from playground.ui.request.async_options import AsyncOptionsRow
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
        self.async_row = AsyncOptionsRow()
        self.priority_spin, self.webhook_edit = (
            self.async_row.priority_spin,
            self.async_row.webhook_edit,
        )
        self.route_row = _row(self.method_combo, self.route_edit)

        self.body = JsonEditor(highlight=False)  # coloured once attached
        self.body.setObjectName("bodyEditor")
        self.body.set_json(EXAMPLE_BODY)
        self.body.document().setModified(False)  # a model's example input may replace it
        self.body_problem = QLabel("")
        self.body_problem.setObjectName("bodyProblem")
        self.body_problem.setWordWrap(True)
        self.headers_edit = HeadersEdit()
        self.headers_edit.setObjectName("headersEdit")
        self.insert_button = QToolButton()
        self.insert_button.setObjectName("insertFileButton")
        self.insert_button.setText("Insert file")
        self.insert_button.setToolTip(
            "Put a file in the body at the cursor; the editor shows a short token and the "
            "file's data is sent (drop or paste a file here too)"
        )
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.insert_button)
        menu.addAction("As &base64…", lambda: self.choose_file("base64"))
        menu.addAction("As a &data URL…", lambda: self.choose_file("data-url"))
        self.insert_button.setMenu(menu)
        self.copy_body_button = QPushButton("Copy body")
        self.copy_body_button.setObjectName("copyRequestBodyButton")
        self.copy_body_button.setToolTip("Copy the body as it is sent, with its files' data")
        self.copy_body_button.clicked.connect(self.copy_body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QHBoxLayout()
        title.addWidget(QLabel("Body (JSON)"), 1)  # "Request …" is cut beside the buttons at 1024
        title.addWidget(self.insert_button)
        title.addWidget(self.copy_body_button)
        layout.addLayout(title)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.body_problem)
        layout.addWidget(self.headers_edit)
        self.body.problem_changed.connect(self.body_problem.setText)
        self.body.file_failed.connect(self.body_problem.setText)

    def choose_file(self, encoding: Encoding) -> None:
        """Ask for a file to insert at the cursor, sent as `encoding`."""
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Insert file as " + encoding.replace("-", " "))
        dialog.setObjectName("insertFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self._on_file_chosen(name, encoding))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_file_chosen(self, name: str, encoding: Encoding) -> None:
        self.body.file_encoding = encoding  # drops and pastes follow the last choice
        self.body.insert_file(name, encoding)
        self.body.setFocus()

    def copy_body(self) -> None:
        """Copy the body as it is sent: files as their base64 or data URLs, not tokens."""
        try:
            text = self.body.payload_text()
        except (ValueError, PlaygroundError) as exc:
            self.body_problem.setText(f"Nothing copied: {exc}")
            return
        QGuiApplication.clipboard().setText(text)

    def set_mode(self, mode: Mode) -> None:
        self.route_row.setVisible(mode == "route")
        self.async_row.setVisible(mode == "async")

    def form(self, mode: Mode) -> RequestForm:
        """What is typed, for `mode`: core turns it into the request (or says why not)."""
        body, problem = self.body.body_and_problem()
        options = None
        if mode == "async":
            read = self.async_row.read()
            problem = problem or (read.problem() and "Async options: " + read.problem())
            options = read.options
        return RequestForm(
            mode,
            body,
            problem,
            self.method_combo.currentText(),
            self.route_edit.text(),
            self.headers_edit.text(),
            self.webhook_edit.text(),
            self.priority_spin.value(),
            options,
        )

    def load(self, spec: RequestSpec) -> None:
        """Show `spec` (not chat): its body, headers, route and async options."""
        self.body.set_json(spec.body)
        self.body.document().setModified(True)  # the model's example must not replace it
        if missing := [ref.problem() for ref in file_refs(spec.body) if ref.problem()]:
            self.body_problem.setText("; ".join(missing))
        self.headers_edit.set_headers(spec.headers)
        if spec.mode == "route":
            self.method_combo.setCurrentText(spec.method)
            self.route_edit.setText(spec.route)
        if spec.mode == "async":
            self.async_row.load(spec.async_options)

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
