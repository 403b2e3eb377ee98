"""Each timeout settable and named when it fires; retries said before each wait, honouring
Retry-After as given, and never sending again what may already have run."""

from __future__ import annotations

from typing import Any

import pytest

from playground.core import (
    ApiError,
    BasetenClient,
    JsonBody,
    Metrics,
    NetworkError,
    Remote,
    Retrying,
    RetryPolicy,
    StreamCut,
    Target,
    TextChunk,
    Timeouts,
)
from playground.core.api.policy import CallSettings, is_safe_to_retry
from playground.core.api.transport import Transport
from playground.core.history.record import PendingExchange
from playground.core.request.spec import RequestSpec
from playground.core.text import Failure, retry_text
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import SleepRecorder, collect, collect_until_error, only, run
from tests.core.raw_server import RawServer, head, stalls_after, trickles, unanswered_port

CLASSIFIER = Target(demo.CLASSIFIER)


def client_of(base_url: str, key: str = "k", **kwargs: Any) -> BasetenClient:
    return BasetenClient(Remote.local(base_url), key, **kwargs)


async def error_of(client: BasetenClient) -> tuple[list[Any], Exception]:
    try:
        return await collect_until_error(client.predict(CLASSIFIER, {"text": "x"}))
    finally:
        await client.aclose()


# --- timeouts -----------------------------------------------------------------------------------


def test_the_connect_timeout_is_named() -> None:
    with unanswered_port() as port:
        _, error = run(error_of(client_of(f"http://127.0.0.1:{port}", timeouts=Timeouts(0.3))))
    assert isinstance(error, NetworkError)
    assert error.timeout == "connect"
    assert "after 0.3 s (connect timeout)" in str(error)
    assert "--connect-timeout" in error.hint


def test_the_read_timeout_fires_on_a_silent_server() -> None:
    with RawServer(stalls_after(b"")) as server:
        _, error = run(error_of(client_of(server.base_url, timeouts=Timeouts(read=0.3))))
    assert isinstance(error, NetworkError)
    assert not isinstance(error, StreamCut)  # nothing had arrived
    assert error.timeout == "read"
    assert "no data from 127.0.0.1" in str(error)
    assert "for 0.3 s (read timeout)" in str(error)
    assert "--read-timeout" in error.hint


def test_the_read_timeout_mid_body_keeps_what_arrived() -> None:
    response = head(Content_Type="text/plain", Transfer_Encoding="chunked") + b"5\r\nhello\r\n"
    with RawServer(stalls_after(response)) as server:
        events, error = run(error_of(client_of(server.base_url, timeouts=Timeouts(read=0.3))))
    assert isinstance(error, StreamCut)
    assert error.timeout == "read"
    assert "(read timeout)" in str(error)
    assert "".join(chunk.text for chunk in only(events, TextChunk)) == "hello"
    assert isinstance(error.partial, Metrics)


def test_the_whole_request_deadline_stops_a_server_that_never_goes_silent() -> None:
    """A byte every 50 ms never trips a read timeout; the deadline ends it."""
    timeouts = Timeouts(read=5, total=0.5)
    with RawServer(trickles(0.05)) as server:
        events, error = run(error_of(client_of(server.base_url, timeouts=timeouts)))
    assert isinstance(error, StreamCut)
    assert error.timeout == "total"
    assert "passed its 0.5 s deadline (total timeout)" in str(error)
    assert "--timeout" in error.hint
    assert only(events, TextChunk)  # what arrived is kept
    assert isinstance(error.partial, Metrics)


def test_the_deadline_also_covers_a_server_that_says_nothing() -> None:
    with RawServer(stalls_after(b"")) as server:
        _, error = run(error_of(client_of(server.base_url, timeouts=Timeouts(total=0.3))))
    assert isinstance(error, NetworkError)
    assert error.timeout == "total"


