"""Async inference with real timing: lifecycle, validation, cancel, queue depth, webhooks, rate limits."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from playground.emulator import EmulatorServer, EmulatorSettings, demo
from tests.emulator.helpers import (
    CLASSIFIER_DEPLOYMENTS,
    FAULT,
    KEY,
    SLEEPY_PRODUCTION,
    client,
    distinct_in_order,
    model_path,
    wait_for,
)

TERMINAL = {"SUCCEEDED", "FAILED", "EXPIRED", "CANCELED", "WEBHOOK_FAILED"}
STATUS_FIELDS = {
    "request_id",
    "model_id",
    "deployment_id",
    "status",
    "webhook_status",
    "created_at",
    "status_at",
    "errors",
}
ASYNC = model_path(demo.CLASSIFIER) + "/async_predict"
# Polling at ~14 requests per second stays well under the 100 rps limit on status calls.
POLL = 0.07


def status_url(request_id: str, model_id: str = demo.CLASSIFIER) -> str:
    kind = "chain" if model_id == demo.CHAIN else "model"
    return f"/{kind}-{model_id}/async_request/{request_id}"


def submit(http: httpx.Client, body: dict[str, Any], *, url: str = ASYNC, fault: str = "") -> str:
    headers = {FAULT: fault} if fault else {}
    response = http.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    request_id: str = response.json()["request_id"]
    return request_id


def status(http: httpx.Client, request_id: str, model_id: str = demo.CLASSIFIER) -> dict[str, Any]:
    response = http.get(status_url(request_id, model_id))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def until(
    http: httpx.Client,
    request_id: str,
    done: Any = None,
    *,
    model_id: str = demo.CLASSIFIER,
    timeout: float = 5.0,
) -> list[dict[str, Any]]:
    done = done or (lambda s: s["status"] in TERMINAL)
    return wait_for(
        lambda: status(http, request_id, model_id), done, timeout=timeout, interval=POLL
    )


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- a webhook receiver on loopback ---------------------------------------------------------------


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    deliveries: queue.Queue[Delivery] = field(default_factory=queue.Queue)
    # Statuses to answer with, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)

    def next(self, timeout: float = 5.0) -> Delivery:
        return self.deliveries.get(timeout=timeout)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            state.deliveries.put(Delivery(self.path, dict(self.headers.items()), body))
            code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/baseten"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def signature(secret: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- lifecycle -----------------------------------------------------------------------------------


def test_job_goes_queued_in_progress_succeeded(fresh_http: httpx.Client) -> None:
    blocker = submit(fresh_http, {"model_input": {"text": "first"}}, fault="latency=0.4")
    job = submit(fresh_http, {"model_input": {"text": "I love it"}}, fault="latency=0.3")
    first = status(fresh_http, job)
    assert first.keys() >= STATUS_FIELDS
    assert first["request_id"] == job
    assert first["model_id"] == demo.CLASSIFIER
    assert first["deployment_id"] == CLASSIFIER_DEPLOYMENTS["production"]
    assert first["webhook_status"] == "PENDING"
    assert first["errors"] == []

    seen = [first, *until(fresh_http, job)]
    assert distinct_in_order(s["status"] for s in seen) == ["QUEUED", "IN_PROGRESS", "SUCCEEDED"]
    final = seen[-1]
    assert final["webhook_status"] == "NO_WEBHOOK_PROVIDED"
    assert final["errors"] == []
    assert parse_time(final["status_at"]) > parse_time(final["created_at"])
    assert status(fresh_http, blocker)["status"] == "SUCCEEDED"
    # The status never carries the model's output (that goes only to the webhook).
    assert set(final) == STATUS_FIELDS


def test_lower_priority_value_runs_first(fresh_http: httpx.Client) -> None:
    submit(fresh_http, {"model_input": {"text": "blocker"}}, fault="latency=0.3")
    late = submit(fresh_http, {"model_input": {"text": "low"}, "priority": 2})
    urgent = submit(fresh_http, {"model_input": {"text": "high"}, "priority": 0})
    until(fresh_http, late)
    finished = {job: parse_time(status(fresh_http, job)["status_at"]) for job in (late, urgent)}
    assert finished[urgent] < finished[late]


def test_job_on_a_scaled_to_zero_model_wakes_it(fresh_http: httpx.Client) -> None:
    dep_url = f"/api/v1/models/{demo.SLEEPY}/deployments/production"
    assert fresh_http.get(dep_url).json()["status"] == "SCALED_TO_ZERO"
    job = submit(
        fresh_http,
        {"model_input": {"audio_url": "https://example.com/x.wav"}},
        url=model_path(demo.SLEEPY) + "/async_predict",
    )
    seen = until(fresh_http, job, model_id=demo.SLEEPY)
    assert seen[-1]["status"] == "SUCCEEDED"
    assert seen[-1]["deployment_id"] == SLEEPY_PRODUCTION
    assert fresh_http.get(dep_url).json()["status"] == "ACTIVE"


def test_job_fail_fault_fails_the_job_with_that_code(http: httpx.Client) -> None:
    job = submit(
        http,
        {"model_input": {"text": "x"}},
        fault="job_fail=MODEL_PREDICT_ERROR",
        url=model_path(demo.CLASSIFIER, "development") + "/async_predict",
    )
    final = until(http, job)[-1]
    assert final["status"] == "FAILED"
    assert [e["code"] for e in final["errors"]] == ["MODEL_PREDICT_ERROR"]
    assert final["errors"][0]["message"]


def test_invalid_model_input_fails_with_model_invalid_input(http: httpx.Client) -> None:
    job = submit(
        http,
        {"model_input": {"no_text": 1}},
        url=model_path(demo.CLASSIFIER, "development") + "/async_predict",
    )
    final = until(http, job)[-1]
    assert final["status"] == "FAILED"
    assert final["errors"][0]["code"] == "MODEL_INVALID_INPUT"


def test_job_expires_in_the_queue(fresh_http: httpx.Client) -> None:
    # max_time_in_queue_seconds is scaled by the test server's time_scale (10 s -> 0.1 s).
    submit(fresh_http, {"model_input": {"text": "blocker"}}, fault="latency=0.5")
    job = submit(fresh_http, {"model_input": {"text": "x"}, "max_time_in_queue_seconds": 10})
    final = until(fresh_http, job)[-1]
    assert final["status"] == "EXPIRED"
    assert final["errors"][0]["code"]


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"model_input": {"text": "x"}, "priority": -1},
        {"model_input": {"text": "x"}, "priority": 3},
        {"model_input": {"text": "x"}, "priority": "1"},
        {"model_input": {"text": "x"}, "priority": 1.5},
        {"model_input": {"text": "x"}, "priority": True},
        {"model_input": {"text": "x"}, "max_time_in_queue_seconds": 9},
        {"model_input": {"text": "x"}, "max_time_in_queue_seconds": 259_201},
        {"model_input": {"text": "x"}, "inference_retry_config": {"max_attempts": 0}},
        {"model_input": {"text": "x"}, "inference_retry_config": {"max_attempts": 11}},
        {"model_input": {"text": "x"}, "inference_retry_config": {"initial_delay_ms": -1}},
        {"model_input": {"text": "x"}, "inference_retry_config": {"initial_delay_ms": 10_001}},
        {"model_input": {"text": "x"}, "inference_retry_config": {"max_delay_ms": -1}},
        {"model_input": {"text": "x"}, "inference_retry_config": {"max_delay_ms": 60_001}},
        {"model_input": {"text": "x"}, "inference_retry_config": "fast"},
        {"text": "x"},
        {},
        {"model_input": {"text": "x"}, "webhook_endpoint": "http://example.com/hook"},
        {"model_input": {"text": "x"}, "webhook_endpoint": "http://10.0.0.1/hook"},
        {"model_input": {"text": "x"}, "webhook_endpoint": "ftp://127.0.0.1/hook"},
        {"model_input": {"text": "x"}, "webhook_endpoint": 42},
    ],
)
def test_invalid_async_requests_are_400(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.post(ASYNC, json=body)
    assert response.status_code == 400, body
    error = response.json()
    assert error["error"]
    assert error["error_code"] == "client_error"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"text"'])
def test_async_body_must_be_a_json_object(http: httpx.Client, content: bytes) -> None:
    response = http.post(ASYNC, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "extra",
    [
        {"priority": 0},
        {"priority": 2},
        {"max_time_in_queue_seconds": 10},
        {"max_time_in_queue_seconds": 259_200},
        {"inference_retry_config": {"max_attempts": 1, "initial_delay_ms": 0, "max_delay_ms": 0}},
        {
            "inference_retry_config": {
                "max_attempts": 10,
                "initial_delay_ms": 10_000,
                "max_delay_ms": 60_000,
            }
        },
        {"webhook_endpoint": None},
        {"webhook_endpoint": "http://localhost:9/hook"},  # plain HTTP is allowed on loopback
    ],
)
def test_boundary_values_are_accepted(http: httpx.Client, extra: dict[str, Any]) -> None:
    url = model_path(demo.CLASSIFIER, "environments/staging") + "/async_predict"
    response = http.post(url, json={"model_input": {"text": "x"}, **extra})
    assert response.status_code == 201, response.text
    assert response.json()["request_id"]


def test_async_body_over_256_kib_is_413(http: httpx.Client) -> None:
    response = http.post(ASYNC, json={"model_input": {"text": "x" * (256 * 1024)}})
    assert response.status_code == 413
    assert response.json()["error_code"] == "payload_too_large"
    # Just under the limit is fine.
    response = http.post(
        model_path(demo.CLASSIFIER, "development") + "/async_predict",
        json={"model_input": {"text": "x" * (255 * 1024)}},
    )
    assert response.status_code == 201


# --- cancel and queue depth ----------------------------------------------------------------------


def test_cancel_only_from_queued(fresh_http: httpx.Client) -> None:
    blocker = submit(fresh_http, {"model_input": {"text": "blocker"}}, fault="latency=0.4")
    waiting = submit(fresh_http, {"model_input": {"text": "waiting"}})

    canceled = fresh_http.delete(status_url(waiting))
    assert canceled.status_code == 200
    assert canceled.json()["request_id"] == waiting
    assert canceled.json()["canceled"] is True
    assert canceled.json()["message"]
    after = status(fresh_http, waiting)
    assert after["status"] == "CANCELED"
    assert after["webhook_status"] == "NO_WEBHOOK_PROVIDED"
    assert fresh_http.delete(status_url(waiting)).json()["canceled"] is False

    # The blocker is running: too late to cancel.
    assert status(fresh_http, blocker)["status"] == "IN_PROGRESS"
    running = fresh_http.delete(status_url(blocker)).json()
    assert running["canceled"] is False
    assert "IN_PROGRESS" in running["message"]

    until(fresh_http, blocker)
    finished = fresh_http.delete(status_url(blocker)).json()
    assert finished == {"request_id": blocker, "canceled": False, "message": finished["message"]}
    assert status(fresh_http, blocker)["status"] == "SUCCEEDED"
    # The canceled job never ran.
    time.sleep(0.2)
    assert status(fresh_http, waiting)["status"] == "CANCELED"


def test_cancel_while_the_deployment_is_waking(fresh_http: httpx.Client) -> None:
    # The job waits for a replica in QUEUED, so it can still be canceled.
    job = submit(
        fresh_http,
        {"model_input": {"audio_url": "https://example.com/x.wav"}},
        url=model_path(demo.SLEEPY) + "/async_predict",
    )
    time.sleep(0.05)
    assert status(fresh_http, job, demo.SLEEPY)["status"] == "QUEUED"
    canceled = fresh_http.delete(status_url(job, demo.SLEEPY))
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["canceled"] is True
    time.sleep(0.8)  # past wake + load: the worker must skip the canceled job
    assert status(fresh_http, job, demo.SLEEPY)["status"] == "CANCELED"


def test_queue_depth_is_visible_while_jobs_wait(fresh_http: httpx.Client) -> None:
    queue_url = model_path(demo.CLASSIFIER) + "/async_queue_status"
    assert fresh_http.get(queue_url).json()["num_queued_requests"] == 0
    blocker = submit(fresh_http, {"model_input": {"text": "blocker"}}, fault="latency=0.5")
    waiting = [submit(fresh_http, {"model_input": {"text": f"job {i}"}}) for i in range(3)]
    time.sleep(0.05)
    depth = fresh_http.get(queue_url).json()
    assert depth == {
        "model_id": demo.CLASSIFIER,
        "deployment_id": CLASSIFIER_DEPLOYMENTS["production"],
        "num_queued_requests": 3,
        "num_in_progress_requests": 1,
    }
    # Other deployments have queues of their own.
    staging = fresh_http.get(
        model_path(demo.CLASSIFIER, "environments/staging") + "/async_queue_status"
    ).json()
    assert staging["num_queued_requests"] == staging["num_in_progress_requests"] == 0

    assert fresh_http.delete(status_url(waiting[0])).json()["canceled"] is True
    assert fresh_http.get(queue_url).json()["num_queued_requests"] == 2
    until(fresh_http, waiting[-1])
    assert status(fresh_http, blocker)["status"] == "SUCCEEDED"
    final = fresh_http.get(queue_url).json()
    assert final["num_queued_requests"] == final["num_in_progress_requests"] == 0


# --- webhooks ------------------------------------------------------------------------------------


def test_webhook_delivers_a_signed_payload(
    fresh_emulator: EmulatorServer, fresh_http: httpx.Client, receiver: Receiver
) -> None:
    job = submit(
        fresh_http, {"model_input": {"text": "I love it"}, "webhook_endpoint": receiver.url}
    )
    delivery = receiver.next()
    assert delivery.path == "/hooks/baseten"
    payload = delivery.json()
    assert set(payload) == {
        "request_id",
        "model_id",
        "deployment_id",
        "type",
        "time",
        "data",
        "errors",
    }
    assert payload["request_id"] == job
    assert payload["model_id"] == demo.CLASSIFIER
    assert payload["deployment_id"] == CLASSIFIER_DEPLOYMENTS["production"]
    assert payload["type"] == "async_request_completed"
    assert abs(parse_time(payload["time"]).timestamp() - time.time()) < 60
    assert payload["data"] == {"label": "positive", "score": 0.99}
    assert payload["errors"] == []

    secret = fresh_emulator.settings.webhook_secrets[0]
    headers = {k.lower(): v for k, v in delivery.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-baseten-signature"] == signature(secret, delivery.body)
    assert headers["x-baseten-request-id"] == job
    # A receiver that re-serialises the parsed payload compactly gets the same bytes.
    assert json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() == delivery.body

    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    assert final["status"] == "SUCCEEDED"
    assert final["webhook_status"] == "SUCCEEDED"
    assert receiver.deliveries.empty()


def test_webhook_of_a_failed_job_carries_the_errors(
    fresh_http: httpx.Client, receiver: Receiver
) -> None:
    job = submit(
        fresh_http,
        {"model_input": {"text": "x"}, "webhook_endpoint": receiver.url},
        fault="job_fail=MODEL_PREDICT_ERROR",
    )
    payload = receiver.next().json()
    assert payload["type"] == "async_request_completed"
    assert payload["data"] is None
    assert payload["errors"][0]["code"] == "MODEL_PREDICT_ERROR"
    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    assert final["status"] == "FAILED"
    assert final["webhook_status"] == "SUCCEEDED"


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_webhook_delivery_is_tried_twice_after_a_5xx(
    fresh_http: httpx.Client, receiver: Receiver, code: int
) -> None:
    receiver.answers = [code, code, code]
    job = submit(fresh_http, {"model_input": {"text": "x"}, "webhook_endpoint": receiver.url})
    first, second = receiver.next(), receiver.next()
    assert first.body == second.body
    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    # Two attempts, no third (baseten-api.md §0): the output is lost.
    assert final["webhook_status"] == "FAILED"
    assert final["status"] == "WEBHOOK_FAILED"
    with pytest.raises(queue.Empty):
        receiver.next(timeout=0.3)


def test_webhook_second_attempt_can_succeed(fresh_http: httpx.Client, receiver: Receiver) -> None:
    receiver.answers = [503]
    job = submit(fresh_http, {"model_input": {"text": "x"}, "webhook_endpoint": receiver.url})
    receiver.next(), receiver.next()
    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    assert final["webhook_status"] == "SUCCEEDED"
    assert final["status"] == "SUCCEEDED"


@pytest.mark.parametrize("code", [400, 404, 501])
def test_webhook_is_not_retried_after_other_errors(
    fresh_http: httpx.Client, receiver: Receiver, code: int
) -> None:
    receiver.answers = [code]
    job = submit(fresh_http, {"model_input": {"text": "x"}, "webhook_endpoint": receiver.url})
    receiver.next()
    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    assert final["webhook_status"] == "FAILED"
    with pytest.raises(queue.Empty):
        receiver.next(timeout=0.3)


def test_async_predict_request_id_header_is_the_body_request_id(fresh_http: httpx.Client) -> None:
    response = fresh_http.post(ASYNC, json={"model_input": {"text": "x"}})
    assert response.status_code == 201
    assert response.headers["x-baseten-request-id"] == response.json()["request_id"]


def test_webhook_to_a_closed_port_fails(fresh_http: httpx.Client) -> None:
    hook = f"http://127.0.0.1:{closed_port()}/hook"
    job = submit(fresh_http, {"model_input": {"text": "x"}, "webhook_endpoint": hook})
    final = until(fresh_http, job, lambda s: s["webhook_status"] != "PENDING")[-1]
    assert final["webhook_status"] == "FAILED"
    assert final["status"] == "WEBHOOK_FAILED"


def test_webhook_signature_lists_every_active_secret(receiver: Receiver) -> None:
    secrets = ["whsec_new", "whsec_old"]
    settings = EmulatorSettings(
        api_keys=[KEY], webhook_secrets=secrets, async_run_seconds=0.05, time_scale=0.01
    )
    with EmulatorServer(settings) as server, client(server.base_url) as http:
        submit(http, {"model_input": {"text": "x"}, "webhook_endpoint": receiver.url})
        delivery = receiver.next()
    header = {k.lower(): v for k, v in delivery.headers.items()}["x-baseten-signature"]
    assert header == ",".join(signature(s, delivery.body) for s in secrets)


def test_chain_async_job_names_the_chain(fresh_http: httpx.Client) -> None:
    submitted = fresh_http.post(
        f"/chain-{demo.CHAIN}/production/async_run_remote", json={"question": "x"}
    )
    request_id = submitted.json()["request_id"]
    final = until(fresh_http, request_id, model_id=demo.CHAIN)[-1]
    assert final["status"] == "SUCCEEDED"
    assert final["chain_id"] == demo.CHAIN
    assert final["webhook_status"] == "NO_WEBHOOK_PROVIDED"


# --- rate limits ---------------------------------------------------------------------------------


def test_status_polling_over_100_per_second_is_429(fresh_http: httpx.Client) -> None:
    # baseten-api.md §0: status polling 100 rps, cancel 100 rps (no longer §4.6's 20).
    job = submit(fresh_http, {"model_input": {"text": "x"}})
    responses = [fresh_http.get(status_url(job)) for _ in range(110)]
    codes = [r.status_code for r in responses]
    assert codes[:100] == [200] * 100
    assert 429 in codes[100:]
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.headers["retry-after"] == "1"
    assert limited.headers["x-baseten-request-id"]
    assert limited.json()["error"]

    # Cancel has a budget of its own: the status calls above did not spend it.
    cancels = [fresh_http.delete(status_url(job)).status_code for _ in range(105)]
    assert cancels[:100] == [200] * 100
    assert 429 in cancels[100:]

    queue_url = model_path(demo.CLASSIFIER) + "/async_queue_status"
    queue_codes = [fresh_http.get(queue_url).status_code for _ in range(105)]
    assert queue_codes[:100] == [200] * 100
    assert 429 in queue_codes

    time.sleep(1.05)  # the window slides: polling works again
    assert fresh_http.get(status_url(job)).status_code == 200
