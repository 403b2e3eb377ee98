"""Waiting in UI tests with the qasync loop running (never in a nested Qt loop), and driving the
main window as a person would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.ui.main_window import MainWindow
from playground.ui.signals import first_signal


async def signalled(signal: Any, within: float = 10.0) -> tuple[object, ...]:
    return await first_signal(signal, within=within)


@contextmanager
def loop_released() -> Iterator[None]:
    """No running loop on this thread for the block: the UI tests' loop is held as running for
    their whole length (conftest), as in the app, but `asyncio.run` (the CLI's) wants none."""
    held = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(held)


def until(
    loop: asyncio.AbstractEventLoop, condition: Callable[[], object], within: float = 3.0
) -> None:
    """Wait for `condition` with the loop running (qtbot.waitUntil would run qasync's callbacks
    outside it, where anyio's cancellation callbacks find no running loop)."""

    async def poll() -> None:
        deadline = time.perf_counter() + within
        while not condition():
            if time.perf_counter() > deadline:
                raise AssertionError("the condition did not come true in time")
            await asyncio.sleep(0.01)

    loop.run_until_complete(poll())


Maker = Callable[..., MainWindow]


def load(win: MainWindow, loop: asyncio.AbstractEventLoop, model_id: str | None = None) -> None:
    """Load the models, pick one, and wait for its targets."""

    async def go() -> None:
        targets = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
        models = asyncio.ensure_future(signalled(win.catalogue.models_loaded))
        win.catalogue.load_models()
        await models
        await targets
        if model_id and win.target_bar.model_id() != model_id:
            again = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
            win.target_bar.select_model(model_id)
            await again

    loop.run_until_complete(go())


def send(win: MainWindow, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> str:
    """Click Send and wait for the one terminal signal; returns which it was."""
    req = win.requests

    async def go() -> str:
        outcomes = {
            "finished": asyncio.ensure_future(signalled(req.request_finished, 20)),
            "failed": asyncio.ensure_future(signalled(req.request_failed, 20)),
        }
        qtbot.mouseClick(win.request.send_button, Qt.MouseButton.LeftButton)
        done, pending = await asyncio.wait(outcomes.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return next(name for name, task in outcomes.items() if task in done)

    result = loop.run_until_complete(go())
    until(loop, lambda: not win.response.is_streaming)
    return result


def choose(win: MainWindow, label: str) -> None:
    combo = win.target_bar.target_combo
    index = combo.findText(label)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


def set_route(win: MainWindow, method: str, route: str) -> None:
    """Custom-route mode with `method` and `route`, as a person would pick them."""
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("route"))
    win.request.editor.method_combo.setCurrentText(method)
    win.request.editor.route_edit.setText(route)
