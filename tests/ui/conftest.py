"""A fresh qasync loop over pytest-qt's QApplication for every test (qt-async-notes.md, "Testing")."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from playground.ui.loop import new_loop


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    errors: list[dict[str, Any]] = []
    event_loop = new_loop(qapp)
    event_loop.set_exception_handler(lambda _loop, context: errors.append(context))
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        # Collect this test's Qt objects here, on the main thread, with the loop still open: left
        # to chance, the collector may run in the server's thread ("Timers cannot be stopped from
        # another thread") or after the loop is closed.
        gc.collect()
        pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        event_loop.run_until_complete(event_loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        event_loop.close()
    if errors:
        pytest.fail(f"errors on the event loop: {errors}")
