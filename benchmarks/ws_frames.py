"""20,000 small text frames echoed through the window's WebSocket frame log, against a bare client
of the same library (`websockets`).

The local server runs in its own process; its echo model sends every frame back. The window's
side is the real WebSocket page (controller, session, frame log model and its table view, shown):
its clock runs from Connect's open socket until every frame both ways is a row of the log and the
table has painted. The bare client sends the same frames and reads the same echoes on the same
loop, interleaved with the window's runs. While the window runs, a 5 ms QTimer measures the event
loop's lag (the gap beyond its period). The figure is the ratio of medians (window over bare).
Targets: ratio <= 1.3, p99 lag <= 16 ms.

    python benchmarks/ws_frames.py [--frames 20000] [--runs 5]
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

from PySide6.QtCore import QTimer
from websockets.asyncio.client import connect

from benchmarks._shared import KEY, LagTimer, run_with_window_loop
from playground.core import BasetenClient, Remote, Target
from playground.core.ws.plan import OutFrame
from playground.core.ws.session import ws_url
from playground.emulator.demo.websockets import WS_ECHO
from playground.ui.signals import first_signal
from playground.ui.websocket.controller import WsController
from playground.ui.websocket.page import WsPage

QUEUE_CHUNK = 500


class BenchHost:
    """What the page asks of its window here: the target, and a status line nobody reads."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self.messages: list[str] = []

    def target(self) -> Target:
        return self._target

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.messages.append(text)


def frames(count: int) -> list[str]:
    return [f"frame {i:05d} hello" for i in range(count)]


async def window_run(page: WsPage, texts: list[str]) -> tuple[float, list[float]]:
    """(seconds from the open socket until every frame is a painted row, lags)"""
    controller, log = page.controller, page.controller.log
    want = 2 * len(texts)
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def painted() -> None:
        if not done.done():
            done.set_result(time.perf_counter())

    def on_rows(*_: object) -> None:
        if log.rowCount() == want:
            QTimer.singleShot(0, painted)  # after the paint of the frame that shows the last row

    opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_state(state: str, _words: str) -> None:
        if state == "open" and not opened.done():
            opened.set_result(None)

    controller.state_changed.connect(on_state)
    log.rowsInserted.connect(on_rows)
    timer = LagTimer()
    page.connect_session()
    await asyncio.wait_for(opened, 30)
    timer.start()
    started = time.perf_counter()
    for start in range(0, len(texts), QUEUE_CHUNK):  # as a script would feed it, in turns
        for text in texts[start : start + QUEUE_CHUNK]:
            controller.send(OutFrame.of_text(text))
        await asyncio.sleep(0)
    try:
        finished = await asyncio.wait_for(done, 120)
    finally:
        timer.stop()
        log.rowsInserted.disconnect(on_rows)
        controller.state_changed.disconnect(on_state)
    received = [f.data for f in log.frames if f.direction == "received"]
    if received != texts:
        raise RuntimeError("the window's log does not hold the echoes in order")
    ended = asyncio.ensure_future(first_signal(controller.session_finished, within=30))
    controller.close_session()
    await ended
    return finished - started, timer.lags_ms


async def bare_run(url: str, texts: list[str]) -> float:
    """What a careful script does with `websockets`: send them all, read them all back."""
    headers = {"Authorization": f"Api-Key {KEY}"}
    async with connect(url, additional_headers=headers, max_size=100 * 2**20) as ws:
        started = time.perf_counter()

        async def send_all() -> None:
            for text in texts:
                await ws.send(text)

        sender = asyncio.get_running_loop().create_task(send_all())
        received = [await ws.recv() for _ in texts]
        await sender
        elapsed = time.perf_counter() - started
    if received != texts:
        raise RuntimeError("the bare client's echoes differ")
    return elapsed


async def measure(base_url: str, count: int, runs: int) -> dict[str, object]:
    client = BasetenClient(Remote.local(base_url), KEY)
    target = Target(WS_ECHO, "environment", "production")
    url = ws_url(client, target)
    controller = WsController(client)
    page = WsPage(BenchHost(target), controller)  # type: ignore[arg-type]
    page.resize(1100, 700)
    page.show()
    texts = frames(count)
    window_times: list[float] = []
    bare_times: list[float] = []
    lags: list[float] = []
    await bare_run(url, texts[:200])  # warm both paths (imports, the server's first session)
    await window_run(page, texts[:200])
    for run in range(runs):
        for kind in ("bare", "window") if run % 2 == 0 else ("window", "bare"):
            if kind == "bare":
                bare_times.append(await bare_run(url, texts))
            else:
                elapsed, gaps = await window_run(page, texts)
                window_times.append(elapsed)
                lags.extend(gaps)
    await controller.aclose()
    await client.aclose()
    page.close()
    lags.sort()
    return {
        "window_median_s": round(statistics.median(window_times), 4),
        "bare_median_s": round(statistics.median(bare_times), 4),
        "max_lag_ms": round(lags[-1], 2) if lags else 0.0,
        "frames": count,
        "runs": runs,
        "targets": {"ratio": 1.3, "p99_lag_ms": 16},
        "ratio": round(statistics.median(window_times) / statistics.median(bare_times), 3),
        "p99_lag_ms": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run_with_window_loop(lambda base_url: measure(base_url, args.frames, args.runs))


if __name__ == "__main__":
    main()
