"""Every error a call can meet becomes one of ours, with Baseten's words, the request id and a hint; the key never shows."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from playground.core import (
    ApiError,
    BasetenClient,
    InvalidRequest,
    NetworkError,
    PlaygroundError,
    Remote,
    StreamCut,
    StreamError,
    Target,
    Timeouts,
    TruncatedStream,
)
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import (
    ERROR_SHAPES,
    NO_RETRY,
    collect,
    collect_until_error,
    fault,
    open_client,
    run,
    server_request,
    unused_port,
)

STATUSES = (400, 401, 403, 404, 413, 429, 500, 502, 503, 504)
# What the hint must talk about, for the statuses a person most needs help with.
HINT_WORDS = {
    401: "key",
    403: "key",
    404: "model id",
    413: "too large",
    429: "Rate limited",
    502: "retry",
    503: "retry",
    504: "async",
}
CHAT_BODY = {"model": "demo-llm", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def predict_error(
    server: EmulatorServer, target: Target, headers: dict[str, str] | None = None, **client: Any
) -> Exception:
    async def main() -> Exception:
        client.setdefault("retry", NO_RETRY)
        async with open_client(server, **client) as c:
            _, error = await collect_until_error(
                c.predict(target, {"text": "hello"}, headers=headers)
            )
            return error

    return run(main())


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("shape", ERROR_SHAPES)
def test_every_error_shape_becomes_an_api_error(
    emulator: EmulatorServer, shape: str, status: int
) -> None:
    words = f"boom from {shape} {status}"
    error = predict_error(
        emulator, Target(demo.CLASSIFIER), fault(f"status={status},shape={shape},message={words}")
    )
    assert isinstance(error, ApiError)
    assert error.status == status
    if shape == "chain":
        assert error.message == f"ValueError: {words}"
        assert error.detail is not None
        assert "run_remote" in error.detail
    elif shape == "html":
        assert words in error.message
    else:
        assert error.message == words
    assert str(error) == f"{status}: {error.message}"
    if shape == "spec":
        assert error.error_code
    # The request id is the one the server gave this request.
    assert error.request_id
    seen = server_request(emulator, error.request_id)
    assert seen["status"] == status
    assert seen["path"] == f"/model-{demo.CLASSIFIER}/production/predict"
    if status in HINT_WORDS:
        assert HINT_WORDS[status] in error.hint
    assert error.hint


@pytest.mark.parametrize("shape", ["gateway", "ratelimit", "openai", "text"])
def test_a_429_hint_says_when_to_retry(emulator: EmulatorServer, shape: str) -> None:
    error = predict_error(
        emulator, Target(demo.CLASSIFIER), fault(f"status=429,shape={shape},retry_after=7")
    )
    assert isinstance(error, ApiError)
    assert error.status == 429
    assert error.retry_after == 7
    assert "7 s" in error.hint


def test_a_429_on_the_model_apis_is_an_api_error_too(emulator: EmulatorServer) -> None:
    async def main() -> Exception:
        async with open_client(emulator, retry=NO_RETRY) as client:
            chat = client.chat(
                client.openai_base(None),
                {**CHAT_BODY, "model": "playground/demo-chat"},
                headers=fault("status=429,retry_after=3"),
            )
            return (await collect_until_error(chat))[1]

    error = run(main())
    assert isinstance(error, ApiError)
    assert (error.status, error.retry_after) == (429, 3)
    assert error.message == "Rate limit exceeded. Please try again later."
    assert "3 s" in error.hint


@pytest.mark.parametrize("scheme", ["Bearer", "Api-Key"])
def test_a_wrong_key_is_a_401(emulator: EmulatorServer, scheme: str) -> None:
    error = predict_error(emulator, Target(demo.CLASSIFIER), key="not-the-key", auth_scheme=scheme)
    assert isinstance(error, ApiError)
    assert error.status == 401
    assert error.message == "please check the api-key you provided"
    assert error.request_id
    assert "key" in error.hint


def test_a_wrong_key_on_management_and_model_apis(emulator: EmulatorServer) -> None:
    async def main() -> tuple[Exception, Exception]:
        async with open_client(emulator, key="not-the-key", retry=NO_RETRY) as client:
            try:
                await client.management.models()
            except ApiError as exc:
                management = exc
            body = {**CHAT_BODY, "model": "playground/demo-chat"}
            _, model_apis = await collect_until_error(client.chat(client.openai_base(None), body))
            return management, model_apis

    management, model_apis = run(main())
    assert isinstance(management, ApiError)
    assert management.status == 401
    assert isinstance(model_apis, ApiError)
    assert model_apis.status == 403  # inference.baseten.co says 403 for a bad key
    assert "key" in model_apis.hint


def test_no_key_is_refused_before_sending(emulator: EmulatorServer) -> None:
    error = predict_error(emulator, Target(demo.CLASSIFIER), key="")
    assert isinstance(error, InvalidRequest)
    assert "No API key" in str(error)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (Target("zzzz0000"), "Model zzzz0000 not found"),
        (Target(demo.CLASSIFIER, "environment", "nope"), "Environment nope not found"),
        (Target(demo.CLASSIFIER, "deployment", "nope000"), "Deployment nope000 not found"),
        (Target(demo.CLASSIFIER, is_chain=True), f"Chain {demo.CLASSIFIER} not found"),
    ],
    ids=["model", "environment", "deployment", "model-as-chain"],
)
def test_an_unknown_target_is_a_404(emulator: EmulatorServer, target: Target, words: str) -> None:
    error = predict_error(emulator, target)
    assert isinstance(error, ApiError)
    assert error.status == 404
    assert words in error.message
    assert error.request_id
    assert "model id" in error.hint


def test_an_invalid_input_is_a_400_with_the_models_words(emulator: EmulatorServer) -> None:
    async def main() -> Exception:
        async with open_client(emulator, retry=NO_RETRY) as client:
            return (await collect_until_error(client.predict(Target(demo.CLASSIFIER), {"txt": 1})))[
                1
            ]

    error = run(main())
    assert isinstance(error, ApiError)
    assert error.status == 400
    assert error.message.startswith("Input validation error")
    assert error.hint


def _local(base_url: str, key: str = "k", **kwargs: Any) -> BasetenClient:
    return BasetenClient(Remote.local(base_url), key, **kwargs)


def network_error(base_url: str) -> Exception:
    async def main() -> Exception:
        client = _local(base_url)
        try:
            return (await collect_until_error(client.predict(Target(demo.CLASSIFIER), {})))[1]
        finally:
            await client.aclose()

    return run(main())


def test_connection_refused() -> None:
    port = unused_port()
    error = network_error(f"http://127.0.0.1:{port}")
    assert type(error) is NetworkError
    assert "refused" in str(error).lower()
    assert f"127.0.0.1:{port}" in str(error)
    assert error.hint


def test_a_host_name_that_does_not_resolve() -> None:
    error = network_error("http://nonexistent.invalid")
    assert type(error) is NetworkError
    assert "resolve" in str(error)
    assert "nonexistent.invalid" in str(error)
    assert error.hint


def test_no_answer_before_the_read_timeout(emulator: EmulatorServer) -> None:
    error = predict_error(
        emulator, Target(demo.CLASSIFIER), fault("latency=0.6"), timeouts=Timeouts(read=0.2)
    )
    assert type(error) is NetworkError
    assert "0.2 s" in str(error)
    assert error.hint


def test_a_stall_after_the_headers_times_out_too(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[Any], Exception]:
        async with open_client(emulator, timeouts=Timeouts(read=0.2)) as client:
            return await collect_until_error(
                client.predict(Target(demo.CLASSIFIER), {"text": "x"}, headers=fault("stall=0.6"))
            )

    events, error = run(main())
    assert len(events) == 1  # the response had started
    assert isinstance(error, StreamCut)  # a stall after the start is a cut that keeps what came
    assert "timed out" in str(error).lower()
    assert "0.2 s" in str(error)


KEY = "sk-very-secret-0123456789"


def test_the_key_never_shows(emulator: EmulatorServer) -> None:
    """Neither in the client's repr nor in any error, whatever went wrong."""
    errors: list[BaseException] = []

    async def main() -> BasetenClient:
        wrong = _local(emulator.base_url, KEY, retry=NO_RETRY)
        refused = _local(f"http://127.0.0.1:{unused_port()}", KEY)
        nowhere = _local("http://nonexistent.invalid", KEY)
        slow = _local(emulator.base_url, emulator.api_key, timeouts=Timeouts(read=0.1))
        for client in (wrong, refused, nowhere, slow):
            for call in (
                client.predict(
                    Target(demo.CLASSIFIER), {"text": "x"}, headers=fault("latency=0.3")
                ),
                client.chat(client.openai_base(None), CHAT_BODY),
            ):
                errors.append((await collect_until_error(call))[1])
            try:
                await client.management.models()
            except PlaygroundError as exc:
                errors.append(exc)
            await client.aclose()
        # With the right key too, for the errors that come after a 200.
        async with open_client(emulator, key=None) as good:
            base = good.openai_base(Target(demo.CHAT))
            for spec in ("error_at=3", "end_after=3", "cut_after=3"):
                errors.append(
                    (
                        await collect_until_error(
                            good.chat(base, {**CHAT_BODY}, headers=fault(f"delay=0,{spec}"))
                        )
                    )[1]
                )
        return wrong

    client = run(main())
    assert {type(e) for e in errors} >= {
        ApiError,
        NetworkError,
        StreamError,
        TruncatedStream,
        StreamCut,
    }
    assert any("0.1 s" in str(e) for e in errors)  # the read timeout was among them
    assert KEY not in repr(client)
    assert KEY not in str(client)
    secret = emulator.api_key
    for error in errors:
        text = "".join(traceback.format_exception(error))
        for key in (KEY, secret):
            assert key not in text, text
            assert key not in repr(error)
            assert key not in str(error)
            assert key not in getattr(error, "hint", "")
            assert key not in repr(getattr(error, "partial", None))


