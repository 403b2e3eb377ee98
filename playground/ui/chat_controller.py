"""Sends a conversation to an OpenAI-compatible base and reports the stream as signals."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError, StreamCut, StreamError
from playground.core.events import ChatDelta, ChatFinished, ChatResult, Notice, ResponseStarted
from playground.ui.controller import TaskOwner

if TYPE_CHECKING:
    from playground.core.client import BasetenClient


class ChatController(TaskOwner):
    """One answer at a time; every send ends in exactly one of finished, failed or cancelled."""

    request_sent = Signal(str, object)  # the OpenAI base and the body, as sent
    answer_started = Signal(object)  # ResponseStarted
    delta_received = Signal(object)  # ChatDelta
    notice_received = Signal(str)
    answer_finished = Signal(object, object)  # ChatResult, Metrics
    answer_failed = Signal(object, object)  # PlaygroundError, partial ChatResult | None
    answer_cancelled = Signal()
    models_listed = Signal(list)  # served model names (or Model API slugs)

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client

    @property
    def is_answering(self) -> bool:
        return self.is_running("chat")

    def send(self, base: str, body: dict[str, Any]) -> None:
        self._start("chat", self._send(base, body))

    def stop(self) -> bool:
        """Stop the answer and close its connection; what arrived is kept."""
        return self._cancel("chat")

    def list_models(self, base: str) -> None:
        self._start("models", self._list_models(base))

    async def _list_models(self, base: str) -> None:
        try:
            names = await self.client.list_served_models(base)
        except PlaygroundError:
            return  # offering names is a convenience; typing one still works
        self.models_listed.emit(names)

    async def _send(self, base: str, body: dict[str, Any]) -> None:
        self.request_sent.emit(base, body)
        events = self.client.chat(base, body)
        try:
            async with aclosing(events):
                async for event in events:
                    if isinstance(event, ChatDelta):
                        self.delta_received.emit(event)
                    elif isinstance(event, ResponseStarted):
                        self.answer_started.emit(event)
                    elif isinstance(event, Notice):
                        self.notice_received.emit(event.message)
                    elif isinstance(event, ChatFinished):
                        self.answer_finished.emit(event.result, event.metrics)
        except asyncio.CancelledError:
            self.answer_cancelled.emit()
            raise
        except (StreamError, StreamCut) as exc:
            partial = exc.partial if isinstance(exc.partial, ChatResult) else None
            self.answer_failed.emit(exc, partial)
        except PlaygroundError as exc:
            self.answer_failed.emit(exc, None)
