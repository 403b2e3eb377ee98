"""OpenAI-compatible chat completions: on a deployment's /sync/v1 and on the Model APIs base."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from playground.emulator import EmulatorServer, demo
from tests.emulator.helpers import (
    CHAT_DEPLOYMENTS,
    FAULT,
    chat_body,
    chunks_of,
    deltas,
    finish_reasons,
    model_path,
    sse_data,
)

CHAT = model_path(demo.CHAT) + "/sync/v1/chat/completions"
MODEL_APIS = "/inference/v1"
FAST = {FAULT: "delay=0"}
# baseten-api.md §5.6: every entry of GET inference.baseten.co/v1/models.
MODEL_API_FIELDS = {
    "id",
    "created",
    "object",
    "owned_by",
    "name",
    "description",
    "context_length",
    "max_completion_tokens",
    "quantization",
    "pricing",
    "supported_sampling_parameters",
    "supported_features",
    "input_modalities",
    "output_modalities",
}
PRICING_FIELDS = {"prompt", "completion", "image", "request", "input_cache_read"}


def stream(
    http: httpx.Client,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> tuple[httpx.Response, list[str]]:
    """POST with stream=True; returns the response and the `data:` payloads."""
    with http.stream("POST", url, json={**body, "stream": True}, headers=headers) as response:
        if response.status_code != 200:
            response.read()
            return response, []
        data = sse_data(response.iter_lines())
    return response, data


def complete(
    http: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = http.post(url, json={**body, "stream": False}, headers=headers)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


# --- deployments' OpenAI routes ------------------------------------------------------------------


def test_non_streaming_chat_completion(http: httpx.Client) -> None:
    response = http.post(CHAT, json=chat_body("What is a cold start?"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-baseten-model-version-id"] == CHAT_DEPLOYMENTS["production"]
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "demo-llm"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert "What is a cold start?" in choice["message"]["content"]
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] > 0


def test_streaming_chat_completion_matches_the_non_streamed_answer(http: httpx.Client) -> None:
    body = chat_body("Explain streaming")
    with http.stream("POST", CHAT, json={**body, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        raw = response.read()
    # Exactly OpenAI's framing: `data: <json>` then a blank line, ending with [DONE].
    assert raw.endswith(b"data: [DONE]\n\n")
    events = raw.split(b"\n\n")
    assert events[-1] == b""
    assert all(event.startswith(b"data: ") for event in events[:-1])

    data = sse_data(raw.decode().splitlines())
    assert data[-1] == "[DONE]"
    chunks = chunks_of(data)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    assert finish_reasons(chunks) == ["stop"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    # Without include_usage a deployment's engine sends no usage (only the Model APIs default it on).
    assert all("usage" not in c for c in chunks)
    text = "".join(deltas(chunks))
    assert text == complete(http, CHAT, body)["choices"][0]["message"]["content"]


def test_include_usage_ends_with_a_usage_only_chunk_before_done(http: httpx.Client) -> None:
    body = chat_body("Count my tokens", stream_options={"include_usage": True})
    response, data = stream(http, CHAT, body)
    assert response.status_code == 200
    assert data[-1] == "[DONE]"
    last = json.loads(data[-2])
    assert last["choices"] == []
    usage = last["usage"]
    assert usage["completion_tokens"] == len(deltas(chunks_of(data)))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "cached_tokens" in usage["prompt_tokens_details"]
    # Every chunk before it still has exactly one choice.
    assert all(len(json.loads(d)["choices"]) == 1 for d in data[:-2])


def test_continuous_usage_stats_put_a_running_usage_in_every_chunk(http: httpx.Client) -> None:
    body = chat_body("Count", stream_options={"continuous_usage_stats": True})
    _, data = stream(http, CHAT, body, FAST)
    chunks = chunks_of(data)
    running = [c["usage"]["completion_tokens"] for c in chunks]
    assert running == sorted(running)
    assert running[-1] == len(deltas(chunks))


def test_sync_v1_models_lists_the_served_model(http: httpx.Client) -> None:
    response = http.get(model_path(demo.CHAT) + "/sync/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["demo-llm"]
    assert body["data"][0]["object"] == "model"


@pytest.mark.parametrize("streamed", [False, True])
def test_a_vllm_server_answers_404_in_its_own_words_for_another_name(
    http: httpx.Client, streamed: bool
) -> None:
    vllm = model_path(demo.VLLM_MODEL) + "/sync/v1/chat/completions"
    response = http.post(vllm, json=chat_body(model="baseten", stream=streamed))
    assert response.status_code == 404
    # Errors before the stream starts are plain JSON, even for stream=true.
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "object": "error",
        "message": "The model `baseten` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }
    served = http.post(vllm, json=chat_body(model="Qwen/Qwen3-8B", stream=streamed))
    assert served.status_code == 200


@pytest.mark.parametrize("name", ["baseten", "gpt-4o", "demo-llm", None])
def test_an_engine_builder_deployment_takes_any_model_name(
    http: httpx.Client, name: str | None
) -> None:
    response = http.post(CHAT, json=chat_body(model=name), headers=FAST)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    "body",
    [
        {"model": "demo-llm"},
        {"model": "demo-llm", "messages": []},
        {"model": "demo-llm", "messages": [{"role": "wizard", "content": "hi"}]},
        chat_body(n=2),
        chat_body(max_tokens=0),
        chat_body(temperature=9),
    ],
)
def test_invalid_chat_requests_are_400_in_the_openai_shape(
    http: httpx.Client, body: dict[str, Any]
) -> None:
    response = http.post(CHAT, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_model_field_may_be_omitted(http: httpx.Client) -> None:
    assert http.post(CHAT, json=chat_body(model=None)).status_code == 200


def test_predict_on_a_chat_deployment_is_chat(http: httpx.Client) -> None:
    body = complete(
        http, model_path(demo.CHAT, "environments/staging") + "/predict", chat_body("Hi there")
    )
    assert body["choices"][0]["message"]["content"].startswith("Great question!")


def test_reasoning_content_comes_before_content(http: httpx.Client) -> None:
    url = model_path(demo.REASONER) + "/sync/v1/chat/completions"
    _, data = stream(http, url, chat_body("Is 1009 prime?", model="demo-reasoner"), FAST)
    chunks = chunks_of(data)
    kinds = [
        "reasoning" if "reasoning_content" in c["choices"][0]["delta"] else "content"
        for c in chunks[1:]
        if c["choices"][0]["delta"].get("reasoning_content")
        or c["choices"][0]["delta"].get("content")
    ]
    assert kinds[0] == "reasoning"
    first_content = kinds.index("content")
    assert set(kinds[:first_content]) == {"reasoning"}
    assert set(kinds[first_content:]) == {"content"}
    reasoning = "".join(deltas(chunks, "reasoning_content"))
    assert "Is 1009 prime?" in reasoning

    whole = complete(http, url, chat_body("Is 1009 prime?", model="demo-reasoner"), FAST)
    message = whole["choices"][0]["message"]
    assert message["reasoning_content"] == reasoning
    assert message["content"] == "".join(deltas(chunks))
    assert whole["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0


def test_tool_calls_stream_as_deltas_whose_arguments_parse(http: httpx.Client) -> None:
    url = model_path(demo.TOOLS) + "/sync/v1/chat/completions"
    body = chat_body(
        "What is the weather in Zürich?", model="demo-tools", tools=[demo.WEATHER_TOOL]
    )
    _, data = stream(http, url, body, FAST)
    chunks = chunks_of(data)
    calls: dict[int, dict[str, Any]] = {}
    fragments = 0
    for chunk in chunks:
        for part in chunk["choices"][0]["delta"].get("tool_calls", []):
            fragments += 1
            call = calls.setdefault(part["index"], {"id": None, "name": "", "arguments": ""})
            call["id"] = part.get("id") or call["id"]
            function = part.get("function", {})
            call["name"] += function.get("name", "")
            call["arguments"] += function.get("arguments", "")
    assert fragments > 2  # the arguments arrive in pieces
    assert list(calls) == [0]
    call = calls[0]
    assert call["id"].startswith("call_")
    assert call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == {"city": "Zürich", "unit": "celsius"}
    assert finish_reasons(chunks) == ["tool_calls"]
    assert deltas(chunks) == []

    whole = complete(http, url, body, FAST)
    assert whole["choices"][0]["finish_reason"] == "tool_calls"
    tool_call = whole["choices"][0]["message"]["tool_calls"][0]
    assert json.loads(tool_call["function"]["arguments"]) == {"city": "Zürich", "unit": "celsius"}


# A tool call's fragments after its first, arguments and ids aside, in each dialect (§5.3).
CONTINUATIONS: dict[str, dict[str, Any]] = {
    "": {"index": 0, "function": {}},
    "empty_id": {"index": 0, "function": {}},
    "same_id": {"type": "function", "function": {}},
    "empty_name": {"index": 0, "type": "function", "function": {"name": ""}},
}


@pytest.mark.parametrize("dialect", list(CONTINUATIONS), ids=lambda d: d or "default")
def test_tool_call_dialects_continue_a_call_as_their_engines_do(
    http: httpx.Client, dialect: str
) -> None:
    url = model_path(demo.TOOLS) + "/sync/v1/chat/completions"
    body = chat_body("Weather?", model="demo-tools", tools=[demo.WEATHER_TOOL])
    _, data = stream(http, url, body, {FAULT: f"delay=0,dialect={dialect}"})
    chunks = chunks_of(data)
    first, *rest = [p for c in chunks for p in c["choices"][0]["delta"].get("tool_calls", [])]
    assert first["function"] == {"name": "get_weather", "arguments": ""}
    assert (first["index"], first["type"], first["id"][:5]) == (0, "function", "call_")
    assert len(rest) > 2
    arguments = "".join(part["function"].pop("arguments") for part in rest)
    assert json.loads(arguments) == {"city": "Zürich", "unit": "celsius"}
    ids = [part.pop("id", None) for part in rest]
    assert rest == [CONTINUATIONS[dialect]] * len(rest)
    if dialect == "empty_name":  # an id of its own each time
        assert len({first["id"], *ids}) == len(rest) + 1
    else:
        assert set(ids) == {{"": None, "empty_id": "", "same_id": first["id"]}[dialect]}
    assert finish_reasons(chunks) == ["tool_calls"]


def test_reasoning_dialect_names_the_field_reasoning(http: httpx.Client) -> None:
    url = model_path(demo.REASONER) + "/sync/v1/chat/completions"
    body = chat_body("Is 1009 prime?", model="demo-reasoner")
    headers = {FAULT: "delay=0,dialect=reasoning"}
    chunks = chunks_of(stream(http, url, body, headers)[1])
    assert deltas(chunks, "reasoning_content") == []
    reasoning = "".join(deltas(chunks, "reasoning"))
    assert reasoning.startswith("The user asks about “Is 1009 prime?”")
    message = complete(http, url, body, headers)["choices"][0]["message"]
    assert (message["reasoning"], "reasoning_content" in message) == (reasoning, False)
    refused = http.post(url, json=body, headers={FAULT: "dialect=klingon"})
    assert refused.status_code == 400
    assert "unknown dialect 'klingon'" in refused.json()["error"]


def test_tool_result_gets_an_answer(http: httpx.Client) -> None:
    url = model_path(demo.TOOLS) + "/sync/v1/chat/completions"
    body = chat_body("Weather?", model="demo-tools", tools=[demo.WEATHER_TOOL])
    body["messages"] += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "12 °C and sunny"},
    ]
    whole = complete(http, url, body, FAST)
    assert whole["choices"][0]["finish_reason"] == "stop"
    assert "12 °C and sunny" in whole["choices"][0]["message"]["content"]


def test_max_tokens_gives_finish_reason_length(http: httpx.Client) -> None:
    body = chat_body("Tell me everything", max_tokens=3)
    _, data = stream(http, CHAT, body, FAST)
    chunks = chunks_of(data)
    assert len(deltas(chunks)) == 3
    assert finish_reasons(chunks) == ["length"]
    whole = complete(http, CHAT, body, FAST)
    assert whole["choices"][0]["finish_reason"] == "length"
    assert whole["usage"]["completion_tokens"] == 3


def test_stop_sequence_cuts_the_answer(http: httpx.Client) -> None:
    whole = complete(http, CHAT, chat_body("topic", stop=":"), FAST)
    assert whole["choices"][0]["message"]["content"] == "Short answer about “topic”"


@pytest.mark.parametrize("environment", ["production", "staging", "development"])
def test_streamed_text_is_byte_identical_to_the_non_streamed_answer(
    http: httpx.Client, environment: str
) -> None:
    prefix = "development" if environment == "development" else f"environments/{environment}"
    url = model_path(demo.CHAT, prefix) + "/sync/v1/chat/completions"
    body = chat_body("Unicode, please")
    response, data = stream(http, url, body, FAST)
    assert response.headers["x-baseten-model-version-id"] == CHAT_DEPLOYMENTS[environment]
    streamed = "".join(deltas(chunks_of(data)))
    whole = complete(http, url, body, FAST)["choices"][0]["message"]["content"]
    assert streamed.encode("utf-8") == whole.encode("utf-8")
    if environment == "development":  # the verbose style: accents, CJK and an emoji
        for text in ("naïve", "café", "日本語", "🚀"):
            assert text in streamed


def test_environments_stream_at_different_speeds(http: httpx.Client) -> None:
    def duration(prefix: str) -> float:
        url = model_path(demo.CHAT, prefix) + "/sync/v1/chat/completions"
        started = time.monotonic()
        stream(http, url, chat_body("speed", max_tokens=6))
        return time.monotonic() - started

    assert duration("development") > duration("production")


# --- Model APIs ----------------------------------------------------------------------------------


def test_model_apis_chat_completions(http: httpx.Client) -> None:
    body = chat_body("Hello", model="playground/demo-chat")
    whole = complete(http, MODEL_APIS + "/chat/completions", body)
    assert whole["model"] == "playground/demo-chat"
    assert whole["choices"][0]["message"]["content"]
    # Model APIs default include_usage and continuous_usage_stats to true (§5.3).
    _, data = stream(http, MODEL_APIS + "/chat/completions", body)
    chunks = chunks_of(data)
    assert data[-1] == "[DONE]"
    assert chunks[-1]["choices"] == []
    assert all("usage" in c for c in chunks)
    assert "".join(deltas(chunks)) == whole["choices"][0]["message"]["content"]


def test_model_apis_reasoner(http: httpx.Client) -> None:
    body = chat_body("Think", model="playground/demo-reasoner")
    _, data = stream(http, MODEL_APIS + "/chat/completions", body, FAST)
    chunks = chunks_of(data)
    assert deltas(chunks, "reasoning_content")
    assert deltas(chunks)


def test_model_apis_unknown_slug_is_404(http: httpx.Client) -> None:
    response = http.post(MODEL_APIS + "/chat/completions", json=chat_body(model="nope/nope"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404


def test_model_apis_models_catalogue(http: httpx.Client) -> None:
    response = http.get(MODEL_APIS + "/models")
    assert response.status_code == 200
    data = response.json()["data"]
    assert {m["id"] for m in data} == {
        "playground/demo-chat",
        "playground/demo-reasoner",
        "playground/demo-tools",
    }
    for entry in data:
        assert entry.keys() >= MODEL_API_FIELDS
        assert entry["object"] == "model"
        assert entry["owned_by"] == "baseten"
        assert entry["pricing"].keys() >= PRICING_FIELDS
        assert all(isinstance(v, str) for v in entry["pricing"].values())
        assert isinstance(entry["supported_features"], list)
    features = {m["id"]: m["supported_features"] for m in data}
    assert "reasoning" in features["playground/demo-reasoner"]
    assert "tools" in features["playground/demo-tools"]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", "Api-Key wrong-key"])
@pytest.mark.parametrize(("method", "path"), [("POST", "/chat/completions"), ("GET", "/models")])
def test_model_apis_bad_key_is_403(
    emulator: EmulatorServer, authorization: str | None, method: str, path: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as bare:
        response = bare.request(
            method, MODEL_APIS + path, headers=headers, json=chat_body(model="playground/demo-chat")
        )
    assert response.status_code == 403
    assert response.json() == {"error": "please check the api-key you provided"}
    assert response.headers["x-baseten-request-id"]


def test_model_apis_invalid_json_is_400(http: httpx.Client) -> None:
    response = http.post(
        MODEL_APIS + "/chat/completions",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"]