def test_errors_keep_to_our_own_types(emulator: EmulatorServer) -> None:
    """No caller ever needs to know httpx's exceptions."""

    async def main() -> list[Exception]:
        async with open_client(emulator, retry=NO_RETRY, timeouts=Timeouts(read=0.2)) as client:
            found: list[Exception] = []
            for spec in ("status=502", "latency=0.5", "delay=0.01,cut_after=2"):
                call = client.predict(Target(demo.STREAMER), {"stream": True}, headers=fault(spec))
                found.append((await collect_until_error(call))[1])
            await collect(client.predict(Target(demo.CLASSIFIER), {"text": "still fine"}))
            return found

    for error in run(main()):
        assert isinstance(error, PlaygroundError)
        assert type(error).__module__ == "playground.core.errors"


@pytest.mark.parametrize("shape", ["gateway", "text", "chain"])
def test_a_key_the_server_quotes_back_is_masked_in_the_error(
    emulator: EmulatorServer, shape: str
) -> None:
    key = emulator.api_key
    error = predict_error(
        emulator,
        Target(demo.CLASSIFIER),
        fault(f"status=401,shape={shape},message=refused key {key} here"),
    )
    assert isinstance(error, ApiError)
    assert f"refused key ••••{key[-4:]} here" in error.message
    assert key not in str(error) + error.message + (error.detail or "")
    assert key.encode() not in error.body
