"""The first frame the window paints, before its session is attached, already has the layout it
keeps: the Presets dock in its place and every menu in the menu bar."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDockWidget, QMainWindow
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.emulator import EmulatorServer
from playground.ui.main_window import MainWindow
from playground.ui.session import attach, shutdown


def layout(window: QMainWindow) -> tuple[list[str], dict[str, tuple[bool, int]]]:
    """The menu titles, and each shown dock's width."""
    docks = {
        dock.objectName(): (dock.isVisible(), dock.width())
        for dock in window.findChildren(QDockWidget)
        if dock.isVisible()
    }
    return [action.text() for action in window.menuBar().actions()], docks


def test_the_first_frame_has_the_final_layout(
    qtbot: QtBot, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    remote = Remote.local(emulator.base_url, "local demo")
    window = MainWindow(remote, settings=None)  # as run_app paints it, before the session
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    first = layout(window)

    attach(window, BasetenClient(remote, emulator.api_key))
    qtbot.wait(50)  # the layout settles in the next turns of the event loop
    try:
        assert layout(window) == first
        assert "&Presets" in first[0]
        assert "&History" in first[0]
        assert "presetsDock" in first[1]
    finally:
        loop.run_until_complete(shutdown(window))
