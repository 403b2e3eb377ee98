"""The main window: pick a model and target, choose how to call it, edit JSON, send, watch the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import playground
from playground.core.errors import ApiError, PlaygroundError
from playground.core.remote.catalogue import TargetChoice
from playground.core.remote.remotes import Remote
from playground.core.request.spec import MODES, Mode, RequestSpec, headers_text, parse_headers
from playground.core.text import Failure
from playground.ui.widgets.json_editor import JsonEditor
from playground.ui.widgets.labels import make_plain
from playground.ui.widgets.target_bar import TargetBar

if TYPE_CHECKING:
    from playground.core.events import PredictEvent
    from playground.core.request.asyncopts import AsyncStatus
    from playground.ui.chat.controller import ChatController
    from playground.ui.chat.pane import ChatPane
    from playground.ui.request.controller import CatalogueController, RequestController
    from playground.ui.response.view import ResponseView

EXAMPLE_BODY: dict[str, Any] = {"text": "I love how fast this is, great work!"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class MainWindow(QMainWindow):
    closed = Signal()

    catalogue: CatalogueController
    requests: RequestController
    chat_controller: ChatController

    def __init__(
        self, remote: Remote, *, settings: QSettings | None = None, key_label: str = ""
    ) -> None:
        """The window alone; `attach` gives it its controllers. Built apart so that it can paint
        before the network stack is imported."""
        super().__init__()
        self.remote = remote
        self.settings = settings
        self.setWindowTitle("Playground")
        self.resize(1200, 760)
        self.shortcuts: list[tuple[str, str]] = []
        self.last_request_id = ""
        self._build_ui(key_label)
        self._build_menus()
        self._connect()
        self._update_mode()
        self._restore_state()

    # --- layout --------------------------------------------------------------------------------

    def _build_ui(self, key_label: str) -> None:
        self.remote_name_label = QLabel(self.remote.name)
        self.remote_name_label.setObjectName("remoteName")
        bold = self.remote_name_label.font()
        bold.setBold(True)
        self.remote_name_label.setFont(bold)
        self.remote_label = QLabel()  # plain text: Qt's rich-text engine is ~4 ms before the paint
        self.remote_label.setObjectName("remoteLabel")
        self.set_key_label(key_label)
        self.target_bar = TargetBar()

        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("modeCombo")
        for mode, label in MODES:
            self.mode_combo.addItem(label, mode)
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
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)

        self.route_row = QWidget()
        route_layout = QHBoxLayout(self.route_row)
        route_layout.setContentsMargins(0, 0, 0, 0)
        route_layout.addWidget(self.method_combo)
        route_layout.addWidget(self.route_edit, 1)
        self.async_row = QWidget()
        async_layout = QHBoxLayout(self.async_row)
        async_layout.setContentsMargins(0, 0, 0, 0)
        async_layout.addWidget(QLabel("Priority"))
        async_layout.addWidget(self.priority_spin)
        async_layout.addWidget(self.webhook_edit, 1)

        call_row = QHBoxLayout()
        call_row.addWidget(self.mode_combo)
        call_row.addWidget(self.route_row, 1)
        call_row.addWidget(self.async_row, 1)
        call_row.addStretch(0)
        call_row.addWidget(self.send_button)
        call_row.addWidget(self.cancel_button)

        self.editor = JsonEditor(highlight=False)  # coloured once attached
        self.editor.setObjectName("bodyEditor")
        self.editor.set_json(EXAMPLE_BODY)
        self.editor.document().setModified(False)  # a model's example input may replace it
        self.body_problem = QLabel("")
        self.body_problem.setObjectName("bodyProblem")
        self.body_problem.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Request body (JSON)"))
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.body_problem)
        self.headers_edit = QPlainTextEdit()
        self.headers_edit.setObjectName("headersEdit")
        self.headers_edit.setPlaceholderText(
            "Extra headers, one per line: X-Trace: 1 (the API key is added for you)"
        )
        self.headers_edit.setMaximumHeight(64)
        self.headers_edit.setTabChangesFocus(True)
        left_layout.addWidget(self.headers_edit)

        self.async_panel = QWidget()
        self.async_panel.setObjectName("asyncPanel")
        form = QFormLayout(self.async_panel)
        form.setContentsMargins(0, 0, 0, 0)
        self.async_id_label = QLabel("—")
        self.async_id_label.setProperty("selectable", True)
        self.async_status_label = QLabel("—")
        self.async_status_label.setObjectName("asyncStatus")
        self.async_cancel_button = QPushButton("Cancel queued request")
        self.async_cancel_button.setEnabled(False)
        form.addRow("Async request", self.async_id_label)
        form.addRow("Status", self.async_status_label)
        form.addRow("", self.async_cancel_button)

        # The response view is built once the window has painted (its modules are ~13 ms of
        # start-up); until then its place says what it will say anyway.
        self._response: ResponseView | None = None
        self._response_placeholder = QLabel("No response yet")
        self._response_placeholder.setObjectName("responsePlaceholder")
        right = QWidget()
        self._right_layout = QVBoxLayout(right)
        self._right_layout.setContentsMargins(0, 0, 0, 0)
        self._right_layout.addWidget(self.async_panel)
        self._right_layout.addWidget(self._response_placeholder, 1)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        central = QWidget()
        layout = QVBoxLayout(central)
        remote_row = QHBoxLayout()
        remote_row.setSpacing(4)
        remote_row.addWidget(self.remote_name_label)
        remote_row.addWidget(self.remote_label, 1)
        layout.addLayout(remote_row)
        layout.addWidget(self.target_bar)
        layout.addLayout(call_row)
        self._chat: ChatPane | None = (
            None  # made when first asked for (chat_pane is ~50 ms of imports)
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Loading models…")

    def _menu(self, menu_title: str) -> QMenu:
        menu = next(
            (m for m in self._menus if m.title() == menu_title),
            None,
        )
        if menu is None:
            menu = QMenu(menu_title, self)
            help_menu = next((m for m in self._menus if m.title() == "&Help"), None)
            if help_menu is not None:  # Help stays last, whatever is added later
                self.menuBar().insertMenu(help_menu.menuAction(), menu)
            else:
                self.menuBar().addMenu(menu)
            self._menus.append(menu)
        return menu

    def add_menu(self, menu_title: str, text: str) -> QMenu:
        """A submenu at the top of `menu_title` (e.g. File ▸ Remotes)."""
        parent = self._menu(menu_title)
        sub = QMenu(text, self)
        first = parent.actions()[0] if parent.actions() else None
        if first is not None:
            parent.insertMenu(first, sub)
        else:
            parent.addMenu(sub)
        return sub

    def add_action(self, menu_title: str, text: str, keys: str, slot: Any) -> QAction:
        """A menu entry (the menu is made on first use) whose shortcuts Help lists;
        `keys` may give several, as `"Ctrl+Return | Ctrl+Enter"`."""
        menu = self._menu(menu_title)
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys.split(" | ")])
            self.shortcuts.append((text.replace("&", ""), keys.replace(" | ", " or ")))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        self._menus: list[Any] = []
        self.add_action("&File", "&Quit", "Ctrl+Q", self.close)
        self.add_action("&Edit", "&Format JSON", "Ctrl+Shift+F", self.editor.format_json)
        self.add_action("&Edit", "&Minify JSON", "Ctrl+Shift+M", self.editor.minify_json)
        self.send_action = self.add_action(
            "&Request", "&Send", "Ctrl+Return | Ctrl+Enter", self.send
        )
        self.add_action("&Request", "&Cancel", "Esc", self.cancel)
        self.add_action(
            "&Request", "&Wake target", "Ctrl+Shift+W", self.target_bar.wake_button.click
        )
        self.add_action("&Request", "&Reload models", "F5", self.reload_models)
        self.add_action("&Request", "Copy request &id", "Ctrl+Shift+C", self.copy_request_id)
        self.add_action("&Help", "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self.add_action("&Help", "&About Playground", "", self.show_about)

    def _connect(self) -> None:
        self.mode_combo.currentIndexChanged.connect(self._update_mode)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.cancel)
        self.editor.send_requested.connect(self.send)
        self.editor.problem_changed.connect(self.body_problem.setText)
        self.editor.validity_changed.connect(self._update_send_enabled)

    def attach(
        self, catalogue: CatalogueController, requests: RequestController, chat: ChatController
    ) -> None:
        self.catalogue, self.requests, self.chat_controller = catalogue, requests, chat
        self.response.show()  # built now, after the first paint
        # What uses Qt's enums and brushes (~30 ms the first time) waits for the first paint.
        make_plain(
            [
                self.async_id_label,
                self.async_status_label,
                self.remote_name_label,
                self.remote_label,
            ]
        )
        self.target_bar.finish_setup()
        self.editor.enable_colours()
        for controller in (catalogue, requests, chat):
            controller.setParent(self)
        if self._chat is not None:
            self._chat.attach(chat, self.openai_base, self.remote.model_apis_url())
        cat, req, bar = catalogue, requests, self.target_bar
        cat.models_loaded.connect(self._on_catalogue_models_loaded)
        cat.models_failed.connect(self._on_catalogue_models_failed)
        cat.targets_loaded.connect(bar.set_choices)
        cat.targets_failed.connect(self._on_catalogue_targets_failed)
        cat.example_loaded.connect(self._on_catalogue_example_loaded)
        cat.status_changed.connect(self._on_catalogue_status_changed)
        cat.wake_failed.connect(self._on_catalogue_wake_failed)
        bar.model_chosen.connect(self._on_bar_model_chosen)
        bar.wake_requested.connect(self._on_bar_wake_requested)
        req.request_started.connect(self._on_request_started)
        req.event_received.connect(self._on_request_event)
        req.request_finished.connect(self._on_request_finished)
        req.request_failed.connect(self._on_request_failed)
        req.request_cancelled.connect(self._on_request_cancelled)
        req.async_submitted.connect(self._on_async_submitted)
        req.async_status_changed.connect(self._on_async_status_changed)
        req.async_cancel_answered.connect(self._on_async_cancel_answered)
        self.async_cancel_button.clicked.connect(req.cancel_async)

    @property
    def response(self) -> ResponseView:
        if self._response is None:
            from playground.ui.response.view import ResponseView

            self._response = ResponseView()
            self._response.setObjectName("responseView")
            self._right_layout.replaceWidget(self._response_placeholder, self._response)
            self._response_placeholder.deleteLater()
        return self._response

    @property
    def chat(self) -> ChatPane:
        """The chat pane, built on first use: the window paints without it."""
        if self._chat is None:
            from playground.ui.chat.pane import ChatPane

            self._chat = ChatPane()
            self._chat.setObjectName("chatPane")
            self.stack.addWidget(self._chat)
            if self.is_attached:
                self._chat.attach(
                    self.chat_controller, self.openai_base, self.remote.model_apis_url()
                )
        return self._chat

    @property
    def is_attached(self) -> bool:
        return hasattr(self, "requests")

    def set_key_label(self, key_label: str) -> None:
        remote = self.remote
        self.remote_label.setText(
            f"· {remote.label}" + (f" · key {key_label}" if key_label else "")
        )

    # --- actions -------------------------------------------------------------------------------

    def mode(self) -> Mode:
        mode: Mode = self.mode_combo.currentData()
        return mode

    def request_spec(self) -> RequestSpec | str:
        """What Send would send, or why it cannot be sent."""
        if self.mode() == "chat":
            body = self.chat.request_body()
            if self.chat.uses_model_api:
                if not body.get("model"):
                    return "Pick a Model API (its slug) to chat with."
                return RequestSpec("chat", None, body, model_api=str(body["model"]))
            target = self.target_bar.target()
            if target is None:
                return "Pick a model, or type its id."
            return RequestSpec("chat", target, body)
        if not self.editor.is_valid():
            problem = self.editor.problem()
            return problem.sentence if problem else "The body is not valid JSON."
        target = self.target_bar.target()
        if target is None:
            return "Pick a model, or type its id."
        body = self.editor.value()
        try:
            headers = parse_headers(self.headers_edit.toPlainText())
        except ValueError as exc:
            return str(exc)
        mode = self.mode()
        if mode == "route":
            route = self.route_edit.text().strip()
            if not route:
                return "Type the route to call, e.g. /health."
            method = self.method_combo.currentText()
            return RequestSpec(
                mode, target, body if method != "GET" else None, method, route, headers=headers
            )
        if mode == "async":
            from playground.core.request.asyncopts import AsyncOptions

            options = AsyncOptions(
                webhook_endpoint=self.webhook_edit.text().strip() or None,
                priority=self.priority_spin.value(),
            )
            return RequestSpec(mode, target, body, async_options=options, headers=headers)
        return RequestSpec(mode, target, body, headers=headers)

    def load_request(self, spec: RequestSpec) -> None:
        """Put `spec` in the window, ready to send: its mode, target, body and options."""
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(spec.mode))
        if spec.target is not None:
            self.target_bar.set_target(spec.target)
        if spec.mode == "chat":
            body = dict(spec.body) if isinstance(spec.body, dict) else {}
            if spec.model_api:
                body["model"] = spec.model_api
            self.chat.load_body(body, model_api=bool(spec.model_api))
            return
        self.editor.set_json(spec.body)
        self.editor.document().setModified(True)  # the model's example must not replace it
        self.headers_edit.setPlainText(headers_text(spec.headers))
        if spec.mode == "route":
            self.method_combo.setCurrentText(spec.method)
            self.route_edit.setText(spec.route)
        if spec.mode == "async":
            options = spec.async_options
            self.webhook_edit.setText((options.webhook_endpoint if options else None) or "")
            priority = options.priority if options else None
            self.priority_spin.setValue(1 if priority is None else priority)

    def openai_base(self) -> str | None:
        """The OpenAI-compatible base of the chosen target (`…/sync/v1`), for the chat pane."""
        target = self.target_bar.target()
        return target.openai_base(self.remote) if target is not None else None

    def reload_models(self) -> None:
        if self.is_attached:
            self.catalogue.load_models()

    def send(self) -> None:
        if not self.is_attached:
            self.statusBar().showMessage("Still starting…", 2000)
            return
        if self.mode() == "chat":
            self.chat.send()
            return
        spec = self.request_spec()
        if isinstance(spec, str):
            self.statusBar().showMessage(spec)
            return
        self.requests.send(spec)

    def cancel(self) -> None:
        if self.mode() == "chat" and self._chat is not None:
            self._chat.stop()
            return
        if not self.is_attached or not self.requests.cancel():
            self.statusBar().showMessage("Nothing to cancel.", 3000)

    def copy_request_id(self) -> None:
        request_id = self.last_request_id
        if request_id:
            QGuiApplication.clipboard().setText(request_id)
            self.statusBar().showMessage(f"Copied request id {request_id}", 3000)

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{name}</td><td><b>{keys}</b></td></tr>" for name, keys in self.shortcuts
        )
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setText(f"<table cellspacing=6>{rows}</table>")
        box.open()  # never exec(): a nested loop would break the qasync tasks

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About Playground")
        box.setIconPixmap(self.windowIcon().pixmap(64))  # the app icon, once look.py has set it
        box.setText(
            f"<b>Playground {playground.__version__}</b><br>Call, stream and compare models deployed on Baseten."
        )
        box.open()

    # --- view refreshers -------------------------------------------------------------------------

    def _update_mode(self, *_: object) -> None:
        mode = self.mode()
        is_chat = mode == "chat"
        self.stack.setCurrentWidget(self.chat if is_chat else self.splitter)
        self.send_button.setVisible(not is_chat)  # the chat pane has its own Send and Stop
        self.cancel_button.setVisible(not is_chat)
        if is_chat:
            self.chat.offer_models()
        self.route_row.setVisible(mode == "route")
        self.async_row.setVisible(mode == "async")
        self.async_panel.setVisible(mode == "async")

    def _update_send_enabled(self, *_: object) -> None:
        self.send_button.setEnabled(self.editor.is_valid())

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)

    # --- controller events -----------------------------------------------------------------------

    def _on_catalogue_models_loaded(self, models: list[dict[str, Any]]) -> None:
        self.target_bar.set_models(models)
        self.statusBar().showMessage(f"{len(models)} models", 5000)

    def _on_catalogue_models_failed(self, message: str) -> None:
        self.statusBar().showMessage(
            f"Could not list models ({message}). You can still type a model id and a target."
        )

    def _on_catalogue_targets_failed(self, model_id: str, message: str) -> None:
        self.statusBar().showMessage(f"Could not read {model_id}'s environments: {message}")

    def _on_catalogue_example_loaded(self, model_id: str, example: object) -> None:
        if model_id == self.target_bar.model_id() and not self.editor.document().isModified():
            self.editor.set_json(example)
            self.editor.document().setModified(False)

    def _on_catalogue_status_changed(self, model_id: str, deployment_id: str, status: str) -> None:
        self.target_bar.set_status(deployment_id, status)
        self.statusBar().showMessage(f"{model_id} deployment {deployment_id}: {status}")

    def _on_catalogue_wake_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Wake failed: {message}")

    def _on_bar_model_chosen(self, model_id: str) -> None:
        self.catalogue.load_targets(model_id)
        if self.mode() == "chat":
            self.chat.offer_models()

    def _on_bar_wake_requested(self, choice: TargetChoice) -> None:
        self.catalogue.wake(choice)

    def _on_request_started(self, description: str) -> None:
        self.response.clear()
        self.last_request_id = ""
        self._set_busy(True)
        self.statusBar().showMessage(f"Sending: {description}…")

    def _on_request_event(self, event: PredictEvent) -> None:
        from playground.core.events import ResponseStarted  # after the first paint

        if isinstance(event, ResponseStarted):
            self.last_request_id = event.request_id
        self.response.feed(event)

    def _on_request_finished(self) -> None:
        self._set_busy(False)
        if self.mode() != "async":  # the async panel's last word stays
            self.statusBar().showMessage("Done.", 3000)

    def _on_request_failed(self, error: PlaygroundError) -> None:
        self._set_busy(False)
        if isinstance(error, ApiError) and error.request_id:
            self.last_request_id = error.request_id
        self.response.fail(error)
        self.statusBar().showMessage(Failure.of(error).line())

    def _on_request_cancelled(self) -> None:
        self._set_busy(False)
        self.response.cancelled()
        self.statusBar().showMessage(
            "Cancelled; the connection is closed and what arrived is kept."
        )

    def _on_async_submitted(self, request_id: str) -> None:
        self.async_id_label.setText(request_id)
        self.async_status_label.setText("submitted")
        self.async_cancel_button.setEnabled(True)

    def _on_async_status_changed(self, status: AsyncStatus) -> None:
        self.async_status_label.setText(status.describe())
        self.async_cancel_button.setEnabled(status.can_cancel)
        if status.is_terminal:
            self.statusBar().showMessage(status.outcome())

    def _on_async_cancel_answered(self, answer: dict[str, Any]) -> None:
        self.statusBar().showMessage(str(answer.get("message", "")))

    # --- state ---------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        mode = self.settings.value("request/mode")
        index = self.mode_combo.findData(mode) if mode else -1
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)
        self.route_edit.setText(str(self.settings.value("request/route", "") or ""))

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("request/mode", self.mode())
        self.settings.setValue("request/route", self.route_edit.text())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.closed.emit()
        super().closeEvent(event)
