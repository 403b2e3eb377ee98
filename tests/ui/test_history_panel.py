"""The history dock against the local server: what the window sends is recorded, found, re-opened."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.core.history.store import Exchange, History
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, STREAMER
from playground.ui.history.panel import COLUMNS, HistoryPanel, when_text
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from tests.ui.helpers import Maker, choose, load, send, set_route, signalled, until


def panel_of(win: MainWindow) -> HistoryPanel:
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    return panel


def row_texts(panel: HistoryPanel, row: int = 0) -> list[str]:
    model = panel.model
    return [model.index(row, column).data() for column in range(model.columnCount())]


def type_body(win: MainWindow, text: str) -> None:
    """As a person types it: a model's example input arriving late no longer replaces it."""
    win.request.editor.body.setPlainText(text)
    win.request.editor.body.document().setModified(True)


def wait_rows(panel: HistoryPanel, loop: asyncio.AbstractEventLoop, count: int) -> None:
    until(loop, lambda: panel.model.rowCount() == count)


def test_a_sent_request_appears_with_status_request_id_and_response(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    assert panel.model.rowCount() == 0
    load(win, loop, CLASSIFIER)
    choose(win, "staging")
    type_body(win, '{"text": "great, I love it"}')
    assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 1)
    when, mode, target, status, total, request_id = row_texts(panel)
    assert (mode, target, status) == (
        "Predict",
        f"{CLASSIFIER} · environment staging",
        "200 OK",
    )
    row = panel.model.row_at(0)
    assert row is not None
    assert row.request_id == win.request.last_request_id != ""
    assert request_id == row.request_id[:10] + "…"  # the detail and the tooltip have all of it
    assert panel.model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole) == row.request_id
    assert total.endswith(("ms", " s"))
    assert len(when) == 8  # today: hh:mm:ss

    panel.table.selectRow(0)
    assert row.request_id in panel.summary_label.text()
    assert '"model_version": "v2"' in panel.response_text.toPlainText()
    request = json.loads(panel.request_text.toPlainText())
    assert request["body"] == {"text": "great, I love it"}
    assert request["url"].endswith("/environments/staging/predict")
    assert panel.reopen_button.isEnabled()


def test_reopen_puts_the_request_back_and_resend_adds_a_second_entry(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CUSTOM)
    set_route(win, "PUT", "/items/7")
    type_body(win, '{"name": "sprocket"}')
    assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 1)
    sent = win.request_spec()

    win.mode_combo.setCurrentIndex(win.mode_combo.findData("predict"))
    type_body(win, '{"something": "else"}')
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert win.mode() == "route"
    assert win.request.editor.route_edit.text() == "/items/7"
    assert win.request.editor.method_combo.currentText() == "PUT"
    assert win.request.editor.body.value() == {"name": "sprocket"}
    assert win.request_spec() == sent

    async def resend() -> None:
        finished = asyncio.ensure_future(signalled(win.requests.request_finished))
        recorded = asyncio.ensure_future(signalled(panel.recorder.recorded))
        type_body(win, "{}")  # re-send loads the entry's own body again
        qtbot.mouseClick(panel.resend_button, Qt.MouseButton.LeftButton)
        await finished
        await recorded

    loop.run_until_complete(resend())
    wait_rows(panel, loop, 2)
    first, second = (
        panel.history.get(panel.model.row_at(1).id),
        panel.history.get(  # type: ignore[union-attr]
            panel.model.row_at(0).id  # type: ignore[union-attr]
        ),
    )
    assert first is not None
    assert second is not None
    assert first.request == second.request == sent.to_dict()
    assert first.request_id != second.request_id
    assert '"id": "7"' in second.response_text()


def test_a_failed_request_is_recorded_with_its_error(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CLASSIFIER)
    emulator.emulator.state.set_model_faults(CLASSIFIER, "status=500,count=1")
    try:
        assert send(win, loop, qtbot) == "failed"
    finally:
        emulator.emulator.state.set_model_faults(CLASSIFIER, None)
    wait_rows(panel, loop, 1)
    row = panel.model.row_at(0)
    assert row is not None
    assert (row.outcome, row.status, row.request_id) == ("failed", 500, win.request.last_request_id)
    assert row_texts(panel)[3] == "500"
    assert panel.model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#a11d1d"
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert exchange.error.startswith("500: ")
    assert "logs" in exchange.error  # the hint comes along
    assert b"error" in exchange.response.lower()  # Baseten's error body, as it came
    panel.table.selectRow(0)
    assert "⚠ 500: " in panel.summary_label.text()


def test_a_cancelled_stream_is_recorded_with_what_arrived(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, STREAMER)
    type_body(win, '{"prompt": "slow", "stream": true}')

    async def go() -> None:
        started = asyncio.ensure_future(signalled(win.requests.event_received))
        cancelled = asyncio.ensure_future(signalled(win.requests.request_cancelled))
        win.send()
        await started
        await asyncio.sleep(0.3)
        win.cancel()
        await cancelled

    loop.run_until_complete(go())
    wait_rows(panel, loop, 1)
    row = panel.model.row_at(0)
    assert row is not None
    assert row_texts(panel)[3] == "cancelled"
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert exchange.outcome == "cancelled"
    assert exchange.response_text().startswith("Once upon")


