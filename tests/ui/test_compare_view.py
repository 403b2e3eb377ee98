"""The compare view, driven as a person would, against the local server over loopback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication
from pytestqt.qtbot import QtBot

from playground.core.compare.results import Comparison
from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, SLEEPY, VLLM_MODEL
from playground.emulator.faults import FAULT_HEADER
from playground.ui.compare.view import CompareView
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, load, signalled, until

BEST = "dafbe1"  # the background of a best figure


def compare(win: MainWindow) -> CompareView:
    """Open the view as the menu does (Request ▸ Compare environments…)."""
    action = next(a for a in win.actions() if a.text() == "Co&mpare environments…")
    action.trigger()
    view = win.findChild(CompareView)
    assert view is not None
    assert view.isVisible()
    return view


def send_all(view: CompareView, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> str:
    """Click Send to all and wait for the run's one terminal signal; returns which it was."""
    ctl = view.controller

    async def go() -> str:
        outcomes = {
            "finished": asyncio.ensure_future(signalled(ctl.run_finished, 30)),
            "failed": asyncio.ensure_future(signalled(ctl.run_failed, 30)),
            "cancelled": asyncio.ensure_future(signalled(ctl.run_cancelled, 30)),
        }
        qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
        done, pending = await asyncio.wait(outcomes.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return next(name for name, task in outcomes.items() if task in done)

    return loop.run_until_complete(go())


def chat_view(
    win: MainWindow, loop: asyncio.AbstractEventLoop, columns: list[Column]
) -> CompareView:
    load(win, loop, CHAT)
    view = compare(win)
    view.request_editor.mode_combo.setCurrentIndex(view.request_editor.mode_combo.findData("chat"))
    view.request_editor.editor.set_json(
        {
            "model": "demo-llm",
            "messages": [{"role": "user", "content": "What is a cold start?"}],
            "stream": True,
        }
    )
    view.set_columns(columns)
    return view


def test_production_vs_staging_shows_the_difference_in_diff_and_metrics(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = compare(win)
    # the window's request and target came along; the second column takes the other environment
    assert view.request_editor.editor.value() == win.request.editor.body.value()
    first, second = view.columns
    assert first.column() == Column(Target(CLASSIFIER, "production"))
    assert second.column() == Column(Target(CLASSIFIER, "environment", "staging"))

    assert send_all(view, loop, qtbot) == "finished"
    for column in view.columns:
        assert column.figure_labels["status"].text() == "200 OK"
        assert column.request_id_label.text().startswith("request ")
        assert column.state_label.text() == "done"
    assert first.deployment_label.text() == "served by deployment wq7d2xa"
    assert second.deployment_label.text() == "served by deployment wq7d3kb"
    assert json.loads(first.output.text()) == {"label": "positive", "score": 0.99}
    assert '"model_version": "v2"' in second.output.text()
    # staging answers in 50 ms, production in 20: production's total is the best one
    assert BEST in first.figure_labels["total"].styleSheet()
    assert BEST not in second.figure_labels["total"].styleSheet()

    dialog = view.show_diff()
    assert dialog is not None
    assert dialog.verdict.text().startswith("3 differences")
    page = dialog.view.toPlainText()
    assert '$.label changed: "positive" → "POSITIVE"' in page
    assert "$.model_version added" in page
    dialog.select(0, 0)
    assert dialog.verdict.text() == "Identical"
    assert "Identical. The two answers are the same." in dialog.view.toPlainText()
    dialog.close()


def test_chat_environments_differ_in_speed_and_wording(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    view = chat_view(
        win,
        loop,
        [Column(Target(CHAT, "production")), Column(Target(CHAT, "environment", "staging"))],
    )
    assert send_all(view, loop, qtbot) == "finished"
    production, staging = view.columns
    assert production.output.text().startswith("Short answer about")
    assert staging.output.text().startswith("Great question!")
    # production streams at 150 tokens/s, staging at 60: the rate and the total say so
    fast = float(production.figure_labels["tokens_per_s"].text())
    slow = float(staging.figure_labels["tokens_per_s"].text())
    assert fast > 1.5 * slow
    assert BEST in production.figure_labels["tokens_per_s"].styleSheet()
    assert BEST in production.figure_labels["total"].styleSheet()
    assert BEST not in staging.figure_labels["tokens_per_s"].styleSheet()

    dialog = view.show_diff()
    assert dialog is not None
    assert "text:" in dialog.verdict.text()
    html = dialog.view.toHtml()
    assert "line-through" in html  # production's words, struck through
    assert "Great" in dialog.view.toPlainText()
    dialog.close()


def test_a_failing_column_leaves_the_others_streaming(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    slow = {FAULT_HEADER: "tokens=40,delay=0.01"}
    view = chat_view(
        win,
        loop,
        [
            Column(Target(CHAT, "production"), headers=slow),
            Column(Target(VLLM_MODEL), overrides={"model": "no-such-model"}),  # vLLM: name or 404
            Column(None, "playground/demo-chat", headers=slow),
        ],
    )
    a, b, c = view.columns
    assert b.picker.overrides_edit.text() == '{"model": "no-such-model"}'
    states_when_b_failed: list[tuple[str, str]] = []

    def on_ended(result: object) -> None:
        if getattr(result, "column", None) == 1:
            states_when_b_failed.append((a.state_label.text(), c.state_label.text()))

    view.controller.column_ended.connect(on_ended)
    assert send_all(view, loop, qtbot) == "finished"
    # B failed at once, while A and C were still waiting or streaming; they then finished
    assert states_when_b_failed
    assert all(state in ("waiting…", "streaming…") for state in states_when_b_failed[0])
    assert b.state_label.text() == "failed"
    assert b.banner.isVisible()
    assert "404" in b.banner.text()
    assert "no-such-model" in b.banner.text()
    assert "Request id:" in b.banner.text()
    for column in (a, c):
        assert column.state_label.text() == "done"
        assert not column.banner.isVisible()
        assert column.figure_labels["tokens_per_s"].toolTip() == "40 tokens"
    assert view.status.text() == "2 of 3 columns answered."


def test_one_column_stops_alone(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    paced = {FAULT_HEADER: "tokens=30,delay=0.02"}
    view = chat_view(
        win,
        loop,
        [
            Column(Target(CHAT, "production"), headers=paced),
            Column(Target(CHAT, "environment", "staging"), headers=paced),
        ],
    )
    first, second = view.columns

    async def go() -> None:
        finished = asyncio.ensure_future(signalled(view.controller.run_finished, 20))
        streaming = asyncio.Event()
        view.controller.column_event.connect(
            lambda index, _event: index == 1 and len(second.text()) >= 20 and streaming.set()
        )
        view.send_button.click()
        await asyncio.wait_for(streaming.wait(), 10)
        second.stop_button.click()
        await finished

    loop.run_until_complete(go())
    assert second.state_label.text() == "stopped"
    assert second.output.text() == second.text() != ""
    assert second.figure_labels["tokens_per_s"].text() == "—"  # it never finished
    assert first.state_label.text() == "done"
    assert first.figure_labels["tokens_per_s"].toolTip() == "30 tokens"


def test_repeat_gives_percentiles_and_a_chart(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = compare(win)
    view.repeat_spin.setValue(3)
    assert not view.chart.isVisible()
    assert send_all(view, loop, qtbot) == "finished"
    assert view.status.text() == "2 of 2 columns answered · 3 rounds."
    assert view.chart.isVisible()
    data = view.chart.data()
    assert data.columns == ["A", "B"]
    assert data.spreads["ttft"] == [None, None]  # a JSON answer has no first token
    for key in ("ttfb", "total"):
        bars = data.spreads[key]
        assert len(bars) == 2
        for bar in bars:
            assert bar is not None
            assert bar.runs == 3
            assert 0 < bar.p50 <= bar.p95
    assert data.spreads["total"][0].p50 < data.spreads["total"][1].p50  # 20 ms against 50 ms
    tip = view.columns[0].figure_labels["total"].toolTip()
    assert tip.startswith("p50 of 3 warm runs · p95 ")
    assert not view.chart.grab().isNull()


def test_wake_all_first_with_progress_and_the_cold_run_kept_apart(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    win = make_window(fresh_emulator)
    load(win, loop, CLASSIFIER)
    view = compare(win)
    view.set_columns(
        [Column(Target(SLEEPY, "production")), Column(Target(CLASSIFIER, "production"))]
    )
    view.request_editor.editor.set_json({"audio_url": "https://example.com/a.wav", "text": "hi"})
    view.wake_check.setChecked(True)
    shown: list[tuple[int, int, bool]] = []

    def on_progress(progress: object) -> None:
        bar = view.wake_progress
        shown.append((bar.value(), bar.maximum(), bar.isVisible()))

    view.controller.wake_progressed.connect(on_progress)
    statuses: list[str] = []
    view.controller.wake_progressed.connect(lambda p: statuses.append(p.status))
    assert send_all(view, loop, qtbot) == "finished"
    assert statuses[0] in ("SCALED_TO_ZERO", "ACTIVE")
    assert "SCALED_TO_ZERO" in statuses
    assert statuses.count("ACTIVE") == 2
    assert shown[-1] == (2, 2, True)  # every target serving before anything was sent
    assert not view.wake_progress.isVisible()
    sleepy, classifier = view.columns
    # it was woken first, but it had scaled to zero: its first run is cold, kept apart
    assert sleepy.tag_label.text() == "cold"
    assert classifier.tag_label.text() == "warm"
    assert "Transcript of a.wav" in sleepy.output.text()

    view.wake_check.setChecked(False)
    assert send_all(view, loop, qtbot) == "finished"
    assert [c.tag_label.text() for c in view.columns] == ["warm", "warm"]


def test_save_the_report_as_json_and_markdown(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = compare(win)
    assert not view.save_button.isEnabled()
    assert send_all(view, loop, qtbot) == "finished"
    assert view.save_button.isEnabled()
    view.save_report(tmp_path / "report.json")
    view.save_report(tmp_path / "report.md")
    saved = Comparison.load(tmp_path / "report.json")
    ids = [c.request_id_label.text().removeprefix("request ") for c in view.columns]
    assert [r.request_id for r in saved.rounds[0]] == ids
    assert saved.rounds[0][0].body == {"label": "positive", "score": 0.99}
    markdown = (tmp_path / "report.md").read_text()
    assert all(request_id in markdown for request_id in ids)
    assert emulator.api_key not in markdown + (tmp_path / "report.json").read_text()
    assert view.status.text() == f"Saved the report to {tmp_path / 'report.md'}"
    view.save_report(tmp_path / "missing" / "report.json")
    assert view.status.text().startswith("Could not save the report:")


def test_columns_two_to_six_and_bad_input_said_in_words(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    assert ("Compare environments…", "Ctrl+Shift+K") in win.menus.shortcuts
    load(win, loop, CLASSIFIER)
    view = compare(win)
    assert [c.remove_button.isEnabled() for c in view.columns] == [False, False]
    while view.add_button.isEnabled():
        view.add_button.click()
    assert [c.letter for c in view.columns] == list("ABCDEF")
    view.columns[1].remove_button.click()
    assert [c.letter for c in view.columns] == list("ABCDE")

    view.columns[2].picker.overrides_edit.setText('{"text": ')
    assert view.columns[2].picker.problem_label.isVisible()
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    assert view.status.text().startswith("Column C's overrides: Expecting value")
    assert not view.controller.is_comparing

    view.columns[2].picker.overrides_edit.clear()
    view.columns[2].picker.source_combo.setCurrentIndex(1)  # a Model API
    view.columns[2].picker.api_combo.setEditText("playground/demo-chat")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    assert "takes chat requests only" in view.status.text()
    until(loop, lambda: not view.controller.is_comparing)


def test_a_column_answer_is_selected_and_copied_as_in_a_text_view(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    view = chat_view(
        win,
        loop,
        [Column(Target(CHAT, "production")), Column(Target(CHAT, "environment", "staging"))],
    )
    assert send_all(view, loop, qtbot) == "finished"
    production = view.columns[0]
    answer = production.text()
    board = QGuiApplication.clipboard()
    board.clear()
    output = production.output
    spacing = QFontMetricsF(output.font()).lineSpacing()
    # a drag from the start of the answer to the far end of its second line, then Ctrl+C
    start, end = QPoint(1, 1), QPoint(output.width() - 2, int(1.5 * spacing) + 4)
    qtbot.mousePress(output, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(output, end)
    qtbot.mouseRelease(output, Qt.MouseButton.LeftButton, pos=end)
    qtbot.keyClick(output, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = board.text()
    assert answer.startswith(copied)
    assert "\n" not in copied  # two lines on screen, one line of text
    assert len(copied) > 20
    qtbot.keyClick(output, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(output, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert board.text() == answer
    board.clear()


def test_a_json_answer_is_shown_monospace_and_copied_whole(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    view = compare(win)
    assert send_all(view, loop, qtbot) == "finished"
    first = view.columns[0]
    metrics = QFontMetricsF(first.output.font())
    widths = {char: metrics.horizontalAdvance(char) for char in "il.MW@"}
    assert len(set(widths.values())) == 1, widths  # letters that line up, on any fonts
    board = QGuiApplication.clipboard()
    board.clear()
    qtbot.keyClick(first.output, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(first.output, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert json.loads(board.text()) == {"label": "positive", "score": 0.99}
    board.clear()
