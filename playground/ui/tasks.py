"""The task owner: controllers run their work as asyncio tasks, at most one per job, and cancel
them on request or at shutdown; widgets never await."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QObject


class TaskOwner(QObject):
    """At most one task per job name; starting a job again cancels the running one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def _start(self, job: str, coro: Coroutine[Any, Any, None]) -> None:
        self._cancel(job)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Called before the loop runs (or between its runs, as tests do): the task starts
            # on the loop this thread has set, as soon as that loop runs.
            loop = asyncio.get_event_loop_policy().get_event_loop()
        task = self._tasks[job] = loop.create_task(coro)
        task.add_done_callback(self._settle)

    def _settle(self, task: asyncio.Task[None]) -> None:
        """A task that ended after its owner was deleted under it (its view closed mid-task)
        failed where it emitted on the deleted owner ("Signal source has been deleted"): that
        failure is taken here, not reported, for nobody is left to tell. It happens although the
        task was cancelled: when a call in a TaskGroup fails as it is cancelled, 3.11 raises the
        failure, not the cancellation."""
        if not task.cancelled() and not shiboken6.isValid(self):
            error = task.exception()  # retrieved: the loop does not report it
            if error is not None and not isinstance(error, RuntimeError):
                task.get_loop().call_exception_handler(
                    {"message": "a task outlived its owner", "exception": error, "task": task}
                )

    def _cancel(self, job: str) -> bool:
        task = self._tasks.get(job)
        if task is not None and not task.done():
            task.cancel()
            return True
        return False

    def cancel_all(self) -> None:
        """Cancel every task this owner runs (each still ends in its one terminal signal)."""
        for job in list(self._tasks):
            self._cancel(job)

    def retire(self) -> None:
        """Cancel every task and let this owner go once they have ended, saying nothing more: a
        task that was about to resume when cancelled would otherwise emit on a deleted object."""
        self.blockSignals(True)
        running = {t for t in self._tasks.values() if not t.done()}
        for task in running:
            task.cancel()

        def ended(task: asyncio.Task[None]) -> None:
            running.discard(task)
            if not running:
                self.deleteLater()

        for task in list(running):
            task.add_done_callback(ended)
        if not running:
            self.deleteLater()

    def is_running(self, job: str) -> bool:
        task = self._tasks.get(job)
        return task is not None and not task.done()

    async def aclose(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