def test_a_chat_is_recorded_and_reopens_with_its_turns(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CHAT)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))

    async def ask() -> None:
        done = asyncio.ensure_future(signalled(win.chat_controller.answer_finished))
        win.chat.input.setPlainText("What is a cold start?")
        win.send()
        await done

    loop.run_until_complete(ask())
    wait_rows(panel, loop, 1)
    row = panel.model.row_at(0)
    assert row is not None
    assert row_texts(panel)[1:4] == ["Chat", f"{CHAT} · production", "200 OK"]
    exchange = panel.history.get(row.id)
    assert exchange is not None
    assert "cold start" in exchange.answer
    assert exchange.answer == win.chat.conversation.turns[-1].content
    assert exchange.url.endswith("/sync/v1/chat/completions")
    assert [r.id for r in panel.history.search("cold start")] == [row.id]

    win.chat.clear()
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("predict"))
    panel.table.selectRow(0)
    assert panel.reopen()
    assert win.mode() == "chat"
    assert [(t.role, t.content) for t in win.chat.conversation.turns] == [
        ("user", "What is a cold start?")
    ]

    async def resend() -> None:
        done = asyncio.ensure_future(signalled(win.chat_controller.answer_finished))
        panel.resend()
        await done

    loop.run_until_complete(resend())
    wait_rows(panel, loop, 2)
    assert [t.role for t in win.chat.conversation.turns] == ["user", "assistant"]


def test_the_history_is_written_on_its_worker_never_on_the_gui_thread(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writes: list[tuple[str, bool]] = []  # each write to the store: which, on the Qt main thread?

    def spied(name: str) -> Callable[..., object]:
        real = getattr(History, name)

        def write(self: History, *args: object) -> object:
            writes.append((name, QThread.isMainThread()))
            return real(self, *args)

        return write

    for name in ("record", "prune", "delete", "clear"):
        monkeypatch.setattr(History, name, spied(name))
    win = make_window(emulator)  # its recorder prunes the history it opens, at once
    panel = panel_of(win)
    load(win, loop, CLASSIFIER)
    assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 1)
    load(win, loop, CHAT)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))

    async def chat() -> None:
        recorded = asyncio.ensure_future(signalled(panel.recorder.recorded))
        win.chat.input.setPlainText("What is a cold start?")
        win.send()
        await recorded

    loop.run_until_complete(chat())
    wait_rows(panel, loop, 2)
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)  # no asyncio loop running
    wait_rows(panel, loop, 1)
    panel.ask_clear().findChild(type(panel.clear_button), "confirmClearButton").click()
    wait_rows(panel, loop, 0)
    assert [name for name, _ in writes] == ["prune", "record", "record", "delete", "clear"]
    assert [name for name, on_gui_thread in writes if on_gui_thread] == []


def test_search_filters_the_list_and_delete_and_clear_need_a_choice(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CLASSIFIER)
    for text in ("apples are lovely", "bananas are awful"):
        type_body(win, json.dumps({"text": text}))
        assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 2)

    qtbot.keyClicks(panel.search_edit, "banana")
    wait_rows(panel, loop, 1)
    assert panel.history.get(panel.model.row_at(0).id).request["body"]["text"].startswith("banana")  # type: ignore[union-attr]
    panel.search_edit.setText("no such thing anywhere")
    wait_rows(panel, loop, 0)
    panel.search_edit.clear()
    wait_rows(panel, loop, 2)

    assert not panel.delete_button.isEnabled()  # nothing chosen yet
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    wait_rows(panel, loop, 1)
    assert panel.history.count() == 1
    panel.show()
    win.activateWindow()
    until(loop, win.isActiveWindow)
    panel.table.setFocus()
    panel.table.selectRow(0)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)  # the Del key in the list does the same
    wait_rows(panel, loop, 0)
    assert panel.history.count() == 0
    type_body(win, json.dumps({"text": "cherries"}))
    assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 1)

    box = panel.ask_clear()
    assert "Forget all 1 requests" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert panel.history.count() == 1
    box = panel.ask_clear()
    box.findChild(type(panel.clear_button), "confirmClearButton").click()
    wait_rows(panel, loop, 0)
    assert panel.history.count() == 0
    assert not panel.clear_button.isEnabled()


