"""All qasync-specific code lives here, so that the loop can be replaced in one place."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import qasync


class HookedQEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, plus the async-generator hooks its `run_forever` forgets to install.

    Without them, leaving `httpx_sse.aiter_sse()` early ends in "async generator ignored
    GeneratorExit" (qt-async-notes.md, trap 1).
    """

    def run_forever(self) -> Any:
        held = asyncio.events._get_running_loop()
        with self._hooks():
            try:
                return super().run_forever()
            finally:
                asyncio.events._set_running_loop(held)  # qasync sets None: keep what was held

    @contextmanager
    def _hooks(self) -> Iterator[None]:
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        try:
            yield
        finally:
            sys.set_asyncgen_hooks(*old)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Be this thread's running loop (with its hooks) for the whole block, also between
        `run_until_complete` calls. The app runs the loop for the window's whole life, so every
        Qt event (a click, a timer, the last `processEvents` of `run_until_complete`) is handled
        with it running; a test that runs the loop in slices holds it so, or a task resumed by
        such an event finds no running loop (an `asyncio.Queue` first waited on then fails)."""
        with self._hooks():
            asyncio.events._set_running_loop(self)
            try:
                yield
            finally:
                asyncio.events._set_running_loop(None)


def new_loop(app: Any) -> HookedQEventLoop:
    return HookedQEventLoop(app)
