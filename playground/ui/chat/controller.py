"""Sends a conversation to an OpenAI-compatible base and reports the stream as signals."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.chat.protocol import merge_deltas
from playground.core.errors import PlaygroundError, StreamCut, StreamError
from playground.core.events import ChatDelta, ChatFinished, ChatResult, Notice, ResponseStarted
from playground.core.request.spec import RequestSpec
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient


YIELD_AFTER_S = 0.003
WAITED_S = 0.0005


class ChatController(TaskOwner):
    """One answer at a time; every send ends in exactly one of finished, failed or cancelled."""

    request_sent = Signal(object)  # the RequestSpec, as sent (history records it)
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

    def send(self, spec: RequestSpec) -> None:
        """Chat with `spec`'s target (its `…/sync/v1`) or, without one, its Model API."""
        self._start("chat", self._send(spec))

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

    async def _send(self, spec: RequestSpec) -> None:
        self.request_sent.emit(spec)
        body = spec.chat_body()
        base = self.client.openai_base(spec.target)
        events = self.client.chat(base, body, headers=dict(spec.headers) or None, api=spec.api)
        # Deltas that arrive together (one network read holds many) go out as one signal, after
        # the read: per-delta signals cost more than the rest of the work on a fast stream. This
        # is the only place deltas are merged; the pane shows them on its FrameBatcher's tick.
        pending: list[ChatDelta] = []

        def emit_pending() -> None:
            if pending:
                batch = merge_deltas(pending)
                pending.clear()
                self.delta_received.emit(batch)

        loop = asyncio.get_running_loop()
        busy_since = last = loop.time()
        try:
            async with aclosing(events):
                async for event in events:
                    now = loop.time()
                    if now - last > WAITED_S:  # the stream waited for the network: the loop ran
                        busy_since = now
                    last = now
                    if isinstance(event, ChatDelta):
                        if not pending:
                            loop.call_soon(emit_pending)
                        pending.append(event)
                        if now - busy_since > YIELD_AFTER_S:
                            # One network read can hold thousands of deltas: let the window
                            # paint and its timers run between slices of them.
                            await asyncio.sleep(0)
                            busy_since = last = loop.time()
                        continue
                    emit_pending()  # in order with what follows
                    if isinstance(event, ResponseStarted):
                        self.answer_started.emit(event)
                    elif isinstance(event, Notice):
                        self.notice_received.emit(event.message)
                    elif isinstance(event, ChatFinished):
                        self.answer_finished.emit(event.result, event.metrics)
        except asyncio.CancelledError:
            emit_pending()
            self.answer_cancelled.emit()
            raise
        except (StreamError, StreamCut) as exc:
            emit_pending()
            partial = exc.partial if isinstance(exc.partial, ChatResult) else None
            self.answer_failed.emit(exc, partial)
        except PlaygroundError as exc:
            emit_pending()
            self.answer_failed.emit(exc, None)
