"""A 20,000-delta chat stream rendered by the real chat pane, against a bare httpx + httpx-sse consumer.

The local server runs in its own process. Both consume the same stream, interleaved; while the
pane renders, a 5 ms QTimer measures the event loop's lag (the gap beyond its period). The pane's
clock stops when the whole answer is on screen: after the first paint of the answer's text widget
whose text is exactly what the bare consumer received (checked on each paint, not at the finished
signal). The figure is the ratio of medians (pane's time over the bare consumer's); how long the
screen took after the finished signal is reported too.
Targets: ratio <= 1.3, p99 lag <= 8 ms, max lag <= 50 ms.

    python benchmarks/chat_render.py [--deltas 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from PySide6.QtCore import QEvent, QObject, QTimer

from benchmarks._shared import KEY, LagTimer, bare_chat, run_with_window_loop, set_model_fault
from playground.core import BasetenClient, Remote, Target
from playground.emulator.demo import CHAT
from playground.ui.chat.controller import ChatController
from playground.ui.chat.message_view import MessageView
from playground.ui.chat.pane import ChatPane


def shown_text(view: MessageView) -> str:
    """The answer's text as a person reads it: the streamed text, or the document replacing it."""
    if view.streaming.isVisible():
        return view.streaming.text()
    return view.content.toPlainText()


class PaintWatcher(QObject):
    """Resolves `shown` (with the time) once a paint of `view`'s text shows `expected` whole."""

    def __init__(self, view: MessageView, expected: str) -> None:
        super().__init__()
        self.view = view
        self.expected = expected
        self.shown: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._widgets = (view.streaming, view.content.viewport())
        for widget in self._widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.shown.done():
            text = shown_text(self.view)
            if len(text) == len(self.expected) and text == self.expected:
                # This paint draws the whole answer; the clock stops once it (and the rest of
                # the frame it belongs to) is done, which is when the next zero timer runs.
                QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        if not self.shown.done():
            self.shown.set_result(time.perf_counter())

    def remove(self) -> None:
        for widget in self._widgets:
            widget.removeEventFilter(self)


async def pane_run(
    pane: ChatPane, controller: ChatController, expected: str
) -> tuple[float, float, list[float]]:
    """(seconds until the whole answer is on screen, seconds from finished to then, lags)"""
    timer = LagTimer()
    pane.clear()
    finished: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def on_finished(*_: object) -> None:
        if not finished.done():
            finished.set_result(time.perf_counter())

    controller.answer_finished.connect(on_finished)
    timer.start()
    started = time.perf_counter()
    pane.input.setPlainText("Count for me, please.")
    pane.send()
    watcher = PaintWatcher(pane.messages()[-1], expected)
    try:
        on_screen = await asyncio.wait_for(watcher.shown, 120)
        finished_at = await asyncio.wait_for(finished, 120)  # the next run must not overlap
    finally:
        timer.stop()
        watcher.remove()
        controller.answer_finished.disconnect(on_finished)
    return on_screen - started, on_screen - finished_at, timer.lags_ms


async def bare_run(http: httpx.AsyncClient, url: str, fault: str, expected: str) -> float:
    seconds, text = await bare_chat(http, url, fault)
    if text != expected:
        raise RuntimeError("the bare consumer received a different answer this time")
    return seconds


async def measure(base_url: str, deltas: int, runs: int) -> dict[str, object]:
    fault = f"tokens={deltas},delay=0"
    client = BasetenClient(Remote.local(base_url), KEY)
    chat_url = client.openai_base(Target(CHAT, "environment", "production")) + "/chat/completions"
    controller = ChatController(client)
    pane = ChatPane()
    pane.resize(1000, 700)
    pane.show()
    pane.attach(controller, lambda: Target(CHAT, "environment", "production"))
    pane.model_combo.setCurrentText("demo-llm")
    pane_times: list[float] = []
    bare_times: list[float] = []
    after_finish: list[float] = []
    lags: list[float] = []
    async with httpx.AsyncClient(timeout=120) as http:
        _, expected = await bare_chat(http, chat_url, fault)  # the answer a person should see
        await set_model_fault(base_url, CHAT, fault)
        await pane_run(pane, controller, expected)
        for run in range(runs):
            for kind in ("bare", "pane") if run % 2 == 0 else ("pane", "bare"):
                if kind == "bare":
                    bare_times.append(await bare_run(http, chat_url, fault, expected))
                else:
                    await set_model_fault(base_url, CHAT, fault)
                    elapsed, late, gaps = await pane_run(pane, controller, expected)
                    pane_times.append(elapsed)
                    after_finish.append(late)
                    lags.extend(gaps)
    await controller.aclose()
    await client.aclose()
    pane.close()
    lags.sort()
    return {
        "ratio": round(statistics.median(pane_times) / statistics.median(bare_times), 3),
        "p99_lag_ms": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else 0.0,
        "max_lag_ms": round(lags[-1], 2) if lags else 0.0,
        "pane_median_s": round(statistics.median(pane_times), 4),
        "bare_median_s": round(statistics.median(bare_times), 4),
        # from the finished signal to the paint that shows the whole answer (negative: before it)
        "screen_after_finished_median_ms": round(statistics.median(after_finish) * 1000, 2),
        "screen_after_finished_max_ms": round(max(after_finish) * 1000, 2),
        "answer_chars": len(expected),
        "deltas": deltas,
        "runs": runs,
        "targets": {"ratio": 1.3, "p99_lag_ms": 8, "max_lag_ms": 50},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run_with_window_loop(lambda base_url: measure(base_url, args.deltas, args.runs))


if __name__ == "__main__":
    main()
