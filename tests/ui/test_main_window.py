"""The first window, driven as a person would, against the local server over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui.controller import WindowController
from playground.ui.main_window import MainWindow


async def signalled(signal: object, within: float = 10.0) -> tuple[object, ...]:
    """Wait for a Qt signal from inside a coroutine, without a nested event loop."""
    future: asyncio.Future[tuple[object, ...]] = asyncio.get_running_loop().create_future()

    def done(*args: object) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(done)  # type: ignore[attr-defined]
    try:
        return await asyncio.wait_for(future, within)
    finally:
        signal.disconnect(done)  # type: ignore[attr-defined]


@pytest.fixture
def make_window(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> Iterator[Callable[[str, str], MainWindow]]:
    """Windows on a remote and key; their tasks and sockets are closed before the loop is."""
    made: list[WindowController] = []

    def make(base_url: str, key: str) -> MainWindow:
        controller = WindowController(BasetenClient(Remote.local(base_url, "local demo"), key))
        made.append(controller)
        win = MainWindow(controller)
        qtbot.addWidget(win)
        win.show()
        return win

    yield make
    for controller in made:
        loop.run_until_complete(controller.aclose())
        loop.run_until_complete(controller.client.aclose())


@pytest.fixture
def window(make_window: Callable[[str, str], MainWindow], emulator: EmulatorServer) -> MainWindow:
    return make_window(emulator.base_url, emulator.api_key)


def _load(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    async def go() -> None:
        waiting = asyncio.ensure_future(signalled(window.controller.models_loaded))
        window.controller.load_models()
        await waiting

    loop.run_until_complete(go())


def test_lists_models_and_sends_a_predict(
    window: MainWindow, qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    _load(window, loop)
    names = [window.model_list.item(i).text() for i in range(window.model_list.count())]
    assert any("sentiment-classifier" in n and CLASSIFIER in n for n in names)
    assert window.models_status.text() == f"{len(names)} models"

    window.env_combo.setCurrentText("staging")

    async def send() -> None:
        waiting = asyncio.ensure_future(signalled(window.controller.response_received))
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        await waiting

    loop.run_until_complete(send())
    assert window.response_status.text().startswith("200 ·")
    assert "request id" in window.response_status.text()
    assert '"model_version": "v2"' in window.response_view.toPlainText()


def test_invalid_json_blocks_sending_and_says_where(window: MainWindow, qtbot: QtBot) -> None:
    window.editor.setPlainText('{\n  "text": "hi",\n  oops\n}')
    assert not window.send_button.isEnabled()
    assert window.body_status.text().startswith("Invalid JSON at line 3, column 3")
    window.editor.setPlainText('{"text": "fine"}')
    assert window.send_button.isEnabled()
    assert window.body_status.text() == ""


def test_bad_key_shows_status_message_request_id_and_hint(
    make_window: Callable[[str, str], MainWindow],
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
) -> None:
    win = make_window(emulator.base_url, "not-the-key")
    controller = win.controller

    async def go() -> None:
        failed = asyncio.ensure_future(signalled(controller.models_failed))
        controller.load_models()
        await failed
        win.model_list.addItem("typed")
        win.model_list.item(0).setData(Qt.ItemDataRole.UserRole, CLASSIFIER)
        win.model_list.setCurrentRow(0)
        failing = asyncio.ensure_future(signalled(controller.request_failed))
        win.send()
        await failing

    loop.run_until_complete(go())
    assert "401" in win.models_status.text()
    text = win.response_status.text()
    assert text.startswith("401: please check the api-key you provided"), text
    assert "request id " in text
    assert "Check the API key" in text
    assert "not-the-key" not in text
