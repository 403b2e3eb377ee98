"""The task owner's tasks outlive a deleted owner quietly, and only then."""

from __future__ import annotations

import asyncio
import gc

import shiboken6
from PySide6.QtCore import Signal

from playground.ui.tasks import TaskOwner


class Owner(TaskOwner):
    said = Signal(str)

    def start(self, gate: asyncio.Future[str]) -> asyncio.Task[None]:
        self._start("job", self._job(gate))
        return self._tasks["job"]

    async def _job(self, gate: asyncio.Future[str]) -> None:
        words = await gate
        if words == "fail":
            raise RuntimeError("a real failure")
        self.said.emit(words)


def run(loop: asyncio.AbstractEventLoop, task: asyncio.Task[None]) -> BaseException | None:
    loop.run_until_complete(asyncio.wait([task]))
    return task.exception()


def test_a_task_whose_owner_was_deleted_under_it_ends_quietly(
    loop: asyncio.AbstractEventLoop,
) -> None:
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        owner = Owner()
        gate: asyncio.Future[str] = loop.create_future()
        task = owner.start(gate)
        loop.run_until_complete(asyncio.sleep(0))  # waiting at the gate
        shiboken6.delete(owner)  # its view closed mid-task
        gate.set_result("done")  # it goes on, and would emit on the deleted owner
        loop.run_until_complete(asyncio.wait([task]))
        assert task.done()
        assert not task.cancelled()
        del owner, task
        gc.collect()  # an unretrieved failure is reported when its task goes
        assert reported == []
    finally:
        loop.set_exception_handler(None)


def test_a_live_owner_s_task_still_fails_out_loud(loop: asyncio.AbstractEventLoop) -> None:
    owner = Owner()
    heard: list[str] = []
    owner.said.connect(heard.append)
    gate: asyncio.Future[str] = loop.create_future()
    task = owner.start(gate)
    gate.set_result("done")
    assert run(loop, task) is None
    assert heard == ["done"]
    gate = loop.create_future()
    task = owner.start(gate)
    gate.set_result("fail")
    error = run(loop, task)
    assert isinstance(error, RuntimeError)
    assert str(error) == "a real failure"
