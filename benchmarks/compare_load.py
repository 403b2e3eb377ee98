"""Six columns of the real compare view streaming 2,000-token chat answers at once, against a bare client.

The local server runs in its own process. In each round the compare view sends one request to
six targets of the demo chat model (every column streams live, batched on the 33 ms tick of the
FrameBatcher that every streaming view shares) and, at the same moment, a bare httpx + httpx-sse
client in a third process sends the same six streams, so that both meet the same server at the
same time. While the view renders, a 5 ms QTimer measures the event loop's lag. Each column's
displayed tokens/s (read from its metrics strip, which shows core's `Metrics.tokens_per_s`) is
compared with the bare client's rate for the same target, measured the same way: completion
tokens after the first over the time from the first token to the end. Rates are medians over the
rounds; the first round only warms up.
Targets: p99 lag <= 16 ms, max rate error <= 0.05.

    python benchmarks/compare_load.py [--tokens 2000] [--delay 0.004] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._shared import KEY, LagTimer, run_with_window_loop
from playground.core import BasetenClient, Remote, Target
from playground.core.request.spec import Column, RequestSpec
from playground.emulator.demo import CHAT
from playground.ui.compare.view import CompareView
from playground.ui.signals import first_signal

TARGETS = (
    Target(CHAT, "environment", "production"),
    Target(CHAT, "environment", "staging"),
    Target(CHAT, "development"),
    Target(CHAT, "deployment", "lc4p1ra"),
    Target(CHAT, "deployment", "lc4p2sb"),
    Target(CHAT, "deployment", "lc4p3tc"),
)


def body(tokens: int) -> dict[str, object]:
    return {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": f"Count to {tokens}, please."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def bare_rate(
    http: httpx.AsyncClient, url: str, request: dict[str, object], fault: str
) -> float:
    """Tokens/s as core's Metrics defines it, from a bare client's own clock: completion tokens
    (from the usage chunk) after the first, over the time from the first content delta to the end.

    Light on purpose: it runs beside the window on the same two cores, so it parses events only
    until the first content delta, then only looks for the end and reads the usage there."""
    headers = {"Authorization": f"Bearer {KEY}", "X-Emulator-Fault": fault}
    started = time.perf_counter()
    first: float | None = None
    tail = b""
    async with http.stream("POST", url, json=request, headers=headers) as response:
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            tail = (tail + chunk)[-4096:]
            if first is None:
                for data in _events(tail):
                    choices = data.get("choices") if isinstance(data, dict) else None
                    if choices and choices[0]["delta"].get("content"):
                        first = time.perf_counter() - started
                        break
            if b"data: [DONE]" in tail:
                break
    total = time.perf_counter() - started
    usage = next((d["usage"] for d in _events(tail) if isinstance(d.get("usage"), dict)), {})
    tokens = int(usage.get("completion_tokens", 0))
    if first is None or tokens < 2:
        raise RuntimeError(f"the stream had {tokens} tokens")
    return (tokens - 1) / (total - first)


def _events(raw: bytes) -> list[dict[str, object]]:
    """The whole JSON `data:` events in a stretch of an SSE stream."""
    out = []
    for line in raw.split(b"\n"):
        if line.startswith(b"data: {"):
            try:
                out.append(json.loads(line[6:]))
            except ValueError:
                continue  # cut at the stretch's edge
    return out


async def view_round(view: CompareView) -> tuple[list[float], list[float]]:
    """One Send to all; (each column's displayed tokens/s, the loop's lags in ms)."""
    timer = LagTimer()
    timer.start()
    done = asyncio.ensure_future(first_signal(view.controller.run_finished, within=100))
    view.send_all()
    await done
    await asyncio.sleep(0.05)  # the last tick
    timer.stop()
    errors = [c.banner.text() for c in view.columns if c.banner.isVisible()]
    if errors:
        raise RuntimeError(f"a column failed: {errors}")
    rates = [float(c.figure_labels["tokens_per_s"].text()) for c in view.columns]
    return rates, timer.lags_ms


class BareWorker:
    """The bare client in its own process (its own GIL), started with the view's round, so that
    both see the same server at the same moment: one twin stream per column."""

    def __init__(self, urls: list[str], request: dict[str, object], fault: str) -> None:
        job = json.dumps({"urls": urls, "request": request, "fault": fault})
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--bare-worker", job],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    async def round(self) -> list[float]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        line = await asyncio.get_running_loop().run_in_executor(None, self.proc.stdout.readline)
        if not line:
            raise RuntimeError("the bare client stopped")
        rates: list[float] = json.loads(line)
        return rates

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def bare_worker(job: str) -> None:
    """The worker's side: one round of twin streams per `go` line, rates printed as JSON."""
    spec = json.loads(job)

    async def work() -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            for _ in sys.stdin:
                rates = await asyncio.gather(
                    *(bare_rate(http, url, spec["request"], spec["fault"]) for url in spec["urls"])
                )
                print(json.dumps(rates), flush=True)

    asyncio.run(work())


async def measure(base_url: str, tokens: int, delay: float, runs: int) -> dict[str, object]:
    fault = f"tokens={tokens},delay={delay}"
    client = BasetenClient(Remote.local(base_url), KEY)
    view = CompareView(client)
    view.resize(1600, 900)
    view.show()
    request = body(tokens)
    view.set_request(RequestSpec("chat", TARGETS[0], request, headers={"X-Emulator-Fault": fault}))
    view.set_columns([Column(target) for target in TARGETS])
    urls = [client.openai_base(target) + "/chat/completions" for target in TARGETS]
    worker = BareWorker(urls, request, fault)
    shown: list[list[float]] = [[] for _ in TARGETS]
    bare: list[list[float]] = [[] for _ in TARGETS]
    lags: list[float] = []
    try:
        for run in range(runs + 1):  # the first round warms both up and is not counted
            (rates, gaps), twins = await asyncio.gather(view_round(view), worker.round())
            if run == 0:
                continue
            lags.extend(gaps)
            for i, (rate, twin) in enumerate(zip(rates, twins, strict=True)):
                shown[i].append(rate)
                bare[i].append(twin)
    finally:
        worker.close()
    chars = [len(c.text()) for c in view.columns]
    view.cancel()
    view.close()
    await client.aclose()
    shown_medians = [statistics.median(r) for r in shown]
    bare_medians = [statistics.median(r) for r in bare]
    errors = [abs(s - b) / b for s, b in zip(shown_medians, bare_medians, strict=True)]
    lags.sort()
    return {
        "p99_lag_ms": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else 0.0,
        "max_rate_error": round(max(errors), 4),
        "max_lag_ms": round(lags[-1], 2) if lags else 0.0,
        "shown_tokens_per_s": [round(r, 1) for r in shown_medians],
        "bare_tokens_per_s": [round(r, 1) for r in bare_medians],
        "answer_chars": chars,
        "columns": len(TARGETS),
        "tokens": tokens,
        "runs": runs,
        "targets": {"p99_lag_ms": 16, "max_rate_error": 0.05},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.004, help="seconds per token")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bare-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        bare_worker(args.bare_worker)
        return
    run_with_window_loop(lambda base_url: measure(base_url, args.tokens, args.delay, args.runs))


if __name__ == "__main__":
    main()
