"""The window's controller: owns the tasks that talk to core, and reports back with signals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from playground.core import (
    ApiError,
    BasetenClient,
    BinaryChunk,
    Finished,
    JsonBody,
    Metrics,
    NdjsonLine,
    PlaygroundError,
    SseEvent,
    Target,
    TextChunk,
)


@dataclass
class Outcome:
    """What a finished call shows: its figures and its body as text."""

    metrics: Metrics
    text: str = ""
    kind: str = ""
    parts: list[str] = field(default_factory=list)


def describe_error(exc: PlaygroundError) -> str:
    if isinstance(exc, ApiError):
        parts = [f"{exc.status}: {exc.message}"]
        if exc.request_id:
            parts.append(f"request id {exc.request_id}")
    else:
        parts = [str(exc)]
    if exc.hint:
        parts.append(exc.hint)
    return " · ".join(parts)


class WindowController(QObject):
    """At most one task per job; a new send cancels the previous one."""

    models_loaded = Signal(list)
    models_failed = Signal(str)
    request_started = Signal()
    text_received = Signal(str)
    response_received = Signal(object)  # Outcome
    request_failed = Signal(str)
    request_cancelled = Signal()

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def remote_label(self) -> str:
        return f"{self.client.remote.name} · {self.client.remote.management.removesuffix('/api')}"

    def _start(self, job: str, coro: Coroutine[Any, Any, None]) -> None:
        old = self._tasks.get(job)
        if old is not None and not old.done():
            old.cancel()
        self._tasks[job] = asyncio.get_running_loop().create_task(coro)

    def load_models(self) -> None:
        self._start("models", self._load_models())

    async def _load_models(self) -> None:
        try:
            models = await self.client.management.models()
        except PlaygroundError as exc:
            self.models_failed.emit(describe_error(exc))
            return
        self.models_loaded.emit(models)

    def send(self, target: Target, body: Any) -> None:
        self._start("send", self._send(target, body))

    def cancel(self) -> None:
        task = self._tasks.get("send")
        if task is not None and not task.done():
            task.cancel()

    async def _send(self, target: Target, body: Any) -> None:
        self.request_started.emit()
        outcome = Outcome(Metrics())
        try:
            async for event in self.client.predict(target, body):
                if isinstance(event, JsonBody):
                    outcome.text = json.dumps(event.value, indent=2, ensure_ascii=False)
                elif isinstance(event, TextChunk):
                    outcome.parts.append(event.text)
                    self.text_received.emit(event.text)
                elif isinstance(event, SseEvent):
                    outcome.parts.append(event.data + "\n")
                elif isinstance(event, NdjsonLine):
                    outcome.parts.append(event.raw + "\n")
                elif isinstance(event, BinaryChunk):
                    outcome.parts.append(f"<{len(event.data):,} bytes of binary data>\n")
                elif isinstance(event, Finished):
                    outcome.metrics = event.metrics
                    outcome.kind = event.kind
        except asyncio.CancelledError:
            self.request_cancelled.emit()
            raise
        except PlaygroundError as exc:
            self.request_failed.emit(describe_error(exc))
            return
        if outcome.parts:
            outcome.text = "".join(outcome.parts)
        self.response_received.emit(outcome)

    async def aclose(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
