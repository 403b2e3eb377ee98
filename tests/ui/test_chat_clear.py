"""Chat's Clear, as a person uses it: the transcript and the last answer's figures go, and
Undo clear brings the conversation back until the next message is sent."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT
from playground.ui.chat.message_view import MessageView
from playground.ui.chat.pane import ChatPane
from playground.ui.main_window import MainWindow
from playground.ui.signals import first_signal
from tests.ui.helpers import Maker, load


def chat_pane(win: MainWindow, loop: asyncio.AbstractEventLoop) -> ChatPane:
    load(win, loop, CHAT)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
    pane = win.chat
    pane.model_combo.setCurrentText("demo-llm")
    return pane


def ask(pane: ChatPane, loop: asyncio.AbstractEventLoop, text: str) -> None:
    assert pane.controller is not None
    finished = asyncio.ensure_future(first_signal(pane.controller.answer_finished, within=20))
    pane.input.setPlainText(text)
    pane.send()
    loop.run_until_complete(finished)


def test_clear_forgets_the_turns_and_the_figures_and_can_be_undone(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    pane = chat_pane(win, loop)
    ask(pane, loop, "What is a cold start?")
    turns = list(pane.conversation.turns)
    assert len(turns) == 2
    assert "tok/s" in pane.status.text()  # the answer's figures

    qtbot.mouseClick(pane.clear_button, Qt.MouseButton.LeftButton)
    assert pane.conversation.turns == []
    assert "tok/s" not in pane.status.text()  # the old figures went with the answer
    assert pane.status.text() == "Cleared 2 messages."
    assert pane.undo_clear_button.isVisible()

    qtbot.mouseClick(pane.undo_clear_button, Qt.MouseButton.LeftButton)
    assert pane.conversation.turns == turns
    assert len(pane.transcript.findChildren(MessageView)) == 2  # both on screen again
    assert not pane.undo_clear_button.isVisible()


def test_the_next_message_ends_the_chance_to_undo(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    pane = chat_pane(win, loop)
    ask(pane, loop, "first question")
    qtbot.mouseClick(pane.clear_button, Qt.MouseButton.LeftButton)
    assert pane.undo_clear_button.isVisible()
    ask(pane, loop, "a new conversation")
    assert not pane.undo_clear_button.isVisible()
    assert pane.conversation.turns[0].content == "a new conversation"
    pane.undo_clear()  # nothing to bring back over the new conversation
    assert len(pane.conversation.turns) == 2
