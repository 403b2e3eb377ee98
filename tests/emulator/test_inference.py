"""Inference over real sockets: every path prefix, regional hosts, custom routes, streams, images, chains."""

from __future__ import annotations

import json
import struct
import time

import httpx
import pytest

from playground.emulator import EmulatorServer, demo
from tests.emulator.helpers import (
    CHAIN_PRODUCTION,
    CLASSIFIER_DEPLOYMENTS,
    CUSTOM_DEPLOYMENTS,
    FAULT,
    PNG_SIGNATURE,
    model_path,
)

# (path after the model host, deployment that must serve it)
PREFIXES = [
    ("/environments/production", CLASSIFIER_DEPLOYMENTS["production"]),
    ("/environments/staging", CLASSIFIER_DEPLOYMENTS["staging"]),
    ("/production", CLASSIFIER_DEPLOYMENTS["production"]),
    ("/development", CLASSIFIER_DEPLOYMENTS["development"]),
    (f"/deployment/{CLASSIFIER_DEPLOYMENTS['staging']}", CLASSIFIER_DEPLOYMENTS["staging"]),
]
# (host, deployment): the regional form puts the environment in the host and uses bare paths.
REGIONAL = [
    (f"model-{demo.CLASSIFIER}-production", CLASSIFIER_DEPLOYMENTS["production"]),
    (f"model-{demo.CLASSIFIER}-staging", CLASSIFIER_DEPLOYMENTS["staging"]),
]
# Every way to address a deployment, as a full path prefix.
ALL_BASES = [
    *[(f"/model-{demo.CLASSIFIER}{prefix}", dep) for prefix, dep in PREFIXES],
    *[(f"/{host}", dep) for host, dep in REGIONAL],
]
BASE_IDS = [base.split("/", 2)[-1] or base for base, _ in ALL_BASES]


def served_by(response: httpx.Response, model_id: str, deployment_id: str) -> None:
    assert response.headers["x-baseten-model-id"] == model_id
    assert response.headers["x-baseten-model-version-id"] == deployment_id
    assert response.headers["x-baseten-request-id"]


# --- predict on every prefix ---------------------------------------------------------------------


@pytest.mark.parametrize(("base", "deployment_id"), ALL_BASES, ids=BASE_IDS)
def test_predict_on_every_prefix_and_regional_host(
    http: httpx.Client, base: str, deployment_id: str
) -> None:
    response = http.post(f"{base}/predict", json={"text": "I love it, great"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    served_by(response, demo.CLASSIFIER, deployment_id)
    assert response.json()["label"].lower() == "positive"


def test_the_classifier_answers_differently_per_environment(http: httpx.Client) -> None:
    body = {"text": "great but slow"}
    production = http.post(model_path(demo.CLASSIFIER, "production") + "/predict", json=body).json()
    staging = http.post(
        model_path(demo.CLASSIFIER, "environments/staging") + "/predict", json=body
    ).json()
    development = http.post(
        model_path(demo.CLASSIFIER, "development") + "/predict", json=body
    ).json()
    assert production == {"label": "neutral", "score": 0.5}
    assert staging["label"] == "NEUTRAL"
    assert staging["model_version"] == "v2"
    assert set(staging["scores"]) == {"positive", "negative", "neutral"}
    assert development["model_version"] == "dev"
    assert development["debug"]["positive_hits"] == 1
    assert development["debug"]["negative_hits"] == 1
    assert len({json.dumps(a, sort_keys=True) for a in (production, staging, development)}) == 3


@pytest.mark.parametrize(
    "prefix",
    [
        "production",
        "environments/production",
        "development",
        f"deployment/{CLASSIFIER_DEPLOYMENTS['production']}",
    ],
)
def test_prefixed_paths_are_404_on_a_regional_host(http: httpx.Client, prefix: str) -> None:
    response = http.post(
        f"/model-{demo.CLASSIFIER}-production/{prefix}/predict", json={"text": "x"}
    )
    assert response.status_code == 404
    assert "regional" in response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        f"/model-{demo.CLASSIFIER}-nosuchenv/predict",
        f"/model-{demo.CLASSIFIER}/environments/nosuchenv/predict",
        f"/model-{demo.CLASSIFIER}/deployment/nosuch0/predict",
        f"/model-{demo.IMAGE}/development/predict",  # no development deployment
        f"/model-{demo.CLASSIFIER}/predict",  # no prefix on a non-regional host
        f"/model-{demo.CLASSIFIER}/production/nosuchendpoint",
        "/model-nosuch00/production/predict",
        f"/chain-{demo.CLASSIFIER}/production/run_remote",  # a model is not a chain
        f"/model-{demo.CHAIN}/production/predict",  # nor a chain a model
        "/notahost/production/predict",
    ],
)
def test_unknown_targets_are_404_with_an_error_body(http: httpx.Client, path: str) -> None:
    response = http.post(path, json={"text": "x"})
    assert response.status_code == 404
    assert response.json()["error"]
    assert response.headers["x-baseten-request-id"]