def test_the_deadline_cuts_retries_short(fresh_emulator: EmulatorServer) -> None:
    """A Retry-After that would end past the deadline is not waited for: the 429 is the answer."""
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=5,count=1")
    sleep = SleepRecorder()
    transport = Transport(timeouts=Timeouts(total=2), sleep=sleep)
    _, error = run(error_of(client_of(server.base_url, server.api_key, transport=transport)))
    assert isinstance(error, ApiError)
    assert error.status == 429
    assert sleep.delays == []


def test_call_settings_map_to_timeouts() -> None:
    settings = CallSettings(connect_timeout=2, read_timeout=0, pool_timeout=7, timeout=30)
    timeouts = settings.timeouts()
    assert (timeouts.connect, timeouts.read, timeouts.pool, timeouts.total) == (2, None, 7, 30)
    assert timeouts.to_httpx().pool == 7  # waiting for a connection has its own timeout
    with pytest.raises(ValueError, match="cannot be negative"):
        CallSettings(read_timeout=-1)
    stored = CallSettings.from_values({"read_timeout": "12.5", "retries": "4", "timeout": "x"})
    assert (stored.read_timeout, stored.retries, stored.timeout) == (12.5, 4, 0.0)


# --- retries ------------------------------------------------------------------------------------


def retrying_client(server: EmulatorServer, **policy: Any) -> tuple[SleepRecorder, BasetenClient]:
    """A client whose waits are recorded, not slept, and whose listener hears every retry."""
    sleep = SleepRecorder()
    transport = Transport(retry=RetryPolicy(**policy), sleep=sleep)
    return sleep, client_of(server.base_url, server.api_key, transport=transport)


def test_a_retry_is_said_before_its_wait_and_retry_after_is_honoured_as_given(
    fresh_emulator: EmulatorServer,
) -> None:
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=30,count=1")
    sleep, client = retrying_client(server, attempts=4)
    heard: list[Retrying] = []
    client.transport.retry_listeners.append(heard.append)

    async def main() -> list[Any]:
        try:
            return await collect(client.predict(CLASSIFIER, {"text": "good"}))
        finally:
            await client.aclose()

    events = run(main())
    retry = events[0]
    assert isinstance(retry, Retrying)  # in the call's events, before it starts
    assert heard == [retry]
    assert (retry.status, retry.wait_s, retry.attempt, retry.attempts) == (429, 30.0, 2, 4)
    assert sleep.delays == [30.0]  # Retry-After: 30 is 30 s, once
    assert retry.request_id
    assert retry_text(retry) == (
        f"429 Too Many Requests (request id {retry.request_id}): retrying in 30 s (attempt 2 of 4)"
    )
    (body,) = only(events, JsonBody)
    assert body.value["label"] == "positive"
    metrics = events[-1].metrics
    assert (metrics.attempts, metrics.waited_s) == (2, 30.0)


