"""The window's event loop (qasync's, with what it forgets): `playground.ui.loop`."""

from __future__ import annotations

import asyncio


def test_a_task_started_as_run_until_complete_ends_still_finds_its_loop_running(
    loop: asyncio.AbstractEventLoop,
) -> None:
    # The task's first step runs in the Qt events that run_until_complete handles last: without
    # a running loop there, its first wait on an empty asyncio.Queue raised AttributeError (a
    # WebSocket's sender died so, and a Disconnect then waited forever).
    queue: asyncio.Queue[str] = asyncio.Queue()
    seen: list[object] = []

    async def wait_for_item() -> str:
        seen.append(asyncio.get_running_loop())
        return await queue.get()

    tasks: list[asyncio.Task[str]] = []

    async def start() -> None:  # the task is made just before the run stops, so it starts after
        loop.call_soon(lambda: tasks.append(asyncio.ensure_future(wait_for_item())))

    loop.run_until_complete(start())
    (task,) = tasks
    assert seen == [loop]  # it started before the next run, with its loop running

    async def feed() -> str:
        queue.put_nowait("item")
        return await task

    assert loop.run_until_complete(feed()) == "item"
