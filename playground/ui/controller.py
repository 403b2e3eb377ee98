"""The window's controller: owns the tasks that talk to core, and reports back with signals."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from PySide6.QtCore import QObject, Signal

from playground.core import ApiError, BasetenClient, CallResult, PlaygroundError, Target


class WindowController(QObject):
    """At most one task per job; a new send cancels the previous one."""

    models_loaded = Signal(list)
    models_failed = Signal(str)
    request_started = Signal()
    response_received = Signal(object)  # CallResult
    request_failed = Signal(str)
    request_cancelled = Signal()

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def remote_label(self) -> str:
        return f"{self.client.remote.name} · {self.client.remote.management.removesuffix('/api')}"

    def _start(self, job: str, coro: Any) -> None:
        old = self._tasks.get(job)
        if old is not None and not old.done():
            old.cancel()
        self._tasks[job] = asyncio.get_running_loop().create_task(coro)

    def load_models(self) -> None:
        self._start("models", self._load_models())

    async def _load_models(self) -> None:
        try:
            models = await self.client.list_models()
        except PlaygroundError as exc:
            self.models_failed.emit(str(exc))
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
        try:
            result: CallResult = await self.client.predict(target, body)
        except asyncio.CancelledError:
            self.request_cancelled.emit()
            raise
        except ApiError as exc:
            parts = [f"{exc.status}: {exc.message}"]
            if exc.request_id:
                parts.append(f"request id {exc.request_id}")
            if exc.hint:
                parts.append(exc.hint)
            self.request_failed.emit(" · ".join(parts))
            return
        except PlaygroundError as exc:
            self.request_failed.emit(str(exc))
            return
        self.response_received.emit(result)

    async def aclose(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def pretty(result: CallResult) -> str:
    if "json" in result.content_type:
        try:
            return json.dumps(json.loads(result.body), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    if result.content_type.startswith(("text/", "application/x-ndjson", "application/octet")):
        return result.body.decode("utf-8", "replace")
    return f"<{len(result.body):,} bytes of {result.content_type or 'binary data'}>"
