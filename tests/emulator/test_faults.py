"""Fault injection, each provoked and observed from the client's side and, where it matters, the server's."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from playground.emulator import EmulatorServer, demo
from playground.emulator.faults import SHAPES
from tests.core.helpers import ERROR_SHAPES
from tests.emulator.helpers import (
    CLASSIFIER_DEPLOYMENTS,
    FAULT,
    chat_body,
    chunks_of,
    client,
    deltas,
    finish_reasons,
    model_path,
    server_record,
    sse_data,
    wait_for,
)

PREDICT = model_path(demo.CLASSIFIER) + "/predict"
CHAT = model_path(demo.CHAT) + "/sync/v1/chat/completions"
VERBOSE_CHAT = model_path(demo.CHAT, "development") + "/sync/v1/chat/completions"
STREAMER = model_path(demo.STREAMER) + "/predict"
NDJSON = model_path(demo.NDJSON) + "/predict"


def fault(spec: str) -> dict[str, str]:
    return {FAULT: spec}


def read_stream(
    http: httpx.Client,
    url: str,
    body: dict[str, Any],
    spec: str,
) -> tuple[httpx.Response, list[str], Exception | None]:
    """Stream an SSE response; returns its `data:` payloads and the read error, if any."""
    lines: list[str] = []
    error: Exception | None = None
    with http.stream("POST", url, json=body, headers=fault(spec)) as response:
        try:
            lines.extend(response.iter_lines())
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            error = exc
    return response, sse_data(lines), error


# --- latency, stall, status ----------------------------------------------------------------------


def test_latency_delays_the_response(http: httpx.Client) -> None:
    started = time.monotonic()
    assert http.post(PREDICT, json={"text": "x"}).status_code == 200
    normal = time.monotonic() - started
    started = time.monotonic()
    response = http.post(PREDICT, json={"text": "x"}, headers=fault("latency=0.3"))
    delayed = time.monotonic() - started
    assert response.status_code == 200
    assert delayed >= 0.3
    assert delayed > normal + 0.2


def test_stall_delays_the_body_after_the_headers(http: httpx.Client) -> None:
    started = time.monotonic()
    with http.stream(
        "POST", PREDICT, json={"text": "good"}, headers=fault("stall=0.4")
    ) as response:
        headers_at = time.monotonic() - started
        assert response.status_code == 200
        body = response.read()
        body_at = time.monotonic() - started
    assert headers_at < 0.3
    assert body_at >= 0.4
    assert json.loads(body) == {"label": "positive", "score": 0.99}


def check_shape(response: httpx.Response, shape: str, status: int, message: str) -> None:
    assert response.status_code == status
    content_type = response.headers["content-type"]
    if shape == "text":
        assert content_type.startswith("text/plain")
        assert response.text == message
        return
    if shape == "html":
        assert content_type.startswith("text/html")
        assert f"<h1>{status} " in response.text
        assert message in response.text
        return
    assert content_type == "application/json"
    body = response.json()
    if shape == "gateway":
        assert body == {"error": message}
    elif shape == "spec":
        assert body == {"error": message, "error_code": body["error_code"], "detail": message}
        assert body["error_code"] in {
            "timeout",
            "client_error",
            "model_unavailable",
            "model_not_ready",
            "model_does_not_exist",
            "rate_limited",
            "payload_too_large",
            "unauthorized",
            "application_error",
            "internal_baseten_error",
        }
    elif shape == "truss":
        assert body == {"error": message}
        assert response.headers["x-baseten-error-source"] == "04"
        assert response.headers["x-baseten-error-code"] in ("500", "600", "700")
    elif shape == "chain":
        error = body["error"]
        assert set(error) == {
            "exception_cls_name",
            "exception_module_name",
            "exception_message",
            "user_stack_trace",
        }
        assert error["exception_message"] == message
        frame = error["user_stack_trace"][0]
        assert set(frame) == {"filename", "lineno", "name", "line"}
    elif shape == "openai":
        assert body == {
            "error": {"message": message, "type": body["error"]["type"], "code": status}
        }
    elif shape == "flat":
        assert body == {"message": message, "type": body["type"], "code": status}
    elif shape == "detail":
        assert body == {"detail": message}
    elif shape == "ratelimit":
        assert body["error"] == message
        assert isinstance(body["retry_after"], int)
        assert body["retry_after"] >= 1
    else:
        pytest.fail(f"untested shape {shape}")


@pytest.mark.parametrize("shape", ERROR_SHAPES)
@pytest.mark.parametrize("status", [500, 503])
def test_status_in_every_error_shape(http: httpx.Client, shape: str, status: int) -> None:
    response = http.post(
        PREDICT,
        json={"text": "x"},
        headers=fault(f"status={status},shape={shape},message=Boom today"),
    )
    check_shape(response, shape, status, "Boom today")
    assert response.headers["x-baseten-request-id"]


@pytest.mark.parametrize("shape", ERROR_SHAPES)
def test_every_shape_on_management_and_model_apis(http: httpx.Client, shape: str) -> None:
    spec = f"status=502,shape={shape},message=Upstream gone"
    check_shape(http.get("/api/v1/models", headers=fault(spec)), shape, 502, "Upstream gone")
    check_shape(
        http.post(
            "/inference/v1/chat/completions",
            headers=fault(spec),
            json=chat_body(model="playground/demo-chat"),
        ),
        shape,
        502,
        "Upstream gone",
    )


def test_the_server_offers_no_shape_these_tests_do_not_check() -> None:
    # The cases above come from the tests' own list; a shape added to the server needs one.
    assert set(SHAPES) <= set(ERROR_SHAPES)


def test_status_uses_the_default_message_and_shape(http: httpx.Client) -> None:
    response = http.post(PREDICT, json={"text": "x"}, headers=fault("status=503"))
    assert response.json() == {"error": "Model with name model is not ready."}
    openai = http.post(
        "/inference/v1/chat/completions",
        headers=fault("status=500"),
        json=chat_body(model="playground/demo-chat"),
    )
    assert openai.json()["error"]["code"] == 500


def test_429_has_retry_after(http: httpx.Client) -> None:
    response = http.post(PREDICT, json={"text": "x"}, headers=fault("status=429,retry_after=7"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {
        "error": "Rate limit exceeded. Please try again later.",
        "retry_after": 7,
    }
    management = http.get("/api/v1/models", headers=fault("status=429,retry_after=3"))
    assert management.status_code == 429
    assert management.headers["retry-after"] == "3"
    assert management.json()["retry_after"] == 3


def test_status_fault_on_async_status_endpoints(http: httpx.Client) -> None:
    job = http.post(
        model_path(demo.CLASSIFIER, "development") + "/async_predict",
        json={"model_input": {"text": "x"}},
    ).json()["request_id"]
    response = http.get(
        f"/model-{demo.CLASSIFIER}/async_request/{job}", headers=fault("status=503,shape=spec")
    )
    assert response.status_code == 503
    assert response.json()["error_code"] == "model_not_ready"


# --- streams -------------------------------------------------------------------------------------


def test_cut_after_drops_the_connection_mid_stream(http: httpx.Client) -> None:
    response, data, error = read_stream(http, CHAT, chat_body(stream=True), "cut_after=3,delay=0")
    assert response.status_code == 200
    assert isinstance(error, httpx.RemoteProtocolError)
    assert len(data) == 3
    assert "[DONE]" not in data
    assert all(json.loads(d)["choices"][0]["finish_reason"] is None for d in data)
    record = server_record(http, response.headers["x-baseten-request-id"])
    assert record["cut"] is True
    assert record["completed"] is False
    assert record["events_sent"] == 3


def test_cut_after_zero_on_a_json_body_gives_an_incomplete_read(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(PREDICT, json={"text": "x"}, headers=fault("cut_after=0"))


def test_cut_after_on_a_raw_stream(http: httpx.Client) -> None:
    received: list[bytes] = []
    error: Exception | None = None
    with http.stream(
        "POST", STREAMER, json={"prompt": "p"}, headers=fault("cut_after=5,delay=0")
    ) as response:
        try:
            received.extend(response.iter_raw())
        except httpx.RemoteProtocolError as exc:
            error = exc
    assert error is not None
    assert b"".join(received).decode() == "Once upon a time, a"


def test_end_after_ends_cleanly_without_done(http: httpx.Client) -> None:
    response, data, error = read_stream(http, CHAT, chat_body(stream=True), "end_after=4,delay=0")
    assert error is None
    assert response.status_code == 200
    assert len(data) == 4
    assert "[DONE]" not in data
    assert finish_reasons(chunks_of(data)) == []
    record = server_record(http, response.headers["x-baseten-request-id"])
    assert record["cut"] is False
    assert record["events_sent"] == 4


def test_malformed_at_puts_a_non_json_event_in_the_stream(http: httpx.Client) -> None:
    _, data, error = read_stream(http, CHAT, chat_body(stream=True), "malformed_at=2,delay=0")
    assert error is None
    assert data[-1] == "[DONE]"

    def parses(item: str) -> bool:
        try:
            json.loads(item)
        except json.JSONDecodeError:
            return False
        return True

    bad = [i for i, item in enumerate(data[:-1]) if not parses(item)]
    assert bad == [2]
    good = chunks_of([d for i, d in enumerate(data) if i not in bad])
    assert finish_reasons(good) == ["stop"]


def test_error_at_sends_an_in_band_error_event(http: httpx.Client) -> None:
    response, data, error = read_stream(
        http, CHAT, chat_body(stream=True), "error_at=3,delay=0,message=GPU fell over"
    )
    assert error is None
    assert response.status_code == 200
    assert len(data) == 5
    assert data[-1] == "[DONE]"
    event = json.loads(data[3])
    assert event == {
        "error": {"message": "GPU fell over", "type": "InternalServerError", "code": 500}
    }
    assert finish_reasons(chunks_of(data[:3])) == []


def test_error_at_on_an_ndjson_stream(http: httpx.Client) -> None:
    response = http.post(NDJSON, json={"prompt": "p"}, headers=fault("error_at=2,delay=0"))
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == 3
    assert "token" in lines[1]
    assert set(lines[2]) == {"error"}


def test_trickle_of_single_bytes_still_decodes(http: httpx.Client) -> None:
    expected = http.post(STREAMER, json={"prompt": "p", "stream": False}).json()["text"]
    encoded = expected.encode()
    assert len(encoded) > len(expected)  # multi-byte characters are in there to be split
    pieces: list[bytes] = []
    with http.stream(
        "POST", STREAMER, json={"prompt": "p"}, headers=fault("trickle=0.001,chunk_bytes=1,delay=0")
    ) as response:
        pieces.extend(response.iter_raw())
    assert b"".join(pieces) == encoded
    assert b"".join(pieces).decode("utf-8") == expected
    assert len(pieces) > len(encoded) // 4  # arrived in many separate pieces


def test_rechunked_sse_reassembles_to_the_same_text(http: httpx.Client) -> None:
    body = chat_body("Unicode", stream=True)
    _, plain, _ = read_stream(http, VERBOSE_CHAT, body, "delay=0")
    raw = b""
    with http.stream(
        "POST", VERBOSE_CHAT, json=body, headers=fault("chunk_bytes=3,delay=0")
    ) as response:
        for piece in response.iter_raw():
            raw += piece
    rechunked = sse_data(raw.decode("utf-8").splitlines())
    text = "".join(deltas(chunks_of(rechunked)))
    assert text == "".join(deltas(chunks_of(plain)))
    assert "日本語" in text
    assert "🚀" in text


def test_huge_answers_with_a_big_json_body(http: httpx.Client) -> None:
    response = http.post(PREDICT, json={"text": "x"}, headers=fault("huge=2000000"))
    assert response.status_code == 200
    assert 1_800_000 <= len(response.content) <= 2_200_000
    body = response.json()
    assert body["rows"] == len(body["data"])


@pytest.mark.parametrize("count", [1, 37, 150])
def test_tokens_gives_exactly_n_content_deltas(http: httpx.Client, count: int) -> None:
    _, data, _ = read_stream(http, CHAT, chat_body(stream=True), f"tokens={count},delay=0")
    chunks = chunks_of(data)
    assert len(deltas(chunks)) == count
    assert finish_reasons(chunks) == ["stop"]
    ndjson = http.post(NDJSON, json={"prompt": "p"}, headers=fault(f"tokens={count},delay=0"))
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert lines[-1] == {"done": True, "tokens": count}


def test_delay_sets_the_pace_of_a_stream(http: httpx.Client) -> None:
    started = time.monotonic()
    read_stream(http, CHAT, chat_body(stream=True), "tokens=10,delay=0.03")
    assert time.monotonic() - started >= 0.3


# --- the server sees the client go away ----------------------------------------------------------


def test_client_disconnect_mid_stream_is_seen_by_the_server(http: httpx.Client) -> None:
    with http.stream(
        "POST", CHAT, json=chat_body(stream=True), headers=fault("tokens=200,delay=0.02")
    ) as response:
        request_id = response.headers["x-baseten-request-id"]
        got = 0
        for line in response.iter_lines():
            got += line.startswith("data:")
            if got == 3:
                break
    # Leaving the block closed the connection half way.
    records = wait_for(
        lambda: server_record(http, request_id),
        lambda r: r["disconnected"],
        timeout=3.0,
        interval=0.05,
    )
    record = records[-1]
    assert record["completed"] is False
    assert record["cut"] is False
    assert 3 <= record["events_sent"] < 200


# --- per-model faults and spec errors ------------------------------------------------------------


def test_per_model_faults_with_count_apply_then_clear(fresh_http: httpx.Client) -> None:
    put = fresh_http.put(
        f"/_emulator/faults/{demo.CLASSIFIER}", json={"spec": "status=503,shape=spec,count=2"}
    )
    assert put.status_code == 200
    assert put.json()["faults"]["status"] == 503
    assert put.json()["faults"]["count"] == 2
    codes = [fresh_http.post(PREDICT, json={"text": "x"}).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    # Other models were never affected.
    assert fresh_http.post(model_path(demo.IMAGE) + "/predict", json={}).status_code == 200


def test_per_model_faults_cover_every_deployment_until_deleted(fresh_http: httpx.Client) -> None:
    assert (
        fresh_http.put(f"/_emulator/faults/{demo.CLASSIFIER}", json={"status": 502}).status_code
        == 200
    )
    for prefix in ("production", "environments/staging", "development"):
        response = fresh_http.post(
            model_path(demo.CLASSIFIER, prefix) + "/predict", json={"text": "x"}
        )
        assert response.status_code == 502
    # A request's own header wins over the model's faults.
    assert (
        fresh_http.post(PREDICT, json={"text": "x"}, headers=fault("status=504")).status_code == 504
    )
    cleared = fresh_http.delete(f"/_emulator/faults/{demo.CLASSIFIER}")
    assert cleared.json() == {"model_id": demo.CLASSIFIER, "faults": {}}
    assert fresh_http.post(PREDICT, json={"text": "x"}).status_code == 200


def test_per_model_faults_set_in_process(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.emulator.state.set_model_faults(demo.CLASSIFIER, "latency=0.3,count=1")
    with client(fresh_emulator.base_url) as http:
        started = time.monotonic()
        first = http.post(PREDICT, json={"text": "x"})
        slow = time.monotonic() - started
        started = time.monotonic()
        http.post(PREDICT, json={"text": "x"})
        fast = time.monotonic() - started
    assert first.status_code == 200
    assert first.headers["x-baseten-model-version-id"] == CLASSIFIER_DEPLOYMENTS["production"]
    assert slow >= 0.3
    assert fast < 0.2


def test_per_model_stream_fault(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.emulator.state.set_model_faults(
        demo.CHAT, {"cut_after": 2, "delay": 0, "count": 1}
    )
    with client(fresh_emulator.base_url) as http:
        _, data, error = read_stream(http, CHAT, chat_body(stream=True), "")
        assert isinstance(error, httpx.RemoteProtocolError)
        assert len(data) == 2
        _, data, error = read_stream(http, CHAT, chat_body(stream=True), "delay=0")
        assert error is None
        assert data[-1] == "[DONE]"


@pytest.mark.parametrize(
    "spec",
    [
        "bogus=1",
        "status=abc",
        "status=999",
        "shape=nope",
        "latency",
        "latency=soon",
        '{"status": 5',
        '{"nope": 1}',
    ],
)
def test_invalid_fault_spec_is_400(http: httpx.Client, spec: str) -> None:
    for method, url, body in (
        ("POST", PREDICT, {"text": "x"}),
        ("GET", "/api/v1/models", None),
        ("POST", "/inference/v1/chat/completions", chat_body(model="playground/demo-chat")),
    ):
        response = http.request(method, url, json=body, headers=fault(spec))
        assert response.status_code == 400, (url, response.text)
        assert "X-Emulator-Fault" in response.json()["error"]


@pytest.mark.parametrize("body", [{"spec": "bogus=1"}, {"status": "abc"}, {"shape": "nope"}])
def test_invalid_per_model_fault_is_400(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.put(f"/_emulator/faults/{demo.CLASSIFIER}", json=body)
    assert response.status_code == 400
    assert response.json()["error"]
    # Nothing was set.
    assert http.post(PREDICT, json={"text": "x"}).status_code == 200


def test_empty_fault_header_is_no_fault(http: httpx.Client) -> None:
    assert http.post(PREDICT, json={"text": "x"}, headers=fault("")).status_code == 200
    assert http.post(PREDICT, json={"text": "x"}, headers=fault(", ,")).status_code == 200


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (100, "informational"),
        (101, "informational"),
        (199, "informational"),
        (204, "no body"),
        (304, "no body"),
    ],
)
def test_a_status_the_server_cannot_send_is_refused(
    http: httpx.Client, status: int, says: str
) -> None:
    # Sent, these broke the connection (h11 refuses a 1xx as the answer, and a body on a 204/304).
    for method, url, body in (
        ("POST", PREDICT, {"text": "x"}),
        ("GET", "/api/v1/models", None),
        ("POST", "/inference/v1/chat/completions", chat_body(model="playground/demo-chat")),
    ):
        response = http.request(method, url, json=body, headers=fault(f"status={status}"))
        assert response.status_code == 400, (url, response.text)
        assert f"status {status}" in response.json()["error"]
        assert says in response.json()["error"]
    refused = http.put(f"/_emulator/faults/{demo.CLASSIFIER}", json={"status": status})
    assert refused.status_code == 400
    assert says in refused.json()["error"]
    assert http.post(PREDICT, json={"text": "x"}).status_code == 200  # nothing was set
