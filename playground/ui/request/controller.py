"""Controllers: they own the tasks that talk to core and report back with signals; widgets never await."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.remote.catalogue import TargetChoice, target_choices
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.core.text import Failure

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient


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
        self._tasks[job] = loop.create_task(coro)

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

    def is_running(self, job: str) -> bool:
        task = self._tasks.get(job)
        return task is not None and not task.done()

    async def aclose(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class CatalogueController(TaskOwner):
    """Models, what each offers to call (with status), example inputs, and waking."""

    models_loaded = Signal(list)  # list[dict]
    models_failed = Signal(str)
    targets_loaded = Signal(str, list)  # model id, list[TargetChoice]
    targets_failed = Signal(str, str)  # model id, message
    example_loaded = Signal(str, object)  # model id, example input
    status_changed = Signal(str, str, str)  # model id, deployment id, status
    wake_failed = Signal(str)

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.wake_poll_seconds = 0.5

    def load_models(self) -> None:
        self._start("models", self._load_models())

    async def _load_models(self) -> None:
        try:
            models = await self.client.management.models()
        except PlaygroundError as exc:
            self.models_failed.emit(Failure.of(exc).line())
            return
        self.models_loaded.emit(models)

    def load_targets(self, model_id: str) -> None:
        self._start("targets", self._load_targets(model_id))

    async def _load_targets(self, model_id: str) -> None:
        mgmt = self.client.management
        try:
            # A task group, not gather: when one call fails the others are cancelled and awaited,
            # so nothing is left running on the loop.
            async with asyncio.TaskGroup() as group:
                model_task = group.create_task(mgmt.model(model_id))
                envs_task = group.create_task(mgmt.environments(model_id))
                deps_task = group.create_task(mgmt.deployments(model_id))
        except ExceptionGroup as errors:
            first = errors.exceptions[0]
            if not isinstance(first, PlaygroundError):
                raise
            self.targets_failed.emit(model_id, Failure.of(first).line())
            return
        model, envs, deps = model_task.result(), envs_task.result(), deps_task.result()
        choices = target_choices(model, envs, deps)
        self.targets_loaded.emit(model_id, choices)
        production = next((c for c in choices if c.is_production and c.deployment_id), None)
        if production is not None:
            try:
                example = await mgmt.example_input(model_id, production.deployment_id)
            except PlaygroundError:
                return  # no example is fine
            if example is not None:
                self.example_loaded.emit(model_id, example)

    def wake(self, choice: TargetChoice) -> None:
        self._start("wake", self._wake(choice))

    async def _wake(self, choice: TargetChoice) -> None:
        target = choice.target
        ref = choice.deployment_id or (
            "development" if target.kind == "development" else "production"
        )
        try:
            await self.client.wake(target)
            status = ""
            while status != "ACTIVE":
                deployment = await self.client.management.deployment(target.model_id, ref)
                if deployment.get("status") != status:
                    status = str(deployment.get("status"))
                    self.status_changed.emit(target.model_id, str(deployment.get("id")), status)
                if status != "ACTIVE":
                    await asyncio.sleep(self.wake_poll_seconds)
        except PlaygroundError as exc:
            self.wake_failed.emit(Failure.of(exc).line())


class RequestController(TaskOwner):
    """Sends one request at a time; every send ends in exactly one terminal signal."""

    request_started = Signal(str)  # description
    request_sent = Signal(object)  # the RequestSpec, as sent (history records it)
    event_received = Signal(object)  # a core PredictEvent
    request_finished = Signal()
    request_failed = Signal(object)  # PlaygroundError
    request_cancelled = Signal()
    async_submitted = Signal(str)  # request id
    async_status_changed = Signal(object)  # AsyncStatus
    async_cancel_answered = Signal(object)  # the cancel answer (dict)

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._async_target: Target | None = None
        self._async_request_id = ""

    @property
    def is_busy(self) -> bool:
        return self.is_running("send")

    def send(self, spec: RequestSpec) -> None:
        self._start("send", self._send(spec))

    def cancel(self) -> bool:
        """Stop the running request (closing its connection); True if there was one."""
        return self._cancel("send")

    async def _send(self, spec: RequestSpec) -> None:
        self.request_started.emit(spec.description)
        self.request_sent.emit(spec)
        try:
            if spec.mode == "async":
                await self._send_async(spec)
            else:
                events = self.client.send(spec)
                async with aclosing(events):
                    async for event in events:
                        self.event_received.emit(event)
        except asyncio.CancelledError:
            self.request_cancelled.emit()
            raise
        except PlaygroundError as exc:
            self.request_failed.emit(exc)
            return
        self.request_finished.emit()

    async def _send_async(self, spec: RequestSpec) -> None:
        jobs = self.client.jobs
        assert spec.target is not None  # only chat goes to a Model API
        request_id = await jobs.submit(spec.target, spec.body, spec.async_options, spec.headers)
        self._async_target, self._async_request_id = spec.target, request_id
        self.async_submitted.emit(request_id)
        async for status in jobs.watch(spec.target, request_id):
            self.async_status_changed.emit(status)

    def cancel_async(self) -> None:
        """Ask Baseten to cancel the queued async request (only QUEUED ones can be)."""
        if self._async_target is not None and self._async_request_id:
            self._start(
                "async-cancel", self._cancel_async(self._async_target, self._async_request_id)
            )

    async def _cancel_async(self, target: Target, request_id: str) -> None:
        try:
            answer = await self.client.jobs.cancel(target, request_id)
        except PlaygroundError as exc:
            self.request_failed.emit(exc)
            return
        self.async_cancel_answered.emit(answer)
