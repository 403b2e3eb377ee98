"""200 async jobs on 8 demo deployments (successes, failures, expiries, cancels, priorities 0-2;
all over within ~35 s), watched at once by core's JobWatcher and, in the same run with a key of
its own, by a bare poller that asks for every job at one fixed interval, as fast as Baseten's
100 rps status limit (baseten-api.md §0) allows it (n / 90 s). Lag: when each watcher first saw
a job's terminal state, minus the server's `status_at` for it. The local server runs in its own
process.

Last line: {"max_lag_s", "peak_rps", "rate_limited", "baseline_max_lag_s"}."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from playground.core import BasetenClient, Remote, RetryPolicy, Target
from playground.core.jobs.jobs import Jobs
from playground.core.jobs.model import Job
from playground.core.jobs.store import JobStore
from playground.core.jobs.watcher import RateBudget
from playground.core.request.asyncopts import TERMINAL, AsyncOptions
from playground.emulator import demo

KEY, BASELINE_KEY = "bench-jobs-key-0123456789", "bench-baseline-key-0123456789"
JOBS = 200
RATE = 90.0
TARGETS = [
    Target(demo.CLASSIFIER),
    Target(demo.CLASSIFIER, "environment", "staging"),
    Target(demo.CLASSIFIER, "development"),
    Target(demo.CUSTOM),
    Target(demo.CUSTOM, "development"),
    Target(demo.NDJSON),
    Target(demo.STREAMER),
    Target(demo.STREAMER, "development"),
]
SERVER = f"""
from playground.emulator import EmulatorServer, EmulatorSettings
settings = EmulatorSettings(api_keys=[{KEY!r}, {BASELINE_KEY!r}], async_run_seconds=0.3)
server = EmulatorServer(settings, port=0)
print(server.base_url, flush=True)
server.serve_forever()
"""


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def plan(rng: random.Random) -> list[tuple[Target, AsyncOptions, str, bool]]:
    """Each job's target, options, fault header and whether it is to be canceled."""
    jobs = []
    for n in range(JOBS):
        target = TARGETS[n % len(TARGETS)]
        late = n >= JOBS * 3 // 4  # at the back of its queue
        roll = rng.random()
        fault = f"latency={rng.uniform(0.0, 0.9):.2f}"
        options = AsyncOptions(priority=rng.randint(0, 2))
        if roll < 0.1:
            fault += ",job_fail=MODEL_PREDICT_ERROR"
        elif late and roll < 0.2:
            options = AsyncOptions(priority=2, max_time_in_queue_seconds=10)  # EXPIRED
        jobs.append((target, options, fault, late and 0.2 <= roll < 0.27))
    return jobs


async def baseline(base: str, jobs: list[Job], seen: dict[str, float]) -> int:
    """Every job polled at one fixed interval that keeps all of them under RATE a second."""
    interval = len(jobs) / RATE
    limited = 0
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {BASELINE_KEY}"}) as http:

        async def poll(job: Job, offset: float) -> None:
            nonlocal limited
            await asyncio.sleep(offset)
            host = f"{'chain' if job.target.is_chain else 'model'}-{job.target.model_id}"
            while True:
                response = await http.get(f"{base}/{host}/async_request/{job.request_id}")
                if response.status_code == 429:
                    limited += 1
                elif response.json()["status"] in TERMINAL:
                    seen[job.request_id] = time.time()
                    return
                await asyncio.sleep(interval)

        await asyncio.gather(*(poll(j, i * interval / len(jobs)) for i, j in enumerate(jobs)))
    return limited


async def main(base: str, folder: Path) -> dict[str, Any]:
    rng = random.Random(19)
    client = BasetenClient(Remote.local(base), KEY, retry=RetryPolicy(1))
    store = JobStore(folder / "history.sqlite3")
    jobs = Jobs(client, store)
    seen: dict[str, float] = {}
    all_seen = asyncio.Event()

    def listen(job: Job) -> None:
        if job.is_terminal:
            seen.setdefault(job.request_id, time.time())
            if len(seen) == JOBS:
                all_seen.set()

    jobs.watcher.listeners.append(listen)
    watching = asyncio.get_running_loop().create_task(jobs.watcher.run())
    started = time.monotonic()
    submitted: list[Job] = []
    to_cancel: list[Job] = []
    for target, options, fault, cancel in plan(rng):
        job = await jobs.submit(target, {"text": "I love it"}, options, {"X-Emulator-Fault": fault})
        submitted.append(job)
        if cancel:
            to_cancel.append(job)
    baseline_seen: dict[str, float] = {}
    baseline_task = asyncio.get_running_loop().create_task(baseline(base, submitted, baseline_seen))
    await asyncio.sleep(1.0)
    for job in to_cancel:
        await jobs.cancel(job)
    await all_seen.wait()
    baseline_limited = await baseline_task
    took = time.monotonic() - started
    watching.cancel()
    # The server's own terminal times, asked once each within the limit.
    budget = RateBudget(RATE)
    final: dict[str, dict[str, Any]] = {}
    for job in submitted:
        await budget.take()
        final[job.request_id] = (await client.jobs.status(job.target, job.request_id)).raw
    await client.aclose()
    store.close()
    lags = [seen[r] - parse_time(s["status_at"]) for r, s in final.items()]
    base_lags = [baseline_seen[r] - parse_time(s["status_at"]) for r, s in final.items()]
    worst = sorted(
        ((seen[r] - parse_time(s["status_at"]), s["status"], r) for r, s in final.items()),
        reverse=True,
    )[:5]
    print(json.dumps({"slowest_seen": [[round(lag, 2), status] for lag, status, _ in worst]}))
    counts: dict[str, int] = {}
    for status in final.values():
        counts[status["status"]] = counts.get(status["status"], 0) + 1
    print(json.dumps({"jobs": len(submitted), "seconds": round(took, 1), "outcomes": counts}))
    print(
        json.dumps(
            {
                "watcher_polls": len(jobs.watcher.stats.polls),
                "watcher_queue_polls": jobs.watcher.stats.queue_polls,
                "baseline_interval_s": round(len(submitted) / RATE, 2),
                "baseline_rate_limited": baseline_limited,
            }
        )
    )
    return {
        "max_lag_s": round(max(lags), 3),
        "peak_rps": jobs.watcher.stats.peak_rps(),
        "rate_limited": jobs.watcher.stats.rate_limited,
        "baseline_max_lag_s": round(max(base_lags), 3),
    }


if __name__ == "__main__":
    with (
        subprocess.Popen(
            [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
        ) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().strip()
            result = asyncio.run(main(base_url, Path(folder)))
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(result))
