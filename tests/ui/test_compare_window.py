"""The compare window as a person lives in it: where it opens, what + Column and "Model for all
columns" offer, headers typed as in the main window, and comparisons kept in the history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, VLLM_MODEL
from playground.ui.compare.column import CompareColumnView
from playground.ui.compare.view import CompareView
from playground.ui.history.panel import HistoryPanel
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, load, until
from tests.ui.test_compare_view import chat_view, compare, send_all

T = TypeVar("T")


def in_loop(
    loop: asyncio.AbstractEventLoop, act: Callable[[], T], then: Callable[[T], object]
) -> T:
    """Do `act` (a click, say) and wait for `then(what act returned)` and for every task it led
    to, with the loop running all along (a task whose first step falls between two runs of the
    loop runs outside it, where anyio finds no async library and fails)."""

    async def go() -> T:
        done = act()
        deadline = loop.time() + 5
        me = asyncio.current_task()
        while not then(done) or any(t is not me and not t.done() for t in asyncio.all_tasks()):
            assert loop.time() < deadline, "the condition did not come true in time"
            await asyncio.sleep(0.01)
        return done

    return loop.run_until_complete(go())


def shown(column: CompareColumnView) -> tuple[str, str]:
    """The model and the target a column's pickers show, as a person reads them."""
    bar = column.target_bar
    return bar.model_id(), bar.target_combo.currentText()


def settled(column: CompareColumnView) -> bool:
    """The column's own list of targets is in (so that nothing is left to change its pick)."""
    return column.picker.uses_model_api() or column.target_bar.target_combo.count() > 0


def opened(win: MainWindow, loop: asyncio.AbstractEventLoop) -> CompareView:
    """The compare window, opened from the menu: its models listed, its columns settled."""
    return in_loop(
        loop,
        lambda: compare(win),
        lambda view: view.toolbar.model_combo.count() > 0 and all(map(settled, view.columns)),
    )


def test_the_window_opens_inside_the_screen_it_is_opened_on(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = opened(win, loop)
    screen = win.screen().availableGeometry()
    assert screen.contains(view.frameGeometry()), (screen, view.frameGeometry())
    # sized to the screen, not shrunk to nothing
    assert view.width() >= screen.width() * 0.8
    assert view.height() >= screen.height() * 0.7


def test_add_column_offers_the_next_environment_and_duplicates_only_when_all_are_shown(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = opened(win, loop)
    assert [shown(c)[1] for c in view.columns] == ["production", "staging"]

    in_loop(
        loop,
        lambda: qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton),
        lambda _: (
            settled(view.columns[2]) and shown(view.columns[2]) == (CLASSIFIER, "development")
        ),
    )
    third = view.columns[2]
    assert third.column() == Column(Target(CLASSIFIER, "development"))

    # production, staging and development show every deployment this model has (each
    # environment's deployment is one of them): only now is a target offered twice
    in_loop(
        loop,
        lambda: qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton),
        lambda _: (
            settled(view.columns[3]) and shown(view.columns[3]) == (CLASSIFIER, "development")
        ),
    )


