"""The compare view in the main window: Request ▸ Compare environments… (Ctrl+Shift+K), the
window's compare controller (for the history to watch), and its shutdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from playground.ui.compare.controller import CompareController
from playground.ui.host import WindowHost, opened_view

if TYPE_CHECKING:
    from playground.ui.compare.view import CompareView


def open_compare(host: WindowHost) -> CompareView:
    """The window's compare view (made on first use with the window's request), shown."""
    from playground.ui.compare.view import CompareView  # first opened: not at start-up

    view = host.widget().findChild(CompareView)
    if view is None:
        window = host.widget()
        controller = window.findChild(CompareController) or CompareController(host.client, window)
        view = CompareView(host.client, window, host.request_spec, controller)
        view.fit_to(window.screen().availableGeometry())
        host.closed.connect(view.close)
        view.load()
        view.take_window_request()
    else:
        view.remote_columns.refresh()  # a remote added since it was opened is offered too
    view.show()
    if QGuiApplication.platformName() != "offscreen":  # which warns that it cannot raise
        view.raise_()
        view.activateWindow()
    return view


async def shutdown(host: WindowHost) -> None:
    """Cancel the compare view's tasks and wait for them (before the client closes)."""
    view = opened_view(host, "playground.ui.compare.view", "CompareView")
    if view is not None:
        await view.aclose()


def install(host: WindowHost) -> CompareController:
    """Add "Compare environments…" (Ctrl+Shift+K) to the window's Request menu; return the
    controller its comparisons will run on, made now so that others (the history) can listen
    before the view is first opened."""
    host.add_action(
        "&Request", "Co&mpare environments…", "Ctrl+Shift+K", lambda: open_compare(host)
    )
    return CompareController(host.client, host.widget())
