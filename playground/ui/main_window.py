"""The main window: pick a model and target, choose how to call it, edit JSON, send, watch the
answer. It composes the features and is their `WindowHost` (ui/host.py); it does little itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.remote.remotes import Remote, Target
from playground.core.request.spec import MODES, Mode, RequestSpec
from playground.ui import docks
from playground.ui.menus import Menus
from playground.ui.request.panel import RequestPanel
from playground.ui.target.bar import TargetBar
from playground.ui.theme import install_theme_menu
from playground.ui.widgets.json_editor import JsonEditor
from playground.ui.widgets.pages import show_page
from playground.ui.widgets.remote_row import RemoteRow

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.ui.chat.controller import ChatController
    from playground.ui.chat.pane import ChatPane
    from playground.ui.host import ModePage
    from playground.ui.request.controller import RequestController
    from playground.ui.response.view import ResponseView
    from playground.ui.target.controller import CatalogueController


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
        self.menus = Menus(self)
        self._build_ui(key_label)
        self._build_menus()
        self._connect()
        self._update_mode()
        self._restore_state()

    def _build_ui(self, key_label: str) -> None:
        self.remote_row = RemoteRow(self.remote, key_label)
        self.target_bar = TargetBar()
        self.request = RequestPanel()
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("modeCombo")
        for mode, label in MODES:
            self.mode_combo.addItem(label, mode)
        call_row = QHBoxLayout()
        call_row.addWidget(self.mode_combo)
        self.request.fill_call_row(call_row)
        self._response: ResponseView | None = None  # built after the first paint (~13 ms)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.remote_row)
        layout.addWidget(self.target_bar)
        layout.addLayout(call_row)
        layout.addWidget(self.request.url_line)
        self._chat: ChatPane | None = None  # made when first asked for (~50 ms of imports)
        self.pages: dict[str, ModePage] = {}  # a mode's own page, else None: the request panel
        self.stack = QStackedWidget()
        self.stack.addWidget(self.request)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        docks.dock(self, "Presets", docks.PRESETS)  # the presets fill it after the first paint
        self.statusBar().showMessage("Loading models…")

    def _build_menus(self) -> None:
        add, editor = self.menus.add_action, self.request.editor.body
        self.menus.add_quit(self.close)
        add("&Edit", "&Format JSON", "Ctrl+Shift+F", editor.format_json)
        add("&Edit", "&Minify JSON", "Ctrl+Shift+M", editor.minify_json)
        self.send_action = add("&Request", "&Send", "Ctrl+Return | Ctrl+Enter", self.send)
        add("&Request", "&Cancel", "Esc", self.cancel)
        add("&Request", "&Wake target", "Ctrl+Shift+W", self.target_bar.wake_button.click)
        add("&Request", "Copy request &id", "Ctrl+Shift+C", self.request.copy_request_id)
        self.menus.reserve("&Presets", "&History", "&Jobs")  # filled after the first paint
        install_theme_menu(self.menus.add_menu("&View", "&Theme"), self.settings)  # before Help
        self.menus.add_help()
        self.menus.add_editing()
        self.menus.add_modes(self.mode_combo)

    def _connect(self) -> None:
        self.mode_combo.currentIndexChanged.connect(self._update_mode)
        self.target_bar.target_changed.connect(self._update_target_bar)  # and the URL line
        self.request.send_button.clicked.connect(self.send)
        self.request.cancel_button.clicked.connect(self.cancel)
        self.request.editor.body.send_requested.connect(self.send)

    def attach(
        self, catalogue: CatalogueController, requests: RequestController, chat: ChatController
    ) -> None:
        self.catalogue, self.requests, self.chat_controller = catalogue, requests, chat
        self.response.show()  # built now, after the first paint
        # What uses Qt's enums and brushes (~30 ms the first time) waits for the first paint.
        self.remote_row.finish_setup()
        self.request.async_panel.finish_setup()
        self.target_bar.finish_setup()
        self.request.editor.body.enable_colours()
        for controller in (catalogue, requests, chat):
            controller.setParent(self)
        if self._chat is not None:
            self._chat.attach(chat, self.target)
        catalogue.link(self.target_bar, self.show_status)
        self.add_action("&Request", "&Reload models", "F5", catalogue.load_models)
        catalogue.watch(requests)  # a request that wakes a deployment changes its status
        catalogue.watch_chat(chat)
        self.response.target_note.follow(
            self.target_bar.target_changed, self.target, requests.request_sent
        )
        catalogue.models_loaded.connect(self.target_bar.set_models)
        catalogue.example_loaded.connect(self._on_catalogue_example_loaded)
        self.target_bar.model_chosen.connect(self._on_bar_model_chosen)
        self.request.attach(requests, self.show_status)

    @property
    def response(self) -> ResponseView:
        if self._response is None:
            from playground.ui.response.view import ResponseView

            self._response = ResponseView()
            self._response.setObjectName("responseView")
            self.request.set_response(self._response, self._response)
        return self._response

    @property
    def chat(self) -> ChatPane:
        """The chat pane, built on first use: the window paints without it."""
        if self._chat is None:
            from playground.ui.chat.pane import ChatPane

            self._chat = ChatPane()
            self._chat.setObjectName("chatPane")
            self._chat.params_bar.source_changed.connect(self._update_target_bar)
            self.stack.addWidget(self._chat)
            if self.is_attached:
                self._chat.attach(self.chat_controller, self.target)
        return self._chat

    @property
    def is_attached(self) -> bool:
        return hasattr(self, "requests")

    # --- WindowHost (ui/host.py): what the features use ---------------------------------------

    @property
    def client(self) -> BasetenClient:
        return self.catalogue.client

    @property
    def body_editor(self) -> JsonEditor:
        return self.request.editor.body

    def widget(self) -> QMainWindow:
        return self

    def add_action(
        self, menu_title: str, text: str, keys: str, slot: Callable[[], object]
    ) -> QAction:
        return self.menus.add_action(menu_title, text, keys, slot)

    def add_menu(self, menu_title: str, text: str) -> QMenu:
        return self.menus.add_menu(menu_title, text)

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def target(self) -> Target | None:
        return self.target_bar.target()

    def mode(self) -> Mode:
        mode: Mode = self.mode_combo.currentData()
        return mode

    def page(self) -> ModePage | None:
        return self.chat if self.mode() == "chat" else self.pages.get(self.mode())

    def add_page(self, mode: Mode, page: ModePage) -> None:
        assert isinstance(page, QWidget)
        self.pages[mode] = page
        self.stack.addWidget(page)
        self._update_mode()

    def request_spec(self) -> RequestSpec | str:
        """What Send would send, or why it cannot be sent."""
        if (page := self.page()) is not None:
            return page.request_spec()
        return self.request.editor.form(self.mode()).spec(self.target())

    def load_request(self, spec: RequestSpec) -> None:
        """Put `spec` in the window, ready to send: its mode, target, body and options."""
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(spec.mode))
        if spec.target is not None:
            self.target_bar.set_target(spec.target)
        if (page := self.page()) is not None:
            page.load_spec(spec)
        else:
            self.request.editor.load(spec)

    def send(self) -> None:
        if not self.is_attached:
            self.show_status("Still starting…", 2000)
        elif (page := self.page()) is not None:
            page.send()
        elif isinstance(spec := self.request_spec(), str):
            self.show_status(spec)
        else:
            self.requests.send(spec)

    def resend(self) -> None:
        """Send what was just loaded again; a chat asks its last question again."""
        if self.mode() == "chat":
            self.chat.regenerate()  # a loaded chat body ends with the question
        else:
            self.send()

    def cancel(self) -> None:
        if (page := self.page()) is not None:
            page.stop()
        elif self.is_attached:
            self.request.cancel()

    # --- view refreshers and controller events ---------------------------------------------------

    def _update_mode(self, *_: object) -> None:
        mode, page = self.mode(), self.page()
        show_page(self.stack, page if isinstance(page, QWidget) else self.request)
        self._update_target_bar()
        for button in (self.request.send_button, self.request.cancel_button):
            button.setVisible(page is None)  # a page of its own has its own buttons
        if mode == "chat":
            self.chat.offer_models()
        self.request.set_mode(mode)

    def _on_catalogue_example_loaded(self, model_id: str, example: object) -> None:
        if model_id == self.target_bar.model_id():
            self.request.editor.offer_example(example)

    def _update_target_bar(self) -> None:
        """A chat with a Model API has no model or deployment of the bar's: hide them."""
        model_api = self.mode() == "chat" and self.chat.uses_model_api
        self.target_bar.set_model_api(model_api)
        self.request.show_url(self.remote, self.mode(), self.target(), model_api)

    def _on_bar_model_chosen(self, _model_id: str) -> None:
        if self.mode() == "chat":
            self.chat.offer_models()

    # --- state ---------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        index = self.mode_combo.findData(self.settings.value("request/mode"))
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)
        self.request.restore(self.settings)

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("request/mode", self.mode())
        self.request.save(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.closed.emit()
        super().closeEvent(event)
