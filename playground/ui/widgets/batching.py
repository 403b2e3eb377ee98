"""One rule for putting streamed data on screen: at most 30 flushes a second, only while data comes.

Appending delta by delta to a text view goes quadratic (qt-async-notes.md), so every streaming view
(chat pane, compare columns, response view) buffers what arrives and shows it on a FrameBatcher's
tick. 30 a second reads as smooth text; at 60 the painting alone took a third of the time of a fast
stream (benchmarks/chat_render.py: ratio 1.41 at 16 ms, 1.23 at 33 ms).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

FLUSH_MS = 33  # 30 flushes a second
# Text that comes faster than a screenful a frame cannot be read as it passes: after a flush that
# showed more new lines than the view holds (the flush says so), the next waits FLOOD_MS, 15 a
# second, and the window's time goes to the stream. chat_render.py's 20,000 deltas, panes side by
# side in one process: ratio 1.41 at 33 ms, 1.31 at 66, 1.31 at 100 (whose longer frames took the
# p99 lag from 7.0 to 7.9 ms). Text a person can follow still moves at 30.
FLOOD_MS = 66
# A flush that took long (a very long line laid out again) stretches the wait for the next one
# to four times its cost, so that rendering never takes more than about a fifth of the UI thread.
MAX_FLUSH_MS = 250
# A view that grew asks its parent to lay out again, which asks its own parent, and so on up to
# the scroll area that follows the end: a chat answer is four levels down. Each level's request
# is a posted event, and a paint can run between them (the new lines painted where they were,
# then everything again once scrolled). A flush settles them all before anything paints.
LAYOUT_LEVELS = 5

__all__ = ["FLOOD_MS", "FLUSH_MS", "MAX_FLUSH_MS", "FrameBatcher"]


class FrameBatcher(QObject):
    """Calls `flush` FLUSH_MS after the first `schedule()` since the last flush (FLOOD_MS when
    the last flush returned True: it showed more than a screenful); idle otherwise.

    The timer runs only while something is pending: data after an idle spell starts it, the
    flush it fires stops it (more data starts it again). `flush_now()` ends a stream.
    """

    def __init__(self, flush: Callable[[], bool | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._flush = flush
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def is_pending(self) -> bool:
        """A flush is due (data came since the last one)."""
        return self._timer.isActive()

    def schedule(self) -> None:
        """Data arrived: it reaches the screen on the next tick (FLUSH_MS away, or FLOOD_MS)."""
        if not self._timer.isActive():
            self._timer.start()

    def flush_now(self) -> None:
        """Show what is pending at once (the stream ended); the next data waits a full tick."""
        self._timer.stop()
        self._timer.setInterval(FLUSH_MS)
        self._show()

    def cancel(self) -> None:
        """Forget the pending tick (what it would show is being thrown away)."""
        self._timer.stop()
        self._timer.setInterval(FLUSH_MS)

    def _show(self) -> bool:
        """Flush, and lay out what the flush changed at once: the frame is painted once."""
        flooded = bool(self._flush())
        for _ in range(LAYOUT_LEVELS):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        return flooded

    def _on_timer_timeout(self) -> None:
        started = time.perf_counter()
        wait_ms = FLOOD_MS if self._show() else FLUSH_MS
        spent_ms = (time.perf_counter() - started) * 1000
        self._timer.setInterval(int(min(MAX_FLUSH_MS, max(wait_ms, spent_ms * 4))))
