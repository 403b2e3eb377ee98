"""The splitter between the request body and the response stays where the person put it: no
response moves it, and a restart brings it back."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from pytestqt.qtbot import QtBot

from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER, NDJSON, STREAMER
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, load, send


def settle(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0.05))


def send_to(
    win: MainWindow,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    model_id: str,
    body: str,
    fault: str | None = None,
) -> str:
    load(win, loop, model_id)
    win.request.editor.body.setPlainText(body)
    emulator.emulator.state.set_model_faults(model_id, fault)
    try:
        return send(win, loop, qtbot)
    finally:
        emulator.emulator.state.set_model_faults(model_id, None)
        settle(loop)


def test_no_response_moves_the_splitter(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    win.resize(1024, 700)
    load(win, loop, CLASSIFIER)
    settle(loop)
    sizes = win.request.splitter.sizes()
    long_text = "a much longer sentence about lighthouses " * 40
    cases = [
        (CLASSIFIER, '{"text": "short"}', None),
        (CLASSIFIER, '{"text": "' + long_text + '"}', None),
        (CLASSIFIER, '{"text": "x"}', "status=429,retry_after=40,count=1"),
        (CLASSIFIER, '{"text": "x"}', "status=503,shape=spec,message=" + "down " * 60 + ",count=1"),
        (STREAMER, '{"prompt": "' + long_text + '"}', None),
        (NDJSON, '{"prompt": "hi"}', None),
        (STREAMER, '{"prompt": "hi"}', "cut_after=3,count=1"),
    ]
    for model_id, body, fault in cases:
        send_to(win, emulator, loop, qtbot, model_id, body, fault)
        assert (win.request.splitter.sizes(), model_id, fault) == (sizes, model_id, fault)


def drag(qtbot: QtBot, win: MainWindow, dx: int) -> None:
    """Drag the splitter's handle `dx` pixels, as a person does with the mouse."""
    handle = win.request.splitter.handle(1)
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(dx, 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(dx, 0))


def test_dragged_sizes_survive_a_restart(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    ini = str(tmp_path / "playground.ini")
    win = make_window(emulator, settings=QSettings(ini, QSettings.Format.IniFormat))
    win.resize(780, 560)  # within the offscreen screen (800 x 600), which a restore keeps to
    settle(loop)
    before = win.request.splitter.sizes()
    drag(qtbot, win, 50)
    dragged = win.request.splitter.sizes()
    assert dragged[0] >= before[0] + 40
    load(win, loop, CLASSIFIER)
    send_to(win, emulator, loop, qtbot, CLASSIFIER, '{"text": "hello"}')
    assert win.request.splitter.sizes() == dragged
    win.close()

    again = make_window(emulator, settings=QSettings(ini, QSettings.Format.IniFormat))
    settle(loop)
    assert again.request.splitter.sizes() == dragged
    load(again, loop, CLASSIFIER)
    send_to(again, emulator, loop, qtbot, CLASSIFIER, '{"text": "hello again"}')
    assert again.request.splitter.sizes() == dragged
