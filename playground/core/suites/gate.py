"""One target's gate: at most `limit` of its requests in flight, a pause and a lower limit after
it answered 429 (the target is slowed, its rows wait rather than fail), and a cold target's first
request sent alone, its figures kept apart from the warm ones."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress


class TargetGate:
    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit  # None: only the run's overall limit
        self.in_flight = 0
        self.paused_until = 0.0
        self.throttled = 0  # how many times it was slowed down
        self._changed = asyncio.Condition()
        self._cold = False
        self._warming = False

    def mark_cold(self) -> None:
        """The target was scaled to zero: its first request goes alone, marked cold."""
        self._cold = True

    def slow_down(self, wait_s: float) -> None:
        """A 429: no new request for `wait_s` seconds, and half as many in flight from now on."""
        self.throttled += 1
        self.paused_until = max(self.paused_until, time.monotonic() + max(0.0, wait_s))
        in_use = self.limit if self.limit is not None else max(self.in_flight, 2)
        self.limit = max(1, in_use // 2)

    def _blocked(self) -> float | None:
        """None when a request may go now, else how long to wait at most before asking again."""
        if self._warming:
            return 1.0
        pause = self.paused_until - time.monotonic()
        if pause > 0:
            return pause
        if self.limit is not None and self.in_flight >= self.limit:
            return 1.0
        return None

    @asynccontextmanager
    async def entry(self) -> AsyncIterator[bool]:
        """Wait for a place; yields whether this request is the cold target's first."""
        async with self._changed:
            while (wait := self._blocked()) is not None:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)
            cold = self._cold
            self._cold = False
            self._warming = cold
            self.in_flight += 1
        try:
            yield cold
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._warming = False
                self._changed.notify_all()
