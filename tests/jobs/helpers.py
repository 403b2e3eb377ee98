"""Jobs against the local server: a Jobs of its own store and client, run on one loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playground.core import BasetenClient, Remote, RetryPolicy, Target
from playground.core.jobs.jobs import Jobs
from playground.core.jobs.model import Job
from playground.core.jobs.store import JobStore
from playground.core.jobs.watcher import JobWatcher
from playground.emulator import EmulatorServer, demo

CLASSIFIER = Target(demo.CLASSIFIER)
FAULT = "X-Emulator-Fault"


def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@asynccontextmanager
async def open_jobs(
    server: EmulatorServer,
    path: Path,
    *,
    retry: RetryPolicy | None = None,
    **watch: object,
) -> AsyncIterator[Jobs]:
    client = BasetenClient(Remote.local(server.base_url), server.api_key, retry=retry)
    store = JobStore(path)
    watcher = JobWatcher(client.jobs, store, fast=0.05, slow=0.3, **watch)  # type: ignore[arg-type]
    try:
        yield Jobs(client, store, watcher)
    finally:
        await client.aclose()
        store.close()


async def run_until_done(jobs: Jobs, seconds: float = 20.0) -> None:
    async with asyncio.timeout(seconds):
        await jobs.watcher.run(until_idle=True)


def statuses(job: Job) -> list[str]:
    return [status for status, _ in job.timeline]


def hold(server: EmulatorServer, seconds: float, model_id: str = demo.CLASSIFIER) -> None:
    """The next async job on the model runs `seconds` longer, so that later ones queue."""
    server.emulator.state.set_model_faults(model_id, f"latency={seconds},count=1")