def test_invalid_json_is_400_with_an_error_message(http: httpx.Client) -> None:
    response = http.post(
        model_path(demo.CLASSIFIER) + "/predict",
        content=b'{"text": "unterminated',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Invalid JSON payload")


def test_input_validation_error_is_400(http: httpx.Client) -> None:
    response = http.post(model_path(demo.CLASSIFIER) + "/predict", json={"txt": "typo"})
    assert response.status_code == 400
    assert "validation" in response.json()["error"].lower()


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [
        ("GET", "predict"),
        ("PUT", "predict"),
        ("GET", "async_predict"),
        ("POST", "async_queue_status"),
        ("GET", "wake"),
        ("DELETE", "wake"),
    ],
)
def test_wrong_method_is_405(http: httpx.Client, method: str, endpoint: str) -> None:
    response = http.request(method, model_path(demo.CLASSIFIER) + "/" + endpoint)
    assert response.status_code == 405
    assert response.json()["error"]


def test_too_large_sync_body_is_413(
    fresh_emulator: EmulatorServer, fresh_http: httpx.Client
) -> None:
    fresh_emulator.settings.max_sync_body = 1024
    response = fresh_http.post(model_path(demo.CLASSIFIER) + "/predict", json={"text": "x" * 2048})
    assert response.status_code == 413
    assert response.json()["error_code"] == "payload_too_large"
    assert (
        fresh_http.post(
            model_path(demo.CLASSIFIER) + "/predict", json={"text": "x" * 512}
        ).status_code
        == 200
    )


# --- async, queue status and wake on every prefix ------------------------------------------------


@pytest.mark.parametrize(("base", "deployment_id"), ALL_BASES, ids=BASE_IDS)
def test_async_predict_and_queue_status_on_every_prefix(
    http: httpx.Client, base: str, deployment_id: str
) -> None:
    submitted = http.post(f"{base}/async_predict", json={"model_input": {"text": "good"}})
    assert submitted.status_code == 201, submitted.text
    request_id = submitted.json()["request_id"]
    assert request_id
    served_by(submitted, demo.CLASSIFIER, deployment_id)

    status = http.get(f"/model-{demo.CLASSIFIER}/async_request/{request_id}")
    assert status.status_code == 200
    assert status.json()["deployment_id"] == deployment_id
    assert status.json()["model_id"] == demo.CLASSIFIER
    assert status.headers["x-baseten-model-version-id"] == deployment_id

    queue = http.get(f"{base}/async_queue_status")
    assert queue.status_code == 200
    body = queue.json()
    assert set(body) == {
        "model_id",
        "deployment_id",
        "num_queued_requests",
        "num_in_progress_requests",
    }
    assert body["model_id"] == demo.CLASSIFIER
    assert body["deployment_id"] == deployment_id
    served_by(queue, demo.CLASSIFIER, deployment_id)


