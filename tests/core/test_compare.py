"""Comparing targets against the local server: diff and figures, failures and cancellation kept to
their own column, repeated rounds, waking and cold runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import pytest

from playground.core import BasetenClient, InvalidRequest, Target
from playground.core.api.wake import WakeProgress, cold_targets, wake_all
from playground.core.compare.results import ColumnResult, Comparison, diff_results, percentile
from playground.core.compare.run import (
    ColumnEventCallback,
    CompareRound,
    Event,
    ResultCallback,
    check_comparable,
    run_column,
    run_comparison,
)
from playground.core.events import ChatDelta, ResponseStarted, TextChunk
from playground.core.request.spec import Column, RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, SLEEPY, STREAMER
from playground.emulator.streams import RequestRecord
from tests.core.helpers import (
    FAULT,
    NO_RETRY,
    deployment_id,
    eventually,
    open_client,
    run,
    seen_leaving,
    server_request,
)

PRODUCTION = Column(Target(CLASSIFIER))
STAGING = Column(Target(CLASSIFIER, "environment", "staging"))
PREDICT = RequestSpec("predict", Target(CLASSIFIER), {"text": "I love how fast this is"})


async def one_round(
    client: BasetenClient,
    spec: RequestSpec,
    columns: Sequence[Column],
    on_event: ColumnEventCallback | None = None,
    *,
    on_result: ResultCallback | None = None,
) -> list[ColumnResult]:
    """One round of a comparison: every column at once, the results in column order."""
    comparison = await run_comparison(client, spec, columns, on_event=on_event, on_result=on_result)
    return comparison.rounds[0]


def chat_spec(**body: Any) -> RequestSpec:
    messages = [{"role": "user", "content": "What is a cold start?"}]
    return RequestSpec(
        "chat", Target(CHAT), {"model": "demo-llm", "messages": messages, "stream": True, **body}
    )


def test_production_and_staging_differ_in_the_diff_and_the_figures(
    emulator: EmulatorServer,
) -> None:
    async def main() -> list[ColumnResult]:
        async with open_client(emulator) as client:
            return await one_round(client, PREDICT, [PRODUCTION, STAGING])

    production, staging = run(main())
    assert (production.column, staging.column) == (0, 1)
    assert production.is_ok
    assert staging.is_ok
    assert production.body == {"label": "positive", "score": 0.99}
    assert production.deployment_id == deployment_id(emulator, CLASSIFIER)
    assert staging.deployment_id == deployment_id(emulator, CLASSIFIER, "staging")
    assert production.request_id
    assert staging.request_id
    assert production.request_id != staging.request_id
    # staging's deployment takes 50 ms, production's 20 ms; sizes differ with the answers
    assert staging.metrics.total_s is not None
    assert staging.metrics.total_s >= 0.05
    assert production.metrics.bytes != staging.metrics.bytes
    for result in (production, staging):
        assert result.status == 200
        assert result.kind == "json"
        ttfb, total = result.figure("ttfb"), result.figure("total")
        assert ttfb is not None
        assert total is not None
        assert 0 < ttfb <= total
    diff = diff_results(production, staging)
    assert not diff.is_identical
    by_path = {c.path: c for c in diff.changes}
    assert by_path["$.label"].kind == "changed"
    assert (by_path["$.label"].old, by_path["$.label"].new) == ("positive", "POSITIVE")
    assert by_path["$.model_version"].kind == "added"
    assert diff.summary.startswith("3 differences")
    assert diff_results(production, production).summary == "identical"


def test_a_failing_column_leaves_the_others_streaming(emulator: EmulatorServer) -> None:
    columns = [
        Column(Target(CHAT), headers={FAULT: "tokens=20,delay=0.02"}),
        Column(Target(CHAT, "environment", "staging"), headers={FAULT: "status=500,shape=spec"}),
        Column(Target("nomodel1")),
        Column(None, model_api="playground/demo-chat", headers={FAULT: "tokens=20,delay=0.02"}),
    ]
    seen: list[tuple[float, int, Event]] = []
    ended: dict[int, float] = {}

    async def main() -> list[ColumnResult]:
        async with open_client(emulator, retry=NO_RETRY) as client:
            return await one_round(
                client,
                chat_spec(),
                columns,
                lambda i, e: seen.append((time.monotonic(), i, e)),
                on_result=lambda r: ended.setdefault(r.column, time.monotonic()),
            )

    good, faulty, missing, model_api = run(main())
    for result in (good, model_api):
        assert result.is_ok, result.error
        assert result.kind == "chat"
        assert result.details["finish_reason"] in ("stop", "length")
        assert result.metrics.tokens == 20
        ttft = result.figure("ttft")
        assert ttft is not None
        assert ttft > 0
        assert result.figure("tokens_per_s")
    assert faulty.outcome == "failed"
    assert faulty.status == 500
    assert faulty.error_kind == "api"
    assert faulty.error.startswith("500: ")
    assert faulty.request_id
    assert server_request(emulator, faulty.request_id)["status"] == 500
    assert faulty.hint
    assert missing.outcome == "failed"
    assert missing.status == 404
    assert "nomodel1" in missing.error
    # the failures ended first, and the streams went on afterwards
    first_failure = min(ended[1], ended[2])
    later = [i for t, i, e in seen if t > first_failure and isinstance(e, ChatDelta)]
    assert later.count(0) >= 5
    assert later.count(3) >= 5


def test_a_cut_stream_keeps_its_partial_answer(emulator: EmulatorServer) -> None:
    columns = [
        Column(Target(CHAT)),
        Column(Target(CHAT, "environment", "staging"), headers={FAULT: "cut_after=4"}),
    ]

    async def main() -> list[ColumnResult]:
        async with open_client(emulator, retry=NO_RETRY) as client:
            return await one_round(client, chat_spec(), columns)

    whole, cut = run(main())
    assert whole.is_ok
    assert cut.outcome == "failed"
    assert cut.error_kind == "stream"
    assert cut.status == 200
    assert isinstance(cut.body, str)
    assert cut.body
    assert cut.request_id


def test_cancelling_one_column_closes_only_its_connection(emulator: EmulatorServer) -> None:
    spec = RequestSpec("predict", Target(STREAMER), {"prompt": "a lighthouse", "max_tokens": 40})
    columns = [
        Column(Target(STREAMER), headers={FAULT: "delay=0.05"}),
        Column(Target(STREAMER), headers={FAULT: "delay=0.01"}),
    ]
    chunks: dict[int, int] = {0: 0, 1: 0}
    requests: dict[int, str] = {}

    def count(index: int, event: Event) -> None:
        if isinstance(event, ResponseStarted):
            requests[index] = event.headers["x-baseten-request-id"]
        if isinstance(event, TextChunk):
            chunks[index] += 1

    async def main() -> tuple[list[ColumnResult], RequestRecord]:
        async with open_client(emulator) as client:
            round_ = CompareRound(client, spec, columns, on_event=count)
            round_.start()
            await eventually(lambda: chunks[0] >= 3)
            assert round_.is_running(0)
            round_.cancel(0)
            round_.cancel(0)  # idempotent
            # The stopped column's connection is closed by the cancel, not by the client's end.
            record = await seen_leaving(emulator, requests[0])
            results = await round_.wait()
            assert not round_.is_running()
            return results, record

    (stopped, finished), record = run(main())
    assert stopped.outcome == "cancelled"
    assert stopped.error == "Stopped"
    assert isinstance(stopped.body, str)
    assert stopped.body.startswith("Once upon")
    assert finished.is_ok
    assert finished.kind == "text-stream"
    assert stopped.request_id == record.request_id
    assert not record.completed
    assert finished.request_id
    other = server_request(emulator, finished.request_id)
    assert other["completed"]
    assert not other["disconnected"]


def test_cancelling_the_whole_run_stops_every_column(emulator: EmulatorServer) -> None:
    spec = RequestSpec("predict", Target(STREAMER), {"prompt": "x", "max_tokens": 40})
    columns = [Column(Target(STREAMER), headers={FAULT: "delay=0.05"})] * 2
    results: list[ColumnResult] = []
    chunks: dict[int, int] = {0: 0, 1: 0}

    def count(index: int, event: Event) -> None:
        if isinstance(event, TextChunk):
            chunks[index] += 1

    async def main() -> list[RequestRecord]:
        async with open_client(emulator) as client:
            task = asyncio.get_running_loop().create_task(
                one_round(client, spec, columns, count, on_result=results.append)
            )
            await eventually(lambda: min(chunks.values()) >= 2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # Both connections closed by the cancel, with the client still open.
            return [await seen_leaving(emulator, r.request_id or "") for r in results]

    records = run(main())
    assert sorted(r.column for r in results) == [0, 1]
    assert {r.outcome for r in results} == {"cancelled"}
    assert all(r.request_id for r in results)
    assert [record.completed for record in records] == [False, False]


def test_run_column_alone_sends_a_custom_route_with_the_column_overrides(
    emulator: EmulatorServer,
) -> None:
    spec = RequestSpec("route", Target(CUSTOM), {"x": 1, "y": 2}, method="PUT", route="/echo")
    column = Column(Target(CUSTOM), overrides={"y": 3})
    events: list[Event] = []

    async def main() -> ColumnResult:
        async with open_client(emulator) as client:
            return await run_column(client, spec, column, events.append, index=4)

    result = run(main())
    assert result.column == 4
    assert result.is_ok
    assert result.body["method"] == "PUT"
    assert result.body["body"] == {"x": 1, "y": 3}
    assert events


def test_async_and_bad_column_sets_are_refused_in_words(emulator: EmulatorServer) -> None:
    async_spec = RequestSpec("async", Target(CLASSIFIER), {"text": "hi"})
    with pytest.raises(InvalidRequest, match="webhook"):
        check_comparable(async_spec, [PRODUCTION, STAGING])
    with pytest.raises(InvalidRequest, match="2 to 6 columns, not 1"):
        check_comparable(PREDICT, [PRODUCTION])
    with pytest.raises(InvalidRequest, match="not 7"):
        check_comparable(PREDICT, [PRODUCTION] * 7)
    with pytest.raises(InvalidRequest, match=r"Model API .* chat requests only"):
        check_comparable(PREDICT, [PRODUCTION, Column(None, model_api="playground/demo-chat")])

    async def main() -> None:
        async with open_client(emulator) as client:
            with pytest.raises(InvalidRequest, match="webhook"):
                await run_column(client, async_spec, PRODUCTION)

    run(main())


def test_repeat_gives_percentiles_per_column(emulator: EmulatorServer) -> None:
    async def main() -> Any:
        async with open_client(emulator) as client:
            return await run_comparison(client, PREDICT, [PRODUCTION, STAGING], repeat=4)

    comparison = run(main())
    assert len(comparison.rounds) == 4
    for summary in comparison.summaries():
        assert (summary.runs, summary.ok, summary.failed, summary.cold_runs) == (4, 4, 0, 0)
        totals = [r.metrics.total_s for r in comparison.results_for(summary.column)]
        spread = summary.warm["total"]
        assert spread.n == 4
        assert spread.p50 == percentile(totals, 50)
        assert spread.p95 == percentile(totals, 95)
        assert spread.p50 is not None
        assert spread.p95 is not None
        assert spread.p50 <= spread.p95
        assert summary.warm["ttfb"].n == 4
        assert summary.warm["ttft"].n == 0  # predict has no tokens
    assert comparison.best()["ttft"] == ()
    assert len(comparison.best()["total"]) >= 1


def test_wake_all_waits_until_active_and_marks_the_first_run_cold(
    fresh_emulator: EmulatorServer,
) -> None:
    progress: list[WakeProgress] = []
    columns = [Column(Target(SLEEPY)), Column(Target(CLASSIFIER))]
    spec = RequestSpec("predict", Target(SLEEPY), {"audio_url": "https://example.com/a.wav"})

    async def main() -> Any:
        async with open_client(fresh_emulator) as client:
            assert (await cold_targets(client, [c.target for c in columns])).cold == {0}
            report = await wake_all(
                client, [c.target for c in columns], progress.append, poll_seconds=0.05
            )
            assert report.statuses == ("ACTIVE", "ACTIVE")
            assert report.is_ready
            assert (await cold_targets(client, [c.target for c in columns])).cold == set()
            comparison = await run_comparison(client, spec, columns, repeat=2, cold=report.cold)
            return report, comparison

    report, comparison = run(main())
    assert report.cold == {0}
    sleepy = [p.status for p in progress if p.index == 0]
    assert sleepy[0] == "SCALED_TO_ZERO"
    assert sleepy[-1] == "ACTIVE"
    assert "WAKING_UP" in sleepy or "LOADING_MODEL" in sleepy
    assert [p.is_done for p in progress if p.index == 0][-1]
    assert [p.status for p in progress if p.index == 1] == ["ACTIVE"]
    first, second = comparison.rounds
    assert first[0].cold
    assert not first[1].cold
    assert not second[0].cold
    summary = comparison.summaries()[0]
    assert summary.cold_runs == 1
    assert summary.warm["total"].n == 1
    assert summary.cold["total"].n == 1


def test_a_cold_target_without_waking_parks_its_first_run(fresh_emulator: EmulatorServer) -> None:
    columns = [Column(Target(SLEEPY)), Column(Target(SLEEPY, "deployment", "zz0w1ka"))]
    spec = RequestSpec("predict", Target(SLEEPY), {"audio_url": "https://example.com/a.wav"})

    async def main() -> Any:
        async with open_client(fresh_emulator) as client:
            cold = (await cold_targets(client, [c.target for c in columns])).cold
            return await run_comparison(client, spec, columns, cold=cold)

    comparison = run(main())
    for result in comparison.rounds[0]:
        assert result.is_ok
        assert result.cold
        # parked through WAKING_UP and LOADING_MODEL (0.3 s each here)
        assert result.metrics.total_s is not None
        assert result.metrics.total_s > 0.5


def test_wake_all_reports_a_target_it_cannot_follow(emulator: EmulatorServer) -> None:
    progress: list[WakeProgress] = []

    async def main() -> Any:
        async with open_client(emulator) as client:
            targets = [Target("nomodel1"), Target(CLASSIFIER), None]
            return await wake_all(client, targets, progress.append)

    report = run(main())
    assert not report.is_ready
    assert set(report.errors) == {0}
    assert "could not wake it" in report.errors[0]
    assert report.statuses[1] == "ACTIVE"
    model_api = next(p for p in progress if p.index == 2)
    assert model_api.is_done
    assert "without waking" in model_api.message


def test_a_column_stopped_alone_sits_out_the_later_rounds(emulator: EmulatorServer) -> None:
    spec = RequestSpec("predict", Target(STREAMER), {"prompt": "x", "max_tokens": 10})
    columns = [
        Column(Target(STREAMER), headers={FAULT: "delay=0.2"}),
        Column(Target(STREAMER), headers={FAULT: "delay=0.001"}),
    ]

    def stop_first(n: int, round_: CompareRound) -> None:
        if n == 0:
            round_.cancel(0)

    async def main() -> Any:
        async with open_client(emulator) as client:
            return await run_comparison(client, spec, columns, repeat=3, on_round=stop_first)

    comparison = run(main())
    assert [[r.column for r in round_] for round_ in comparison.rounds] == [[0, 1], [1], [1]]
    assert comparison.rounds[0][0].outcome == "cancelled"
    summary = comparison.summaries()[0]
    assert (summary.runs, summary.ok) == (1, 0)


def test_cancelling_a_comparison_keeps_what_it_had(emulator: EmulatorServer) -> None:
    spec = RequestSpec("predict", Target(STREAMER), {"prompt": "x", "max_tokens": 5})
    columns = [
        Column(Target(STREAMER), headers={FAULT: "delay=0.001"}),
        Column(Target(STREAMER), headers={FAULT: "delay=0.1"}),
    ]
    kept = Comparison(spec, tuple(columns))

    async def main() -> None:
        async with open_client(emulator) as client:
            tasks: list[asyncio.Task[Comparison]] = []

            def stop_in_round_two(n: int, _: CompareRound) -> None:
                if n == 1:
                    tasks[0].cancel()  # as a person stopping everything mid-round

            tasks.append(
                asyncio.get_running_loop().create_task(
                    run_comparison(
                        client, spec, columns, repeat=5, into=kept, on_round=stop_in_round_two
                    )
                )
            )
            with pytest.raises(asyncio.CancelledError):
                await tasks[0]

    run(main())
    assert len(kept.rounds) == 2
    assert [r.outcome for r in kept.rounds[0]] == ["ok", "ok"]
    assert [r.outcome for r in kept.rounds[1]] == ["cancelled", "cancelled"]
