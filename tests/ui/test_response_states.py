"""The response's states as a person reads them: how a call ended, what an error answered, the
deployment's status after a call woke it, a route's 404, and whose answer is on screen."""

from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, SLEEPY, STREAMER
from playground.emulator.faults import FAULT_HEADER
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, choose, load, send, set_route, signalled, until
from tests.ui.test_compare_view import chat_view, send_all


def status_of(win: MainWindow) -> tuple[str, str]:
    label = win.response.status_label
    return label.text(), str(label.property("state"))


# --- how a call ended ----------------------------------------------------------------------------


def test_a_cut_stream_says_cut_not_200_ok(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, STREAMER)
    win.request.editor.body.setPlainText('{"prompt": "cut", "stream": true}')
    emulator.emulator.state.set_model_faults(STREAMER, "cut_after=3,count=1")
    try:
        assert send(win, loop, qtbot) == "failed"
    finally:
        emulator.emulator.state.set_model_faults(STREAMER, None)
    assert status_of(win) == ("Cut off after 200 OK", "cut")
    assert win.response.banner.isVisible()
    assert win.response.body_text.toPlainText()  # what arrived is kept


def test_a_cancelled_stream_says_cancelled(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, STREAMER)
    win.request.editor.body.setPlainText('{"prompt": "slow", "stream": true}')

    async def go() -> None:
        started = asyncio.ensure_future(signalled(win.requests.event_received))
        cancelled = asyncio.ensure_future(signalled(win.requests.request_cancelled))
        win.send()
        await started
        await asyncio.sleep(0.1)
        win.cancel()
        await cancelled

    loop.run_until_complete(go())
    assert status_of(win) == ("Cancelled after 200 OK", "cancelled")