@pytest.mark.parametrize(("base", "deployment_id"), ALL_BASES, ids=BASE_IDS)
def test_wake_on_every_prefix_is_202(http: httpx.Client, base: str, deployment_id: str) -> None:
    response = http.post(f"{base}/wake")
    assert response.status_code == 202
    assert response.content == b""
    served_by(response, demo.CLASSIFIER, deployment_id)


def test_async_request_get_and_delete(http: httpx.Client) -> None:
    submitted = http.post(
        model_path(demo.CLASSIFIER, "development") + "/async_predict",
        json={"model_input": {"text": "fine"}},
    )
    request_id = submitted.json()["request_id"]
    url = f"/model-{demo.CLASSIFIER}/async_request/{request_id}"
    status = http.get(url).json()
    assert status["request_id"] == request_id
    assert status["status"] in ("QUEUED", "IN_PROGRESS", "SUCCEEDED")
    cancel = http.delete(url)
    assert cancel.status_code == 200
    assert set(cancel.json()) == {"request_id", "canceled", "message"}
    assert cancel.json()["request_id"] == request_id
    # Another model's host does not know the request.
    assert http.get(f"/model-{demo.IMAGE}/async_request/{request_id}").status_code == 404
    assert http.get(f"/model-{demo.CLASSIFIER}/async_request/nosuchrequest").status_code == 404


# --- custom server routes ------------------------------------------------------------------------


def test_sync_health_on_production_and_development(http: httpx.Client) -> None:
    production = http.get(model_path(demo.CUSTOM, "environments/production") + "/sync/health")
    assert production.status_code == 200
    assert production.json() == {"status": "ok", "version": "1.0"}
    served_by(production, demo.CUSTOM, CUSTOM_DEPLOYMENTS["production"])
    development = http.get(model_path(demo.CUSTOM, "development") + "/sync/health")
    assert development.json() == {"status": "ok", "version": "1.1-dev"}
    regional = http.get(f"/model-{demo.CUSTOM}-production/sync/health")
    assert regional.json()["version"] == "1.0"


@pytest.mark.parametrize(
    ("base", "deployment_id"),
    [
        (f"/model-{demo.CUSTOM}/production", CUSTOM_DEPLOYMENTS["production"]),
        (f"/model-{demo.CUSTOM}/environments/production", CUSTOM_DEPLOYMENTS["production"]),
        (f"/model-{demo.CUSTOM}/development", CUSTOM_DEPLOYMENTS["development"]),
        (
            f"/model-{demo.CUSTOM}/deployment/{CUSTOM_DEPLOYMENTS['development']}",
            CUSTOM_DEPLOYMENTS["development"],
        ),
        (f"/model-{demo.CUSTOM}-production", CUSTOM_DEPLOYMENTS["production"]),
    ],
)
def test_sync_routes_on_every_prefix(http: httpx.Client, base: str, deployment_id: str) -> None:
    health = http.get(f"{base}/sync/health")
    assert health.status_code == 200
    served_by(health, demo.CUSTOM, deployment_id)
    item = http.get(f"{base}/sync/items/1")
    assert item.json() == {"id": "1", "name": "widget", "price": 9.5}
    echo = http.post(f"{base}/sync/echo", content=b"not json at all")
    assert echo.json()["body"] == "not json at all"


