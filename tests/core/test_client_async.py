"""Async inference: submit with options, watch the lifecycle, priority, cancel, queue depth, failures, chains."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from playground.core import ApiError, BasetenClient, InvalidRequest, Remote, Target
from playground.core.api.asyncjobs import AsyncJobs, AsyncOptions, AsyncStatus, PollPolicy
from playground.emulator import EmulatorServer, demo
from playground.emulator.asyncq import AsyncJob
from playground.emulator.asyncq import AsyncOptions as ServerAsyncOptions
from playground.emulator.streams import RequestRecord
from tests.core.helpers import NO_RETRY, deployment_id, open_client, run

FAST_POLL = PollPolicy(first=0.05, factor=1.5, longest=0.1)
CLASSIFIER = Target(demo.CLASSIFIER)


def in_lifecycle_order(statuses: list[AsyncStatus]) -> bool:
    """Each status once, in the order a job goes through them (a quick one may skip some)."""
    order = ["QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED"]
    steps = [order.index(s.status) for s in statuses]
    return steps == sorted(set(steps)) and not any(s.is_terminal for s in statuses[:-1])


async def watch_all(client: BasetenClient, target: Target, request_id: str) -> list[AsyncStatus]:
    return [status async for status in client.jobs.watch(target, request_id, FAST_POLL)]


async def hold_queue(server: EmulatorServer, client: BasetenClient, seconds: float) -> str:
    """Submit a job that runs for `seconds` more than usual, so that the next ones wait behind it."""
    server.emulator.state.set_model_faults(demo.CLASSIFIER, f"latency={seconds},count=1")
    request_id = await client.jobs.submit(CLASSIFIER, {"text": "a slow one"})
    assert demo.CLASSIFIER not in server.emulator.state.model_faults  # the submit took the fault

    for _ in range(40):  # 20 status calls a second is Baseten's limit; stay under it
        if (await client.jobs.status(CLASSIFIER, request_id)).status == "IN_PROGRESS":
            return request_id
        await asyncio.sleep(0.06)
    raise AssertionError("the slow job never started")


def test_submit_and_watch_the_lifecycle_in_order(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    options = AsyncOptions(
        priority=1,
        max_time_in_queue_seconds=600,
        max_attempts=2,
        initial_delay_ms=10,
        max_delay_ms=100,
    )

    async def main() -> tuple[str, list[AsyncStatus]]:
        async with open_client(server) as client:
            await hold_queue(server, client, 0.3)
            # The watched job runs a little longer too, so that a 0.1 s poll cannot miss it.
            server.emulator.state.set_model_faults(demo.CLASSIFIER, "latency=0.2,count=1")
            request_id = await client.jobs.submit(CLASSIFIER, {"text": "great"}, options)
            return request_id, await watch_all(client, CLASSIFIER, request_id)

    request_id, statuses = run(main())
    assert [s.status for s in statuses] == ["QUEUED", "IN_PROGRESS", "SUCCEEDED"]
    assert all(s.request_id == request_id for s in statuses)
    assert statuses[-1].is_terminal
    assert not any(s.is_terminal for s in statuses[:-1])
    assert statuses[-1].webhook_status == "NO_WEBHOOK_PROVIDED"
    assert statuses[-1].errors == ()
    assert statuses[-1].deployment_id == deployment_id(server, demo.CLASSIFIER)
    # The options went out as Baseten's AsyncPredictRequest fields.
    job = server.emulator.state.queue.get(request_id)
    assert job is not None
    assert job.model_input == {"text": "great"}
    assert (job.options.priority, job.options.max_time_in_queue_seconds) == (1, 600)
    assert (job.options.max_attempts, job.options.initial_delay_ms, job.options.max_delay_ms) == (
        2,
        10,
        100,
    )
    assert job.output == {"label": "positive", "score": 0.99}


def test_lower_priority_value_runs_first(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator

    async def main() -> tuple[AsyncStatus, AsyncStatus]:
        async with open_client(server) as client:
            await hold_queue(server, client, 0.3)
            later = await client.jobs.submit(
                CLASSIFIER, {"text": "later"}, AsyncOptions(priority=2)
            )
            sooner = await client.jobs.submit(
                CLASSIFIER, {"text": "sooner"}, AsyncOptions(priority=0)
            )
            queue = await client.jobs.queue(CLASSIFIER)
            assert queue["num_queued_requests"] == 2
            assert queue["num_in_progress_requests"] == 1
            ends = [(await watch_all(client, CLASSIFIER, rid))[-1] for rid in (later, sooner)]
            return ends[0], ends[1]

    later, sooner = run(main())
    assert later.status == sooner.status == "SUCCEEDED"
    finished_at = {
        s.request_id: datetime.fromisoformat(s.raw["status_at"]) for s in (later, sooner)
    }
    assert finished_at[sooner.request_id] < finished_at[later.request_id]


def test_cancel_a_queued_job_and_see_the_queue_depth(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator

    async def main() -> dict[str, Any]:
        async with open_client(server) as client:
            running = await hold_queue(server, client, 2.0)
            waiting = await client.jobs.submit(
                CLASSIFIER, {"text": "wait"}, AsyncOptions(priority=2)
            )
            depth = await client.jobs.queue(CLASSIFIER)
            canceled = await client.jobs.cancel(CLASSIFIER, waiting)
            after = await client.jobs.status(CLASSIFIER, waiting)
            depth_after = await client.jobs.queue(CLASSIFIER)
            refused = await client.jobs.cancel(CLASSIFIER, running)
            return {
                "waiting": waiting,
                "depth": depth,
                "canceled": canceled,
                "after": after,
                "depth_after": depth_after,
                "refused": refused,
            }

    seen = run(main())
    assert seen["depth"] == {
        "model_id": demo.CLASSIFIER,
        "deployment_id": deployment_id(server, demo.CLASSIFIER),
        "num_queued_requests": 1,
        "num_in_progress_requests": 1,
    }
    assert seen["canceled"]["canceled"] is True
    assert seen["canceled"]["request_id"] == seen["waiting"]
    assert seen["after"].status == "CANCELED"
    assert seen["after"].is_terminal
    assert seen["depth_after"]["num_queued_requests"] == 0
    assert seen["refused"]["canceled"] is False
    assert "IN_PROGRESS" in seen["refused"]["message"]


def test_a_failing_job_ends_failed_with_its_errors(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator

    async def main() -> list[AsyncStatus]:
        async with open_client(server) as client:
            server.emulator.state.set_model_faults(
                demo.CLASSIFIER, "job_fail=MODEL_PREDICT_ERROR,count=1"
            )
            request_id = await client.jobs.submit(CLASSIFIER, {"text": "boom"})
            return await watch_all(client, CLASSIFIER, request_id)

    statuses = run(main())
    last = statuses[-1]
    assert last.status == "FAILED"
    assert last.is_terminal
    assert in_lifecycle_order(statuses)
    (error,) = last.errors
    assert error["code"] == "MODEL_PREDICT_ERROR"
    assert error["message"]


def test_chain_async_run_remote(emulator: EmulatorServer) -> None:
    chain = Target(demo.CHAIN, is_chain=True)

    async def main() -> list[AsyncStatus]:
        async with open_client(emulator) as client:
            # A chain takes the entrypoint's arguments bare, with no model_input around them.
            request_id = await client.jobs.submit(chain, {"question": "How do I rotate my key?"})
            return await watch_all(client, chain, request_id)

    statuses = run(main())
    last = statuses[-1]
    assert last.status == "SUCCEEDED"
    assert last.raw["chain_id"] == demo.CHAIN
    assert "model_id" not in last.raw
    assert in_lifecycle_order(statuses)


def test_status_of_an_unknown_request_is_a_404(emulator: EmulatorServer) -> None:
    async def main() -> None:
        async with open_client(emulator, retry=NO_RETRY) as client:
            await client.jobs.status(CLASSIFIER, "0" * 32)

    with pytest.raises(ApiError) as caught:
        run(main())
    assert caught.value.status == 404
    assert caught.value.request_id
    assert caught.value.hint


def _last_record(server: EmulatorServer) -> str | None:
    return next(reversed(server.emulator.state.records), None)


def _records_since(server: EmulatorServer, before: str | None) -> list[RequestRecord]:
    """What the server saw after the request `before` (every request, if None)."""
    records = list(server.emulator.state.records.values())
    ids = [record.request_id for record in records]
    return records[ids.index(before) + 1 :] if before in ids else records


async def _submitted(
    server: EmulatorServer,
    client: BasetenClient,
    target: Target,
    model_input: Any,
    options: AsyncOptions | None = None,
) -> tuple[AsyncJob, RequestRecord]:
    """Submit through the client: the job the server queued, and its record of the call."""
    before = _last_record(server)
    request_id = await client.jobs.submit(target, model_input, options)
    (record,) = [
        r
        for r in _records_since(server, before)
        if r.path.endswith(("/async_predict", "/async_run_remote"))
    ]
    job = server.emulator.state.queue.get(request_id)
    assert job is not None
    return job, record


def _refused(
    server: EmulatorServer, target: Target, model_input: Any, options: AsyncOptions | None
) -> InvalidRequest:
    """The client's refusal of a submit, checked to have sent nothing (the server would have
    answered a bad one with a 400 ApiError, not this)."""

    async def main() -> InvalidRequest:
        async with open_client(server, retry=NO_RETRY) as client:
            before = _last_record(server)
            with pytest.raises(InvalidRequest) as caught:
                await client.jobs.submit(target, model_input, options)
            assert _last_record(server) == before, "an invalid request was sent"
            return caught.value

    return run(main())


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (AsyncOptions(priority=3), "priority"),
        (AsyncOptions(priority=-1), "priority"),
        (AsyncOptions(max_time_in_queue_seconds=5), "max_time_in_queue_seconds"),
        (AsyncOptions(max_time_in_queue_seconds=259_201), "max_time_in_queue_seconds"),
        (AsyncOptions(max_attempts=0), "max_attempts"),
        (AsyncOptions(max_attempts=11), "max_attempts"),
        (AsyncOptions(initial_delay_ms=10_001), "initial_delay_ms"),
        (AsyncOptions(max_delay_ms=-1), "max_delay_ms"),
        (AsyncOptions(webhook_endpoint="http://example.com/hook"), "https"),
        (AsyncOptions(webhook_endpoint="ftp://example.com/hook"), "https"),
    ],
)
def test_invalid_options_are_refused_before_sending(
    emulator: EmulatorServer, options: AsyncOptions, words: str
) -> None:
    assert words in str(_refused(emulator, CLASSIFIER, {"text": "x"}, options))


@pytest.mark.parametrize("options", [AsyncOptions(priority=7), AsyncOptions(priority=1)])
def test_a_chain_takes_no_async_options(emulator: EmulatorServer, options: AsyncOptions) -> None:
    # async_run_remote's body is the entrypoint's arguments, so options would be dropped silently.
    chain = Target(demo.CHAIN, is_chain=True)
    assert "takes no async options" in str(_refused(emulator, chain, {"question": "q"}, options))


@pytest.mark.parametrize("is_chain", [False, True], ids=["model", "chain"])
def test_a_body_over_256_kib_is_refused_before_sending(
    emulator: EmulatorServer, is_chain: bool
) -> None:
    target = Target(demo.CHAIN if is_chain else demo.CLASSIFIER, is_chain=is_chain)
    assert "256 KiB" in str(_refused(emulator, target, {"text": "x" * (256 * 1024)}, None))


def test_the_request_body_carries_only_the_options_given(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    options = AsyncOptions(
        webhook_endpoint="https://hooks.example.com/done", priority=0, max_attempts=4
    )
    # The body is built without a socket; the server cannot tell an option left out from its
    # default, so exactly what goes in it is checked here and what arrived below.
    assert options.body({"text": "x"}) == {
        "model_input": {"text": "x"},
        "webhook_endpoint": "https://hooks.example.com/done",
        "priority": 0,
        "inference_retry_config": {"max_attempts": 4},
    }
    assert (
        CLASSIFIER.url(Remote.baseten(), "async_predict")
        == f"https://model-{demo.CLASSIFIER}.api.baseten.co/production/async_predict"
    )

    async def main() -> tuple[AsyncJob, RequestRecord]:
        async with open_client(server) as client:
            await hold_queue(server, client, 2.0)
            job, record = await _submitted(server, client, CLASSIFIER, {"text": "x"}, options)
            # Canceled while queued: no webhook ever leaves for the made-up host.
            assert (await client.jobs.cancel(CLASSIFIER, job.request_id))["canceled"] is True
            return job, record

    job, record = run(main())
    assert record.method == "POST"
    assert record.path == f"/model-{demo.CLASSIFIER}/production/async_predict"
    assert record.headers["authorization"] == f"Bearer {server.api_key}"
    assert record.headers["content-type"] == "application/json"
    assert job.model_input == {"text": "x"}
    assert job.options == ServerAsyncOptions(
        webhook_endpoint="https://hooks.example.com/done",
        priority=0,
        max_time_in_queue_seconds=600,  # Baseten's defaults for what was left out
        max_attempts=4,
        initial_delay_ms=1000,
        max_delay_ms=5000,
    )


def test_a_plain_http_webhook_is_allowed_to_this_machine_only(
    fresh_emulator: EmulatorServer,
) -> None:
    server = fresh_emulator
    urls = ("http://127.0.0.1:8123/hook", "http://localhost/hook", "http://[::1]:9/hook")

    async def main() -> list[str | None]:
        async with open_client(server) as client:
            await hold_queue(server, client, 2.0)
            sent: list[str | None] = []
            for url in urls:
                options = AsyncOptions(webhook_endpoint=url)
                job, _ = await _submitted(server, client, CLASSIFIER, 1, options)
                await client.jobs.cancel(CLASSIFIER, job.request_id)  # no delivery attempted
                sent.append(job.options.webhook_endpoint)
            return sent

    assert run(main()) == list(urls)


def test_a_chain_body_is_the_bare_arguments(emulator: EmulatorServer) -> None:
    chain = Target(demo.CHAIN, is_chain=True)
    assert (
        chain.url(Remote.baseten(), "async_run_remote")
        == f"https://chain-{demo.CHAIN}.api.baseten.co/production/async_run_remote"
    )

    async def main() -> tuple[AsyncJob, RequestRecord]:
        async with open_client(emulator) as client:
            return await _submitted(emulator, client, chain, {"question": "q"})

    job, record = run(main())
    assert record.path == f"/chain-{demo.CHAIN}/production/async_run_remote"
    assert job.model_input == {"question": "q"}  # a chain's job input is its whole body


async def _poll_eagerly(client: BasetenClient, request_id: str) -> None:
    """Status calls back to back, as a poller with no manners would: this second's run out."""
    for _ in range(500):
        await client.jobs.status(CLASSIFIER, request_id)


