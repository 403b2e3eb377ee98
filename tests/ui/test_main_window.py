"""The main window, driven as a person would, against the local server over loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThread
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.behaviours import huge_json
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, SLEEPY, STREAMER
from tests.ui.helpers import Maker, choose, load, send, set_route, signalled, until


def test_pick_model_and_environment_send_and_read(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    labels = [
        win.target_bar.target_combo.itemText(i) for i in range(win.target_bar.target_combo.count())
    ]
    assert labels[:3] == ["production", "staging", "development"]
    assert win.target_bar.production_label.text() == "PRODUCTION"
    assert win.target_bar.status_label.text() == "active"

    choose(win, "staging")
    assert win.target_bar.production_label.text() == ""
    win.request.editor.body.setPlainText('{"text": "great, I love it"}')
    assert send(win, loop, qtbot) == "finished"
    assert win.response.status_label.text().startswith("200")
    assert win.response.request_id_label.full_text() == win.request.last_request_id != ""
    assert '"model_version": "v2"' in win.response.body_text.toPlainText()
    assert "TTFB" in win.response.timings_label.text()


def test_the_example_input_is_prefilled_until_the_body_is_edited(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop)

    async def pick(model_id: str) -> None:
        example = asyncio.ensure_future(signalled(win.catalogue.example_loaded))
        win.target_bar.select_model(model_id)
        while (await example)[0] != model_id:  # a late answer for the model before
            example = asyncio.ensure_future(signalled(win.catalogue.example_loaded))

    loop.run_until_complete(pick(CHAT))
    assert win.request.editor.body.value()["model"] == "demo-llm"
    win.request.editor.body.selectAll()
    win.request.editor.body.insertPlainText('{"mine": true}')  # typed: the person's own body stays
    loop.run_until_complete(pick(STREAMER))
    assert win.request.editor.body.value() == {"mine": True}


def test_invalid_json_blocks_sending_and_says_where(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    win.request.editor.body.setPlainText('{\n  "text": "hi",\n  oops\n}')
    until(loop, lambda: not win.request.send_button.isEnabled())
    assert "line 3, column 3" in win.request.editor.body_problem.text()
    win.send()
    assert "line 3, column 3" in win.statusBar().currentMessage()
    assert not win.requests.is_busy
    win.request.editor.body.setPlainText('{"text": "fine"}')
    until(loop, win.request.send_button.isEnabled)
    assert win.request.editor.body_problem.text() == ""


def test_cancel_mid_stream_keeps_what_arrived_and_closes_the_connection(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, STREAMER)
    win.request.editor.body.setPlainText('{"prompt": "slow", "stream": true}')

    async def go() -> None:
        started = asyncio.ensure_future(signalled(win.requests.event_received))
        cancelled = asyncio.ensure_future(signalled(win.requests.request_cancelled))
        win.send()
        await started
        await asyncio.sleep(0.35)  # a handful of 30 ms tokens
        win.cancel()
        await cancelled

    loop.run_until_complete(go())
    qtbot.waitUntil(
        lambda: win.response.body_text.toPlainText().startswith("Once upon"), timeout=2000
    )
    partial = win.response.body_text.toPlainText()
    assert 0 < len(partial) < 200
    assert "Cancelled" in win.statusBar().currentMessage()
    record = emulator.emulator.state.records[win.request.last_request_id]
    until(loop, lambda: record.disconnected)
    assert not record.completed


@pytest.mark.parametrize(
    ("fault", "status", "hint_words"),
    [
        ("status=404", "404", "model id"),
        ("status=429,retry_after=7", "429", "7 s"),
        ("status=503,shape=spec", "503", "not ready"),
    ],
)
def test_errors_show_status_message_request_id_and_hint(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    fault: str,
    status: str,
    hint_words: str,
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    emulator.emulator.state.set_model_faults(CLASSIFIER, fault + ",count=3")
    try:
        assert send(win, loop, qtbot) == "failed"
    finally:
        emulator.emulator.state.set_model_faults(CLASSIFIER, None)
    banner = win.response.banner.text()
    assert status in banner
    assert hint_words in banner
    assert win.request.last_request_id
    assert win.request.last_request_id in banner


def test_a_bad_key_says_so_and_never_shows_the_key(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator, key="sk-not-the-key-1234")

    async def go() -> None:
        failed = asyncio.ensure_future(signalled(win.catalogue.models_failed))
        win.catalogue.load_models()
        await failed

    loop.run_until_complete(go())
    assert "401" in win.statusBar().currentMessage()
    assert "type a model id" in win.statusBar().currentMessage()

    async def typed() -> None:
        failed = asyncio.ensure_future(signalled(win.catalogue.targets_failed))
        win.target_bar.select_model(CLASSIFIER)
        await failed

    loop.run_until_complete(typed())
    assert send(win, loop, qtbot) == "failed"
    banner = win.response.banner.text()
    assert "401" in banner
    assert "API key" in banner
    assert "sk-not-the-key" not in banner + win.statusBar().currentMessage()


def test_a_scaled_to_zero_model_wakes(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    win = make_window(fresh_emulator)
    win.catalogue.wake_poll_seconds = 0.05
    load(win, loop, SLEEPY)
    bar = win.target_bar
    assert bar.status_label.text() == "scaled to zero"
    assert bar.wake_button.isEnabled()
    seen: list[str] = []
    win.catalogue.status_changed.connect(lambda _m, _d, status: seen.append(status))

    async def go() -> None:
        while "ACTIVE" not in seen:
            await signalled(win.catalogue.status_changed, 10)

    qtbot.mouseClick(bar.wake_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(go())
    assert seen[0] in ("WAKING_UP", "LOADING_MODEL")
    assert seen[-1] == "ACTIVE"
    assert bar.status_label.text() == "active"
    assert not bar.wake_button.isEnabled()


def test_a_wake_that_ends_failed_stops_and_says_so(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    """Core's wake stops at a status that never becomes ACTIVE (it once polled forever)."""
    win = make_window(fresh_emulator)
    win.catalogue.wake_poll_seconds = 0.05
    load(win, loop, SLEEPY)
    choice = win.target_bar.current_choice()
    assert choice is not None
    model = fresh_emulator.emulator.state.catalogue.model(SLEEPY)
    assert model is not None
    deployment = model.deployment(choice.deployment_id)
    assert deployment is not None
    deployment.fixed_status = "FAILED"  # the build broke while it woke

    async def go() -> str:
        (message,) = await signalled(win.catalogue.wake_failed, 5)
        return str(message)

    qtbot.mouseClick(win.target_bar.wake_button, Qt.MouseButton.LeftButton)
    message = loop.run_until_complete(go())
    assert "FAILED" in message
    assert "Wake failed" in win.statusBar().currentMessage()
    assert not win.catalogue.is_running("wake")


