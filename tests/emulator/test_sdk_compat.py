"""Unchanged third-party clients against the local server: the official `openai` SDK and `requests`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
import requests

from playground.emulator import EmulatorServer, demo
from tests.emulator.helpers import CHAT_DEPLOYMENTS, CLASSIFIER_DEPLOYMENTS, FAULT, KEY, model_path


@pytest.fixture
def no_proxy_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # never route loopback through a proxy from the environment
        yield session


def openai_client(base_url: str, api_key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=10.0,
        http_client=httpx.Client(trust_env=False),
    )


# --- openai ------------------------------------------------------------------------------------


def test_openai_sdk_streams_from_a_deployment(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.CHAT}/environments/production/sync/v1"
    with openai_client(base) as client:
        pieces: list[str] = []
        finish: list[str] = []
        stream = client.chat.completions.create(
            model="demo-llm",
            messages=[{"role": "user", "content": "What is a cold start?"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        usage = None
        for chunk in stream:
            assert chunk.object == "chat.completion.chunk"
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
                if choice.finish_reason:
                    finish.append(choice.finish_reason)
        assert len(pieces) > 3
        assert finish == ["stop"]
        assert usage is not None
        assert usage.completion_tokens == len(pieces)

        whole = client.chat.completions.create(
            model="demo-llm",
            messages=[{"role": "user", "content": "What is a cold start?"}],
        )
        assert whole.choices[0].message.content == "".join(pieces)
        assert whole.choices[0].finish_reason == "stop"
        assert whole.usage is not None
        assert whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens


def test_openai_sdk_raw_response_carries_baseten_headers(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.CHAT}/environments/staging/sync/v1"
    with openai_client(base) as client:
        raw = client.chat.completions.with_raw_response.create(
            model="demo-llm",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"X-Emulator-Fault": "delay=0"},
        )
        assert raw.headers["x-baseten-model-version-id"] == CHAT_DEPLOYMENTS["staging"]
        assert raw.headers["x-baseten-request-id"]
        assert raw.parse().choices[0].message.content.startswith("Great question!")


def test_openai_sdk_lists_models(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.CHAT}/environments/production/sync/v1"
    with openai_client(base) as client:
        assert [m.id for m in client.models.list()] == ["demo-llm"]


def test_openai_sdk_streams_reasoning_and_tool_calls(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.TOOLS}/production/sync/v1"
    with openai_client(base) as client:
        arguments = ""
        names = ""
        reason = None
        for chunk in client.chat.completions.create(
            model="demo-tools",
            messages=[{"role": "user", "content": "Weather in Zürich?"}],
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    },
                }
            ],
            stream=True,
        ):
            for choice in chunk.choices:
                for call in choice.delta.tool_calls or []:
                    assert call.function is not None
                    names += call.function.name or ""
                    arguments += call.function.arguments or ""
                reason = choice.finish_reason or reason
        assert names == "get_weather"
        assert json.loads(arguments) == {"city": "Zürich"}
        assert reason == "tool_calls"


# What the SDK reads in a tool call's later fragments, by dialect: index and name.
DIALECT_FRAGMENTS = {"empty_id": (0, None), "same_id": (None, None), "empty_name": (0, "")}


@pytest.mark.parametrize("dialect", list(DIALECT_FRAGMENTS))
def test_openai_sdk_reads_each_dialect_of_tool_call_fragments(
    emulator: EmulatorServer, dialect: str
) -> None:
    base = f"{emulator.base_url}/model-{demo.TOOLS}/production/sync/v1"
    with openai_client(base) as client:
        stream = client.chat.completions.create(
            model="demo-tools",
            messages=[{"role": "user", "content": "Weather in Zürich?"}],
            tools=[demo.WEATHER_TOOL],
            stream=True,
            extra_headers={FAULT: f"delay=0,dialect={dialect}"},
        )
        first, *rest = [
            call
            for chunk in stream
            for choice in chunk.choices
            for call in choice.delta.tool_calls or []
        ]
    assert first.function is not None
    assert (first.index, first.type, first.function.name) == (0, "function", "get_weather")
    assert first.id is not None
    assert first.id.startswith("call_")
    assert len(rest) > 2
    assert {(c.index, c.function and c.function.name) for c in rest} == {DIALECT_FRAGMENTS[dialect]}
    arguments = "".join(call.function.arguments or "" for call in rest if call.function)
    assert json.loads(arguments) == {"city": "Zürich", "unit": "celsius"}
    ids = [call.id for call in rest]
    if dialect == "empty_name":  # an id of its own each time
        assert len({first.id, *ids}) == len(rest) + 1
    else:
        assert set(ids) == {first.id if dialect == "same_id" else ""}


def test_openai_sdk_reads_reasoning_under_its_other_name(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.REASONER}/production/sync/v1"
    with openai_client(base) as client:
        messages: list[Any] = [{"role": "user", "content": "Is 1009 prime?"}]
        headers = {FAULT: "delay=0,dialect=reasoning"}
        chunks = client.chat.completions.create(
            model="demo-reasoner", messages=messages, stream=True, extra_headers=headers
        )
        streamed = "".join(
            (choice.delta.model_extra or {}).get("reasoning", "")
            for chunk in chunks
            for choice in chunk.choices
        )
        whole = client.chat.completions.create(
            model="demo-reasoner", messages=messages, extra_headers=headers
        )
    assert streamed.startswith("The user asks about “Is 1009 prime?”")
    assert whole.choices[0].message.model_extra == {"reasoning": streamed}


def test_openai_sdk_against_the_model_apis_base(emulator: EmulatorServer) -> None:
    with openai_client(f"{emulator.base_url}/inference/v1") as client:
        slugs = {m.id for m in client.models.list()}
        assert "playground/demo-chat" in slugs
        text = "".join(
            choice.delta.content or ""
            for chunk in client.chat.completions.create(
                model="playground/demo-chat",
                messages=[{"role": "user", "content": "Hello"}],
                stream=True,
            )
            for choice in chunk.choices
        )
        whole = client.chat.completions.create(
            model="playground/demo-chat",
            messages=[{"role": "user", "content": "Hello"}],
        )
        assert text
        assert whole.choices[0].message.content == text


def test_openai_sdk_errors(emulator: EmulatorServer) -> None:
    base = f"{emulator.base_url}/model-{demo.VLLM_MODEL}/environments/production/sync/v1"
    with openai_client(base) as client, pytest.raises(openai.NotFoundError) as not_found:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert not_found.value.status_code == 404
    with openai_client(base, api_key="wrong") as client, pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(
            model="demo-llm", messages=[{"role": "user", "content": "x"}]
        )
    with (
        openai_client(f"{emulator.base_url}/inference/v1", api_key="wrong") as client,
        pytest.raises(openai.PermissionDeniedError),
    ):
        client.models.list()


# --- requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Api-Key", "Bearer"])
def test_requests_post_predict(
    emulator: EmulatorServer, no_proxy_session: requests.Session, scheme: str
) -> None:
    url = f"{emulator.base_url}{model_path(demo.CLASSIFIER)}/predict"
    response = no_proxy_session.post(
        url, headers={"Authorization": f"{scheme} {KEY}"}, json={"text": "I love it"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json() == {"label": "positive", "score": 0.99}
    assert response.headers["X-Baseten-Model-Version-Id"] == CLASSIFIER_DEPLOYMENTS["production"]
    record = no_proxy_session.get(
        f"{emulator.base_url}/_emulator/requests/{response.headers['X-Baseten-Request-Id']}",
        headers={"Authorization": f"Api-Key {KEY}"},
        timeout=10,
    ).json()
    assert record["authorization_scheme"] == scheme


def test_requests_streams_a_truss_generator(
    emulator: EmulatorServer, no_proxy_session: requests.Session
) -> None:
    # What `truss predict` does: chunked -> iter_content and decode UTF-8.
    url = f"{emulator.base_url}{model_path(demo.STREAMER)}/predict"
    headers = {"Authorization": f"Api-Key {KEY}", "X-Emulator-Fault": "delay=0.002"}
    with no_proxy_session.post(
        url,
        headers=headers,
        json={"prompt": "x", "stream": True},
        stream=True,
        timeout=10,
    ) as response:
        assert response.headers["transfer-encoding"] == "chunked"
        text = b"".join(response.iter_content(8192)).decode("utf-8")
    assert text.startswith("Once upon a time")
    assert "🎉" in text


def test_requests_without_key_is_401(
    emulator: EmulatorServer, no_proxy_session: requests.Session
) -> None:
    response = no_proxy_session.post(
        f"{emulator.base_url}{model_path(demo.CLASSIFIER)}/predict", json={"text": "x"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json() == {"error": "please check the api-key you provided"}
