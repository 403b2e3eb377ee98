"""Retries seen in the window (the status line while it waits, the timing strip after), the
Timeouts and retries dialog kept per remote, and big bodies kept on disk for Save."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from playground.core.events import Finished, JsonBody, ResponseStarted
from playground.core.metrics import Metrics
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui.main_window import MainWindow
from playground.ui.request.call_settings import CallSettingsDialog
from playground.ui.response.view import ResponseView
from playground.ui.widgets.response_body import SPILL_BYTES, KeptBytes
from tests.ui.helpers import Maker, load, send, signalled, until


def status_line(win: MainWindow) -> str:
    return win.statusBar().currentMessage()


def strip(win: MainWindow) -> str:
    return win.response.timings_label.text()


def test_a_retry_is_on_the_status_line_while_it_waits(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    server = fresh_emulator
    win = make_window(server)
    load(win, loop, CLASSIFIER)
    server.emulator.state.set_model_faults(CLASSIFIER, "status=429,retry_after=1,count=1")
    finished = asyncio.ensure_future(signalled(win.requests.request_finished), loop=loop)
    qtbot.mouseClick(win.request.send_button, Qt.MouseButton.LeftButton)
    until(loop, lambda: "retrying in" in status_line(win))
    said = status_line(win)
    assert said.startswith("429 Too Many Requests (request id ")
    assert said.endswith("): retrying in 1 s (attempt 2 of 3)")
    assert strip(win) == said  # the response's strip says it too, until the answer starts
    loop.run_until_complete(finished)
    until(loop, lambda: not win.response.is_streaming)
    assert win.response.status_label.text() == "200 OK"
    assert strip(win).endswith("2 attempts, 1 s waiting")


def test_failing_after_every_attempt_shows_how_many(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    server = fresh_emulator
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = make_window(server, settings=settings)
    load(win, loop, CLASSIFIER)
    set_in_dialog(win, qtbot, retries=1)
    server.emulator.state.set_model_faults(CLASSIFIER, "status=503,retry_after=0,count=5")
    assert send(win, loop, qtbot) == "failed"
    assert "Attempts: 2 (0 s waiting between them)" in win.response.banner.text()
    assert "2 attempts" in strip(win)
    left = server.emulator.state.model_faults[CLASSIFIER].count
    assert left == 3  # exactly two attempts


def open_dialog(win: MainWindow, qtbot: QtBot) -> CallSettingsDialog:
    action = next(a for a in win.findChildren(type(win.send_action)) if "Timeouts" in a.text())
    action.trigger()
    dialog = win.findChild(CallSettingsDialog, "callSettingsDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def set_in_dialog(win: MainWindow, qtbot: QtBot, **values: float) -> None:
    """Open Request ▸ Timeouts and retries…, type `values` in, and press OK."""
    dialog = open_dialog(win, qtbot)
    for name, value in values.items():
        box = dialog.findChild(QDoubleSpinBox, name)
        if box is not None:
            box.setValue(value)
            continue
        count = dialog.findChild(QSpinBox, name)
        assert count is not None, name
        count.setValue(int(value))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def test_the_dialog_sets_the_remotes_timeouts_and_keeps_them(
    make_window: Maker, emulator: EmulatorServer, qtbot: QtBot, tmp_path: Path
) -> None:
    path = str(tmp_path / "window.ini")
    win = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    transport = win.client.transport
    assert transport.timeouts.read == 1800
    set_in_dialog(win, qtbot, read_timeout=45, timeout=120, max_response_mb=0, retries=5)
    assert transport.timeouts.read == 45
    assert transport.timeouts.total == 120
    assert transport.limits.max_response_bytes is None  # 0: no limit
    assert transport.retry.attempts == 6
    assert "next request" in status_line(win)

    again = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    kept = again.client.transport
    assert (kept.timeouts.read, kept.timeouts.total, kept.retry.attempts) == (45, 120, 6)
    dialog = open_dialog(again, qtbot)
    read = dialog.findChild(QDoubleSpinBox, "read_timeout")
    assert read is not None
    assert read.value() == 45
    whole = dialog.findChild(QDoubleSpinBox, "max_response_mb")
    assert whole is not None
    assert whole.text() == "no limit"
    stored = QSettings(path, QSettings.Format.IniFormat)
    assert stored.value("calls/local demo/read_timeout") is not None  # kept per remote
    assert stored.value("calls/local demo/connect_timeout") is None  # defaults are not written


def test_a_big_body_is_kept_on_disk_and_saved_whole(qtbot: QtBot, tmp_path: Path) -> None:
    view = ResponseView()
    qtbot.addWidget(view)
    raw = b'{"data": "' + b"x" * (SPILL_BYTES + 1024) + b'"}'
    metrics = Metrics(200, bytes=len(raw))
    view.feed(
        ResponseStarted(200, {"content-type": "application/json"}, "application/json", metrics)
    )
    view.feed(JsonBody.unparsed(raw))
    view.feed(Finished("json", metrics))
    target = tmp_path / "big.json"
    view.save_body(target)
    assert target.read_bytes() == raw
    assert view.body_bytes() == raw


def test_kept_bytes_move_to_a_file_past_the_threshold() -> None:
    kept = KeptBytes(spill=10)
    kept.add(b"12345")
    kept.add(b"6789")
    assert not kept.is_spilled
    assert kept.data() == b"123456789"
    kept.add(b"abc")
    assert kept.is_spilled
    kept.add(b"def")
    assert kept.data() == b"123456789abcdef"
    kept.add(b"!")  # after a read, parts still go at the end
    assert kept.data() == b"123456789abcdef!"
    assert kept.size == 16
    kept.close()
