"""Sending one request: auth, retries only when safe, Retry-After, timeouts, and httpx's errors made ours."""

from __future__ import annotations

import asyncio
import email.utils
import json
import ssl
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from playground.core import (
    ApiError,
    BasetenClient,
    ChatDelta,
    JsonBody,
    Metrics,
    NetworkError,
    Remote,
    ResponseStarted,
    RetryPolicy,
    StreamCut,
    Target,
    TextChunk,
    Timeouts,
)
from playground.core.api.transport import Transport, network_error, retry_after_seconds
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import (
    NO_RETRY,
    Answer,
    FullListener,
    SleepRecorder,
    collect,
    collect_until_error,
    fault,
    only,
    open_client,
    raw_server,
    read_request,
    reset,
    response_head,
    run,
    server_request,
    unused_port,
)

CLASSIFIER = Target(demo.CLASSIFIER)


def recording_transport(retry: RetryPolicy) -> tuple[SleepRecorder, Transport]:
    """A transport whose back-off waits are recorded rather than slept."""
    sleep = SleepRecorder()
    return sleep, Transport(retry=retry, sleep=sleep)


def faults_left(server: EmulatorServer, model_id: str) -> int:
    """How many requests the model's fault has still to hit (0 once it has cleared itself)."""
    faults = server.emulator.state.model_faults.get(model_id)
    return 0 if faults is None else faults.count


# --- retries against the local server --------------------------------------------------------


def test_503s_are_retried_until_one_succeeds(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01, max_delay=1))
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=503,count=2")

    async def main() -> list[Any]:
        async with open_client(server, transport=transport) as client:
            return await collect(client.predict(CLASSIFIER, {"text": "good"}))

    events = run(main())
    (body,) = only(events, JsonBody)
    assert body.value["label"] == "positive"
    metrics = events[-1].metrics
    assert metrics.attempts == 3
    assert metrics.status == 200
    assert faults_left(server, demo.CLASSIFIER) == 0
    # Exponential back-off with jitter: base * 2^(n-1) * [0.5, 1.5).
    assert len(sleep.delays) == 2
    assert 0.005 <= sleep.delays[0] < 0.015
    assert 0.01 <= sleep.delays[1] < 0.03
    # The request id is the last attempt's, the one that answered.
    assert server_request(server, metrics.request_id)["status"] == 200


# A POST that met a 502 may have run: it is not sent again (tests/core/test_timeouts_retries.py).
@pytest.mark.parametrize("status", [503, 429])
def test_retries_stop_after_the_last_attempt(fresh_emulator: EmulatorServer, status: int) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01))
    server.emulator.state.set_model_faults(
        demo.CLASSIFIER, f"status={status},retry_after=0,count=5"
    )

    async def main() -> Exception:
        async with open_client(server, transport=transport) as client:
            return (await collect_until_error(client.predict(CLASSIFIER, {"text": "x"})))[1]

    error = run(main())
    assert isinstance(error, ApiError)
    assert error.status == status
    assert faults_left(server, demo.CLASSIFIER) == 2  # exactly three attempts hit the fault
    assert sleep.delays == [0.0, 0.0]  # Retry-After: 0 says "now"


def test_retry_after_is_honoured(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01))
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=1,count=1")

    async def main() -> list[Any]:
        async with open_client(server, transport=transport) as client:
            return await collect(client.predict(CLASSIFIER, {"text": "good"}))

    events = run(main())
    assert sleep.delays == [1.0]
    assert events[-1].metrics.attempts == 2
    assert events[-1].metrics.status == 200


def test_retry_after_really_waits(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=1,count=1")

    async def main() -> tuple[list[Any], float]:
        async with open_client(server, retry=RetryPolicy(attempts=2)) as client:
            started = time.monotonic()
            events = await collect(client.predict(CLASSIFIER, {"text": "good"}))
            return events, time.monotonic() - started

    events, elapsed = run(main())
    assert elapsed >= 0.95
    assert events[-1].metrics.attempts == 2


def test_a_retry_after_longer_than_we_would_wait_is_not_retried(
    fresh_emulator: EmulatorServer,
) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, max_delay=30))
    server.emulator.state.set_model_faults(demo.CLASSIFIER, "status=429,retry_after=60,count=2")

    async def main() -> Exception:
        async with open_client(server, transport=transport) as client:
            return (await collect_until_error(client.predict(CLASSIFIER, {"text": "x"})))[1]

    error = run(main())
    assert isinstance(error, ApiError)
    assert (error.status, error.retry_after) == (429, 60)
    assert "60 s" in error.hint
    assert sleep.delays == []
    assert faults_left(server, demo.CLASSIFIER) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 500, 504])
