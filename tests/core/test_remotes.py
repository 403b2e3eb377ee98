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
