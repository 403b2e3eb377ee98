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

    _finishing = False

    def run_forever(self) -> Any:
        with self._hooks():
            try:
                return super().run_forever()
            finally:
                if self._finishing:  # qasync set None: still running for its last processEvents
                    asyncio.events._set_running_loop(self)

    def run_until_complete(self, future: Any) -> Any:
        """qasync's, with the loop still this thread's running loop (and its hooks installed)
        while it handles the Qt events left at the end. Without that, a task resumed there (a
        test's `run_until_complete` ends many times a test) finds no running loop: an
        `asyncio.Queue` first waited on then raises, and its task dies unseen."""
        with self._hooks():
            self._finishing = True
            try:
                return super().run_until_complete(future)
            finally:
                self._finishing = False
                asyncio.events._set_running_loop(None)

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


def new_loop(app: Any) -> HookedQEventLoop:
    return HookedQEventLoop(app)