def test_ctrl_h_shows_the_history_and_help_lists_it(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    assert not panel.isVisible()
    [action] = [a for a in win.actions() if a.text() == "Show &history"]
    assert action.shortcut().toString() == "Ctrl+H"
    action.trigger()
    assert panel.isVisible()
    assert ("Show history", "Ctrl+H") in win.menus.shortcuts
    action.trigger()
    assert not panel.isVisible()


def test_a_broken_history_file_is_set_aside_and_said_so(
    qtbot: QtBot, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite3").write_bytes(b"garbage, not sqlite" * 50)
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
    win = build_window(client, settings=None, key_label="", data_dir=data)
    qtbot.addWidget(win)
    try:
        panel = panel_of(win)
        assert "set aside" not in panel.problem_label.text()  # said plainly:
        assert "could not be read" in panel.problem_label.text()
        assert "new history started" in win.statusBar().currentMessage()
        assert len(list(data.glob("history.sqlite3.broken-*"))) == 1
        assert isinstance(panel.history, History)
        assert panel.history.count() == 0
    finally:
        loop.run_until_complete(shutdown(win))


def test_the_key_is_masked_wherever_it_shows_up_in_an_entry(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    """Pasted into a body by mistake and echoed back by the server: the entry keeps neither."""
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CUSTOM)
    set_route(win, "POST", "/echo")
    type_body(win, json.dumps({"note": f"my key is {emulator.api_key}"}))
    assert send(win, loop, qtbot) == "finished"
    shown = win.response.body_text.toPlainText()  # what the server said, the key masked
    assert f"my key is ••••{emulator.api_key[-4:]}" in shown
    assert emulator.api_key not in shown
    wait_rows(panel, loop, 1)
    exchange = panel.history.get(panel.model.row_at(0).id)  # type: ignore[union-attr]
    assert exchange is not None
    masked = f"my key is ••••{emulator.api_key[-4:]}"
    assert exchange.request["body"] == {"note": masked}
    assert json.loads(exchange.response)["body"] == {"note": masked}
    assert emulator.api_key.encode() not in (panel.history.path).read_bytes()


def test_an_async_request_is_recorded_with_its_id_and_last_status(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CLASSIFIER)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
    win.request.editor.priority_spin.setValue(2)
    type_body(win, '{"text": "later"}')
    assert send(win, loop, qtbot) == "finished"
    wait_rows(panel, loop, 1)
    row = panel.model.row_at(0)
    assert row is not None
    assert row_texts(panel)[1] == "Async predict"
    assert (row.status, row.request_id) == (201, win.request.async_panel.async_id_label.text())
    exchange = panel.history.get(row.id)
    assert exchange is not None
    # The send ends once queued: the history keeps that status; the job goes on in the Jobs dock.
    assert json.loads(exchange.response)["status"] == "QUEUED"
    assert exchange.spec().async_options is not None
    assert exchange.spec().async_options.priority == 2


def test_a_damaged_entry_shows_what_can_be_read_and_says_what_cannot(
    qtbot: QtBot, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    history = History(data / "history.sqlite3")
    spec = RequestSpec("predict", Target(CLASSIFIER), {"text": "hi"})
    damaged = history.record(Exchange(spec.to_dict(), status=200, response=b'{"ok": 1}'))
    history.close()
    with sqlite3.connect(data / "history.sqlite3") as db:
        db.execute("UPDATE exchanges SET request = '{\"mode\":' WHERE id = ?", (damaged,))
    db.close()
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
    win = build_window(client, settings=None, key_label="", data_dir=data)
    qtbot.addWidget(win)
    try:
        panel = panel_of(win)
        panel.table.selectRow(0)
        assert panel.summary_label.text().endswith(
            "\n⚠ The stored request cannot be read (it is not valid JSON: Expecting value at "
            "line 1, column 9); it is shown empty."
        )
        assert panel.response_text.toPlainText() == '{"ok": 1}'
        assert not panel.reopen()
        assert "Cannot re-open this entry" in win.statusBar().currentMessage()
    finally:
        loop.run_until_complete(shutdown(win))


# --- the list as a person reads it ---------------------------------------------------------------


def test_an_entry_from_another_day_shows_its_date() -> None:
    now = time.mktime((2025, 3, 14, 15, 0, 0, 0, 0, -1))
    earlier_today = time.mktime((2025, 3, 14, 9, 5, 7, 0, 0, -1))
    yesterday = time.mktime((2025, 3, 13, 23, 59, 0, 0, 0, -1))
    last_year = time.mktime((2024, 3, 14, 15, 0, 0, 0, 0, -1))
    assert when_text(earlier_today, now) == "09:05:07"
    assert when_text(yesterday, now) == time.strftime("%b 13 23:59", time.localtime(yesterday))
    assert when_text(last_year, now) == "2024-03-14 15:00"


def test_the_status_shows_without_scrolling_sideways(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    win.resize(1024, 700)
    panel = panel_of(win)
    panel.toggle()
    win.resizeDocks([panel], [320], Qt.Orientation.Horizontal)  # a person made it narrow
    load(win, loop, CUSTOM)
    win.target_bar.target_combo.setEditText("deployment a-rather-long-deployment-name-indeed")
    set_route(win, "GET", "/health")
    send(win, loop, qtbot)
    wait_rows(panel, loop, 1)
    loop.run_until_complete(asyncio.sleep(0.05))
    table, header = panel.table, panel.table.horizontalHeader()
    status = COLUMNS.index("Status")
    assert row_texts(panel)[status]  # whatever the long target made of it, it has a status
    left = header.sectionViewportPosition(status)
    assert table.horizontalScrollBar().value() == 0
    assert left >= 0
    assert left + header.sectionSize(status) <= table.viewport().width()
    target = table.visualRect(panel.model.index(0, COLUMNS.index("Target")))
    assert target.right() <= table.viewport().width()  # elided to fit, not pushed past the edge
