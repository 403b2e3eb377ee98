"""The Suites view in the main window: Request ▸ Suites… (Ctrl+Shift+U) and its shutdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QGuiApplication

from playground.ui.host import WindowHost
from playground.ui.suites.view import SuitesView

if TYPE_CHECKING:
    from playground.core.history.store import History


def open_suites(host: WindowHost, folder: Path, history: History | None) -> SuitesView:
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
    window = host.widget()
    if shiboken6.isValid(window) and (view := window.findChild(SuitesView)) is not None:
        await view.aclose()


def install(host: WindowHost, folder: Path, history: History | None) -> None:
    """`folder`: the data folder (run files go in its suite-runs/); `history` keeps the runs."""
    host.add_action(
        "&Request", "S&uites…", "Ctrl+Shift+U", lambda: open_suites(host, folder, history)
    )