def test_other_errors_are_not_retried(fresh_emulator: EmulatorServer, status: int) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01))
    server.emulator.state.set_model_faults(demo.CLASSIFIER, f"status={status},count=1")

    async def main() -> tuple[Exception, list[Any]]:
        async with open_client(server, transport=transport) as client:
            _, error = await collect_until_error(client.predict(CLASSIFIER, {"text": "x"}))
            return error, await collect(client.predict(CLASSIFIER, {"text": "good"}))

    error, after = run(main())
    # A retry would have met no fault and succeeded: the error itself says there was none.
    assert isinstance(error, ApiError)
    assert error.status == status
    assert sleep.delays == []
    assert after[-1].metrics.attempts == 1


@pytest.mark.parametrize("cut_after", [0, 3])
def test_a_cut_stream_is_never_retried(fresh_emulator: EmulatorServer, cut_after: int) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01))
    server.emulator.state.set_model_faults(demo.STREAMER, f"cut_after={cut_after},delay=0,count=1")

    async def main() -> tuple[list[Any], Exception]:
        async with open_client(server, transport=transport) as client:
            return await collect_until_error(
                client.predict(Target(demo.STREAMER), {"stream": True})
            )

    events, error = run(main())
    assert isinstance(error, StreamCut)
    started = events[0]
    assert isinstance(started, ResponseStarted)
    assert started.metrics.attempts == 1
    assert len(only(events, TextChunk)) == cut_after
    assert sleep.delays == []
    assert faults_left(server, demo.STREAMER) == 0
    partial = error.partial
    assert isinstance(partial, Metrics)
    assert partial.bytes == len("".join(c.text for c in only(events, TextChunk)).encode())
    assert server_request(server, started.metrics.request_id or "")["cut"] is True


def test_a_cut_chat_stream_is_never_retried(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    sleep, transport = recording_transport(RetryPolicy(attempts=3, base_delay=0.01))
    server.emulator.state.set_model_faults(demo.CHAT, "cut_after=4,delay=0,count=1")
    body = {"model": "demo-llm", "messages": [{"role": "user", "content": "hi"}], "stream": True}

    async def main() -> tuple[list[Any], Exception]:
        async with open_client(server, transport=transport) as client:
            return await collect_until_error(
                client.chat(client.openai_base(Target(demo.CHAT)), body)
            )

    events, error = run(main())
    assert isinstance(error, StreamCut)
    assert events[0].metrics.attempts == 1
    assert only(events, ChatDelta)
    assert sleep.delays == []
    assert faults_left(server, demo.CHAT) == 0


# --- auth and headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "Api-Key"])
def test_the_auth_scheme(emulator: EmulatorServer, scheme: str) -> None:
    async def main() -> list[Any]:
        async with open_client(emulator, auth_scheme=scheme) as client:
            return await collect(client.route(Target(demo.CUSTOM), "echo", "POST", {"x": 1}))

    events = run(main())
    (echo,) = only(events, JsonBody)
    assert "authorization" not in echo.value["headers"]  # the custom server never sees the key
    assert echo.value["headers"]["user-agent"] == "baseten-playground"
    assert echo.value["headers"]["content-type"] == "application/json"
    seen = server_request(emulator, events[-1].metrics.request_id)
    assert seen["authorization_scheme"] == scheme


# --- without a socket: the retry policy and Retry-After parsing ----------------------------------


def test_retry_policy_delays() -> None:
    policy = RetryPolicy(attempts=4, base_delay=1.0, max_delay=3.0)
    assert policy.delay(4, None) is None  # no attempts left
    assert policy.delay(5, 0.1) is None
    assert policy.delay(1, 2.5) == 2.5
    assert policy.delay(1, 3.5) is None  # longer than we are willing to wait
    assert policy.delay(1, 0.0) == 0.0
    for _ in range(50):
        first = policy.delay(1, None)
        third = policy.delay(3, None)
        assert first is not None
        assert third is not None
        assert 0.5 <= first < 1.5
        assert 2.0 <= third <= 3.0  # 4 s with jitter, capped


def test_timeouts() -> None:
    default = Timeouts()
    assert default.read >= 1200  # Baseten's sync limit, plus a parked cold start
    assert default.connect <= 10
    timeout = Timeouts(connect=1, read=2, write=3, pool=4).to_httpx()
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (1, 2, 3, 4)


def _headers(**items: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in items.items()})


