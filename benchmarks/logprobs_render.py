"""A 5,000-token chat answer with logprobs on (tokens tinted by probability), shown by the real
chat pane, against the same answer with logprobs off.

Both runs use the same pane and the same local server (its own process), interleaved; each clock
stops at the first paint that shows the whole answer (chat_render.py's PaintWatcher, here also
watching the tinted view). The figure is the ratio of medians (on over off). Target: <= 1.5.

The stream itself is not the same size: with logprobs (top 3) the server sends ~2.5 times the
bytes and takes longer to write them. So a bare httpx-sse consumer (json.loads on each event)
reads both streams too, in the same run: `stream_ratio` is its on/off ratio (what the bigger
stream costs a plain script), and `ratio_beyond_stream` the pane's ratio over it (below 1 when
the app reads the bigger events faster than that script does).

    python benchmarks/logprobs_render.py [--tokens 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from httpx_sse import aconnect_sse
from PySide6.QtCore import QEvent, QObject, QTimer

from benchmarks._shared import (
    KEY,
    LagTimer,
    bare_chat,
    chat_body,
    run_with_window_loop,
    set_model_fault,
)
from benchmarks.chat_render import PaintWatcher
from playground.core import BasetenClient, Remote, Target
from playground.emulator.demo import CHAT
from playground.ui.chat.controller import ChatController
from playground.ui.chat.message_view import MessageView
from playground.ui.chat.pane import ChatPane


def shown_text(view: MessageView) -> str:
    """The answer as a person reads it: tinted tokens, the streamed text, or the document."""
    if view.logprobs.isVisible():
        return view.logprobs.toPlainText()
    if view.streaming.isVisible():
        return view.streaming.text()
    return view.content.toPlainText()


class TintWatcher(PaintWatcher):
    """chat_render's watcher, also watching the tinted view and reading what it shows."""

    def __init__(self, view: MessageView, expected: str) -> None:
        super().__init__(view, expected)
        self._widgets = (*self._widgets, view.logprobs)
        view.logprobs.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.shown.done():
            text = shown_text(self.view)
            if len(text) == len(self.expected) and text == self.expected:
                QTimer.singleShot(0, self._painted)
        return False


async def pane_run(
    pane: ChatPane, controller: ChatController, expected: str, *, logprobs: bool
) -> tuple[float, list[float], int]:
    """(seconds until the whole answer is on screen, lags, tokens with logprobs)"""
    pane.extras.options.logprobs_check.setChecked(logprobs)
    pane.extras.options.top_logprobs.setValue(3)
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
    view = pane.messages()[-1]
    watcher = TintWatcher(view, expected)
    try:
        on_screen = await asyncio.wait_for(watcher.shown, 120)
        await asyncio.wait_for(finished, 120)  # the next run must not overlap
    finally:
        timer.stop()
        watcher.remove()
        controller.answer_finished.disconnect(on_finished)
    if view.turn.content != expected:
        raise RuntimeError("the pane received a different answer this time")
    return on_screen - started, timer.lags_ms, len(view.turn.logprobs)


async def bare_run(http: httpx.AsyncClient, url: str, fault: str, *, logprobs: bool) -> float:
    """_shared.bare_chat's consumer, asking for logprobs (top 3) when `logprobs`: seconds."""
    body = {**chat_body(), **({"logprobs": True, "top_logprobs": 3} if logprobs else {})}
    headers = {"Authorization": f"Bearer {KEY}", "X-Emulator-Fault": fault}
    started = time.perf_counter()
    async with aconnect_sse(http, "POST", url, json=body, headers=headers) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            json.loads(event.data)
    return time.perf_counter() - started


async def measure(base_url: str, tokens: int, runs: int) -> dict[str, object]:
    fault = f"tokens={tokens},delay=0"
    target = Target(CHAT, "environment", "production")
    client = BasetenClient(Remote.local(base_url), KEY)
    controller = ChatController(client)
    pane = ChatPane()
    pane.resize(1000, 700)
    pane.show()
    pane.attach(controller, lambda: target)
    pane.model_combo.setCurrentText("demo-llm")
    times: dict[bool, list[float]] = {False: [], True: []}
    bare: dict[bool, list[float]] = {False: [], True: []}
    lags: dict[bool, list[float]] = {False: [], True: []}
    tinted = 0
    async with httpx.AsyncClient(timeout=120) as http:
        url = client.openai_base(target) + "/chat/completions"
        _, expected = await bare_chat(http, url, fault)  # the answer a person should see
        for logprobs in (False, True):  # a first run of each, not counted
            await set_model_fault(base_url, CHAT, fault)
            await pane_run(pane, controller, expected, logprobs=logprobs)
        for run in range(runs):
            for logprobs in (False, True) if run % 2 == 0 else (True, False):
                bare[logprobs].append(await bare_run(http, url, fault, logprobs=logprobs))
                await set_model_fault(base_url, CHAT, fault)
                elapsed, gaps, count = await pane_run(pane, controller, expected, logprobs=logprobs)
                times[logprobs].append(elapsed)
                lags[logprobs].extend(gaps)
                if logprobs:
                    tinted = count
    await controller.aclose()
    await client.aclose()
    pane.close()
    if tinted < tokens:
        raise RuntimeError(f"only {tinted} of {tokens} tokens came with logprobs")

    def p99(values: list[float]) -> float:
        values = sorted(values)
        return round(values[int(len(values) * 0.99) - 1], 2) if values else 0.0

    ratio = statistics.median(times[True]) / statistics.median(times[False])
    stream_ratio = statistics.median(bare[True]) / statistics.median(bare[False])
    return {
        "ratio": round(ratio, 3),
        "stream_ratio": round(stream_ratio, 3),
        "ratio_beyond_stream": round(ratio / stream_ratio, 3),
        "on_median_s": round(statistics.median(times[True]), 4),
        "off_median_s": round(statistics.median(times[False]), 4),
        "bare_on_median_s": round(statistics.median(bare[True]), 4),
        "bare_off_median_s": round(statistics.median(bare[False]), 4),
        "on_p99_lag_ms": p99(lags[True]),
        "off_p99_lag_ms": p99(lags[False]),
        "tokens": tinted,
        "answer_chars": len(expected),
        "runs": runs,
        "target": {"ratio": 1.5},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run_with_window_loop(lambda base_url: measure(base_url, args.tokens, args.runs))


if __name__ == "__main__":
    main()