def test_custom_route_mode(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CUSTOM)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("route"))
    assert win.request.editor.route_edit.isVisible()
    win.request.editor.method_combo.setCurrentText("PUT")
    win.request.editor.route_edit.setText("/items/7")
    win.request.editor.body.setPlainText('{"name": "sprocket"}')
    assert send(win, loop, qtbot) == "finished"
    assert '"id": "7"' in win.response.body_text.toPlainText()


def test_async_mode_follows_the_status_to_the_end(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    from tests.ui.jobs_helpers import async_mode, eventually, send_async

    win = make_window(emulator)

    async def scenario() -> None:
        await async_mode(win, '{"text": "later"}')  # the jobs watched, as the app does
        assert win.request.async_panel.isVisible()
        request_id = await send_async(win)
        # The request id Baseten gives (the X-Baseten-Request-Id of the response, §0).
        assert len(request_id) >= 32
        # The send ends once it is queued; the job goes on, followed to its end.
        status = win.request.async_panel.async_status_label
        await eventually(lambda: status.text() == "SUCCEEDED", 10)
        assert "no webhook was given: Baseten keeps no output" in status.toolTip()
        assert "no webhook was given" in win.statusBar().currentMessage()
        await eventually(lambda: "out of reach" in win.response.notice_label.text())
        assert "No response yet" not in win.response.timings_label.text()

    loop.run_until_complete(scenario())


def test_a_20_mb_body_is_never_parsed_on_the_gui_thread(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Parsing 20 MB holds the GUI thread for ~200 ms whatever calls it; how long it takes is the
    # benchmark's business (benchmarks/large_response.py), whether it happens there is this test's.
    gui_thread = threading.get_ident()
    assert QThread.currentThread() == QCoreApplication.instance().thread()
    parsed_on: list[int] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
            if len(text) > 1_000_000:
                parsed_on.append(threading.get_ident())
            return real(text, *args, **kwargs)

        return loads

    monkeypatch.setattr(json, "loads", spy(json.loads))
    monkeypatch.setattr(msgspec.json, "decode", spy(msgspec.json.decode))
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    emulator.emulator.state.set_model_faults(CLASSIFIER, "huge=20000000,count=1")
    raw = huge_json(20_000_000)

    assert send(win, loop, qtbot) == "finished"
    response = win.response
    assert response.body_bytes() == raw
    assert "Showing the first" in response.preview_notice.text()
    assert raw.decode().startswith(response.body_text.toPlainText())
    response.tabs.setCurrentWidget(response.raw_text)
    assert raw.decode().startswith(response.raw_text.toPlainText())
    qtbot.mouseClick(response.copy_body_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == raw.decode()

    assert gui_thread not in parsed_on, "the 20 MB body was parsed on the GUI thread"


def test_window_state_is_remembered(
    make_window: Maker, emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = str(tmp_path / "window.ini")
    win = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("route"))
    win.request.editor.route_edit.setText("/health")
    win.resize(760, 540)  # inside the offscreen screen's 800 x 600
    size = win.size()
    assert size.width() < 1200  # not the default
    win.close()
    again = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    assert again.mode() == "route"
    assert again.request.editor.route_edit.text() == "/health"
    assert again.size() == size


def test_shortcuts_are_listed_in_help(make_window: Maker, emulator: EmulatorServer) -> None:
    win = make_window(emulator)
    names = dict(win.menus.shortcuts)
    assert names["Send"] == "Ctrl+Return or Ctrl+Enter"
    assert names["Cancel"] == "Esc"
    assert "Keyboard shortcuts" in names
    menus = [action.text() for action in win.menuBar().actions()]
    assert menus[-1] == "&Help"  # menus added by the panels come before it
    assert "&Presets" in menus


def test_chat_mode_opens_the_chat_pane_on_the_targets_openai_base(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CHAT)

    async def to_chat() -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
        await listed

    loop.run_until_complete(to_chat())
    assert win.stack.currentWidget() is win.chat
    assert not win.request.send_button.isVisible()
    assert win.chat.model_combo.currentText() == "demo-llm"
    assert win.chat.base() == f"{emulator.base_url}/model-{CHAT}/environments/production/sync/v1"

    async def ask() -> None:
        done = asyncio.ensure_future(signalled(win.chat_controller.answer_finished))
        win.chat.input.setPlainText("What is a cold start?")
        win.send()  # the window's Send (Ctrl+Enter) goes to the pane in chat mode
        await done

    loop.run_until_complete(ask())
    assert [t.role for t in win.chat.conversation.turns] == ["user", "assistant"]
    assert "cold start" in win.chat.conversation.turns[-1].content


@pytest.mark.parametrize(
    "spec",
    [
        RequestSpec("predict", Target(CLASSIFIER, "environment", "staging"), {"text": "ok"}),
        RequestSpec("route", Target(CUSTOM), {"a": 1}, method="PUT", route="/items/7"),
        RequestSpec(
            "async",
            Target(CLASSIFIER, "development"),
            {"text": "later"},
            async_options=AsyncOptions(webhook_endpoint="https://hook.example/x", priority=0),
        ),
    ],
    ids=["predict", "route", "async"],
)
def test_a_loaded_request_is_what_send_would_send(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, spec: RequestSpec
) -> None:
    win = make_window(emulator)
    load(win, loop)

    async def go() -> None:
        win.load_request(spec)

    loop.run_until_complete(go())
    # The list's own entry, with its status, once the model's targets are in.
    until(loop, lambda: win.target_bar.current_choice() is not None, within=5)
    assert win.request_spec() == spec
    loop.run_until_complete(asyncio.sleep(0.3))  # the model's example arrives, and must not win
    assert win.request.editor.body.value() == spec.body


def test_a_loaded_chat_shows_its_turns_and_parameters(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    body = {
        "model": "demo-llm",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Again"},
        ],
        "temperature": 0.5,
        "seed": 7,
        "stream": True,
    }

    async def go() -> None:
        targets = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
        models = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        win.load_request(RequestSpec("chat", Target(CHAT), body))
        await targets
        await models

    loop.run_until_complete(go())
    assert win.mode() == "chat"
    assert [v.turn.content for v in win.chat.messages()] == ["Hi", "Hello!", "Again"]
    assert win.chat.system_edit.toPlainText() == "Be brief."
    spec = win.request_spec()
    assert isinstance(spec, RequestSpec)
    sent = spec.body
    assert sent["messages"] == body["messages"]
    assert (sent["model"], sent["temperature"], sent["seed"]) == ("demo-llm", 0.5, 7)


def test_extra_headers_are_sent_and_a_bad_line_blocks_sending(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CUSTOM)
    set_route(win, "POST", "/echo")
    win.request.editor.body.setPlainText('{"ping": 1}')
    win.request.editor.headers_edit.setPlainText("X-Trace: abc-123\nX-Team: search")
    assert send(win, loop, qtbot) == "finished"
    echoed = json.loads(win.response.body_text.toPlainText())
    assert echoed["headers"]["x-trace"] == "abc-123"
    assert echoed["headers"]["x-team"] == "search"

    win.request.editor.headers_edit.setPlainText("Authorization: Api-Key mine")
    assert "never typed here" in str(win.request_spec())
    win.send()
    assert "never typed here" in win.statusBar().currentMessage()
