"""The main window (a first cut): pick a model and environment, edit JSON, send, read the answer."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.core import Target
from playground.ui.controller import Outcome, WindowController

EXAMPLE_BODY = '{\n  "text": "I love how fast this is, great work!"\n}\n'


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, controller: WindowController) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("Playground")
        self.resize(1100, 700)
        self._build_ui()
        self._connect()

    def _build_ui(self) -> None:
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSize(10)

        self.remote_label = QLabel(f"Remote: {self.controller.remote_label}")
        self.remote_label.setObjectName("remoteLabel")
        bold = QFont(self.remote_label.font())
        bold.setBold(True)
        self.remote_label.setFont(bold)

        self.model_list = QListWidget()
        self.model_list.setObjectName("modelList")
        self.model_list.setMinimumWidth(260)
        self.models_status = QLabel("Loading models…")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Models"))
        left_layout.addWidget(self.model_list, 1)
        left_layout.addWidget(self.models_status)

        self.env_combo = QComboBox()
        self.env_combo.setEditable(True)
        self.env_combo.addItems(["production", "staging", "development"])
        self.send_button = QPushButton("Send  (Ctrl+Enter)")
        self.send_button.setObjectName("sendButton")
        self.cancel_button = QPushButton("Cancel  (Esc)")
        self.cancel_button.setEnabled(False)
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("Environment"))
        target_row.addWidget(self.env_combo, 1)
        target_row.addWidget(self.send_button)
        target_row.addWidget(self.cancel_button)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("bodyEditor")
        self.editor.setFont(mono)
        self.editor.setPlainText(EXAMPLE_BODY)
        self.body_status = QLabel("")
        self.body_status.setObjectName("bodyStatus")

        self.response_status = QLabel("No request sent yet.")
        self.response_status.setObjectName("responseStatus")
        self.response_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.response_view = QPlainTextEdit()
        self.response_view.setObjectName("responseView")
        self.response_view.setReadOnly(True)
        self.response_view.setFont(mono)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(target_row)
        right_layout.addWidget(QLabel("Request body (JSON)"))
        right_layout.addWidget(self.editor, 2)
        right_layout.addWidget(self.body_status)
        right_layout.addWidget(QLabel("Response"))
        right_layout.addWidget(self.response_status)
        right_layout.addWidget(self.response_view, 3)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.remote_label)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        c = self.controller
        c.models_loaded.connect(self._on_controller_models_loaded)
        c.models_failed.connect(self._on_controller_models_failed)
        c.request_started.connect(self._on_controller_request_started)
        c.response_received.connect(self._on_controller_response_received)
        c.request_failed.connect(self._on_controller_request_failed)
        c.request_cancelled.connect(self._on_controller_request_cancelled)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(c.cancel)
        self.editor.textChanged.connect(self._update_body_status)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.send)
        QShortcut(QKeySequence("Esc"), self, c.cancel)

    # --- actions -------------------------------------------------------------------------------

    def selected_model_id(self) -> str | None:
        item = self.model_list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def parsed_body(self) -> tuple[Any, str]:
        try:
            return json.loads(self.editor.toPlainText()), ""
        except json.JSONDecodeError as exc:
            return None, f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"

    def send(self) -> None:
        model_id = self.selected_model_id()
        body, problem = self.parsed_body()
        if problem or model_id is None:
            self.response_status.setText(problem or "Pick a model first.")
            return
        env = self.env_combo.currentText().strip() or "production"
        if env in ("production", "development"):
            target = Target(model_id, env)  # type: ignore[arg-type]
        else:
            target = Target(model_id, "environment", env)
        self.controller.send(target, body)

    # --- view refreshers -------------------------------------------------------------------------

    def _update_body_status(self) -> None:
        _, problem = self.parsed_body()
        self.body_status.setText(problem)
        self.send_button.setEnabled(not problem)

    def _on_controller_models_loaded(self, models: list[dict[str, Any]]) -> None:
        self.model_list.clear()
        for model in models:
            item = QListWidgetItem(f"{model['name']}   ·  {model['id']}")
            item.setData(Qt.ItemDataRole.UserRole, model["id"])
            self.model_list.addItem(item)
        self.models_status.setText(f"{len(models)} models")
        if models:
            self.model_list.setCurrentRow(0)

    def _on_controller_models_failed(self, message: str) -> None:
        self.models_status.setText(f"Could not list models: {message}")

    def _on_controller_request_started(self) -> None:
        self.response_status.setText("Sending…")
        self.cancel_button.setEnabled(True)

    def _on_controller_response_received(self, outcome: Outcome) -> None:
        self.cancel_button.setEnabled(False)
        m = outcome.metrics
        total = (m.total_s or 0.0) * 1000
        self.response_status.setText(
            f"{m.status} · {total:.0f} ms · {m.bytes:,} bytes · request id {m.request_id or '—'}"
        )
        self.response_view.setPlainText(outcome.text)

    def _on_controller_request_failed(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        self.response_status.setText(message)

    def _on_controller_request_cancelled(self) -> None:
        self.cancel_button.setEnabled(False)
        self.response_status.setText("Cancelled.")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
