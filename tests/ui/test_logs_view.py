"""Logs for a request id, opened from a response, a history entry and a compare column: the
request's own lines from the local server's logs, levels coloured and filtered, copied as text;
and the words when the key cannot read logs or there is no request id."""

from __future__ import annotations

import asyncio
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.core.history.store import Exchange
from playground.core.remote.remotes import Target
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui import theme
from playground.ui.history.panel import HistoryPanel
from playground.ui.logs.controller import LogsController, LogsSubject
from playground.ui.logs.view import COLUMNS, LogsDialog, open_logs
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, choose, load, send, until
from tests.ui.test_compare_view import send_all
from tests.ui.test_compare_window import opened


def dialog_of(parent: QWidget) -> LogsDialog:
    found = [d for d in parent.findChildren(LogsDialog) if d.isVisible()]
    assert len(found) == 1, found
    return found[0]


def read(dialog: LogsDialog, loop: asyncio.AbstractEventLoop) -> list[list[str]]:
    """The rows once the read has ended (the message no longer says it is reading)."""
    until(loop, lambda: dialog.refresh_button.isEnabled(), within=5)
    table = dialog.table
    return [
        [table.item(row, column).text() for column in range(len(COLUMNS))]
        for row in range(table.rowCount())
    ]


def messages(rows: list[list[str]]) -> list[str]:
    return [row[COLUMNS.index("Message")] for row in rows]


def type_body(win: MainWindow, text: str) -> None:
    win.request.editor.body.setPlainText(text)
    win.request.editor.body.document().setModified(True)