def test_sync_items_crud_with_every_method(fresh_http: httpx.Client) -> None:
    base = model_path(demo.CUSTOM, "production") + "/sync/items"
    listed = fresh_http.get(base)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == ["1", "2"]

    created = fresh_http.post(base, json={"name": "sprocket", "price": 3.25})
    assert created.status_code == 201
    item_id = created.json()["id"]
    assert created.json() == {"id": item_id, "name": "sprocket", "price": 3.25}
    assert fresh_http.get(f"{base}/{item_id}").json()["name"] == "sprocket"

    replaced = fresh_http.put(f"{base}/{item_id}", json={"name": "cog"})
    assert replaced.status_code == 200
    assert replaced.json() == {"id": item_id, "name": "cog"}

    patched = fresh_http.patch(f"{base}/{item_id}", json={"price": 1.0})
    assert patched.json() == {"id": item_id, "name": "cog", "price": 1.0}

    deleted = fresh_http.delete(f"{base}/{item_id}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = fresh_http.get(f"{base}/{item_id}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Item not found"}

    invalid = fresh_http.post(base, json={"price": 1})
    assert invalid.status_code == 422
    assert fresh_http.delete(base).status_code == 405
    assert fresh_http.patch(f"{base}/999", json={"name": "x"}).status_code == 404
    # Each deployment keeps its own store: development never saw the changes above.
    dev = fresh_http.get(model_path(demo.CUSTOM, "development") + "/sync/items").json()
    assert [item["id"] for item in dev["items"]] == ["1", "2"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_sync_echo_sees_method_path_query_and_body(http: httpx.Client, method: str) -> None:
    body = None if method in ("GET", "DELETE") else {"hello": "wörld", "n": 1}
    response = http.request(
        method,
        model_path(demo.CUSTOM) + "/sync/echo",
        params={"q": "1", "lang": "de"},
        json=body,
        headers={"X-Custom": "yes"},
    )
    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == method
    assert echo["path"] == "/echo"
    assert echo["query"] == {"q": "1", "lang": "de"}
    assert echo["body"] == body
    assert echo["headers"]["x-custom"] == "yes"
    assert "authorization" not in echo["headers"]


def test_sync_unknown_route_is_fastapi_404(http: httpx.Client) -> None:
    response = http.get(model_path(demo.CUSTOM) + "/sync/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    # A Truss model without a custom server has no routes either.
    plain = http.get(model_path(demo.CLASSIFIER) + "/sync/health")
    assert plain.status_code == 404


def test_custom_server_predict_echoes(http: httpx.Client) -> None:
    response = http.post(model_path(demo.CUSTOM, "development") + "/predict", json={"a": [1, 2]})
    assert response.json() == {"server": "custom", "version": "1.1-dev", "echo": {"a": [1, 2]}}


# --- streaming models ----------------------------------------------------------------------------


def test_streamer_streams_octet_stream_chunks_over_time(http: httpx.Client) -> None:
    url = model_path(demo.STREAMER) + "/predict"
    arrivals: list[tuple[float, bytes]] = []
    started = time.monotonic()
    with http.stream(
        "POST",
        url,
        json={"prompt": "a lighthouse keeper", "stream": True},
        headers={FAULT: "delay=0.01"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            arrivals.append((time.monotonic() - started, chunk))
    assert len(arrivals) >= 5
    assert arrivals[-1][0] - arrivals[0][0] > 0.1  # spread over time, not one buffered body
    streamed = b"".join(chunk for _, chunk in arrivals).decode("utf-8")

    whole = http.post(url, json={"prompt": "a lighthouse keeper", "stream": False})
    assert whole.headers["content-type"] == "application/json"
    assert streamed == whole.json()["text"]
    assert "a lighthouse keeper" in streamed
    assert "漢字" in streamed
    assert "🎉" in streamed


def test_streamer_max_tokens_and_development_speed(http: httpx.Client) -> None:
    url = model_path(demo.STREAMER, "development") + "/predict"
    started = time.monotonic()
    response = http.post(url, json={"prompt": "p", "max_tokens": 4})
    elapsed = time.monotonic() - started
    assert response.text == "Once upon a time,"
    assert elapsed >= 4 * 0.08 * 0.8  # the development deployment is the slow one
    assert response.headers["x-baseten-model-version-id"] == "ss2q2sb"


def test_ndjson_streams_one_json_object_per_line(http: httpx.Client) -> None:
    url = model_path(demo.NDJSON) + "/predict"
    lines: list[str] = []
    with http.stream(
        "POST", url, json={"prompt": "a rainy harbour"}, headers={FAULT: "delay=0.002"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        lines.extend(line for line in response.iter_lines() if line)
    events = [json.loads(line) for line in lines]
    assert events[-1] == {"done": True, "tokens": len(events) - 1}
    assert [e["index"] for e in events[:-1]] == list(range(len(events) - 1))
    text = "".join(e["token"] for e in events[:-1])
    whole = http.post(url, json={"prompt": "a rainy harbour", "stream": False}).json()
    assert text == whole["text"]
    assert whole["tokens"] == len(events) - 1


def test_image_model_returns_png_bytes(http: httpx.Client) -> None:
    response = http.post(
        model_path(demo.IMAGE) + "/predict", json={"prompt": "a red square", "size": 24}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    data = response.content
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (24, 24)
    assert data.endswith(b"IEND\xaeB`\x82")
    bad = http.post(model_path(demo.IMAGE) + "/predict", json={"size": 4})
    assert bad.status_code == 400


# --- chains --------------------------------------------------------------------------------------


def test_chain_run_remote(http: httpx.Client) -> None:
    for base in (
        f"/chain-{demo.CHAIN}/production",
        f"/chain-{demo.CHAIN}/environments/production",
        f"/chain-{demo.CHAIN}/deployment/{CHAIN_PRODUCTION}",
        f"/chain-{demo.CHAIN}-production",
    ):
        response = http.post(f"{base}/run_remote", json={"question": "How do I rotate keys?"})
        assert response.status_code == 200, base
        body = response.json()
        assert "How do I rotate keys?" in body["answer"]
        assert len(body["sources"]) == 2
        served_by(response, demo.CHAIN, CHAIN_PRODUCTION)


def test_chain_error_uses_the_remote_error_shape(http: httpx.Client) -> None:
    response = http.post(f"/chain-{demo.CHAIN}/production/run_remote", json={"query": "x"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["exception_cls_name"]
    assert "question" in error["exception_message"]
    assert error["user_stack_trace"][0]["lineno"]


def test_chain_predict_is_not_an_endpoint(http: httpx.Client) -> None:
    response = http.post(f"/chain-{demo.CHAIN}/production/predict", json={"question": "x"})
    assert response.status_code == 404


def test_chain_async_run_remote(http: httpx.Client) -> None:
    submitted = http.post(
        f"/chain-{demo.CHAIN}/production/async_run_remote", json={"question": "What is a chainlet?"}
    )
    assert submitted.status_code == 201
    request_id = submitted.json()["request_id"]
    status = http.get(f"/chain-{demo.CHAIN}/async_request/{request_id}")
    assert status.status_code == 200
    body = status.json()
    assert body["chain_id"] == demo.CHAIN
    assert "model_id" not in body
    assert body["deployment_id"] == CHAIN_PRODUCTION
    queue = http.get(f"/chain-{demo.CHAIN}/production/async_queue_status").json()
    assert queue["chain_id"] == demo.CHAIN


# --- the server itself ---------------------------------------------------------------------------


def test_small_responses_are_not_held_back_by_nagle(http: httpx.Client) -> None:
    # Headers and body go out in separate writes; without TCP_NODELAY on the accepted socket each
    # response waited ~40 ms for a delayed ACK, which would distort every TTFB measured against it.
    timings = []
    for _ in range(15):
        started = time.monotonic()
        assert http.get(model_path(demo.CUSTOM) + "/sync/health").status_code == 200
        timings.append(time.monotonic() - started)
    timings.sort()
    assert timings[len(timings) // 2] < 0.02


@pytest.mark.parametrize("path", ["/nowhere", f"/model-{demo.CLASSIFIER}", f"/chain-{demo.CHAIN}"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_paths_without_an_endpoint_are_404_not_redirects(
    http: httpx.Client, path: str, method: str
) -> None:
    response = http.request(method, path)
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["error"]
