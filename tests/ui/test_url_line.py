"""The URL the next Send calls is on screen for every mode, follows the target, mode and route,
and can be copied; it is core's URL for the request, the one the client calls."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, choose, load, send, set_route


def shown(win: MainWindow) -> str:
    line = win.request.url_line
    assert line.isVisible()
    assert line.edit.isReadOnly()
    return line.url()


def spec_url(win: MainWindow) -> str:
    spec = win.request_spec()
    assert isinstance(spec, RequestSpec), spec
    return spec.url(win.remote)


def settle(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0.2))


def set_mode(win: MainWindow, mode: str) -> None:
    win.mode_combo.setCurrentIndex(win.mode_combo.findData(mode))


def test_every_mode_shows_the_url_it_calls(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    base = emulator.base_url.rstrip("/")
    model = f"{base}/model-{CLASSIFIER}"
    assert shown(win) == spec_url(win) == f"{model}/environments/production/predict"

    choose(win, "staging")
    assert shown(win) == spec_url(win) == f"{model}/environments/staging/predict"

    set_mode(win, "async")
    assert shown(win) == spec_url(win) == f"{model}/environments/staging/async_predict"

    set_route(win, "GET", "/health")
    assert shown(win) == spec_url(win) == f"{model}/environments/staging/sync/health"
    win.request.editor.route_edit.setText("/items/7")
    assert shown(win) == f"{model}/environments/staging/sync/items/7"
    win.request.editor.route_edit.clear()
    assert shown(win) == ""
    assert "route" in win.request.url_line.edit.placeholderText()
    assert not win.request.url_line.copy_button.isEnabled()
    win.request.editor.route_edit.setText("/health")

    set_mode(win, "predict")
    win.request.editor.body.setPlainText('{"text": ')  # a body being typed has a URL too
    assert shown(win) == f"{model}/environments/staging/predict"
    win.request.editor.body.setPlainText('{"text": "hello"}')
    assert send(win, loop, qtbot) == "finished"  # the client called that URL: the answer came
    assert shown(win) == f"{model}/environments/staging/predict"


def test_chat_shows_the_deployment_or_the_model_apis_url(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CHAT)
    set_mode(win, "chat")
    settle(loop)  # the chat pane lists the deployment's models
    base = emulator.base_url.rstrip("/")
    assert (
        shown(win)
        == spec_url(win)
        == f"{base}/model-{CHAT}/environments/production/sync/v1/chat/completions"
    )
    combo = win.chat.params_bar.source_combo
    combo.setCurrentIndex(combo.findData("model_apis"))
    settle(loop)  # and the Model APIs'
    assert shown(win) == f"{base}/inference/v1/chat/completions"
    assert shown(win) == win.remote.model_apis_url("chat/completions")


def test_copy_puts_the_url_on_the_clipboard(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(win.request.url_line.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == spec_url(win)
    win.request.url_line.edit.selectAll()
    assert win.request.url_line.edit.selectedText() == spec_url(win)