def test_a_compare_column_cut_mid_answer_says_failed(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    view = chat_view(
        win,
        loop,
        [
            Column(Target(CHAT, "production")),
            Column(Target(CHAT, "environment", "staging"), headers={FAULT_HEADER: "cut_after=3"}),
        ],
    )
    assert send_all(view, loop, qtbot) == "finished"
    good, cut = view.columns
    assert cut.state_label.text() == "failed"
    status = cut.figure_labels["status"]
    assert status.text() == "Failed after 200 OK"
    assert status.property("state") == "failed"
    assert good.figure_labels["status"].text() == "200 OK"
    assert good.figure_labels["status"].property("state") == "ok"


# --- an error is an answer too -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "header"),
    [
        ("status=400", "400 Bad Request", ""),
        ("status=404", "404 Not Found", ""),
        ("status=429,retry_after=40", "429 Too Many Requests", "retry-after: 40"),
        ("status=503,shape=spec", "503 Service Unavailable", ""),
    ],
)
def test_an_error_shows_its_body_raw_headers_and_timings(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    fault: str,
    status: str,
    header: str,
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    emulator.emulator.state.set_model_faults(CLASSIFIER, fault + ",count=3")
    try:
        assert send(win, loop, qtbot) == "failed"
    finally:
        emulator.emulator.state.set_model_faults(CLASSIFIER, None)
    view = win.response
    assert view.status_label.text() == status
    body = view.body_text.toPlainText()
    assert body.strip()
    assert json.loads(body)  # Baseten's error body, as it came (pretty-printed)
    assert json.loads(view.body_bytes()) == json.loads(body)
    view.tabs.setCurrentWidget(view.raw_text)
    assert json.loads(view.raw_text.toPlainText()) == json.loads(body)
    headers = view.headers_text.toPlainText()
    assert "x-baseten-request-id: " + win.request.last_request_id in headers
    assert header in headers
    assert "Total" in view.timings_label.text()
    assert view.banner.isVisible()  # the banner stays, with the hint
    assert "Hint:" in view.banner.text()
    assert "What arrived is kept" not in view.banner.text()


# --- a request that wakes a deployment -----------------------------------------------------------


def test_a_request_that_wakes_the_model_updates_its_status(
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
    win.request.editor.body.setPlainText('{"audio_url": "https://example.com/a.wav"}')
    assert send(win, loop, qtbot) == "finished"
    assert seen[0] in ("WAKING_UP", "LOADING_MODEL")  # followed while the request woke it
    assert seen[-1] == "ACTIVE"
    assert bar.status_label.text() == "active"
    assert not bar.wake_button.isEnabled()


def test_a_2xx_proves_the_deployment_is_up(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    """No polling at all: the answer alone turns the badge to active."""
    win = make_window(fresh_emulator)
    win.catalogue.wake_poll_seconds = 60
    load(win, loop, SLEEPY)
    win.request.editor.body.setPlainText('{"audio_url": "https://example.com/a.wav"}')
    assert send(win, loop, qtbot) == "finished"
    assert win.target_bar.status_label.text() == "active"
    assert not win.target_bar.wake_button.isEnabled()


# --- a custom route that is not there ------------------------------------------------------------


def test_a_missing_route_hints_at_the_route_not_the_model(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CUSTOM)
    set_route(win, "GET", "/nope")
    assert send(win, loop, qtbot) == "failed"
    banner = win.response.banner.text()
    assert "404" in banner
    assert "model id" not in banner
    assert "route" in banner.split("Hint:")[1]
    assert "method" in banner.split("Hint:")[1]


def test_a_missing_model_still_hints_at_the_model_id(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CUSTOM)
    win.target_bar.set_target(Target("nosuchmodel1"))
    set_route(win, "GET", "/items/7")
    assert send(win, loop, qtbot) == "failed"
    assert "model id" in win.response.banner.text()


# --- whose answer is on screen -------------------------------------------------------------------


def test_after_switching_target_the_answer_says_whose_it_is(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    note = win.response.target_note
    assert send(win, loop, qtbot) == "finished"
    assert not note.isVisible()
    answer = win.response.body_text.toPlainText()

    choose(win, "staging")
    until(loop, note.isVisible)
    assert note.text() == (
        f"Answer from model {CLASSIFIER} · production — Send to ask model {CLASSIFIER} · staging"
    )
    assert win.response.body_text.toPlainText() == answer  # kept, and marked

    choose(win, "production")  # back where the answer came from
    until(loop, lambda: not note.isVisible())

    choose(win, "staging")
    until(loop, note.isVisible)
    assert send(win, loop, qtbot) == "finished"  # staging's own answer now
    assert not note.isVisible()


def test_switching_model_marks_the_previous_models_answer(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    assert send(win, loop, qtbot) == "finished"

    async def pick() -> None:
        targets = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
        win.target_bar.select_model(STREAMER)
        await targets

    loop.run_until_complete(pick())
    note = win.response.target_note
    until(loop, note.isVisible)
    assert note.text() == (
        f"Answer from model {CLASSIFIER} · production — Send to ask model {STREAMER} · production"
    )


def test_wake_is_off_once_an_answer_woke_the_model(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    """Clicking Wake after the answer woke the model: the button is off, nothing to do."""
    win = make_window(fresh_emulator)
    win.catalogue.wake_poll_seconds = 0.05
    load(win, loop, SLEEPY)
    win.request.editor.body.setPlainText('{"audio_url": "https://example.com/a.wav"}')
    assert send(win, loop, qtbot) == "finished"
    qtbot.mouseClick(win.target_bar.wake_button, Qt.MouseButton.LeftButton)
    assert not win.catalogue.is_running("wake")


def test_a_chat_that_wakes_the_model_updates_its_status(
    make_window: Maker,
    fresh_emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    """A chat can wake a deployment as a predict can: the badge follows it to active."""
    model = fresh_emulator.emulator.state.catalogue.model(CHAT)
    for deployment in model.deployments:
        deployment.min_replica, deployment.wake_started_at = 0, None  # scaled to zero
    win = make_window(fresh_emulator)
    win.catalogue.wake_poll_seconds = 0.05
    load(win, loop, CHAT)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
    bar = win.target_bar
    assert bar.status_label.text() == "scaled to zero"
    assert bar.wake_button.isEnabled()
    seen: list[str] = []
    win.catalogue.status_changed.connect(lambda _m, _d, status: seen.append(status))
    controller = win.chat_controller

    async def ask() -> None:
        done = asyncio.ensure_future(signalled(controller.answer_finished, 20))
        win.chat.input.setPlainText("hello")
        win.send()
        await done

    loop.run_until_complete(ask())
    assert seen[-1] == "ACTIVE"
    assert bar.status_label.text() == "active"
    assert not bar.wake_button.isEnabled()
