"""Chat bugs a new user hit, through the window against the local server: the served-model field
follows the target, Send answers a loaded chat's waiting question, reasoning shows while it
streams and does not look like the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from playground.core import Target
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, REASONER
from playground.emulator.demo.llm import VLLM_MODEL
from playground.ui import theme
from playground.ui.main_window import MainWindow
from playground.ui.request.code_export import show_import_curl
from tests.ui.chat_helpers import terminal_signal
from tests.ui.helpers import Maker, load, signalled, until


def to_chat(win: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    async def go() -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
        await listed

    loop.run_until_complete(go())


def answer(win: MainWindow, loop: asyncio.AbstractEventLoop, text: str = "") -> str:
    """Send (what is typed, or nothing) with the window's Send; which terminal signal came."""
    win.chat.input.setPlainText(text)
    return terminal_signal(win.chat_controller, loop, win.send)


def test_the_served_model_follows_the_model_and_talk_to(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CHAT)
    to_chat(win, loop)
    assert win.chat.model_combo.currentText() == "demo-llm"

    async def pick(change: Callable[[], object], *, targets: bool = False) -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        loaded = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
        change()
        await listed
        if targets:
            await loaded
        loaded.cancel()

    # Another model: a vLLM server that answers 404 to any name but its own.
    loop.run_until_complete(pick(lambda: win.target_bar.select_model(VLLM_MODEL), targets=True))
    until(loop, lambda: win.chat.model_combo.currentText() == "Qwen/Qwen3-8B")
    assert answer(win, loop, "hello") == "finished"
    assert win.chat.conversation.turns[-1].error == ""
    # Talk to Model APIs: a slug it serves, not the deployment's name.
    loop.run_until_complete(pick(lambda: win.chat.params_bar.set_source("model_apis")))
    slugs = [win.chat.model_combo.itemText(i) for i in range(win.chat.model_combo.count())]
    until(loop, lambda: win.chat.model_combo.currentText() in slugs)
    assert answer(win, loop, "and you?") == "finished"


def test_send_answers_the_question_a_loaded_chat_ends_with(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CHAT)
    body = {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": "What is a cold start?"}],
        "stream": True,
    }

    async def go() -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        win.load_request(RequestSpec("chat", Target(CHAT), body))  # as opening a preset does
        await listed

    loop.run_until_complete(go())
    assert answer(win, loop) == "finished"  # Send, nothing typed
    turns = win.chat.conversation.turns
    assert [t.role for t in turns] == ["user", "assistant"]
    assert "cold start" in turns[-1].content
    # Answered: an empty Send now sends nothing more.
    win.chat.input.clear()
    win.send()
    assert not win.chat_controller.is_answering
    assert len(win.chat.conversation.turns) == 2


def test_reasoning_is_open_while_it_streams_and_looks_unlike_the_answer(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, REASONER)
    to_chat(win, loop)
    win.chat.extras.headers_edit.setPlainText("X-Emulator-Fault: delay=0.02")  # a slow stream
    seen: list[bool] = []

    async def go() -> None:
        done = asyncio.ensure_future(signalled(win.chat_controller.answer_finished, within=30))
        win.chat.input.setPlainText("Is 1009 prime?")
        win.send()
        view = win.chat.messages()[-1]
        await signalled(win.chat_controller.delta_received)  # reasoning comes first
        await asyncio.sleep(0.1)  # a frame or two
        assert view.turn.reasoning
        assert not view.turn.content
        assert win.chat_controller.is_answering
        seen.append(view.reasoning.isVisible())
        await done

    loop.run_until_complete(go())
    assert seen == [True]
    view = win.chat.messages()[-1]
    view.reasoning_toggle.setChecked(True)
    loop.run_until_complete(asyncio.sleep(0.05))
    shot = view.reasoning.grab().toImage()
    text_shot = view.content.grab().toImage()
    # A coloured bar down its left edge and a tinted panel: not the answer's plain page.
    assert shot.pixelColor(1, shot.height() // 2) == QColor(theme.colour("info"))
    inside = shot.pixelColor(shot.width() - 3, 2)
    assert inside == QColor(theme.colour("alt_base"))
    assert inside != text_shot.pixelColor(text_shot.width() - 3, 2)


def test_an_imported_chat_curl_keeps_its_headers_and_send_answers_it(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CHAT)
    url = f"{emulator.base_url}/model-{CHAT}/environments/production/sync/v1/chat/completions"
    body = '{"model": "demo-llm", "messages": [{"role": "user", "content": "hi"}], "stream": true}'
    command = (
        f'curl {url} -H "Authorization: Api-Key $BASETEN_API_KEY" '
        "-H 'x-session-affinity: s-1' -H 'X-Emulator-Fault: status=503' "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )

    async def go() -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        dialog = show_import_curl(win, command)
        qtbot.addWidget(dialog)
        dialog.import_button.click()
        await listed

    loop.run_until_complete(go())
    assert win.mode() == "chat"
    assert win.chat.extras.headers_edit.toPlainText() == (
        "x-session-affinity: s-1\nX-Emulator-Fault: status=503"
    )
    assert win.chat.extras.headers_edit.isVisible()
    assert answer(win, loop) == "failed"  # the fault the curl injected, on the question it asked
    record = list(emulator.emulator.state.records.values())[-1]
    assert record.headers.get("x-session-affinity") == "s-1"
