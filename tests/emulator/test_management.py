"""The management API (`/api/v1/...`): models, deployments, environments, logs, chains, status."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest

from playground.emulator import EmulatorServer, demo
from tests.emulator.helpers import (
    CHAIN_PRODUCTION,
    CHAT_DEPLOYMENTS,
    CLASSIFIER_DEPLOYMENTS,
    INVOKE_ONLY_KEY,
    SLEEPY_PRODUCTION,
    client,
    distinct_in_order,
    model_path,
    wait_for,
)

API = "/api/v1"

# baseten-api.md §8.3: the fields of ModelV1, DeploymentV1 and EnvironmentV1.
MODEL_FIELDS = {
    "id",
    "created_at",
    "name",
    "deployments_count",
    "production_deployment_id",
    "development_deployment_id",
    "instance_type_name",
    "team_name",
}
DEPLOYMENT_FIELDS = {
    "id",
    "created_at",
    "name",
    "model_id",
    "is_production",
    "is_development",
    "status",
    "active_replica_count",
    "autoscaling_settings",
    "instance_type_name",
    "environment",
    "labels",
    "region",
    "request_backpressure_settings",
}
AUTOSCALING_FIELDS = {
    "min_replica",
    "max_replica",
    "autoscaling_window",
    "scale_down_delay",
    "concurrency_target",
    "target_utilization_percentage",
}
ENVIRONMENT_FIELDS = {
    "name",
    "created_at",
    "model_id",
    "current_deployment",
    "candidate_deployment",
    "in_progress_promotion",
    "autoscaling_settings",
    "promotion_settings",
    "instance_type",
    "request_backpressure_settings",
}
PROMOTION_FIELDS = {
    "redeploy_on_promotion",
    "rolling_deploy",
    "promotion_cleanup_strategy",
    "rolling_deploy_config",
    "ramp_up_while_promoting",
    "ramp_up_duration_seconds",
}
INSTANCE_TYPE_FIELDS = {
    "id",
    "name",
    "memory_limit_mib",
    "millicpu_limit",
    "gpu_count",
    "gpu_type",
    "gpu_memory_limit_mib",
}
STATUSES = {
    "BUILDING",
    "DEPLOYING",
    "DEPLOY_FAILED",
    "LOADING_MODEL",
    "ACTIVE",
    "UNHEALTHY",
    "BUILD_FAILED",
    "BUILD_STOPPED",
    "DEACTIVATING",
    "INACTIVE",
    "FAILED",
    "UPDATING",
    "SCALED_TO_ZERO",
    "WAKING_UP",
}


def check_deployment(dep: dict, model_id: str) -> None:
    assert dep.keys() >= DEPLOYMENT_FIELDS
    assert dep["model_id"] == model_id
    assert dep["status"] in STATUSES
    assert isinstance(dep["active_replica_count"], int)
    assert isinstance(dep["is_production"], bool)
    assert isinstance(dep["is_development"], bool)
    assert dep["autoscaling_settings"].keys() >= AUTOSCALING_FIELDS
    assert dep["request_backpressure_settings"]["policy"] in (
        "QUEUE_ON_FULL",
        "REJECT_ON_FULL",
        None,
    )


# --- models --------------------------------------------------------------------------------------


def test_list_models_has_every_demo_model_with_the_spec_fields(http: httpx.Client) -> None:
    response = http.get(f"{API}/models")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    models = response.json()["models"]
    ids = {m["id"] for m in models}
    expected = {
        demo.CLASSIFIER,
        demo.CHAT,
        demo.REASONER,
        demo.TOOLS,
        demo.STREAMER,
        demo.NDJSON,
        demo.SLEEPY,
        demo.CUSTOM,
        demo.IMAGE,
    }
    assert expected <= ids
    assert demo.CHAIN not in ids  # chains are listed under /v1/chains
    for model in models:
        assert model.keys() >= MODEL_FIELDS, model
        assert isinstance(model["deployments_count"], int)


def test_list_models_filters_by_exact_name(http: httpx.Client) -> None:
    models = http.get(f"{API}/models", params={"name": "sentiment-classifier"}).json()["models"]
    assert [m["id"] for m in models] == [demo.CLASSIFIER]
    assert http.get(f"{API}/models", params={"name": "sentiment"}).json()["models"] == []


def test_get_model(http: httpx.Client) -> None:
    model = http.get(f"{API}/models/{demo.CLASSIFIER}").json()
    assert model.keys() >= MODEL_FIELDS
    assert model["id"] == demo.CLASSIFIER
    assert model["name"] == "sentiment-classifier"
    assert model["deployments_count"] == 3
    assert model["production_deployment_id"] == CLASSIFIER_DEPLOYMENTS["production"]
    assert model["development_deployment_id"] == CLASSIFIER_DEPLOYMENTS["development"]
    assert model["created_at"].endswith("Z")


def test_model_without_development_deployment_has_null_id(http: httpx.Client) -> None:
    model = http.get(f"{API}/models/{demo.IMAGE}").json()
    assert model["development_deployment_id"] is None
    assert model["production_deployment_id"] == "im4g1xa"


@pytest.mark.parametrize(
    "path",
    [
        "/models/nosuch00",
        "/models/nosuch00/deployments",
        "/models/nosuch00/environments",
        f"/models/{demo.CLASSIFIER}/deployments/nosuch0",
        f"/models/{demo.CLASSIFIER}/environments/nosuch",
        f"/models/{demo.IMAGE}/deployments/development",
        f"/models/{demo.CHAIN}",  # a chain is not a model
        "/chains/nosuch00",
        f"/chains/{demo.CLASSIFIER}",  # a model is not a chain
    ],
)
def test_unknown_things_are_404_with_an_error_body(http: httpx.Client, path: str) -> None:
    response = http.get(API + path)
    assert response.status_code == 404
    assert isinstance(response.json()["error"], str)
    assert response.headers["x-baseten-request-id"]


# --- deployments ---------------------------------------------------------------------------------


def test_list_deployments(http: httpx.Client) -> None:
    deployments = http.get(f"{API}/models/{demo.CLASSIFIER}/deployments").json()["deployments"]
    by_id = {d["id"]: d for d in deployments}
    assert set(by_id) == set(CLASSIFIER_DEPLOYMENTS.values())
    for dep in deployments:
        check_deployment(dep, demo.CLASSIFIER)
    production = by_id[CLASSIFIER_DEPLOYMENTS["production"]]
    assert production["is_production"] is True
    assert production["is_development"] is False
    assert production["environment"] == "production"
    assert production["status"] == "ACTIVE"
    assert production["active_replica_count"] >= 1
    staging = by_id[CLASSIFIER_DEPLOYMENTS["staging"]]
    assert staging["is_production"] is False
    assert staging["environment"] == "staging"
    development = by_id[CLASSIFIER_DEPLOYMENTS["development"]]
    assert development["is_development"] is True
    assert development["environment"] is None


def test_list_deployments_by_name(http: httpx.Client) -> None:
    response = http.get(f"{API}/models/{demo.CLASSIFIER}/deployments", params={"name": "v2"})
    assert [d["id"] for d in response.json()["deployments"]] == [CLASSIFIER_DEPLOYMENTS["staging"]]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("production", CLASSIFIER_DEPLOYMENTS["production"]),
        ("development", CLASSIFIER_DEPLOYMENTS["development"]),
        (CLASSIFIER_DEPLOYMENTS["staging"], CLASSIFIER_DEPLOYMENTS["staging"]),
    ],
)
def test_get_deployment_by_alias_or_id(http: httpx.Client, ref: str, expected: str) -> None:
    response = http.get(f"{API}/models/{demo.CLASSIFIER}/deployments/{ref}")
    assert response.status_code == 200
    dep = response.json()
    check_deployment(dep, demo.CLASSIFIER)
    assert dep["id"] == expected


# --- environments --------------------------------------------------------------------------------


def test_list_environments(http: httpx.Client) -> None:
    envs = http.get(f"{API}/models/{demo.CHAT}/environments").json()["environments"]
    assert {e["name"] for e in envs} == {"production", "staging"}
    for env in envs:
        assert env.keys() >= ENVIRONMENT_FIELDS
        assert env["model_id"] == demo.CHAT
        check_deployment(env["current_deployment"], demo.CHAT)
        assert env["current_deployment"]["id"] == CHAT_DEPLOYMENTS[env["name"]]
        assert env["promotion_settings"].keys() >= PROMOTION_FIELDS
        assert env["instance_type"].keys() >= INSTANCE_TYPE_FIELDS
        assert env["instance_type"]["gpu_type"] == "H100"
        assert env["autoscaling_settings"].keys() >= AUTOSCALING_FIELDS


def test_get_environment(http: httpx.Client) -> None:
    env = http.get(f"{API}/models/{demo.CLASSIFIER}/environments/staging").json()
    assert env.keys() >= ENVIRONMENT_FIELDS
    assert env["name"] == "staging"
    assert env["current_deployment"]["id"] == CLASSIFIER_DEPLOYMENTS["staging"]
    assert env["candidate_deployment"] is None
    assert env["in_progress_promotion"] is None


# --- logs ----------------------------------------------------------------------------------------


def test_logs_filtered_by_request_id_return_only_that_request(http: httpx.Client) -> None:
    predict = model_path(demo.CLASSIFIER) + "/predict"
    other = http.post(predict, json={"text": "this is bad"})
    response = http.post(predict, json={"text": "this is good"})
    assert response.status_code == other.status_code == 200
    request_id = response.headers["x-baseten-request-id"]
    deployment_id = response.headers["x-baseten-model-version-id"]
    assert deployment_id == CLASSIFIER_DEPLOYMENTS["production"]
    assert other.headers["x-baseten-request-id"] != request_id

    url = f"{API}/models/{demo.CLASSIFIER}/deployments/{deployment_id}/logs"
    everything = http.get(url).json()["logs"]
    assert {line["request_id"] for line in everything} >= {
        request_id,
        other.headers["x-baseten-request-id"],
    }

    logs = http.get(url, params={"request_id": request_id}).json()["logs"]
    assert len(logs) >= 2
    assert {line["request_id"] for line in logs} == {request_id}
    for line in logs:
        assert set(line) == {"timestamp", "message", "replica", "request_id", "level"}
        assert line["timestamp"].isdigit()  # epoch nanoseconds as a string
    timestamps = [int(line["timestamp"]) for line in logs]
    assert timestamps == sorted(timestamps)

    env_logs = http.get(
        f"{API}/models/{demo.CLASSIFIER}/environments/production/logs",
        params={"request_id": request_id},
    ).json()["logs"]
    assert env_logs == logs


def test_logs_direction_limit_and_level(http: httpx.Client) -> None:
    predict = model_path(demo.CLASSIFIER, "environments/staging") + "/predict"
    for text in ("one good", "two bad", "three"):
        assert http.post(predict, json={"text": text}).status_code == 200
    failed = http.post(predict, json={"text": "x"}, headers={"X-Emulator-Fault": "status=500"})
    assert failed.status_code == 500
    url = f"{API}/models/{demo.CLASSIFIER}/deployments/{CLASSIFIER_DEPLOYMENTS['staging']}/logs"

    ascending = http.get(url).json()["logs"]
    descending = http.get(url, params={"direction": "desc"}).json()["logs"]
    assert descending == list(reversed(ascending))
    assert len(http.get(url, params={"limit": 2}).json()["logs"]) == 2

    errors = http.get(url, params={"min_level": "ERROR"}).json()["logs"]
    assert errors
    assert {line["level"] for line in errors} == {"ERROR"}
    assert failed.headers["x-baseten-request-id"] in {line["request_id"] for line in errors}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "many"},
        {"direction": "sideways"},
        {"min_level": "LOUD"},
        {"start_epoch_millis": "yesterday"},
        {"search_pattern": "("},
    ],
)
def test_logs_reject_invalid_parameters(http: httpx.Client, params: dict[str, str]) -> None:
    url = f"{API}/models/{demo.CLASSIFIER}/deployments/production/logs"
    response = http.get(url, params=params)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


# --- chains, model APIs, users -------------------------------------------------------------------


def test_chains(http: httpx.Client) -> None:
    chains = http.get(f"{API}/chains").json()["chains"]
    # the RAG chain, and the chain whose entrypoint takes a websocket (demo/websockets.py)
    assert [c["id"] for c in chains] == [demo.CHAIN, "ws6cha1n"]
    assert {"id", "created_at", "name", "deployments_count", "team_name"} <= chains[0].keys()

    chain = http.get(f"{API}/chains/{demo.CHAIN}").json()
    assert chain["name"] == "rag-chain"

    deployments = http.get(f"{API}/chains/{demo.CHAIN}/deployments").json()["deployments"]
    assert [d["id"] for d in deployments] == [CHAIN_PRODUCTION]
    dep = deployments[0]
    assert {"id", "created_at", "chain_id", "environment", "chainlets", "status"} <= dep.keys()
    assert dep["chain_id"] == demo.CHAIN
    assert dep["status"] in STATUSES
    chainlet = dep["chainlets"][0]
    assert {
        "id",
        "name",
        "autoscaling_settings",
        "instance_type_name",
        "active_replica_count",
        "status",
    } <= chainlet.keys()

    envs = http.get(f"{API}/chains/{demo.CHAIN}/environments").json()["environments"]
    assert [e["name"] for e in envs] == ["production"]
    assert envs[0].keys() >= ENVIRONMENT_FIELDS


def test_model_apis(http: httpx.Client) -> None:
    body = http.get(f"{API}/model_apis").json()
    assert body["pagination"] == {"has_more": False, "cursor": None}
    slugs = {item["name"] for item in body["items"]}
    assert "playground/demo-chat" in slugs
    for item in body["items"]:
        assert {
            "name",
            "display_name",
            "description",
            "model_family",
            "release_date",
            "invoke_url",
            "context_length",
            "cost_per_million_input_tokens",
            "cost_per_million_output_tokens",
            "rate_limits",
            "org_details",
        } <= item.keys()
        for limit in item["rate_limits"]:
            assert limit["type"] in ("REQUEST", "TOKEN")
            assert limit["unit"] in ("SECOND", "MINUTE")


def test_users_me(http: httpx.Client) -> None:
    me = http.get(f"{API}/users/me").json()
    assert me["user_id"]
    assert {"email", "name", "workspace_name"} <= me.keys()


def test_deployment_config_carries_the_example_input(http: httpx.Client) -> None:
    body = http.get(f"{API}/models/{demo.CLASSIFIER}/deployments/production/config").json()
    example = body["parsed"]["model_metadata"]["example_model_input"]
    assert example == {"text": "I love how fast this is, great work!"}


# --- keys ----------------------------------------------------------------------------------------


def test_invoke_only_key_is_403_on_management_but_may_predict(emulator: EmulatorServer) -> None:
    with client(emulator.base_url, INVOKE_ONLY_KEY) as invoke:
        for path in ("/models", f"/models/{demo.CLASSIFIER}", "/chains", "/users/me"):
            response = invoke.get(API + path)
            assert response.status_code == 403, path
            assert isinstance(response.json()["error"], str)
            assert response.headers["x-baseten-request-id"]
        predict = invoke.post(model_path(demo.CLASSIFIER) + "/predict", json={"text": "nice"})
        assert predict.status_code == 200
        assert predict.json()["label"] == "positive"


@pytest.mark.parametrize(
    "authorization", [None, "Api-Key wrong-key", "Bearer wrong-key", "Basic abc"]
)
def test_management_rejects_missing_or_wrong_keys(
    emulator: EmulatorServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{emulator.base_url}{API}/models", headers=headers, trust_env=False)
    assert response.status_code == 401
    assert isinstance(response.json()["error"], str)
    assert response.headers["x-baseten-request-id"]


# --- scale to zero -------------------------------------------------------------------------------


def test_wake_moves_a_scaled_to_zero_deployment_to_active(fresh_http: httpx.Client) -> None:
    url = f"{API}/models/{demo.SLEEPY}/deployments/production"
    first = fresh_http.get(url).json()
    assert first["id"] == SLEEPY_PRODUCTION
    assert first["status"] == "SCALED_TO_ZERO"
    assert first["active_replica_count"] == 0
    assert first["autoscaling_settings"]["min_replica"] == 0

    wake = fresh_http.post(model_path(demo.SLEEPY) + "/wake")
    assert wake.status_code == 202
    assert wake.headers["x-baseten-model-version-id"] == SLEEPY_PRODUCTION

    seen = wait_for(
        lambda: fresh_http.get(url).json(),
        lambda d: d["status"] == "ACTIVE",
        timeout=5.0,
        interval=0.03,
    )
    statuses = distinct_in_order(d["status"] for d in seen)
    assert statuses == ["WAKING_UP", "LOADING_MODEL", "ACTIVE"]
    assert seen[-1]["active_replica_count"] >= 1
    assert seen[0]["active_replica_count"] == 0

    env = fresh_http.get(f"{API}/models/{demo.SLEEPY}/environments/production").json()
    assert env["current_deployment"]["status"] == "ACTIVE"


def test_predict_to_a_scaled_to_zero_model_parks_until_active(
    fresh_emulator: EmulatorServer, fresh_http: httpx.Client
) -> None:
    status_url = f"{API}/models/{demo.SLEEPY}/deployments/{SLEEPY_PRODUCTION}"
    assert fresh_http.get(status_url).json()["status"] == "SCALED_TO_ZERO"
    settings = fresh_emulator.settings
    cold = settings.wake_seconds + settings.load_seconds

    def predict() -> tuple[httpx.Response, float]:
        with client(fresh_emulator.base_url) as own:
            started = time.monotonic()
            response = own.post(
                model_path(demo.SLEEPY) + "/predict",
                json={"audio_url": "https://example.com/a/hello.wav"},
            )
            return response, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(predict)
        seen = wait_for(
            lambda: fresh_http.get(status_url).json()["status"],
            lambda s: s == "ACTIVE",
            timeout=5.0,
            interval=0.03,
        )
        response, elapsed = future.result(timeout=10)

    assert "WAKING_UP" in seen
    assert "LOADING_MODEL" in seen
    assert response.status_code == 200
    assert response.json()["text"].startswith("Transcript of hello.wav")
    assert elapsed >= cold * 0.8
    # Warm now: the next call is not parked.
    started = time.monotonic()
    again = fresh_http.post(
        model_path(demo.SLEEPY) + "/predict", json={"audio_url": "https://example.com/b.wav"}
    )
    assert again.status_code == 200
    assert time.monotonic() - started < cold

    logs = fresh_http.get(
        f"{status_url}/logs", params={"request_id": response.headers["x-baseten-request-id"]}
    ).json()["logs"]
    assert any("parked" in line["message"] for line in logs)
