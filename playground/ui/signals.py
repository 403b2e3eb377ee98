"""Waiting for a Qt signal from inside a coroutine, without spinning a nested event loop."""

from __future__ import annotations

import asyncio
from typing import Any


async def first_signal(*signals: Any, within: float = 15.0) -> tuple[object, ...]:
    """The arguments of whichever of `signals` fires first; TimeoutError after `within` s.

    Never `processEvents()` or `qtbot.waitSignal` inside a task (qt-async-notes.md, trap 2):
    a future that the signal completes lets the qasync loop go on running everything else.
    """
    done: asyncio.Future[tuple[object, ...]] = asyncio.get_running_loop().create_future()

    def finish(*args: object) -> None:
        if not done.done():
            done.set_result(args)

    for signal in signals:
        signal.connect(finish)
    try:
        return await asyncio.wait_for(done, within)
    finally:
        for signal in signals:
            signal.disconnect(finish)