def test_retry_after_header_values() -> None:
    assert retry_after_seconds(_headers(retry_after="3"), None) == 3.0
    assert retry_after_seconds(_headers(retry_after="1.5"), 9) == 1.5
    assert retry_after_seconds(_headers(retry_after="-4"), None) == 0.0
    assert retry_after_seconds(_headers(), 37) == 37
    assert retry_after_seconds(_headers(), None) is None
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    from_date = retry_after_seconds(_headers(retry_after=soon), None)
    assert from_date is not None
    assert 25 <= from_date <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after_seconds(_headers(retry_after=past), None) == 0.0


def test_a_retry_after_header_that_is_neither_seconds_nor_a_date() -> None:
    assert retry_after_seconds(_headers(retry_after="soon"), 2) == 2
    assert retry_after_seconds(_headers(retry_after="soon"), None) is None


# --- the network failing, each way met for real on 127.0.0.1 --------------------------------------


async def _first_error(
    base_url: str, key: str = "k", headers: dict[str, str] | None = None, **transport: Any
) -> Exception:
    """The error of one predict to the server at `base_url` (no retries)."""
    transport.setdefault("retry", NO_RETRY)
    client = BasetenClient(Remote.local(base_url), key, transport=Transport(**transport))
    try:
        call = client.predict(CLASSIFIER, {"text": "x"}, headers=headers)
        return (await collect_until_error(call))[1]
    finally:
        await client.aclose()


def _error_from(answer: Answer, **transport: Any) -> Exception:
    async def main() -> Exception:
        async with raw_server(answer) as url:
            return await _first_error(url, **transport)

    return run(main())


def test_an_unreadable_retry_after_still_gives_an_api_error() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        body = json.dumps({"error": "busy", "retry_after": 2}).encode()
        headers = {"Retry-After": "soon", "Content-Type": "application/json"}
        writer.write(response_head(503, {**headers, "Content-Length": str(len(body))}) + body)

    error = _error_from(answer)
    assert isinstance(error, ApiError)
    assert (error.status, error.message, error.retry_after) == (503, "busy", 2)


def test_an_error_body_that_breaks_off_still_gives_its_status() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        headers = {"Content-Type": "application/json", "Content-Length": "200"}
        writer.write(response_head(502, headers) + b'{"error": "half')
        await writer.drain()  # and the connection closes 185 bytes short

    error = _error_from(answer)
    assert isinstance(error, ApiError)
    assert error.status == 502
    assert error.hint


TIMEOUTS = Timeouts(connect=0.5, read=0.25)


async def _connect_timeout(_: EmulatorServer) -> Exception:
    with FullListener() as full:
        return await _first_error(f"http://127.0.0.1:{full.port}", timeouts=TIMEOUTS)


async def _read_timeout(server: EmulatorServer) -> Exception:
    return await _first_error(
        server.base_url, server.api_key, fault("latency=1"), timeouts=TIMEOUTS
    )


async def _refused(_: EmulatorServer) -> Exception:
    return await _first_error(f"http://127.0.0.1:{unused_port()}")


async def _unresolvable(_: EmulatorServer) -> Exception:
    return await _first_error("http://nonexistent.invalid")  # .invalid never resolves (RFC 6761)


async def _closed_without_an_answer(_: EmulatorServer) -> Exception:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)  # and close

    async with raw_server(answer) as url:
        return await _first_error(url)


async def _reset(_: EmulatorServer) -> Exception:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        reset(writer)

    async with raw_server(answer) as url:
        return await _first_error(url)


