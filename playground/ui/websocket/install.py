"""Puts the WebSocket mode in a window (through the host protocol) and ends its session with it."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from playground.ui.websocket.controller import WsController
from playground.ui.websocket.page import WsPage

if TYPE_CHECKING:
    from playground.core.request.spec import Mode
    from playground.ui.host import WindowHost

MODE: Mode = "websocket"
# Found again at shutdown without asking Qt: by then the window's C++ side may be deleted.
_controllers: weakref.WeakKeyDictionary[QObject, WsController] = weakref.WeakKeyDictionary()


def install(host: WindowHost) -> WsController:
    """The mode's page in the window's stack, its controller; closing the window (or choosing
    another mode) ends the session, the socket closed."""
    controller = WsController(host.client, host.widget())
    page = WsPage(host, controller)
    page.setObjectName("wsPage")
    host.add_page(MODE, page)
    host.closed.connect(controller.cancel)
    _controllers[host.widget()] = controller
    return controller


async def shutdown(host: WindowHost) -> None:
    """Cancel the session's task and let its socket close (before the loop closes)."""
    controller = _controllers.pop(host.widget(), None)
    if controller is not None:
        await controller.aclose()
