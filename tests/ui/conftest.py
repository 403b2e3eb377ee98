"""A fresh qasync loop over pytest-qt's QApplication for every test (qt-async-notes.md, "Testing")."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.emulator import EmulatorServer
from playground.ui.collector import MainThreadCollector
from playground.ui.loop import new_loop
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from tests.ui.chat_helpers import make_pane  # noqa: F401 (a fixture: the chat tests' panes)
from tests.ui.helpers import Maker


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    errors: list[dict[str, Any]] = []
    event_loop = new_loop(qapp)
    event_loop.set_exception_handler(lambda _loop, context: errors.append(context))
    asyncio.set_event_loop(event_loop)
    # As in the app: cycles are collected on this thread only, never in the server's.
    collector = MainThreadCollector()
    collector.start()
    try:
        with event_loop.held():  # running between the test's slices of it too, as in the app
            yield event_loop
    finally:
        collector.stop()
        # Collect this test's Qt objects here, on the main thread, with the loop still open: left
        # to chance, the collector may run in the server's thread ("Timers cannot be stopped from
        # another thread") or after the loop is closed.
        gc.collect()
        pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        event_loop.run_until_complete(event_loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        event_loop.close()
    if errors:
        pytest.fail(f"errors on the event loop: {errors}")


@pytest.fixture
def make_window(qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Maker]:
    """Windows on a server and key; their tasks and sockets are closed before the loop is."""
    made: list[MainWindow] = []

    def make(
        server: EmulatorServer, key: str | None = None, settings: QSettings | None = None
    ) -> MainWindow:
        client = BasetenClient(Remote.local(server.base_url, "local demo"), key or server.api_key)
        win = build_window(client, settings=settings, key_label="")
        made.append(win)
        qtbot.addWidget(win)
        win.show()
        return win

    yield make
    for win in made:
        loop.run_until_complete(shutdown(win))
    made.clear()
    gc.collect()
