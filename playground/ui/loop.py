"""All qasync-specific code lives here, so that the loop can be replaced in one place."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import qasync


class HookedQEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, plus the async-generator hooks its `run_forever` forgets to install.

    Without them, leaving `httpx_sse.aiter_sse()` early ends in "async generator ignored
    GeneratorExit" (qt-async-notes.md, trap 1).
    """

    def run_forever(self) -> Any:
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        try:
            return super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*old)


def new_loop(app: Any) -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop = HookedQEventLoop(app)
    return loop
