"""Auth schemes and Baseten's response headers on every kind of response, errors included."""

from __future__ import annotations

import httpx
import pytest

from playground.emulator import EmulatorServer, demo
from tests.emulator.helpers import (
    CHAT_DEPLOYMENTS,
    CLASSIFIER_DEPLOYMENTS,
    CUSTOM_DEPLOYMENTS,
    FAULT,
    KEY,
    SECOND_KEY,
    chat_body,
    model_path,
)

PREDICT = model_path(demo.CLASSIFIER) + "/predict"
UNAUTHORIZED = {"error": "please check the api-key you provided"}


@pytest.fixture
def bare(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, timeout=10.0, trust_env=False)


@pytest.mark.parametrize("scheme", ["Api-Key", "Bearer", "bearer", "api-key"])
@pytest.mark.parametrize("key", [KEY, SECOND_KEY])
def test_api_key_and_bearer_are_both_accepted(bare: httpx.Client, scheme: str, key: str) -> None:
    with bare:
        response = bare.post(
            PREDICT, json={"text": "good"}, headers={"Authorization": f"{scheme} {key}"}
        )
        assert response.status_code == 200
        management = bare.get("/api/v1/models", headers={"Authorization": f"{scheme} {key}"})
        assert management.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Api-Key"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"Authorization": "Api-Key wrong-key"},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Bearer {KEY}x"},
    ],
    ids=[
        "missing",
        "empty",
        "no-key",
        "basic",
        "no-scheme",
        "wrong-api-key",
        "wrong-bearer",
        "almost",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", PREDICT),
        ("POST", model_path(demo.CLASSIFIER) + "/async_predict"),
        ("GET", model_path(demo.CLASSIFIER) + "/async_queue_status"),
        ("POST", model_path(demo.CLASSIFIER) + "/wake"),
        ("GET", model_path(demo.CUSTOM) + "/sync/health"),
        ("GET", f"/model-{demo.CLASSIFIER}/async_request/abc"),
        ("POST", f"/chain-{demo.CHAIN}/production/run_remote"),
        ("GET", "/api/v1/models"),
    ],
)
def test_missing_or_wrong_key_is_401(
    bare: httpx.Client, headers: dict[str, str], method: str, path: str
) -> None:
    with bare:
        response = bare.request(method, path, headers=headers, json={"text": "x"})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-baseten-request-id"]
    assert "x-baseten-model-id" not in response.headers


def test_unknown_model_is_checked_after_the_key(bare: httpx.Client) -> None:
    with bare:
        response = bare.post("/model-nosuch00/production/predict", json={})
    assert response.status_code == 401


