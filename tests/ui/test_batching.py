"""The one batching rule for streamed rendering: a flush FLUSH_MS after data, none while idle."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from playground.ui.widgets.batching import FLOOD_MS, FLUSH_MS, FrameBatcher
from playground.ui.widgets.streaming_text import StreamingText


class Recorder:
    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self) -> None:
        self.times.append(time.perf_counter())


def test_data_is_flushed_once_a_tick_later_and_nothing_while_idle(qtbot: QtBot) -> None:
    flushed = Recorder()
    batcher = FrameBatcher(flushed)
    started = time.perf_counter()
    for _ in range(100):  # a burst of deltas
        batcher.schedule()
    assert batcher.is_pending
    qtbot.waitUntil(lambda: len(flushed.times) == 1, timeout=1000)
    assert (flushed.times[0] - started) * 1000 >= 0.9 * FLUSH_MS  # a coarse timer: 5% early at most
    assert not batcher.is_pending
    qtbot.wait(3 * FLUSH_MS)
    assert len(flushed.times) == 1  # idle: no tick without data
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 2, timeout=1000)


def test_flush_now_ends_a_stream_and_cancel_drops_the_tick(qtbot: QtBot) -> None:
    flushed = Recorder()
    batcher = FrameBatcher(flushed)
    batcher.schedule()
    batcher.flush_now()
    assert len(flushed.times) == 1
    assert not batcher.is_pending
    batcher.schedule()
    batcher.cancel()
    qtbot.wait(2 * FLUSH_MS)
    assert len(flushed.times) == 1


def test_a_slow_flush_stretches_the_wait_for_the_next(qtbot: QtBot) -> None:
    flushed = Recorder()

    def slow() -> None:
        flushed()
        time.sleep(0.02)  # 20 ms: the next tick waits four times that

    batcher = FrameBatcher(slow)
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 1, timeout=1000)
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 2, timeout=1000)
    assert (flushed.times[1] - flushed.times[0]) * 1000 >= 4 * 20 - 2


def test_a_flush_is_laid_out_before_anything_paints(qtbot: QtBot) -> None:
    # As in the chat: text in a frame in a scroll area. Growing asks each level to lay out in
    # turn (posted events); a flush settles them all, so the next paint shows the frame scrolled.
    area = QScrollArea()
    area.setWidgetResizable(True)
    frame = QWidget()
    layout = QVBoxLayout(frame)
    text = StreamingText()
    layout.addWidget(text)
    layout.addStretch(1)
    area.setWidget(frame)
    area.resize(400, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    bar = area.verticalScrollBar()
    before = bar.maximum()
    batcher = FrameBatcher(lambda: text.append("many words " * 400))
    batcher.schedule()
    batcher.flush_now()  # no event is handled between this and the checks
    assert frame.height() >= text.geometry().bottom() > area.viewport().height()
    assert bar.maximum() > before


def test_after_a_flood_the_next_flush_waits_longer(qtbot: QtBot) -> None:
    flooded = [True]
    flushed = Recorder()

    def flush() -> bool:
        flushed()
        return flooded[0]

    batcher = FrameBatcher(flush)
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 1, timeout=1000)
    assert batcher._timer.interval() == FLOOD_MS  # a screenful came in one frame: 15 a second
    started = time.perf_counter()
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 2, timeout=1000)
    assert (flushed.times[1] - started) * 1000 >= 0.9 * FLOOD_MS
    flooded[0] = False  # readable again: 30 a second
    batcher.schedule()
    qtbot.waitUntil(lambda: len(flushed.times) == 3, timeout=1000)
    assert batcher._timer.interval() == FLUSH_MS
