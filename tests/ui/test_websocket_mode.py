"""The window's WebSocket mode against the local server over real sockets: frames both ways in the
log, the JSON composer's check, close codes and waking in words, the socket closed when the
session is left, and the session kept in the history."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_ECHO, WS_FAIL, WS_SLEEPY, WS_TTS
from playground.ui.main_window import MainWindow
from playground.ui.websocket.controller import WsController
from playground.ui.websocket.page import WsPage
from tests.ui.helpers import Maker, load, until


def page_of(win: MainWindow) -> WsPage:
    page = win.findChild(WsPage)
    assert page is not None
    return page


def open_mode(win: MainWindow, loop: asyncio.AbstractEventLoop, model_id: str) -> WsPage:
    load(win, loop, model_id)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("websocket"))
    page = page_of(win)
    assert page.isVisible()
    assert not win.request.send_button.isVisible()  # the page has its own buttons
    return page


def connect(page: WsPage, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.state == "open", within=10)
    assert page.state_label.text().startswith("Open · ")


def log_rows(page: WsPage) -> list[list[str]]:
    model = page.controller.log
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def server_record(server: EmulatorServer, controller: WsController) -> dict[str, Any]:
    assert controller.session is not None
    request_id = controller.session.request_id
    with httpx.Client(trust_env=False, timeout=5.0) as http:
        answer = http.get(
            f"{server.base_url}/_emulator/websockets/{request_id}",
            headers={"Authorization": f"Bearer {server.api_key}"},
        )
    assert answer.status_code == 200, answer.text
    record: dict[str, Any] = answer.json()
    return record


def ended_on_server(
    server: EmulatorServer, controller: WsController, loop: asyncio.AbstractEventLoop
) -> dict[str, Any]:
    until(loop, lambda: server_record(server, controller)["ended"], within=5)
    return server_record(server, controller)


def send_text(page: WsPage, qtbot: QtBot, text: str) -> None:
    page.composer.set_kind("text")
    page.composer.text_edit.setPlainText(text)
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)


def test_text_and_binary_frames_go_out_and_their_echoes_are_logged(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    assert page.state_label.text() == "Not connected."
    assert not page.send_button.isEnabled()
    connect(page, loop, qtbot)
    send_text(page, qtbot, "hello there")
    until(loop, lambda: page.controller.log.rowCount() == 2)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(40)))
    assert page.composer.load_file(blob)
    assert page.composer.file_label.text() == "blob.bin · 40 B (40 bytes)"
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.log.rowCount() == 4)
    rows = log_rows(page)
    assert [r[0] for r in rows] == ["↑ sent", "↓ received", "↑ sent", "↓ received"]
    assert [r[3] for r in rows[:2]] == ["hello there", "hello there"]
    assert rows[3][2] == "40 B"
    assert rows[3][3] == "binary · 40 bytes · 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …"
    assert all(r[1].startswith("+") and r[1].endswith(" s") for r in rows)
    page.table.selectRow(3)
    shown = page.details.toPlainText()
    assert shown.startswith("↓ received · +")
    assert "00000000  00 01 02 03" in shown
    until(loop, lambda: "2 sent (51 B) · 2 received (51 B)" in page.metrics_label.text())

    page.filter_edit.setText("HELLO")
    assert [r[0] for r in log_rows(page)] == ["↑ sent", "↓ received"]
    page.direction_combo.setCurrentIndex(page.direction_combo.findData("received"))
    assert [r[0] for r in log_rows(page)] == ["↓ received"]
    page.filter_edit.clear()
    page.direction_combo.setCurrentIndex(0)

    qtbot.mouseClick(page.disconnect_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.state == "closed")
    assert page.state_label.text() == "Closed: 1000 (closed normally)"
    assert page.connect_button.isEnabled()
    assert not page.disconnect_button.isEnabled()
    record = ended_on_server(emulator, page.controller, loop)
    assert (record["closed_by"], record["close_code"]) == ("client", 1000)


def test_the_json_composer_checks_what_is_typed(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    connect(page, loop, qtbot)
    composer = page.composer
    composer.set_kind("json")
    composer.json_edit.setPlainText('{"type": "start", "rate": }')
    until(loop, lambda: not page.send_button.isEnabled())
    assert composer.json_problem.text().startswith("Invalid JSON at line 1, column 27")
    page.send_frame()  # as Ctrl+Enter in the editor would
    assert (
        win.statusBar()
        .currentMessage()
        .startswith("The JSON frame is not valid: Invalid JSON at line 1")
    )
    assert page.controller.log.frames == []
    composer.json_edit.setPlainText('{"type": "start", "rate": 16000}')
    until(loop, lambda: page.send_button.isEnabled())
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.log.rowCount() == 2)
    assert log_rows(page)[1][3] == '{"type":"start","rate":16000}'
    page.table.selectRow(1)
    assert page.details.toPlainText().endswith('JSON\n\n{\n  "type": "start",\n  "rate": 16000\n}')


def test_a_model_that_fails_shows_1011_in_words(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_FAIL)
    connect(page, loop, qtbot)
    for text in ("one", "two", "three"):
        send_text(page, qtbot, text)
    until(loop, lambda: page.controller.state == "closed", within=10)
    words = page.state_label.text()
    assert words.startswith("Closed: 1011 (the model failed: an error in its websocket method)")
    assert "CUDA out of memory" in words
    assert "color:" in page.state_label.styleSheet()
    assert "logs (filter by the request id)" in win.statusBar().currentMessage()


def test_a_scaled_to_zero_model_is_shown_waking(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    win = make_window(fresh_emulator)
    page = open_mode(win, loop, WS_SLEEPY)
    seen: list[str] = []
    page.controller.state_changed.connect(lambda state, words: seen.append(words))
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: page.controller.state == "waking", within=10)
    assert page.state_label.text().startswith("Waking the model (")
    until(loop, lambda: page.controller.state == "open", within=20)
    assert seen[0].startswith("connecting to ws://")
    send_text(page, qtbot, "awake?")
    until(loop, lambda: page.controller.log.rowCount() == 2)


def test_choosing_another_mode_closes_the_socket(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    controller = page.controller
    connect(page, loop, qtbot)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("predict"))
    until(loop, lambda: not controller.is_busy)
    record = ended_on_server(emulator, controller, loop)
    assert (record["closed_by"], record["close_code"]) == ("client", 1001)
    assert (
        page.state_label.text()
        == "Closed: 1001 (going away: the server is restarting or the client left): cancelled"
    )


def test_closing_the_window_closes_the_socket(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_ECHO)
    controller = page.controller
    connect(page, loop, qtbot)
    win.close()
    until(loop, lambda: not controller.is_busy)
    record = ended_on_server(emulator, controller, loop)
    assert (record["closed_by"], record["close_code"]) == ("client", 1001)


def test_text_to_speech_audio_is_saved_as_one_wav(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    win = make_window(emulator)
    page = open_mode(win, loop, WS_TTS)
    connect(page, loop, qtbot)
    send_text(page, qtbot, "hello there")
    log = page.controller.log

    def ended() -> bool:
        return any(isinstance(f.data, str) and '"end"' in f.data for f in log.frames)

    until(loop, ended, within=10)
    until(loop, page.save_audio_button.isEnabled)
    end = json.loads(
        next(f.data for f in log.frames if isinstance(f.data, str) and "end" in f.data)
    )
    pcm = b"".join(f.data for f in log.frames if isinstance(f.data, bytes))
    assert len(pcm) == end["bytes"] > 0
    assert page.save_audio_to(tmp_path / "speech.wav")
    with wave.open(str(tmp_path / "speech.wav")) as saved:
        assert saved.getframerate() == end["sample_rate"]
        assert saved.getsampwidth() == end["sample_width"]
        assert saved.readframes(saved.getnframes()) == pcm
    assert page.save_audio_to(tmp_path / "speech.pcm")
    assert (tmp_path / "speech.pcm").read_bytes() == pcm
    assert "Saved" in win.statusBar().currentMessage()
