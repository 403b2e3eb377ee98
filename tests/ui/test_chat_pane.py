"""The chat pane against the local server: streamed answers, reasoning, tool calls, failures, stop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote, Target
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, REASONER, TOOLS, WEATHER_TOOL
from playground.ui.chat.message_view import MARKDOWN_LIMIT
from playground.ui.chat.params import parse_stop, stop_text
from playground.ui.signals import first_signal
from tests.ui.chat_helpers import Maker, ask
from tests.ui.helpers import until


def test_a_streamed_answer_matches_the_servers_text_and_shows_metrics(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    seen_lengths: list[int] = []
    assert pane.controller is not None
    pane.controller.delta_received.connect(
        lambda _d: seen_lengths.append(len(pane.conversation.turns[-1].content))
    )
    assert ask(pane, loop, "What is a cold start, café? 日本") == "finished"
    user, answer = pane.conversation.turns
    assert user.content == "What is a cold start, café? 日本"
    assert len(seen_lengths) > 5  # it arrived in pieces
    assert seen_lengths == sorted(seen_lengths)

    async def whole() -> str:
        client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
        try:
            body = {"model": "demo-llm", "messages": [{"role": "user", "content": user.content}]}
            from playground.core import ChatFinished

            async for event in client.chat(
                client.openai_base(Target(CHAT, "environment", "production")), body
            ):
                if isinstance(event, ChatFinished):
                    return event.result.content
        finally:
            await client.aclose()
        raise AssertionError("no answer")

    assert answer.content == loop.run_until_complete(whole())  # byte for byte
    view = pane.messages()[-1]
    footer = view.footer.text()
    assert "TTFT" in footer
    assert "tok/s" in footer
    assert "tokens" in footer
    assert "estimated" not in footer
    assert "request " in footer


def test_reasoning_is_in_a_collapsible_block(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(REASONER, "demo-reasoner")
    assert ask(pane, loop, "Is 1009 prime?") == "finished"
    view = pane.messages()[-1]
    assert view.reasoning_toggle.isVisible()
    assert not view.reasoning.isVisible()
    view.reasoning_toggle.click()
    assert view.reasoning.isVisible()
    assert view.reasoning.toPlainText().startswith("The user asks about")


def test_tool_calls_are_shown_as_items(make_pane: Maker, loop: asyncio.AbstractEventLoop) -> None:
    pane = make_pane(TOOLS, "demo-tools")
    pane.params_bar.extra.setText(json.dumps({"tools": [WEATHER_TOOL]}))
    assert ask(pane, loop, "Weather in Zürich?") == "finished"
    view = pane.messages()[-1]
    assert "get_weather(" in view.tools.text()
    assert "finish: tool_calls" in view.footer.text()


@pytest.mark.parametrize(
    "fault",
    ["cut_after=6,delay=0,count=1", "error_at=6,delay=0,count=1", "end_after=6,delay=0,count=1"],
)
def test_a_broken_stream_keeps_the_partial_answer(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, fault: str
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    emulator.emulator.state.set_model_faults(CHAT, fault)
    try:
        assert ask(pane, loop, "tell me more") == "failed"
    finally:
        emulator.emulator.state.set_model_faults(CHAT, None)
    answer = pane.conversation.turns[-1]
    assert answer.is_partial
    assert answer.content  # what arrived is kept
    assert answer.error
    assert "⚠" in pane.messages()[-1].footer.text()


def test_stop_keeps_what_arrived_and_closes_the_connection(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    emulator.emulator.state.set_model_faults(CHAT, "delay=0.05,tokens=400,count=1")
    assert pane.controller is not None
    request_ids: list[str] = []
    pane.controller.answer_started.connect(
        lambda started: request_ids.append(started.headers["x-baseten-request-id"])
    )

    async def go() -> None:
        cancelled = asyncio.ensure_future(first_signal(pane.controller.answer_cancelled))  # type: ignore[union-attr]
        first = asyncio.ensure_future(first_signal(pane.controller.delta_received))  # type: ignore[union-attr]
        pane.input.setPlainText("long please")
        pane.send()
        await first
        await asyncio.sleep(0.3)
        pane.stop()
        await cancelled

    loop.run_until_complete(go())
    answer = pane.conversation.turns[-1]
    assert len(answer.content) > 0
    record = emulator.emulator.state.records[request_ids[0]]
    until(loop, lambda: record.disconnected)
    assert not record.completed


def test_the_exact_request_body_can_be_seen_and_the_conversation_exported(
    make_pane: Maker, loop: asyncio.AbstractEventLoop, tmp_path: Path, qtbot: QtBot
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.system_edit.setPlainText("Be brief.")
    pane.params_bar.temperature.setValue(0.5)
    pane.params_bar.extra.setText('{"seed": 7}')
    assert ask(pane, loop, "hello") == "finished"
    dialog = pane.show_request_body()
    qtbot.addWidget(dialog)
    shown = json.loads(dialog.findChild(QPlainTextEdit, "requestBodyText").toPlainText())
    assert shown == pane.conversation.request_body(stream=True)
    assert shown["messages"][0] == {"role": "system", "content": "Be brief."}
    assert shown["temperature"] == 0.5
    assert shown["seed"] == 7
    assert shown["model"] == "demo-llm"
    dialog.close()

    pane.export(tmp_path / "chat.json")
    exported = json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))
    assert [m["role"] for m in exported["messages"]] == ["system", "user", "assistant"]
    pane.export(tmp_path / "chat.md")
    markdown = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert "### User" in markdown
    assert "### Assistant" in markdown
    assert pane.conversation.turns[-1].content in markdown


def test_bad_extra_json_says_where_and_sends_nothing(make_pane: Maker) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.params_bar.extra.setText('{"seed": }')
    pane.input.setPlainText("hi")
    pane.send()
    assert "Extra JSON" in pane.status.text()
    assert "column 10" in pane.status.text()
    assert pane.conversation.turns == []


def test_extra_json_python_cannot_take_is_said_not_raised(make_pane: Maker) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.params_bar.extra.setText("[" * 100_000)
    pane.input.setPlainText("hi")
    pane.send()
    assert "Extra JSON" in pane.status.text()
    assert "nested too deeply" in pane.status.text()
    assert pane.conversation.turns == []


def test_ctrl_enter_sends(make_pane: Maker, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    pane = make_pane(CHAT, "demo-llm")
    assert pane.controller is not None

    async def go() -> None:
        done = asyncio.ensure_future(first_signal(pane.controller.answer_finished))  # type: ignore[union-attr]
        pane.input.setPlainText("hi there")
        pane.input.setFocus()
        qtbot.keyClick(pane.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await done

    loop.run_until_complete(go())
    assert [t.role for t in pane.conversation.turns] == ["user", "assistant"]


def test_regenerate_and_edit_resend_from_there(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    assert ask(pane, loop, "first question") == "finished"
    assert pane.controller is not None

    async def wait(action: Callable[[], None]) -> None:
        done = asyncio.ensure_future(first_signal(pane.controller.answer_finished))  # type: ignore[union-attr]
        action()
        await done

    loop.run_until_complete(wait(pane.regenerate))
    assert [t.role for t in pane.conversation.turns] == ["user", "assistant"]
    assert len(pane.messages()) == 2
    loop.run_until_complete(wait(lambda: pane.edit(0, "second question")))
    user, answer = pane.conversation.turns
    assert user.content == "second question"
    assert "second question" in answer.content
    assert len(pane.messages()) == 2


def test_parameters_go_into_the_body(make_pane: Maker, loop: asyncio.AbstractEventLoop) -> None:
    pane = make_pane(CHAT, "demo-llm")
    bar = pane.params_bar
    bar.top_p.setValue(0.9)
    bar.seed.setText("42")
    bar.stop_edit.setText('["END", "\\n\\n"]')
    bar.max_tokens.setValue(64)
    bar.json_mode.setChecked(True)
    body = pane.request_body()
    assert (body["top_p"], body["seed"], body["stop"], body["max_tokens"]) == (
        0.9,
        42,
        ["END", "\n\n"],
        64,
    )
    assert body["response_format"] == {"type": "json_object"}
    assert "temperature" not in body  # default: not sent
    bar.stop_edit.setText("STOP HERE")
    assert pane.request_body()["stop"] == ["STOP HERE"]
    bar.stop_edit.setText('["END", 3]')
    pane.input.setPlainText("hi")
    pane.send()
    assert "Stop must be" in pane.status.text()
    assert pane.conversation.turns == []


def test_a_model_api_by_slug(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "")
    assert pane.controller is not None
    pane._model_apis_base = Remote.local(emulator.base_url).model_apis_url()

    async def pick() -> None:
        listed = asyncio.ensure_future(first_signal(pane.controller.models_listed))  # type: ignore[union-attr]
        pane.params_bar.set_source("model_apis")
        await listed

    loop.run_until_complete(pick())
    slugs = [pane.model_combo.itemText(i) for i in range(pane.model_combo.count())]
    assert "playground/demo-chat" in slugs
    pane.model_combo.setCurrentText("playground/demo-chat")
    assert ask(pane, loop, "hello there") == "finished"
    answer = pane.conversation.turns[-1]
    assert answer.content
    assert answer.metrics is not None
    assert not answer.metrics.tokens_estimated


def test_a_long_answer_stays_plain_until_asked(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")

    async def set_fault() -> None:
        async with httpx.AsyncClient() as http:
            response = await http.put(
                f"{emulator.base_url}/_emulator/faults/{CHAT}",
                json={"spec": "tokens=6000,delay=0,count=1"},
                headers={"Authorization": f"Bearer {emulator.api_key}"},
            )
            response.raise_for_status()

    loop.run_until_complete(set_fault())
    assert ask(pane, loop, "Count for me") == "finished"
    answer = pane.conversation.turns[-1]
    assert len(answer.content) > MARKDOWN_LIMIT
    view = pane.messages()[-1]
    assert view.streaming.isVisible()
    assert view.streaming.text() == answer.content
    assert view.markdown_button.isVisible()
    view.markdown_button.click()
    assert view.content.isVisible()
    assert not view.streaming.isVisible()
    assert answer.content[:40] in view.content.toPlainText()


def test_the_whole_answer_is_on_screen_as_it_finishes(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    # No last frame waits for the batcher's tick: when the finished signal has been handled, the
    # view shows the whole answer (benchmarks/chat_render.py stops its clock on that paint).
    pane = make_pane(CHAT, "demo-llm")
    emulator.emulator.state.set_model_faults(CHAT, "tokens=6000,delay=0,count=1")
    shown: list[str] = []
    assert pane.controller is not None
    pane.controller.answer_finished.connect(  # after the pane's own slot (connected first)
        lambda *_: shown.append(pane.messages()[-1].streaming.text())
    )
    assert ask(pane, loop, "Count for me") == "finished"
    answer = pane.conversation.turns[-1]
    assert len(answer.content) > MARKDOWN_LIMIT  # it streamed over many frames
    assert shown == [answer.content]


def test_edit_an_earlier_turn_from_its_message(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    assert ask(pane, loop, "first question") == "finished"
    assert ask(pane, loop, "second question") == "finished"
    first = pane.messages()[0]
    assert first.edit_button.isVisible()
    assert not pane.messages()[1].edit_button.isVisible()  # answers are not edited
    first.edit_button.click()
    assert first.editor.isVisible()
    first.editor.setPlainText("a better first question")
    assert pane.controller is not None

    async def resend() -> None:
        done = asyncio.ensure_future(first_signal(pane.controller.answer_finished))  # type: ignore[union-attr]
        first.resend_requested.emit(first, first.editor.toPlainText())
        await done
        await asyncio.sleep(0.05)

    loop.run_until_complete(resend())
    turns = pane.conversation.turns
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].content == "a better first question"
    assert "better first question" in turns[1].content


@pytest.mark.parametrize("stops", [[], ["END"], [" END"], ["[x]"], ["a", "b"], ["\n\n"]])
def test_stop_strings_read_back_as_they_were_written(stops: list[str]) -> None:
    assert parse_stop(stop_text(stops)) == stops


def test_an_answer_is_selected_while_it_streams_and_copied_after(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    emulator.emulator.state.set_model_faults(CHAT, "tokens=6000,delay=0,count=1")
    board = QGuiApplication.clipboard()
    board.clear()
    copied_while_streaming: list[str] = []
    shown_then: list[int] = []

    def select_the_first_line(_delta: object) -> None:
        text = pane.messages()[-1].streaming
        if copied_while_streaming or text.line_count() < 3:
            return
        # the person drags across the first line while the answer goes on growing below it
        y = text.height() // text.line_count() // 2
        qtbot.mousePress(text, Qt.MouseButton.LeftButton, pos=QPoint(1, y))
        qtbot.mouseMove(text, QPoint(text.width() - 2, y))
        qtbot.mouseRelease(text, Qt.MouseButton.LeftButton, pos=QPoint(text.width() - 2, y))
        qtbot.keyClick(text, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        copied_while_streaming.append(board.text())
        shown_then.append(len(text.text()))

    assert pane.controller is not None
    pane.controller.delta_received.connect(select_the_first_line)
    assert ask(pane, loop, "Count for me") == "finished"
    answer = pane.conversation.turns[-1]
    assert copied_while_streaming
    first_line = copied_while_streaming[0]
    assert len(first_line) > 20
    assert answer.content.startswith(first_line)
    assert shown_then[0] < len(answer.content) // 2  # selected early in the stream
    view = pane.messages()[-1]
    assert view.streaming.isVisible()  # a long answer stays as it streamed: still selected
    board.clear()
    qtbot.keyClick(view.streaming, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert board.text() == first_line
    board.clear()


def test_a_flood_of_text_is_shown_fewer_times_a_second(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    # More new lines in a frame than the transcript shows cannot be read as they pass: those
    # frames tell the batcher, which waits longer for the next. A readable stream never does.
    pane = make_pane(CHAT, "demo-llm")
    floods: list[bool] = []
    show = pane._batcher._flush

    def recording() -> bool | None:
        flooded = show()
        floods.append(bool(flooded))
        return flooded

    pane._batcher._flush = recording
    emulator.emulator.state.set_model_faults(CHAT, "tokens=20000,delay=0,count=1")
    assert ask(pane, loop, "Count for me") == "finished"
    assert any(floods)
    floods.clear()
    emulator.emulator.state.set_model_faults(CHAT, "tokens=30,delay=0.01,count=1")
    assert ask(pane, loop, "Count for me") == "finished"
    assert floods
    assert not any(floods)
