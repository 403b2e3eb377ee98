"""1,000 requests with 300 in flight through core, against a bare httpx loop at the same width.

The local server runs in its own process and answers every request after `latency` seconds (its
per-request fault header). Core gets all the requests at once and queues what does not fit, first
come, first served; the bare loop is what a careful script does: an asyncio.Semaphore as wide, in
front of an httpx client with as many connections. Both run in this process, one after the other,
after a short warm-up of each. The ratio is core's wall time over the bare loop's; the client's
peak RSS growth is measured over core's run (the peak reset first, where Linux allows it).
Target: no failure, ratio <= 1.15.

    python benchmarks/many_in_flight.py [--requests 1000] [--in-flight 300] [--latency 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._shared import KEY, emulator_process
from playground.core import BasetenClient, JsonBody, Limits, Remote, Target
from playground.emulator.demo import CLASSIFIER

BODY = {"text": "good"}


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


async def core_run(base_url: str, count: int, width: int, fault: str) -> int:
    """`count` requests through core, all asked for at once; the number that failed."""
    client = BasetenClient(Remote.local(base_url, "bench"), KEY, limits=Limits(max_in_flight=width))
    target = Target(CLASSIFIER)
    headers = {"X-Emulator-Fault": fault}

    async def one() -> bool:
        async for event in client.predict(target, BODY, headers=headers):
            if isinstance(event, JsonBody):
                return bool(event.value.get("label"))
        return False

    try:
        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    finally:
        await client.aclose()
    return sum(result is not True for result in results)


async def bare_run(base_url: str, count: int, width: int, fault: str) -> int:
    """The same requests with httpx alone, `width` at a time."""
    url = Target(CLASSIFIER).predict_url(Remote.local(base_url))
    headers = {"Authorization": f"Bearer {KEY}", "X-Emulator-Fault": fault}
    gate = asyncio.Semaphore(width)
    # As core does: idle connections go before the server's 5 s keep-alive closes them.
    limits = httpx.Limits(
        max_connections=width, max_keepalive_connections=width, keepalive_expiry=4.0
    )
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0)) as http:

        async def one() -> bool:
            async with gate:
                response = await http.post(url, json=BODY, headers=headers)
            return response.status_code == 200 and bool(response.json().get("label"))

        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    return sum(result is not True for result in results)


Run = Callable[[str, int, int, str], Awaitable[int]]


async def timed(run: Run, base_url: str, count: int, width: int, fault: str) -> tuple[float, int]:
    started = time.perf_counter()
    failures = await run(base_url, count, width, fault)
    return time.perf_counter() - started, failures


async def measure(base_url: str, count: int, width: int, latency: float) -> dict[str, object]:
    fault = f"latency={latency:g}"
    for run in (core_run, bare_run):  # warm-up: imports, the server's first connections
        await run(base_url, width, width, "latency=0")
    reset_peak()
    rss_before = rss_mb("VmRSS")
    core_s, core_failures = await timed(core_run, base_url, count, width, fault)
    rss_growth = rss_mb("VmHWM") - rss_before
    bare_s, bare_failures = await timed(bare_run, base_url, count, width, fault)
    return {
        "requests": count,
        "in_flight": width,
        "latency_s": latency,
        "core_s": round(core_s, 2),
        "bare_s": round(bare_s, 2),
        "core_failures": core_failures,
        "bare_failures": bare_failures,
        "ratio": round(core_s / bare_s, 3),
        "rss_growth_mb": round(rss_growth, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=300)
    parser.add_argument("--latency", type=float, default=3.0)
    args = parser.parse_args()
    with emulator_process() as base_url:
        result = asyncio.run(measure(base_url, args.requests, args.in_flight, args.latency))
    print(json.dumps(result))
    summary = {
        "failures": result["core_failures"],
        "ratio": result["ratio"],
        "rss_growth_mb": result["rss_growth_mb"],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
