"""The Suites view in the main window: Request ▸ Suites… (Ctrl+Shift+U) and its shutdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from playground.ui.host import WindowHost, opened_view

if TYPE_CHECKING:
    from playground.core.history.store import History
    from playground.ui.suites.view import SuitesView


def open_suites(host: WindowHost, folder: Path, history: History | None) -> SuitesView:
    from playground.ui.suites.view import SuitesView  # first opened: not at start-up (~50 ms)

    view = host.widget().findChild(SuitesView)
    if view is None:
        view = SuitesView(host.client, folder, history, host.widget(), host.request_spec)
        host.closed.connect(view.close)
    view.show()
    if QGuiApplication.platformName() != "offscreen":
        view.raise_()
        view.activateWindow()
    return view


async def shutdown(host: WindowHost) -> None:
    view = opened_view(host, "playground.ui.suites.view", "SuitesView")
    if view is not None:
        await view.aclose()


def install(host: WindowHost, folder: Path, history: History | None) -> None:
    """`folder`: the data folder (run files go in its suite-runs/); `history` keeps the runs."""
    host.add_action(
        "&Request", "S&uites…", "Ctrl+Shift+U", lambda: open_suites(host, folder, history)
    )
