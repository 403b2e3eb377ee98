"""A window on a Truss server that is not running: its one model is offered, its status says
so in the server's absence, and it keeps asking (less and less often) until the window closes."""

from __future__ import annotations

import asyncio
import socket

from pytestqt.qtbot import QtBot

from playground.core.api.client import BasetenClient
from playground.core.remote.remotes import Remote
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal
from tests.ui.helpers import until


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once closed


def test_a_truss_server_not_running_is_said_so_and_asked_again(
    loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    client = BasetenClient(Remote.truss(url, "truss-off"), "")
    win = build_window(client, settings=None, key_label="")
    qtbot.addWidget(win)
    said: list[str] = []
    win.catalogue.readiness_said.connect(lambda words, _ready: said.append(words))
    win.catalogue.wake_poll_seconds = 0.05

    async def go() -> None:
        first = asyncio.ensure_future(first_signal(win.catalogue.readiness_said, within=10))
        win.catalogue.load_models()
        await first
        await asyncio.sleep(0.3)
        assert win.catalogue.is_running("targets")  # still asking

    loop.run_until_complete(asyncio.wait_for(go(), 10))
    assert win.target_bar.model_id() == "model"
    assert win.target_bar.status_label.text() == "inactive"
    assert said[0].startswith(f"truss-off: not running: no Truss server answers at {url}")
    assert win.statusBar().currentMessage() == said[-1]
    assert f"no Truss server answers at {url}" in win.target_bar.status_label.toolTip()
    assert not win.target_bar.wake_button.isEnabled()
    loop.run_until_complete(shutdown(win))
    until(loop, lambda: not win.catalogue.is_running("targets"))