def test_logs_from_a_response_are_its_own_lines_with_levels_filtered_and_copied(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    choose(win, "staging")
    type_body(win, '{"text": "first"}')
    assert send(win, loop, qtbot) == "finished"
    assert not win.response.logs_button.isHidden()
    first = win.request.last_request_id
    type_body(win, '{"wrong": "field"}')  # the model refuses it: an ERROR line of its own
    assert send(win, loop, qtbot) == "failed"
    request_id = win.request.last_request_id
    assert request_id not in ("", first)

    qtbot.mouseClick(win.response.logs_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(win)
    assert request_id in dialog.where_label.text()
    assert f"model {CLASSIFIER} · environment staging" in dialog.where_label.text()
    rows = read(dialog, loop)
    said = messages(rows)
    assert sum("Received POST" in m for m in said) == 1, said  # not the first request's
    assert any(m.startswith("Completed with status 4") for m in said), said
    levels = {row[1] for row in rows}
    assert levels == {"INFO", "ERROR"}
    # the time of day in UTC, the whole time in its tooltip
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}", row[0]) for row in rows), rows
    assert dialog.table.item(0, 0).toolTip().endswith(rows[0][0] + "Z")
    error_row = next(i for i, row in enumerate(rows) if row[1] == "ERROR")
    colour = dialog.table.item(error_row, 1).foreground().color().name()
    assert colour == theme.colour("error")

    dialog.level_combo.setCurrentIndex(dialog.level_combo.findText("Errors only"))
    shown = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert shown == ["ERROR"] * len(shown)
    assert shown
    assert "below the level shown" in dialog.message_label.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text().splitlines()
    assert len(copied) == len(shown)
    assert " ERROR   Completed with status 4" in copied[-1]
    dialog.close()


def test_logs_from_a_history_entry_read_that_entrys_request(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    load(win, loop, CLASSIFIER)
    for text in ("older", "newer"):
        type_body(win, f'{{"text": "{text}"}}')
        assert send(win, loop, qtbot) == "finished"
    until(loop, lambda: panel.model.rowCount() == 2)
    assert not panel.logs_button.isEnabled()  # nothing selected yet
    panel.table.selectRow(1)  # the older one
    older = panel.selected()
    assert older is not None
    assert older.request_id != win.request.last_request_id
    qtbot.mouseClick(panel.logs_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(panel)
    assert older.request_id in dialog.where_label.text()
    assert f"deployment {older.deployment_id}" in dialog.where_label.text()
    said = messages(read(dialog, loop))
    assert sum("Received POST" in m for m in said) == 1, said
    assert any(m.startswith("Completed with status 200") for m in said), said
    dialog.close()

    # an entry sent to another remote: its logs are there, not on this window's server
    elsewhere = Exchange(older.request, remote="staging-remote", request_id="abc", status=200)
    panel.history.record(elsewhere)
    panel.refresh()
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.logs_button, Qt.MouseButton.LeftButton)
    assert "Sent to staging-remote" in win.statusBar().currentMessage()
    assert not [d for d in panel.findChildren(LogsDialog) if d.isVisible()]


def test_logs_from_a_compare_column_read_that_columns_request(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = opened(win, loop)
    column = view.columns[1]
    assert column.logs_button.isHidden()  # no request yet
    assert send_all(view, loop, qtbot) == "finished"
    assert column.result is not None
    assert not column.logs_button.isHidden()
    qtbot.mouseClick(column.logs_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(view)
    assert column.result.request_id in dialog.where_label.text()
    assert dialog.subject.target == column.target_bar.target()
    said = messages(read(dialog, loop))
    assert sum("Received POST" in m for m in said) == 1, said
    dialog.close()


def test_a_key_that_cannot_read_logs_is_told_so_in_words(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator, key="invoke-only-key-42")  # may call models, not manage them
    win.target_bar.select_model(CLASSIFIER)  # typed: the key cannot list models
    type_body(win, '{"text": "hello"}')
    assert send(win, loop, qtbot) == "finished"
    qtbot.mouseClick(win.response.logs_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(win)
    assert read(dialog, loop) == []
    text = dialog.message_label.text()
    assert "This API key cannot read logs (403" in text
    assert "invoke-only key" in text
    assert not dialog.copy_button.isEnabled()
    dialog.close()


def test_no_request_id_and_a_model_api_say_why_there_is_nothing_to_read(
    emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        no_id = open_logs(parent, client, LogsSubject(Target(CLASSIFIER), ""))
        assert "carries no request id" in no_id.message_label.text()
        assert not no_id.refresh_button.isEnabled()
        assert no_id.table.rowCount() == 0
        model_api = open_logs(parent, client, LogsSubject(None, "abc"))
        assert "Model APIs" in model_api.message_label.text()
        assert not parent.findChild(LogsController).is_running("logs")  # type: ignore[union-attr]
        for dialog in (no_id, model_api):
            dialog.close()
    finally:
        loop.run_until_complete(client.aclose())


def test_an_async_requests_logs_from_the_request_menu_show_its_run(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
    type_body(win, '{"wrong": "field"}')
    submitted: list[str] = []
    win.requests.async_submitted.connect(submitted.append)
    send(win, loop, qtbot)  # it ends once queued; the job goes on
    assert submitted
    action = next(a for a in win.actions() if a.text() == "Request &logs…")
    action.trigger()
    dialog = dialog_of(win)
    assert submitted[0] in dialog.where_label.text()
    rows = read(dialog, loop)
    for _ in range(50):  # the model fails a moment later: Refresh, as a person would
        if "ERROR" in {row[1] for row in rows}:
            break
        loop.run_until_complete(asyncio.sleep(0.1))
        dialog.refresh_button.click()
        rows = read(dialog, loop)
    said = messages(rows)
    assert "Async request started" in said
    assert 'Input: {"wrong": "field"}' in said
    assert {"DEBUG", "INFO", "ERROR"} <= {row[1] for row in rows}
    traceback = next(m for m in said if m.startswith("MODEL_INVALID_INPUT"))
    assert " ⏎ " in traceback  # its lines on one row
    row = said.index(traceback)
    assert "\n" in dialog.table.item(row, 3).toolTip()  # and whole in the tooltip
    dialog.table.selectRow(row)  # and whole below the table, with its time and level
    assert "ERROR   MODEL_INVALID_INPUT" in dialog.detail.toPlainText()
    assert dialog.detail.toPlainText().count("\n") >= 2
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findText("Info and above"))
    assert dialog.table.rowCount() == len(rows) - 1  # the DEBUG input line hidden
    dialog.close()
