"""A WebSocket session kept: in the history (frames capped like a body, re-opened and sent again),
as a preset (the frames to send), and as code (Python websockets, websocat)."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core import paths
from playground.core.history.store import Exchange
from playground.core.remote.remotes import Target
from playground.core.ws import codegen, record
from playground.core.ws.plan import OutFrame, WsPlan
from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_ECHO
from playground.ui.history.panel import HistoryPanel
from playground.ui.main_window import MainWindow
from playground.ui.presets.panel import PresetPanel
from playground.ui.request.code_export import CodeExportDialog
from tests.ui.helpers import Maker, until
from tests.ui.test_websocket_mode import connect, log_rows, open_mode, send_text


@pytest.fixture(autouse=True)
def no_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "example_presets_dirs", list)


def history_of(win: MainWindow) -> HistoryPanel:
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    return panel


def session(win: MainWindow, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    """Echo: a text frame, a binary one, then Disconnect."""
    page = open_mode(win, loop, WS_ECHO)
    connect(page, loop, qtbot)
    send_text(page, qtbot, "hello")
    until(loop, lambda: page.controller.log.rowCount() == 2)
    page.composer.data = b"\x00\xff"
    page.composer.set_kind("binary")
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.log.rowCount() == 4)
    qtbot.mouseClick(page.disconnect_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: not page.controller.is_busy)


def test_a_session_is_recorded_and_reopens_ready_to_send_again(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    session(win, loop, qtbot)
    panel = history_of(win)
    until(loop, lambda: panel.model.rowCount() == 1)
    row = panel.model.row_at(0)
    assert row is not None
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert exchange.request == {
        "mode": "websocket",
        "target": {"model": WS_ECHO, "environment": "production"},  # as the target bar says
        "frames": [{"text": "hello"}, {"base64": base64.b64encode(b"\x00\xff").decode()}],
    }
    assert exchange.outcome == "finished"
    lines = [json.loads(line) for line in exchange.response.splitlines()]
    assert [(x["direction"], x.get("text", x.get("bytes"))) for x in lines] == [
        ("sent", "hello"),
        ("received", "hello"),
        ("sent", 2),
        ("received", 2),
    ]
    assert panel.model.index(0, 1).data() == "WebSocket"

    page = open_mode(win, loop, WS_ECHO)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("predict"))
    panel.table.selectRow(0)
    assert panel.reopen()
    assert win.mode() == "websocket"
    assert page.script == (OutFrame.of_text("hello"), OutFrame.of_bytes(b"\x00\xff"))
    assert page.script_label.text() == "2 frame(s) to send on Connect."
    connect(page, loop, qtbot)
    until(loop, lambda: page.controller.log.rowCount() == 4)
    for arrow in ("↑ sent", "↓ received"):
        shown = [r[3] for r in log_rows(page) if r[0] == arrow]
        assert shown == ["hello", "binary · 2 bytes · 00 ff"]


def test_a_session_saved_as_a_preset_keeps_the_frames_to_send(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    session(win, loop, qtbot)
    presets = win.findChild(PresetPanel)
    assert presets is not None
    presets.save_current()
    dialog = presets.dialog
    assert dialog is not None
    dialog.name_edit.setText("Echo hello")  # type: ignore[attr-defined]
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),  # type: ignore[attr-defined]
        Qt.MouseButton.LeftButton,
    )
    data = json.loads((paths.presets_dir() / "echo-hello.json").read_text())
    assert data == {
        "schema_version": 3,
        "name": "Echo hello",
        "remote": "local demo",
        "request": {
            "mode": "websocket",
            "target": {"model": WS_ECHO},
            "frames": [{"text": "hello"}, {"base64": "AP8="}],
        },
    }
    page = open_mode(win, loop, WS_ECHO)
    page.set_script(())
    presets.open(presets.model.entry(0))
    assert page.script == (OutFrame.of_text("hello"), OutFrame.of_bytes(b"\x00\xff"))


def test_a_session_is_exported_as_python_websockets_and_websocat(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    page.composer.text_edit.setPlainText("hi there")
    plan = WsPlan(Target(WS_ECHO), (OutFrame.of_text("hi there"),))
    assert win.request_spec() == plan.to_spec()
    action = next(a for a in win.actions() if a.text().replace("&", "") == "Copy as code…")
    action.trigger()
    dialogs = win.findChildren(CodeExportDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Python websockets", "websocat"]
    assert dialog.views["python-websockets"].toPlainText() == codegen.python_websockets(
        plan, win.remote
    )
    websocat = dialog.views["websocat"].toPlainText()
    assert websocat == codegen.websocat(plan, win.remote)
    assert f"ws://{emulator.base_url.split('://')[1]}/model-{WS_ECHO}/production/websocket" in (
        websocat
    )
    assert emulator.api_key not in websocat


def test_a_refused_upgrade_is_kept_as_a_failed_exchange(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    win.client.set_api_key("not-the-key-123")  # revoked since the models were listed
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.state == "failed", within=10)
    assert "401" in page.state_label.text()
    panel = history_of(win)
    until(loop, lambda: panel.model.rowCount() == 1)
    row = panel.model.row_at(0)
    assert row is not None
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert (exchange.mode, exchange.outcome, exchange.status) == ("websocket", "failed", 401)
    assert "please check the api-key you provided" in exchange.error
    assert exchange.request_id
    assert exchange.request_id in exchange.error  # Baseten's words with its request id
    assert exchange.url.endswith(f"/model-{WS_ECHO}/environments/production/websocket")
    assert exchange.request["frames"] == []


def test_a_long_session_is_made_a_record_off_the_windows_thread(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built_on: list[str] = []
    real = record.session_exchange

    def watched(*args: Any, **kwargs: Any) -> Exchange:
        built_on.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(record, "session_exchange", watched)
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    page.set_script(tuple(OutFrame.of_text(f"frame {n}") for n in range(500)))
    connect(page, loop, qtbot)
    until(loop, lambda: page.controller.log.rowCount() == 1000, within=20)
    qtbot.mouseClick(page.disconnect_button, Qt.MouseButton.LeftButton)
    panel = history_of(win)
    until(loop, lambda: panel.model.rowCount() == 1)
    assert len(built_on) == 1
    assert built_on[0] != threading.main_thread().name  # the history's worker built it
    row = panel.model.row_at(0)
    assert row is not None
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert len(exchange.request["frames"]) == 500
    assert len(exchange.response.splitlines()) == 1000
