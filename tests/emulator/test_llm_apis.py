"""The Responses and Messages APIs on the Model APIs base, called by the official `openai` and
`anthropic` SDKs unchanged, and by raw HTTP for the wire details the SDKs hide."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
import openai
import pytest

from playground.emulator import EmulatorServer
from tests.emulator.helpers import AUTH, FAULT, KEY

CHAT = "playground/demo-chat"
REASONER = "playground/demo-reasoner"
TOOLS = "playground/demo-tools"
FAST = {FAULT: "delay=0"}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def openai_client(emulator: EmulatorServer) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=emulator.base_url + "/inference/v1",
        api_key=KEY,
        max_retries=0,
        timeout=10.0,
        default_headers=FAST,
        http_client=httpx.Client(trust_env=False),
    )


def anthropic_client(emulator: EmulatorServer, **auth: Any) -> anthropic.Anthropic:
    """The SDK as Baseten documents it: the key sent as `Authorization` (or as `auth_token`)."""
    if not auth:
        auth = {"api_key": KEY, "default_headers": {"Authorization": f"Bearer {KEY}", **FAST}}
    return anthropic.Anthropic(
        base_url=emulator.base_url + "/inference",
        max_retries=0,
        timeout=10.0,
        http_client=anthropic.DefaultHttpxClient(trust_env=False),
        **auth,
    )


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """`event:` names with their parsed `data:`, in order."""
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def post(emulator: EmulatorServer, path: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/inference/v1/{path}",
        json=body,
        headers={**AUTH, **FAST, **headers},
        timeout=10.0,
        trust_env=False,
    )


# --- Responses API -------------------------------------------------------------------------------


def test_openai_sdk_creates_a_response_with_instructions_and_history(
    emulator: EmulatorServer,
) -> None:
    with openai_client(emulator) as client:
        response = client.responses.create(
            model=CHAT,
            instructions="Answer briefly.",
            input=[
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": "Hi! How can I help?"},
                {"role": "user", "content": [{"type": "input_text", "text": "What is a GPU?"}]},
            ],
        )
    assert response.status == "completed"
    assert "“What is a GPU?”" in response.output_text  # the last user turn is the topic
    assert response.usage is not None
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert response.usage.output_tokens == len(response.output_text.split())


def test_openai_sdk_streams_a_response_and_gets_the_final_one(emulator: EmulatorServer) -> None:
    with openai_client(emulator) as client:
        deltas: list[str] = []
        with client.responses.stream(model=CHAT, input="What is a cold start?") as stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
            final = stream.get_final_response()
    assert len(deltas) > 3
    assert final.output_text == "".join(deltas)
    assert final.status == "completed"
    assert final.usage is not None
    assert final.usage.output_tokens == len(deltas)


def test_a_streamed_response_has_openais_events_in_order_with_sequence_numbers(
    emulator: EmulatorServer,
) -> None:
    body = {"model": REASONER, "input": "Why is the sky blue?", "stream": True}
    response = post(emulator, "responses", body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    assert all(name == data["type"] for name, data in events)
    kinds = [name for name, _ in events if not name.endswith(".delta")]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",  # the reasoning item
        "response.reasoning_text.done",
        "response.output_item.done",
        "response.output_item.added",  # the message
        "response.content_part.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    reasoning = "".join(d["delta"] for n, d in events if n == "response.reasoning_text.delta")
    text = "".join(d["delta"] for n, d in events if n == "response.output_text.delta")
    completed = events[-1][1]["response"]
    assert [item["type"] for item in completed["output"]] == ["reasoning", "message"]
    assert completed["output"][0]["content"][0]["text"] == reasoning
    assert completed["output"][1]["content"][0]["text"] == text
    usage = completed["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] == len(reasoning.split())
    assert usage["output_tokens"] == len(reasoning.split()) + len(text.split())


def test_openai_sdk_gets_function_calls_and_sends_their_output_back(
    emulator: EmulatorServer,
) -> None:
    with openai_client(emulator) as client:
        first = client.responses.create(
            model=TOOLS, input="What is the weather in Zürich?", tools=[WEATHER]
        )
        calls = [item for item in first.output if item.type == "function_call"]
        assert [(c.name, json.loads(c.arguments)) for c in calls] == [
            ("get_weather", {"city": "Zürich"})
        ]
        with client.responses.stream(
            model=TOOLS,
            tools=[WEATHER],
            input=[
                {"role": "user", "content": "What is the weather in Zürich?"},
                {
                    "type": "function_call",
                    "call_id": calls[0].call_id,
                    "name": "get_weather",
                    "arguments": calls[0].arguments,
                },
                {"type": "function_call_output", "call_id": calls[0].call_id, "output": "18 °C"},
            ],
        ) as stream:
            final = stream.get_final_response()
    assert "Based on the tool result (18 °C)" in final.output_text


def test_a_response_cut_by_max_output_tokens_is_incomplete(emulator: EmulatorServer) -> None:
    with openai_client(emulator) as client:
        response = client.responses.create(model=CHAT, input="Hi there", max_output_tokens=2)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert len(response.output_text.split()) == 2


def test_responses_are_stateless_previous_response_id_is_refused(
    emulator: EmulatorServer,
) -> None:
    with openai_client(emulator) as client:
        stored = client.responses.create(model=CHAT, input="Hi", store=True)
        assert stored.store is False  # nothing is kept, whatever `store` asked
        with pytest.raises(openai.BadRequestError) as caught:
            client.responses.create(model=CHAT, input="And then?", previous_response_id=stored.id)
    error = caught.value.body
    assert isinstance(error, dict)
    assert error["type"] == "invalid_request_error"
    assert "send the whole conversation as `input`" in error["message"]


def test_responses_errors_are_openais_shape(emulator: EmulatorServer) -> None:
    missing = post(emulator, "responses", {"model": "nobody/none", "input": "Hi"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"
    bad = post(emulator, "responses", {"model": CHAT, "input": []})
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "invalid_request_error"
    faulted = post(emulator, "responses", {"model": CHAT, "input": "Hi"}, **{FAULT: "status=429"})
    assert faulted.status_code == 429
    assert faulted.json()["error"]["message"] == "Rate limit exceeded. Please try again later."


def test_an_error_mid_stream_is_the_responses_apis_error_event(emulator: EmulatorServer) -> None:
    body = {"model": CHAT, "input": "Hi there", "stream": True}
    response = post(emulator, "responses", body, **{FAULT: "delay=0,error_at=4"})
    events = sse_events(response.text)
    assert len(events) == 5
    assert events[-1][0] == "error"
    assert events[-1][1]["sequence_number"] == 4
    assert events[-1][1]["message"] == "Internal error while generating the response"


# --- Messages API --------------------------------------------------------------------------------


def test_anthropic_sdk_creates_a_message_with_a_system_prompt(emulator: EmulatorServer) -> None:
    with anthropic_client(emulator) as client:
        message = client.messages.create(
            model=CHAT,
            max_tokens=256,
            system="Answer briefly.",
            messages=[
                {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": "Hi!"},
                {"role": "user", "content": [{"type": "text", "text": "What is a GPU?"}]},
            ],
        )
    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"
    text = message.content[0].text
    assert "“What is a GPU?”" in text
    assert message.usage.output_tokens == len(text.split())


def test_anthropic_sdk_streams_thinking_then_text_and_gets_the_final_message(
    emulator: EmulatorServer,
) -> None:
    with anthropic_client(emulator) as client:
        thinking: list[str] = []
        text: list[str] = []
        with client.messages.stream(
            model=REASONER, max_tokens=1024, messages=[{"role": "user", "content": "Why?"}]
        ) as stream:
            for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "thinking_delta":
                    thinking.append(event.delta.thinking)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    text.append(event.delta.text)
            final = stream.get_final_message()
    assert thinking
    assert text
    assert [block.type for block in final.content] == ["thinking", "text"]
    assert final.content[0].thinking == "".join(thinking)  # type: ignore[union-attr]
    assert final.content[1].text == "".join(text)  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(thinking) + len(text)


def test_a_streamed_message_has_anthropics_events_in_order(emulator: EmulatorServer) -> None:
    body = {
        "model": CHAT,
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    events = sse_events(post(emulator, "messages", body).text)
    kinds = [name for name, _ in events if name != "content_block_delta"]
    assert kinds == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(name == data["type"] for name, data in events)
    assert events[-2][1]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}


def test_anthropic_sdk_tool_use_and_stop_reasons(emulator: EmulatorServer) -> None:
    tool = {
        "name": "get_weather",
        "description": "The weather in a city",
        "input_schema": WEATHER["parameters"],
    }
    with anthropic_client(emulator) as client:
        used = client.messages.create(
            model=TOOLS,
            max_tokens=256,
            tools=[tool],  # type: ignore[list-item]
            messages=[{"role": "user", "content": "Weather in Zürich?"}],
        )
        with client.messages.stream(
            model=TOOLS,
            max_tokens=256,
            tools=[tool],  # type: ignore[list-item]
            messages=[{"role": "user", "content": "Weather in Zürich?"}],
        ) as stream:
            streamed = stream.get_final_message()
        short = client.messages.create(
            model=CHAT, max_tokens=2, messages=[{"role": "user", "content": "Hello there"}]
        )
        stopped = client.messages.create(
            model=CHAT,
            max_tokens=256,
            stop_sequences=["comes down"],
            messages=[{"role": "user", "content": "Hello there"}],
        )
    for message in (used, streamed):
        assert message.stop_reason == "tool_use"
        assert [(b.type, b.name, b.input) for b in message.content] == [  # type: ignore[union-attr]
            ("tool_use", "get_weather", {"city": "Zürich"})
        ]
    assert short.stop_reason == "max_tokens"
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == "comes down"
    assert "comes down" not in stopped.content[0].text  # type: ignore[union-attr]


def test_anthropic_sdk_with_auth_token_sends_bearer(emulator: EmulatorServer) -> None:
    with anthropic_client(emulator, auth_token=KEY, default_headers=FAST) as client:
        message = client.messages.create(
            model=CHAT, max_tokens=32, messages=[{"role": "user", "content": "Hi"}]
        )
    assert message.content


def test_the_messages_api_reads_authorization_not_x_api_key(emulator: EmulatorServer) -> None:
    body = {"model": CHAT, "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}
    only_x_api_key = httpx.post(
        f"{emulator.base_url}/inference/v1/messages",
        json=body,
        headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
        timeout=10.0,
        trust_env=False,
    )
    assert only_x_api_key.status_code == 403
    assert only_x_api_key.json() == {"error": "please check the api-key you provided"}
    # The anthropic SDK (2.x) sends `api_key` as `Authorization: Bearer`, which Baseten reads.
    with anthropic_client(emulator, api_key=KEY, default_headers=FAST) as client:
        message = client.messages.create(model=CHAT, max_tokens=8, messages=body["messages"])
    assert message.content


def test_messages_errors_are_anthropics_shape(emulator: EmulatorServer) -> None:
    no_max = post(
        emulator, "messages", {"model": CHAT, "messages": [{"role": "user", "content": "Hi"}]}
    )
    assert no_max.status_code == 400
    assert no_max.json() == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"},
    }
    body = {"model": "nobody/none", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
    assert post(emulator, "messages", body).json()["error"]["type"] == "not_found_error"
    with anthropic_client(emulator) as client, pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=CHAT, max_tokens=8, messages=[])
    body = {
        "model": CHAT,
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    events = sse_events(post(emulator, "messages", body, **{FAULT: "delay=0,error_at=3"}).text)
    assert events[-1] == (
        "error",
        {
            "type": "error",
            "error": {
                "type": "api_error",
                "message": "Internal error while generating the response",
            },
        },
    )


def test_thinking_can_be_turned_off(emulator: EmulatorServer) -> None:
    with anthropic_client(emulator) as client:
        message = client.messages.create(
            model=REASONER,
            max_tokens=1024,
            thinking={"type": "disabled"},
            messages=[{"role": "user", "content": "Why?"}],
        )
    assert [block.type for block in message.content] == ["text"]
    assert message.usage.output_tokens == len(message.content[0].text.split())  # type: ignore[union-attr]
