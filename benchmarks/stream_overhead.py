"""Overhead of the core chat client over a bare httpx + httpx-sse loop, on one 20,000-delta stream.

Both consume the same stream from the local server (in its own process), interleaved, several
times; the figure is the ratio of medians. Target: ratio <= 1.05.

    python benchmarks/stream_overhead.py [--deltas 20000] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._shared import KEY, bare_chat, chat_body, emulator_process
from playground.core import BasetenClient, ChatFinished, Remote, Target
from playground.emulator.demo import CHAT


async def core(client: BasetenClient, base: str, fault: str) -> tuple[float, str]:
    started = time.perf_counter()
    content = ""
    async for event in client.chat(base, chat_body(), headers={"X-Emulator-Fault": fault}):
        if isinstance(event, ChatFinished):
            content = event.result.content
    return time.perf_counter() - started, content


async def measure(base_url: str, deltas: int, runs: int) -> dict[str, object]:
    fault = f"tokens={deltas},delay=0"
    client = BasetenClient(Remote.local(base_url), KEY)
    chat_base = client.openai_base(Target(CHAT, "environment", "production"))
    url = chat_base + "/chat/completions"
    core_times: list[float] = []
    bare_times: list[float] = []
    async with httpx.AsyncClient(timeout=120) as http:
        _, warm_bare = await bare_chat(http, url, fault)
        _, warm_core = await core(client, chat_base, fault)
        if warm_bare != warm_core:
            raise SystemExit("the two consumers disagree about the streamed text")
        for run in range(runs):
            # Alternate who goes first, so drift in the machine's speed hits both alike.
            order = (bare_chat, core) if run % 2 == 0 else (core, bare_chat)
            for consumer in order:
                if consumer is bare_chat:
                    bare_times.append((await bare_chat(http, url, fault))[0])
                else:
                    core_times.append((await core(client, chat_base, fault))[0])
    await client.aclose()
    core_median = statistics.median(core_times)
    bare_median = statistics.median(bare_times)
    return {
        "ratio": round(core_median / bare_median, 4),
        "core_median_s": round(core_median, 4),
        "bare_median_s": round(bare_median, 4),
        "core_s": [round(t, 4) for t in core_times],
        "bare_s": [round(t, 4) for t in bare_times],
        "deltas": deltas,
        "runs": runs,
        "target_ratio": 1.05,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with emulator_process() as base_url:
        result = asyncio.run(measure(base_url, args.deltas, args.runs))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