# --- request ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", PREDICT, {}, 200),
        ("POST", PREDICT, {FAULT: "status=429"}, 429),
        ("POST", PREDICT, {FAULT: "status=503,shape=html"}, 503),
        ("POST", PREDICT, {FAULT: "nonsense"}, 400),
        ("GET", PREDICT, {}, 405),
        ("POST", "/model-nosuch00/production/predict", {}, 404),
        ("GET", "/nowhere", {}, 404),
        ("GET", "/", {}, 200),
        ("GET", "/api/v1/models", {}, 200),
        ("GET", "/api/v1/models/nosuch00", {}, 404),
        ("GET", "/api/v1/users/me", {FAULT: "status=429"}, 429),
        ("GET", "/inference/v1/models", {}, 200),
        ("GET", "/_emulator/requests/nosuch", {}, 404),
    ],
)
def test_every_response_carries_a_request_id(
    http: httpx.Client, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = http.request(method, path, headers=headers, json={"text": "x"})
    assert response.status_code == status
    request_id = response.headers["x-baseten-request-id"]
    assert len(request_id) >= 32
    assert request_id.isalnum()
    assert response.headers["x-baseten-accepted-at"].isdigit()


def test_rate_limited_response_carries_a_request_id(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.settings.rate_limits["management"] = 3
    with httpx.Client(
        base_url=fresh_emulator.base_url,
        trust_env=False,
        headers={"Authorization": f"Api-Key {KEY}"},
    ) as c:
        responses = [c.get("/api/v1/users/me") for _ in range(6)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited
    for response in limited:
        assert response.headers["x-baseten-request-id"]
        assert response.headers["retry-after"]
        body = response.json()
        assert body["error"]
        assert body["retry_after"] >= 1


def test_request_ids_are_unique(http: httpx.Client) -> None:
    ids = {
        http.post(PREDICT, json={"text": "x"}).headers["x-baseten-request-id"] for _ in range(20)
    }
    assert len(ids) == 20


def test_request_id_is_the_one_the_server_recorded(http: httpx.Client) -> None:
    response = http.post(PREDICT, json={"text": "x"})
    request_id = response.headers["x-baseten-request-id"]
    assert response.headers["x-baseten-session-id"] == request_id
    record = http.get(f"/_emulator/requests/{request_id}").json()
    assert record["request_id"] == request_id
    assert record["method"] == "POST"
    assert record["path"] == PREDICT
    assert record["status"] == 200
    assert record["completed"] is True


# --- model and deployment ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "model_id", "deployment_id"),
    [
        (
            "POST",
            model_path(demo.CLASSIFIER, "production") + "/predict",
            {"text": "x"},
            demo.CLASSIFIER,
            CLASSIFIER_DEPLOYMENTS["production"],
        ),
        (
            "POST",
            model_path(demo.CLASSIFIER, "environments/staging") + "/predict",
            {"text": "x"},
            demo.CLASSIFIER,
            CLASSIFIER_DEPLOYMENTS["staging"],
        ),
        (
            "POST",
            model_path(demo.CLASSIFIER, "development") + "/predict",
            {"text": "x"},
            demo.CLASSIFIER,
            CLASSIFIER_DEPLOYMENTS["development"],
        ),
        (
            "POST",
            f"/model-{demo.CLASSIFIER}-staging/predict",
            {"text": "x"},
            demo.CLASSIFIER,
            CLASSIFIER_DEPLOYMENTS["staging"],
        ),
        (
            "POST",
            model_path(demo.CHAT, "development") + "/sync/v1/chat/completions",
            chat_body(max_tokens=2),
            demo.CHAT,
            CHAT_DEPLOYMENTS["development"],
        ),
        (
            "GET",
            model_path(demo.CUSTOM, "development") + "/sync/health",
            None,
            demo.CUSTOM,
            CUSTOM_DEPLOYMENTS["development"],
        ),
        (
            "POST",
            model_path(demo.CLASSIFIER, "production") + "/predict",
            {"nope": 1},
            demo.CLASSIFIER,
            CLASSIFIER_DEPLOYMENTS["production"],
        ),
    ],
)
def test_inference_responses_name_the_model_and_deployment(
    http: httpx.Client, method: str, path: str, body: object, model_id: str, deployment_id: str
) -> None:
    response = http.request(method, path, json=body)
    assert response.headers["x-baseten-model-id"] == model_id
    assert response.headers["x-baseten-model-version-id"] == deployment_id
    assert response.headers["x-baseten-model-prediction-attempts"] == "1"


def test_injected_errors_still_name_the_deployment(http: httpx.Client) -> None:
    response = http.post(
        model_path(demo.CLASSIFIER, "environments/staging") + "/predict",
        json={"text": "x"},
        headers={FAULT: "status=502"},
    )
    assert response.status_code == 502
    assert response.headers["x-baseten-model-version-id"] == CLASSIFIER_DEPLOYMENTS["staging"]


def test_management_responses_do_not_claim_a_model(http: httpx.Client) -> None:
    response = http.get(f"/api/v1/models/{demo.CLASSIFIER}")
    assert response.headers["x-baseten-request-id"]
    assert "x-baseten-model-id" not in response.headers


def test_control_endpoints_need_a_key(bare: httpx.Client) -> None:
    with bare:
        assert bare.get("/_emulator/requests/x").status_code == 401
        assert (
            bare.put(
                f"/_emulator/faults/{demo.CLASSIFIER}", json={"spec": "status=500"}
            ).status_code
            == 401
        )
