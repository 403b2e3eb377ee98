"""A 20,000-delta chat stream rendered by the real chat pane, against a bare httpx + httpx-sse consumer.

The local server runs in its own process. Both consume the same stream, interleaved; while the
pane renders, a 5 ms QTimer measures the event loop's lag (the gap beyond its period). The figure
is the ratio of medians (time until the whole answer is on screen, over the bare consumer's time).
Targets: ratio <= 1.3, p99 lag <= 8 ms, max lag <= 50 ms.

    python benchmarks/chat_render.py [--deltas 20000] [--runs 5]
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
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from benchmarks._server import KEY, emulator_process
from playground.core import BasetenClient, Remote, Target
from playground.emulator.demo import CHAT
from playground.ui.chat_controller import ChatController
from playground.ui.chat_pane import ChatPane
from playground.ui.loop import new_loop
from playground.ui.signals import first_signal

PERIOD_MS = 5


def body() -> dict[str, object]:
    return {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": "Count for me, please."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def bare(http: httpx.AsyncClient, url: str, fault: str) -> float:
    headers = {"Authorization": f"Bearer {KEY}", "X-Emulator-Fault": fault}
    started = time.perf_counter()
    parts: list[str] = []
    async with aconnect_sse(http, "POST", url, json=body(), headers=headers) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            choices = json.loads(event.data).get("choices")
            if choices and choices[0]["delta"].get("content"):
                parts.append(choices[0]["delta"]["content"])
    return time.perf_counter() - started


async def set_fault(http: httpx.AsyncClient, base_url: str, fault: str) -> None:
    """The next chat request to the model streams the long answer (a per-model fault)."""
    response = await http.put(
        f"{base_url}/_emulator/faults/{CHAT}",
        json={"spec": fault + ",count=1"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    response.raise_for_status()


async def pane_run(pane: ChatPane, controller: ChatController) -> tuple[float, list[float]]:
    gaps: list[float] = []
    last = time.perf_counter()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps.append(max(0.0, (now - last) * 1000 - PERIOD_MS))
        last = now

    timer = QTimer()
    timer.setInterval(PERIOD_MS)
    timer.timeout.connect(tick)
    pane.clear()
    last = time.perf_counter()
    timer.start()
    started = time.perf_counter()
    done = asyncio.ensure_future(first_signal(controller.answer_finished, within=120))
    pane.input.setPlainText("Count for me, please.")
    pane.send()
    await done
    await asyncio.sleep(0)  # the final render happens on the finished signal
    elapsed = time.perf_counter() - started
    timer.stop()
    return elapsed, gaps


async def measure(base_url: str, deltas: int, runs: int) -> dict[str, object]:
    fault = f"tokens={deltas},delay=0"
    client = BasetenClient(Remote.local(base_url), KEY)
    chat_base = client.openai_base(Target(CHAT, "environment", "production"))
    controller = ChatController(client)
    pane = ChatPane()
    pane.resize(1000, 700)
    pane.show()
    pane.attach(controller, lambda: chat_base)
    pane.model_combo.setCurrentText("demo-llm")
    pane_times: list[float] = []
    bare_times: list[float] = []
    lags: list[float] = []
    async with httpx.AsyncClient(timeout=120) as http:
        await bare(http, chat_base + "/chat/completions", fault)
        await set_fault(http, base_url, fault)
        await pane_run(pane, controller)
        for run in range(runs):
            for kind in ("bare", "pane") if run % 2 == 0 else ("pane", "bare"):
                if kind == "bare":
                    bare_times.append(await bare(http, chat_base + "/chat/completions", fault))
                else:
                    await set_fault(http, base_url, fault)
                    elapsed, gaps = await pane_run(pane, controller)
                    pane_times.append(elapsed)
                    lags.extend(gaps)
    text = pane.conversation.turns[-1].content
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
        "answer_chars": len(text),
        "deltas": deltas,
        "runs": runs,
        "targets": {"ratio": 1.3, "p99_lag_ms": 8, "max_lag_ms": 50},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with (
        emulator_process() as base_url,
        asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner,
    ):
        result = runner.run(measure(base_url, args.deltas, args.runs))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
