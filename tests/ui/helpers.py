"""Waiting in UI tests with the qasync loop running, never in a nested Qt loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from playground.ui.signals import first_signal


async def signalled(signal: Any, within: float = 10.0) -> tuple[object, ...]:
    return await first_signal(signal, within=within)


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
