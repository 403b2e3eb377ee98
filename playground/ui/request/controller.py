"""Sends the window's request (predict, async, a custom route) and reports it as signals."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient


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
    async_cancel_failed = Signal(object)  # PlaygroundError: the request itself goes on

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
            self.async_cancel_failed.emit(exc)
            return
        self.async_cancel_answered.emit(answer)
