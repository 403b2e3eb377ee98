"""Exact URLs for every target kind, against Baseten's real hosts and a local server."""

from __future__ import annotations

import pytest

from playground.core import Remote, Target

BASETEN = Remote.baseten()


@pytest.mark.parametrize(
    ("target", "endpoint", "url"),
    [
        (Target("abcd1234"), "predict", "https://model-abcd1234.api.baseten.co/production/predict"),
        (
            Target("abcd1234", "environment", "staging"),
            "async_predict",
            "https://model-abcd1234.api.baseten.co/environments/staging/async_predict",
        ),
        (
            Target("abcd1234", "development"),
            "wake",
            "https://model-abcd1234.api.baseten.co/development/wake",
        ),
        (
            Target("abcd1234", "deployment", "qvvndvx"),
            "async_queue_status",
            "https://model-abcd1234.api.baseten.co/deployment/qvvndvx/async_queue_status",
        ),
        (
            Target("abcd1234", "regional", "prod-eu"),
            "predict",
            "https://model-abcd1234-prod-eu.api.baseten.co/predict",
        ),
        (
            Target("abcd1234", "environment", "production"),
            "sync/v1/chat/completions",
            "https://model-abcd1234.api.baseten.co/environments/production/sync/v1/chat/completions",
        ),
        (
            Target("ch41n000", is_chain=True),
            "run_remote",
            "https://chain-ch41n000.api.baseten.co/production/run_remote",
        ),
    ],
)
def test_inference_urls_on_baseten(target: Target, endpoint: str, url: str) -> None:
    assert target.url(BASETEN, endpoint) == url


def test_predict_and_async_request_urls() -> None:
    target = Target("abcd1234", "environment", "staging")
    assert target.predict_url(BASETEN) == (
        "https://model-abcd1234.api.baseten.co/environments/staging/predict"
    )
    assert target.async_request_url(BASETEN, "r1") == (
        "https://model-abcd1234.api.baseten.co/async_request/r1"
    )
    chain = Target("ch41n000", is_chain=True)
    assert (
        chain.predict_url(BASETEN) == "https://chain-ch41n000.api.baseten.co/production/run_remote"
    )


def test_local_remote_puts_the_host_in_the_path() -> None:
    local = Remote.local("http://127.0.0.1:8765/")
    assert local.management == "http://127.0.0.1:8765/api"
    assert local.model_apis == "http://127.0.0.1:8765/inference/v1"
    assert Target("abcd1234", "regional", "prod-eu").predict_url(local) == (
        "http://127.0.0.1:8765/model-abcd1234-prod-eu/predict"
    )


@pytest.mark.parametrize("kind", ["environment", "deployment", "regional"])
def test_named_kinds_need_a_name(kind: str) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        Target("abcd1234", kind)  # type: ignore[arg-type]


def test_a_target_needs_an_id() -> None:
    with pytest.raises(ValueError, match="needs a model or chain id"):
        Target("")


def test_the_other_bases_on_baseten() -> None:
    assert BASETEN.management_url("models") == "https://api.baseten.co/v1/models"
    assert BASETEN.management_url("/models/abcd1234/deployments/qvvndvx/logs") == (
        "https://api.baseten.co/v1/models/abcd1234/deployments/qvvndvx/logs"
    )
    assert BASETEN.model_apis_url() == "https://inference.baseten.co/v1"
    assert BASETEN.model_apis_url("chat/completions") == (
        "https://inference.baseten.co/v1/chat/completions"
    )
    assert Target("abcd1234").openai_base(BASETEN) == (
        "https://model-abcd1234.api.baseten.co/production/sync/v1"
    )
    assert Target("abcd1234", "environment", "production").openai_base(BASETEN) == (
        "https://model-abcd1234.api.baseten.co/environments/production/sync/v1"
    )
    assert Target("abcd1234", "regional", "prod-us").openai_base(BASETEN) == (
        "https://model-abcd1234-prod-us.api.baseten.co/sync/v1"
    )


def test_a_remote_from_a_dashboard_url() -> None:
    assert Remote.for_app_url("https://app.baseten.co", "baseten") == BASETEN
    staging = Remote.for_app_url("https://app.staging.baseten.co/", "staging")
    assert staging.management == "https://api.staging.baseten.co"
    assert staging.model_apis == "https://inference.staging.baseten.co/v1"
    assert Target("abcd1234").predict_url(staging) == (
        "https://model-abcd1234.api.staging.baseten.co/production/predict"
    )
    with pytest.raises(ValueError, match="not a URL"):
        Remote.for_app_url("", "x")