def test_model_for_all_columns_gives_each_column_its_own_environment(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    tag = {"X-Tag": "canary"}
    load(win, loop, CHAT)
    view = opened(win, loop)
    columns = [
        Column(Target(CHAT, "production"), headers=tag),
        Column(None, "playground/demo-chat"),
    ]
    in_loop(loop, lambda: view.set_columns(columns), lambda _: all(map(settled, view.columns)))
    combo = view.toolbar.model_combo
    assert combo.findData(CLASSIFIER) >= 0
    assert combo.currentIndex() == -1  # a choice to make, not a model already applied
    combo.setCurrentIndex(combo.findData(CLASSIFIER))
    in_loop(
        loop,
        lambda: combo.activated.emit(combo.currentIndex()),
        lambda _: (
            all(map(settled, view.columns))
            and [shown(c) for c in view.columns]
            == [(CLASSIFIER, "production"), (CLASSIFIER, "staging")]
        ),
    )
    first, second = (c.column() for c in view.columns)
    assert not isinstance(first, str)
    assert not isinstance(second, str)
    assert first.headers == tag  # the column's headers stay; only what it calls changed
    assert second.target is not None  # the Model API column calls the model now


def test_column_headers_are_name_value_lines_as_in_the_main_window(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = opened(win, loop)
    picker = view.columns[1].picker
    column = Column(Target(CLASSIFIER, "production"), headers={"X-Tag": "canary"})
    in_loop(loop, lambda: picker.set_column(column), lambda _: settled(view.columns[1]))
    assert picker.headers_toggle.isChecked()
    assert picker.headers_edit.toPlainText() == "X-Tag: canary"
    picker.headers_edit.setPlainText("X-Tag: blue\nX-Trace: 1")
    column = view.columns[1].column()
    assert not isinstance(column, str)
    assert column.headers == {"X-Tag": "blue", "X-Trace": "1"}
    picker.headers_edit.setPlainText("X-Tag: blue\nX-Trace 1")
    assert view.columns[1].column() == "Column B: Header line 2 is not `Name: value`: 'X-Trace 1'"


def test_each_column_of_a_comparison_is_kept_in_the_history(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    load(win, loop, CLASSIFIER)
    view = opened(win, loop)
    view.columns[1].picker.headers_edit.setPlainText("X-Tag: canary")
    assert send_all(view, loop, qtbot) == "finished"
    until(loop, lambda: panel.model.rowCount() == 2)
    entries = [panel.history.get(panel.model.row_at(i).id) for i in range(2)]  # type: ignore[union-attr]
    by_column = {e.request["comparison"]["column"]: e for e in entries if e is not None}
    production, staging = by_column["A"], by_column["B"]
    assert production.request["comparison"] == {"column": "A", "columns": 2, "round": 1}
    assert production.spec().target == Target(CLASSIFIER, "production")
    assert staging.spec().target == Target(CLASSIFIER, "environment", "staging")
    assert staging.spec().headers == {"X-Tag": "canary"}
    for entry, column in ((production, view.columns[0]), (staging, view.columns[1])):
        assert entry.outcome == "finished"
        assert entry.status == 200
        assert column.result is not None
        assert entry.request_id == column.result.request_id
        assert entry.url.endswith("/predict")
    assert json.loads(production.response) == {"label": "positive", "score": 0.99}
    assert staging.deployment_id == "wq7d3kb"
    assert json.loads(staging.response)["model_version"] == "v2"
    # the panel shows them, and where they came from
    panel.table.selectRow(0)
    assert '"comparison"' in panel.request_text.toPlainText()


def test_a_chat_comparison_keeps_each_answer_and_a_failed_column_in_the_history(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    view = chat_view(
        win,
        loop,
        [
            Column(Target(CHAT, "production")),
            Column(Target(VLLM_MODEL), overrides={"model": "no-such-model"}),  # vLLM: name or 404
        ],
    )
    assert send_all(view, loop, qtbot) == "finished"
    until(loop, lambda: panel.model.rowCount() == 2)
    entries = [panel.history.get(panel.model.row_at(i).id) for i in range(2)]  # type: ignore[union-attr]
    by_column = {e.request["comparison"]["column"]: e for e in entries if e is not None}
    answered, failed = by_column["A"], by_column["B"]
    assert answered.outcome == "finished"
    assert answered.answer == view.columns[0].text()
    assert answered.answer.startswith("Short answer about")
    assert json.loads(answered.response)["message"]["content"] == answered.answer
    assert failed.outcome == "failed"
    assert view.columns[1].result is not None
    assert failed.status == view.columns[1].result.status >= 400
    assert failed.request["body"]["model"] == "no-such-model"
    assert failed.error


def test_the_request_headers_are_name_value_lines_shown_and_sent_to_every_column(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    win.request.editor.headers_edit.setPlainText("X-Trace: 1")
    view = opened(win, loop)
    editor = view.request_editor
    # the main window's headers came along, in its format, where a person can see them
    assert editor.headers_toggle.isChecked()
    assert editor.headers_edit.isVisible()
    assert editor.headers_edit.toPlainText() == "X-Trace: 1"
    editor.headers_edit.setPlainText("X-Trace: 2\nX-Tag: all")
    view.columns[1].picker.headers_edit.setPlainText("X-Tag: canary")
    request = view.request()
    assert not isinstance(request, str)
    spec, columns = request
    assert spec.headers == {"X-Trace": "2", "X-Tag": "all"}
    assert columns[1].apply(spec).headers == {"X-Trace": "2", "X-Tag": "canary"}
    editor.headers_edit.setPlainText("X-Trace 2")
    assert view.request() == "Header line 1 is not `Name: value`: 'X-Trace 2'"
    qtbot.mouseClick(editor.headers_toggle, Qt.MouseButton.LeftButton)
    assert not editor.headers_edit.isVisible()