FAILURES = [
    (
        _connect_timeout,
        httpx.ConnectTimeout,
        NetworkError,
        "Timed out connecting to 127.0.0.1:",
    ),
    (_read_timeout, httpx.ReadTimeout, NetworkError, "for 0.25 s"),
    (_refused, httpx.ConnectError, NetworkError, "refused"),
    (
        _unresolvable,
        httpx.ConnectError,
        NetworkError,
        "Could not resolve the host name nonexistent.invalid",
    ),
    (_closed_without_an_answer, httpx.RemoteProtocolError, StreamCut, "closed before"),
    (_reset, httpx.ReadError, StreamCut, "broke"),
]


@pytest.mark.parametrize(
    ("meet", "cause", "kind", "words"),
    FAILURES,
    ids=[meet.__name__.strip("_") for meet, *_ in FAILURES],
)
def test_httpx_errors_become_ours(
    emulator: EmulatorServer,
    meet: Callable[[EmulatorServer], Coroutine[Any, Any, Exception]],
    cause: type[Exception],
    kind: type[Exception],
    words: str,
) -> None:
    error = run(meet(emulator))
    assert type(error) is kind
    assert words in str(error)
    assert type(error.__cause__) is cause
    assert getattr(error, "hint", "")


# --- TLS, with a real handshake against a certificate made for the test -----------------------------


def _tls_server(ca: trustme.CA, name: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def _trust(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust `ca` the way a person behind a TLS-intercepting proxy would: SSL_CERT_FILE."""
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))


def _over_tls(context: ssl.SSLContext) -> tuple[list[Any] | Exception, str]:
    """A predict to a TLS server with this certificate: its events, or its error."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        body = b'{"label": "positive"}'
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        writer.write(response_head(200, headers) + body)

    async def main() -> tuple[list[Any] | Exception, str]:
        async with raw_server(answer, tls=context) as url:
            client = BasetenClient(Remote.local(url), "k", retry=NO_RETRY)
            try:
                return await collect(client.predict(CLASSIFIER, {"text": "x"})), url
            except NetworkError as exc:
                return exc, url
            finally:
                await client.aclose()

    return run(main())


def _assert_tls_failure(error: object, url: str) -> NetworkError:
    assert type(error) is NetworkError
    assert f"TLS handshake with {url.removeprefix('https://')} failed" in str(error)
    assert "certificates" in error.hint
    return error


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def test_a_trusted_certificate_for_the_host_is_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control for the failures below: the same server, trusted and rightly named, answers.
    ca = trustme.CA()
    _trust(ca, tmp_path, monkeypatch)
    events, _ = _over_tls(_tls_server(ca, "127.0.0.1"))
    assert isinstance(events, list)
    (body,) = only(events, JsonBody)
    assert body.value == {"label": "positive"}


def test_a_certificate_nobody_trusts_fails_the_handshake() -> None:
    error, url = _over_tls(_tls_server(trustme.CA(), "127.0.0.1"))
    failure = _assert_tls_failure(error, url)
    assert "certificate verify failed" in str(failure)
    assert any(isinstance(c, ssl.SSLCertVerificationError) for c in _causes(failure))


def test_a_certificate_for_another_host_fails_the_handshake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    _trust(ca, tmp_path, monkeypatch)
    error, url = _over_tls(_tls_server(ca, "model-elsewhere.example"))
    failure = _assert_tls_failure(error, url)
    assert "mismatch" in str(failure)
    assert any(isinstance(c, ssl.SSLCertVerificationError) for c in _causes(failure))


def test_tls_to_a_plain_http_port_fails_the_handshake(emulator: EmulatorServer) -> None:
    url = emulator.base_url.replace("http://", "https://")
    error = run(_first_error(url, emulator.api_key))
    failure = _assert_tls_failure(error, url)
    assert any(isinstance(c, ssl.SSLError) for c in _causes(failure))


def test_tls_failure_found_down_the_cause_chain() -> None:
    # No socket: a real handshake names SSL in httpx's own message (above); this is the case of
    # a wrapper whose message hides it, which only the chain of causes tells.
    outer = httpx.ConnectError("All connection attempts failed")
    try:
        raise outer from ssl.SSLCertVerificationError(1, "certificate verify failed")
    except httpx.ConnectError as exc:
        error = network_error(
            exc, httpx.Request("GET", "https://model-x.api.baseten.co/"), Timeouts()
        )
    assert "TLS handshake with model-x.api.baseten.co" in str(error)
    assert "certificates" in error.hint
