"""Work off the GUI thread (finding, decoding and scaling media), its result handed back on it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

# Two threads: one answer's images decode while the next answer is being searched.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="media")


class _Relay(QObject):
    """Lives on the GUI thread: a signal emitted from a worker is delivered there (queued)."""

    done = Signal(object, object, object)  # owner, callback, future

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._on_done)

    @Slot(object, object, object)
    def _on_done(
        self, owner: QObject, callback: Callable[[Any], None], future: Future[Any]
    ) -> None:
        if future.cancelled() or not shiboken6.isValid(owner):
            return
        error = future.exception()
        if error is not None:
            raise error  # a bug: the app's exception hook reports it
        callback(future.result())


_relay: _Relay | None = None


def run_off_thread(
    owner: QObject, work: Callable[[], Any], callback: Callable[[Any], None]
) -> None:
    """Run `work` on a worker thread; `callback(result)` runs on the GUI thread afterwards, unless
    `owner` has been deleted by then. A caller that may have moved on checks its own generation."""
    global _relay
    if _relay is None:
        _relay = _Relay()  # made on the GUI thread: run_off_thread is only called there
    relay = _relay
    future = _POOL.submit(work)
    future.add_done_callback(lambda f: relay.done.emit(owner, callback, f))