def test_watch_backs_off_on_429(fresh_emulator: EmulatorServer) -> None:
    """A status endpoint over its rate limit slows the watcher down instead of failing it."""
    server = fresh_emulator
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds)

    async def main() -> tuple[list[str], list[RequestRecord]]:
        async with open_client(server, retry=NO_RETRY) as client:
            client.jobs = AsyncJobs(client, sleep=sleep)
            # Long enough to be seen running once the watcher has waited out the limit.
            server.emulator.state.set_model_faults(demo.CLASSIFIER, "latency=1.5,count=1")
            request_id = await client.jobs.submit(CLASSIFIER, {"text": "x"})
            with pytest.raises(ApiError) as limited:
                await _poll_eagerly(client, request_id)
            assert limited.value.status == 429
            before = _last_record(server)
            statuses = [
                s.status async for s in client.jobs.watch(CLASSIFIER, request_id, FAST_POLL)
            ]
            return statuses, _records_since(server, before)

    statuses, seen = run(main())
    assert statuses == ["IN_PROGRESS", "SUCCEEDED"]
    assert slept[0] == 1.0  # the server's Retry-After
    # One 429, then the watcher waited it out and was never limited again.
    assert [r.status for r in seen] == [429] + [200] * (len(seen) - 1)
    assert len(seen) >= 3
