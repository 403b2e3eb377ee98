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
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._shared import KEY, LagTimer, bare_chat, run_with_window_loop, set_model_fault
from playground.core import BasetenClient, Remote, Target
from playground.emulator.demo import CHAT
from playground.ui.chat.controller import ChatController
from playground.ui.chat.pane import ChatPane
from playground.ui.signals import first_signal


async def pane_run(pane: ChatPane, controller: ChatController) -> tuple[float, list[float]]:
    timer = LagTimer()
    pane.clear()
    timer.start()
    started = time.perf_counter()
    done = asyncio.ensure_future(first_signal(controller.answer_finished, within=120))
    pane.input.setPlainText("Count for me, please.")
    pane.send()
    await done
    await asyncio.sleep(0)  # the final render happens on the finished signal
    elapsed = time.perf_counter() - started
    timer.stop()
    return elapsed, timer.lags_ms


async def measure(base_url: str, deltas: int, runs: int) -> dict[str, object]:
    fault = f"tokens={deltas},delay=0"
    client = BasetenClient(Remote.local(base_url), KEY)
    chat_base = client.openai_base(Target(CHAT, "environment", "production"))
    controller = ChatController(client)
    pane = ChatPane()
    pane.resize(1000, 700)
    pane.show()
    pane.attach(controller, lambda: Target(CHAT, "environment", "production"))
    pane.model_combo.setCurrentText("demo-llm")
    pane_times: list[float] = []
    bare_times: list[float] = []
    lags: list[float] = []
    async with httpx.AsyncClient(timeout=120) as http:
        await bare_chat(http, chat_base + "/chat/completions", fault)
        await set_model_fault(base_url, CHAT, fault)
        await pane_run(pane, controller)
        for run in range(runs):
            for kind in ("bare", "pane") if run % 2 == 0 else ("pane", "bare"):
                if kind == "bare":
                    seconds, _ = await bare_chat(http, chat_base + "/chat/completions", fault)
                    bare_times.append(seconds)
                else:
                    await set_model_fault(base_url, CHAT, fault)
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
    run_with_window_loop(lambda base_url: measure(base_url, args.deltas, args.runs))


if __name__ == "__main__":
    main()
