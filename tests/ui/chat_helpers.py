"""The chat pane on the local server, for the chat tests: a pane maker that closes what it
made, and `ask`, which sends a message and waits for its one terminal signal."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote, Target
from playground.emulator import EmulatorServer
from playground.ui.chat.controller import ChatController
from playground.ui.chat.pane import ChatPane
from playground.ui.signals import first_signal

Maker = Callable[[str, str], ChatPane]


@pytest.fixture
def make_pane(
    qtbot: QtBot, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> Iterator[Maker]:
    made: list[tuple[ChatController, BasetenClient]] = []

    def make(model_id: str, served: str) -> ChatPane:
        client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
        controller = ChatController(client)
        pane = ChatPane()
        qtbot.addWidget(pane)
        pane.attach(controller, lambda: Target(model_id, "environment", "production"))
        pane.model_combo.setCurrentText(served)
        pane.resize(900, 700)
        pane.show()
        made.append((controller, client))
        return pane

    yield make
    for controller, client in made:
        loop.run_until_complete(controller.aclose())
        loop.run_until_complete(client.aclose())
    made.clear()
    gc.collect()


def ask(pane: ChatPane, loop: asyncio.AbstractEventLoop, text: str) -> str:
    """Type, send, and wait for the one terminal signal; returns which it was."""
    assert pane.controller is not None
    pane.input.setPlainText(text)
    return terminal_signal(pane.controller, loop, pane.send)


def terminal_signal(
    controller: ChatController, loop: asyncio.AbstractEventLoop, send: Callable[[], object]
) -> str:
    """Call `send` and wait for `controller`'s one terminal signal; returns which it was."""
    c = controller

    async def go() -> str:
        waiting = {
            "finished": asyncio.ensure_future(first_signal(c.answer_finished, within=20)),
            "failed": asyncio.ensure_future(first_signal(c.answer_failed, within=20)),
            "cancelled": asyncio.ensure_future(first_signal(c.answer_cancelled, within=20)),
        }
        send()
        done, pending = await asyncio.wait(waiting.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.sleep(0.05)
        return next(name for name, task in waiting.items() if task in done)

    return loop.run_until_complete(go())