def test_no_retries_when_turned_off(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=1,count=1")
    sleep = SleepRecorder()
    retry = CallSettings(retries=0).retry()
    assert retry.attempts == 1
    transport = Transport(retry=retry, sleep=sleep)
    _, error = run(error_of(client_of(server.base_url, server.api_key, transport=transport)))
    assert isinstance(error, ApiError)
    assert error.status == 429
    assert sleep.delays == []


def test_an_error_after_every_attempt_says_how_many(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=503,retry_after=2,count=5")
    sleep, client = retrying_client(server, attempts=3)
    events, error = run(error_of(client))
    assert isinstance(error, ApiError)
    assert sleep.delays == [2.0, 2.0]
    assert [type(e) for e in events] == [Retrying, Retrying]
    assert error.metrics is not None
    assert (error.metrics.attempts, error.metrics.waited_s) == (3, 4.0)
    failure = Failure.of(error)
    assert failure.attempts == "3 (4 s waiting between them)"
    assert "  attempts: 3 (4 s waiting between them)" in failure.terminal()
    # The history keeps how many attempts it took.
    pending = PendingExchange(RequestSpec(mode="predict", target=CLASSIFIER), "url", cap=1000)
    for event in events:
        pending.feed(event)
    pending.failed(error)
    assert pending.exchange("local", "failed").metrics["attempts"] == 3


def test_a_post_that_may_have_run_is_not_sent_again(fresh_emulator: EmulatorServer) -> None:
    """After a 502 the model may have run the request (its container restarted mid-request)."""
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=502,count=1")
    sleep, client = retrying_client(server)
    events, error = run(error_of(client))
    assert isinstance(error, ApiError)
    assert error.status == 502  # a retry would have met no fault, and succeeded
    assert events == []
    assert sleep.delays == []


def test_a_post_refused_before_it_ran_is_sent_again(fresh_emulator: EmulatorServer) -> None:
    """A 503 of a sync call: no replica ready, or the model not loaded; it never ran."""
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=503,retry_after=0,count=1")
    sleep, client = retrying_client(server)

    async def main() -> list[Any]:
        try:
            return await collect(client.predict(CLASSIFIER, {"text": "good"}))
        finally:
            await client.aclose()

    assert events_attempts(run(main())) == 2
    assert sleep.delays == [0.0]


def events_attempts(events: list[Any]) -> int:
    attempts: int = events[-1].metrics.attempts
    return attempts


@pytest.mark.parametrize("status", [502, 503])
def test_a_get_is_sent_again_after_a_502_or_503(
    fresh_emulator: EmulatorServer, status: int
) -> None:
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CUSTOM, f"status={status},retry_after=0,count=1")
    sleep, client = retrying_client(server)

    async def main() -> list[Any]:
        try:
            return await collect(client.route(Target(demo.CUSTOM), "/health", "GET"))
        finally:
            await client.aclose()

    events = run(main())
    assert events_attempts(events) == 2
    assert sleep.delays == [0.0]


@pytest.mark.parametrize(("status", "is_retried"), [(429, True), (503, False), (502, False)])
def test_async_predict_is_sent_again_only_when_it_was_refused(
    fresh_emulator: EmulatorServer, status: int, is_retried: bool
) -> None:
    """A 429 was refused by the rate limiter; after a 502 or 503 nothing promises the job was not
    queued, and a second submit would queue (and bill) a second one."""
    server = fresh_emulator
    spec = f"status={status},retry_after=0,count=1"
    server.emulator.state.set_model_faults(demo.CLASSIFIER, spec)
    sleep, client = retrying_client(server)
    heard: list[Retrying] = []
    client.transport.retry_listeners.append(heard.append)

    async def main() -> str | Exception:
        try:
            return await client.jobs.submit(CLASSIFIER, {"text": "good"})
        except ApiError as exc:
            return exc
        finally:
            await client.aclose()

    outcome = run(main())
    if is_retried:
        assert isinstance(outcome, str)  # the request id of the job queued
        assert [r.status for r in heard] == [429]
    else:
        assert isinstance(outcome, ApiError)
        assert outcome.status == status
        assert heard == []
        assert sleep.delays == []


def test_which_statuses_and_methods_are_safe_to_send_again() -> None:
    import httpx

    predict = httpx.URL("https://model-x.api.baseten.co/environments/production/predict")
    submit = httpx.URL("https://model-x.api.baseten.co/production/async_predict")
    chain = httpx.URL("https://chain-x.api.baseten.co/production/async_run_remote")
    status = httpx.URL("https://model-x.api.baseten.co/async_request/abc")
    assert is_safe_to_retry("POST", predict, 429)
    assert is_safe_to_retry("POST", predict, 503)
    assert not is_safe_to_retry("POST", predict, 502)
    assert is_safe_to_retry("POST", submit, 429)
    assert not is_safe_to_retry("POST", submit, 503)
    assert not is_safe_to_retry("POST", chain, 503)
    assert is_safe_to_retry("GET", status, 502)
    assert is_safe_to_retry("DELETE", status, 503)
    assert not is_safe_to_retry("GET", status, 500)
