"""What a feature may use of the window it installs itself in: `WindowHost`, which `MainWindow`
is. Features type against these protocols, never against `MainWindow`, and meet each other
only through them, Qt signals and `ui/widgets/` (an import-linter contract keeps them apart)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings, SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow, QMenu

    from playground.core.api.client import BasetenClient
    from playground.core.errors import PlaygroundError
    from playground.core.events import PredictEvent
    from playground.core.jobs.jobs import Jobs
    from playground.core.remote.remotes import Remote, Target
    from playground.core.request.spec import Mode, RequestSpec
    from playground.ui.widgets.json_editor import JsonEditor


class RequestReports(Protocol):
    """The window's predict, async and custom-route requests as they go: each send is one
    `request_sent(RequestSpec)`, events, and one of finished, failed or cancelled."""

    @property
    def request_sent(self) -> SignalInstance: ...  # RequestSpec
    @property
    def event_received(self) -> SignalInstance: ...  # a core PredictEvent
    @property
    def async_submitted(self) -> SignalInstance: ...  # request id
    @property
    def async_status_changed(self) -> SignalInstance: ...  # AsyncStatus
    @property
    def async_job_changed(self) -> SignalInstance: ...  # the last async send's core Job
    @property
    def request_finished(self) -> SignalInstance: ...
    @property
    def request_failed(self) -> SignalInstance: ...  # PlaygroundError
    @property
    def request_cancelled(self) -> SignalInstance: ...

    def use_jobs(self, jobs: Jobs) -> None:
        """Send each async request as a job of `jobs`."""
        ...


class ChatReports(Protocol):
    """The chat pane's requests: `request_sent(RequestSpec)`, the answer's start and deltas, and
    one of finished (ChatResult, Metrics), failed (error, partial ChatResult) or cancelled."""

    @property
    def request_sent(self) -> SignalInstance: ...
    @property
    def answer_started(self) -> SignalInstance: ...
    @property
    def delta_received(self) -> SignalInstance: ...
    @property
    def answer_finished(self) -> SignalInstance: ...
    @property
    def answer_failed(self) -> SignalInstance: ...
    @property
    def answer_cancelled(self) -> SignalInstance: ...


class ModePage(Protocol):
    """A mode with a page of its own in the window's stack (the chat pane, the WebSocket
    page): what the window's Send, Cancel, presets, history and code export ask of it."""

    def request_spec(self) -> RequestSpec | str: ...
    def load_spec(self, spec: RequestSpec) -> None: ...
    def send(self) -> None: ...
    def stop(self) -> None: ...


class WindowHost(Protocol):
    """A main window, as its features see it."""

    remote: Remote
    settings: QSettings | None

    @property
    def closed(self) -> SignalInstance: ...
    @property
    def client(self) -> BasetenClient: ...
    @property
    def requests(self) -> RequestReports: ...
    @property
    def chat_controller(self) -> ChatReports: ...
    @property
    def body_editor(self) -> JsonEditor: ...
    @property
    def response(self) -> ResponseSink:
        """The response view: where a feature shows an answer it holds (a job's result)."""
        ...

    def widget(self) -> QMainWindow:
        """The window itself: the parent of a feature's docks and dialogs."""
        ...

    def add_action(
        self, menu_title: str, text: str, keys: str, slot: Callable[[], object]
    ) -> QAction: ...
    def add_menu(self, menu_title: str, text: str) -> QMenu: ...
    def add_page(self, mode: Mode, page: ModePage) -> None:
        """`page` (a QWidget) is shown, in the window's stack, while `mode` is chosen."""
        ...

    def show_status(self, text: str, timeout_ms: int = 0) -> None: ...
    def target(self) -> Target | None: ...
    def request_spec(self) -> RequestSpec | str: ...
    def load_request(self, spec: RequestSpec) -> None: ...
    def send(self) -> None: ...
    def resend(self) -> None: ...


class ResponseSink(Protocol):
    """Where a request's answer is shown as it arrives (the response view is one)."""

    def clear(self) -> None: ...
    def feed(self, event: PredictEvent) -> None: ...
    def fail(self, error: PlaygroundError) -> None: ...
    def cancelled(self) -> None: ...


def opened_view(host: WindowHost, module: str, name: str) -> Any:
    """The window's view `name` (a class of `module`), or None when it was never opened. A
    feature imports its view's module when the view is first opened, not at start-up: a module
    never imported has no view to find, and is not imported now (at shutdown, say)."""
    loaded = sys.modules.get(module)
    window = host.widget()
    if loaded is None or not shiboken6.isValid(window):
        return None  # never opened; or deleted with the window, which closed its views first
    return window.findChild(getattr(loaded, name))
