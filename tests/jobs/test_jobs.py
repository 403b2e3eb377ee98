"""Every async request is a job: each state and option kept with its times, cancel, send again,
queue depth, a restart with jobs pending, and polling that meets 429s politely."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from playground.core import InvalidRequest, RetryPolicy
from playground.core.errors import ApiError
from playground.core.jobs.model import NOT_SENT, Job
from playground.core.jobs.store import JobStore
from playground.core.request.asyncopts import AsyncOptions
from playground.emulator import EmulatorServer, demo
from tests.conftest import fast_settings
from tests.jobs.helpers import CLASSIFIER, hold, open_jobs, run_until_done, statuses, store_path

ALL_OPTIONS = AsyncOptions(
    priority=2,
    max_time_in_queue_seconds=600,
    max_attempts=4,
    initial_delay_ms=20,
    max_delay_ms=200,
)


def test_a_job_goes_through_its_states_and_is_kept(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = store_path(tmp_path)

    async def main() -> Job:
        async with open_jobs(fresh_emulator, path) as jobs:
            hold(fresh_emulator, 0.4)
            await jobs.submit(CLASSIFIER, {"text": "first"})
            job = await jobs.submit(CLASSIFIER, {"text": "I love it"}, ALL_OPTIONS)
            seen: list[str] = []
            jobs.watcher.listeners.append(lambda j: seen.append(j.status))
            await run_until_done(jobs)
            assert "SUCCEEDED" in seen
            return job

    job = asyncio.run(main())
    kept = JobStore(path).find(job.request_id)
    assert kept is not None
    assert statuses(kept) == ["SENDING", "QUEUED", "IN_PROGRESS", "SUCCEEDED"]
    times = [at for _, at in kept.timeline]
    assert times == sorted(times)
    assert kept.status_at == times[-1]
    assert kept.body == {"text": "I love it"}
    assert kept.options == ALL_OPTIONS
    assert kept.webhook_status == "NO_WEBHOOK_PROVIDED"
    assert kept.deployment_id
    assert "Baseten keeps no output" in kept.describe()
    # The options reached the server as sent.
    server_job = fresh_emulator.emulator.state.queue.jobs[job.request_id]
    assert server_job.options.priority == 2
    assert server_job.options.max_attempts == 4
    assert server_job.options.initial_delay_ms == 20
    assert server_job.options.max_delay_ms == 200


def test_a_failed_job_keeps_its_errors_in_words(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    async def main() -> Job:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            fresh_emulator.emulator.state.set_model_faults(
                demo.CLASSIFIER, "job_fail=MODEL_PREDICT_ERROR,count=1"
            )
            job = await jobs.submit(CLASSIFIER, {"text": "x"})
            await run_until_done(jobs)
            return job

    job = asyncio.run(main())
    kept = JobStore(store_path(tmp_path)).find(job.request_id)
    assert kept is not None
    assert kept.status == "FAILED"
    assert kept.errors[0]["code"] == "MODEL_PREDICT_ERROR"
    assert "MODEL_PREDICT_ERROR: The model raised" in kept.describe()


def test_a_job_expires_in_the_queue(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    # time_scale 0.01: the 10 s minimum wait in the queue lasts 0.1 s here.
    async def main() -> Job:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            hold(fresh_emulator, 0.6)
            await jobs.submit(CLASSIFIER, {"text": "slow"})
            job = await jobs.submit(
                CLASSIFIER, {"text": "x"}, AsyncOptions(max_time_in_queue_seconds=10)
            )
            await run_until_done(jobs)
            return job

    job = asyncio.run(main())
    kept = JobStore(store_path(tmp_path)).find(job.request_id)
    assert kept is not None
    assert kept.status == "EXPIRED"
    assert "IN_PROGRESS" not in statuses(kept)


def test_cancel_while_queued_and_not_after(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    async def main() -> None:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            hold(fresh_emulator, 0.5)
            running = await jobs.submit(CLASSIFIER, {"text": "slow"})
            queued = await jobs.submit(CLASSIFIER, {"text": "x"})
            assert queued.can_cancel
            result = await jobs.cancel(queued)
            assert result.canceled
            assert result.job.status == "CANCELED"
            await asyncio.sleep(0.2)
            refused = await jobs.cancel(running)
            assert not refused.canceled
            assert "Only QUEUED requests can be canceled" in refused.message
            await run_until_done(jobs)
            kept = jobs.store.find(queued.request_id)
            assert kept is not None
            assert kept.status == "CANCELED"
            assert fresh_emulator.emulator.state.queue.jobs[queued.request_id].status == "CANCELED"
            done = jobs.store.find(running.request_id)
            assert done is not None
            assert done.status == "SUCCEEDED"

    asyncio.run(main())


def test_webhook_failed_is_seen_after_succeeded(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    async def main() -> Job:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            hook = AsyncOptions(webhook_endpoint="http://127.0.0.1:9/hook")
            job = await jobs.submit(CLASSIFIER, {"text": "x"}, hook)
            assert job.webhook_status == "PENDING"
            await run_until_done(jobs)
            return job

    job = asyncio.run(main())
    kept = JobStore(store_path(tmp_path)).find(job.request_id)
    assert kept is not None
    assert kept.status == "WEBHOOK_FAILED"
    assert kept.webhook_status == "FAILED"


@pytest.mark.parametrize(
    "options",
    [
        AsyncOptions(priority=3),
        AsyncOptions(max_time_in_queue_seconds=9),
        AsyncOptions(max_attempts=11),
        AsyncOptions(initial_delay_ms=10_001),
        AsyncOptions(max_delay_ms=-1),
        AsyncOptions(webhook_endpoint="http://example.com/hook"),
    ],
)
def test_options_out_of_range_are_refused_and_nothing_is_kept(
    fresh_emulator: EmulatorServer, tmp_path: Path, options: AsyncOptions
) -> None:
    async def main() -> None:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            with pytest.raises(InvalidRequest):
                await jobs.submit(CLASSIFIER, {"text": "x"}, options)
            assert jobs.store.list() == []

    asyncio.run(main())


def test_a_send_that_fails_is_kept_as_not_sent(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    async def main() -> None:
        async with open_jobs(fresh_emulator, store_path(tmp_path), retry=RetryPolicy(1)) as jobs:
            jobs.client.set_api_key("not-the-key-123456")
            with pytest.raises(ApiError):
                await jobs.submit(CLASSIFIER, {"text": "x"})
            (job,) = jobs.store.list()
            assert job.status == NOT_SENT
            assert job.is_terminal
            assert "401" in job.error
            assert not job.request_id

    asyncio.run(main())


def test_send_again_and_queue_depth(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    async def main() -> None:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            hold(fresh_emulator, 0.5)
            await jobs.submit(CLASSIFIER, {"text": "slow"})
            first = await jobs.submit(CLASSIFIER, {"text": "again"}, ALL_OPTIONS)
            second = await jobs.send_again(first)
            assert second.id != first.id
            assert second.request_id != first.request_id
            assert (second.body, second.options) == (first.body, first.options)
            await asyncio.sleep(0.1)
            depth = await jobs.queue_status(CLASSIFIER)
            assert (depth.queued, depth.in_progress) == (2, 1)
            await run_until_done(jobs)
            depth = await jobs.queue_status(CLASSIFIER)
            assert (depth.queued, depth.in_progress) == (0, 0)

    asyncio.run(main())


def test_jobs_pending_at_a_restart_are_picked_up(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = store_path(tmp_path)

    async def before() -> list[str]:
        async with open_jobs(fresh_emulator, path) as jobs:
            hold(fresh_emulator, 0.5)
            return [(await jobs.submit(CLASSIFIER, {"text": f"{n}"})).request_id for n in range(3)]

    ids = asyncio.run(before())
    assert {j.status for j in JobStore(path).pending()} == {"QUEUED"}

    async def after() -> None:
        async with open_jobs(fresh_emulator, path) as jobs:
            resumed = jobs.resume()
            assert sorted(j.request_id for j in resumed) == sorted(ids)
            await run_until_done(jobs)

    asyncio.run(after())
    store = JobStore(path)
    assert store.pending() == []
    assert {store.find(i).status for i in ids} == {"SUCCEEDED"}  # type: ignore[union-attr]


def test_a_429_pauses_polling_for_its_retry_after(tmp_path: Path) -> None:
    settings = fast_settings(rate_limits={"async_request": 3, "async_queue_status": 100})
    with EmulatorServer(settings) as server:

        async def main() -> tuple[int, list[float]]:
            async with open_jobs(server, store_path(tmp_path), retry=RetryPolicy(1)) as jobs:
                jobs.watcher.budget.rate = 50  # more than this server allows
                for n in range(4):
                    await jobs.submit(CLASSIFIER, {"text": f"{n}"})
                await run_until_done(jobs)
                assert all(j.status == "SUCCEEDED" for j in jobs.store.list())
                return jobs.watcher.stats.rate_limited, jobs.watcher.stats.polls

        limited, polls = asyncio.run(main())
    assert limited >= 1
    # After a 429 the watcher waits out its Retry-After (1 s) before polling again.
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    assert max(gaps) >= 0.9


def test_changes_come_as_an_async_iterator(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    async def main() -> list[str]:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            changes = jobs.watcher.changes()
            job = await jobs.submit(CLASSIFIER, {"text": "x"})
            watching = asyncio.get_running_loop().create_task(jobs.watcher.run())
            seen: list[str] = []
            async for changed in changes:
                assert changed.request_id == job.request_id
                seen.append(changed.status)
                if changed.is_terminal:
                    break
            watching.cancel()
            return seen

    seen = asyncio.run(main())
    assert seen[0] == "QUEUED"
    assert seen[-1] == "SUCCEEDED"


def test_a_job_the_server_no_longer_knows_is_said_and_no_longer_watched(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    """A 404 for a job's status (another server, or long past): said in words, not raised in a
    task nobody awaits, and the watch ends."""
    path = store_path(tmp_path)

    async def main() -> Job:
        async with open_jobs(fresh_emulator, path) as jobs:
            hold(fresh_emulator, 0.4)
            job = await jobs.submit(CLASSIFIER, {"text": "gone"})
            del fresh_emulator.emulator.state.queue.jobs[job.request_id]
            await run_until_done(jobs)
            assert jobs.watcher.watching == []
            return job

    job = asyncio.run(main())
    kept = JobStore(path).find(job.request_id)
    assert kept is not None
    assert kept.error.startswith("The server no longer knows this request: 404")
