"""The Responses and Messages APIs through the client: the same chat body sent in each format,
read back into the same events and `ChatResult` as chat completions, over real sockets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from playground.core import (
    ApiError,
    ChatDelta,
    ChatFinished,
    ResponseStarted,
    StreamError,
    TruncatedStream,
)
from playground.core.chat.conversation import Conversation
from playground.core.events import ChatEvent, Notice, ToolCall
from playground.core.request.api_bodies import Api, to_messages, to_responses
from playground.core.secrets import REDACTOR
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import (
    chat_with,
    collect,
    collect_until_error,
    fault,
    only,
    open_client,
    run,
    sends_body,
)

FAST = fault("delay=0")
KEY = "Zq8vWiresKey0123456789abcdef"
APIS: tuple[Api, ...] = ("chat", "responses", "messages")


def body(model: str, content: str = "What is a cold start?", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}


def ask(
    server: EmulatorServer, api: Api, chat: dict[str, Any], spec: str = "delay=0"
) -> list[ChatEvent]:
    async def main() -> list[ChatEvent]:
        async with open_client(server) as client:
            base = client.openai_base(None)
            return await collect(client.chat(base, chat, headers=fault(spec), api=api))

    return run(main())


def finished(events: list[ChatEvent]) -> ChatFinished:
    assert isinstance(events[0], ResponseStarted)
    assert isinstance(events[-1], ChatFinished)
    return events[-1]


@pytest.mark.parametrize("stream", [True, False])
def test_every_api_gives_the_same_answer_reasoning_and_usage(
    emulator: EmulatorServer, stream: bool
) -> None:
    chat = body("playground/demo-reasoner", stream=stream)
    results = {api: finished(ask(emulator, api, chat)) for api in APIS}
    answers = {api: done.result for api, done in results.items()}
    assert answers["chat"].content
    assert answers["chat"].reasoning
    for api in ("responses", "messages"):
        assert answers[api].content == answers["chat"].content
        assert answers[api].reasoning == answers["chat"].reasoning
        assert answers[api].finish_reason == "stop"
        assert answers[api].saw_done is True
        usage = answers[api].usage or {}
        chat_usage = answers["chat"].usage or {}
        for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
            assert usage[name] == chat_usage[name], (api, name)
        metrics = results[api].metrics
        assert metrics.tokens == chat_usage["completion_tokens"]
        assert metrics.tokens_estimated is False
        assert metrics.first_token_s is not None
        assert metrics.total_s is not None


def test_streamed_deltas_build_the_answer_and_tokens_per_second(emulator: EmulatorServer) -> None:
    for api in ("responses", "messages"):
        events = ask(emulator, api, body("playground/demo-reasoner", stream=True))
        deltas = only(events, ChatDelta)
        done = finished(events)
        assert len(deltas) > 10
        assert "".join(d.content for d in deltas) == done.result.content
        assert "".join(d.reasoning for d in deltas) == done.result.reasoning
        assert done.metrics.streamed is True
        assert done.metrics.tokens_per_s is not None
        assert done.metrics.tokens_per_s > 0


@pytest.mark.parametrize("api", ["responses", "messages"])
@pytest.mark.parametrize("stream", [True, False])
def test_tool_calls_and_their_results_round_trip(
    emulator: EmulatorServer, api: Api, stream: bool
) -> None:
    chat = body("playground/demo-tools", "Weather in Zürich?", tools=[demo.WEATHER_TOOL])
    done = finished(ask(emulator, api, {**chat, "stream": stream}))
    assert done.result.finish_reason == "tool_calls"
    [call] = done.result.tool_calls
    assert (call.index, call.name) == (0, "get_weather")
    assert json.loads(call.arguments)["city"] == "Zürich"
    assert call.id
    # The conversation sends the call and its result back, in this API's format.
    conversation = Conversation.from_body(chat)
    turn = conversation.begin_assistant()
    conversation.finish(turn, done.result, done.metrics)
    conversation.add_tool(call.id, "18 °C and sunny")
    again = finished(ask(emulator, api, conversation.request_body(stream)))
    assert again.result.content.startswith("Based on the tool result (18 °C and sunny)")
    assert again.result.finish_reason == "stop"


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_max_tokens_ends_with_length(emulator: EmulatorServer, api: Api) -> None:
    for stream in (True, False):
        done = finished(
            ask(emulator, api, body("playground/demo-chat", max_tokens=3, stream=stream))
        )
        assert done.result.finish_reason == "length"
        assert len(done.result.content.split()) == 3


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_an_in_band_error_raises_with_the_partial_answer(
    emulator: EmulatorServer, api: Api
) -> None:
    async def main() -> tuple[list[ChatEvent], Exception]:
        async with open_client(emulator) as client:
            chat = body("playground/demo-chat", stream=True)
            spec = "delay=0,error_at=8,message=engine overloaded"
            return await collect_until_error(
                client.chat(client.openai_base(None), chat, headers=fault(spec), api=api)
            )

    events, error = run(main())
    assert type(error) is StreamError
    assert "engine overloaded" in str(error)
    shown = "".join(d.content for d in only(events, ChatDelta))
    assert shown
    assert error.partial.content == shown
    assert not only(events, ChatFinished)


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_a_stream_that_stops_early_is_truncated(emulator: EmulatorServer, api: Api) -> None:
    async def main() -> tuple[list[ChatEvent], Exception]:
        async with open_client(emulator) as client:
            chat = body("playground/demo-chat", stream=True)
            return await collect_until_error(
                client.chat(
                    client.openai_base(None), chat, headers=fault("delay=0,end_after=9"), api=api
                )
            )

    events, error = run(main())
    assert type(error) is TruncatedStream
    assert error.partial.content == "".join(d.content for d in only(events, ChatDelta))


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_an_error_answer_is_an_api_error_in_words(emulator: EmulatorServer, api: Api) -> None:
    async def main() -> Exception:
        async with open_client(emulator) as client:
            chat = body("nobody/none", stream=True)
            _, error = await collect_until_error(
                client.chat(client.openai_base(None), chat, headers=FAST, api=api)
            )
            return error

    error = run(main())
    assert isinstance(error, ApiError)
    assert error.status == 404
    assert "nobody/none" in str(error)


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_the_key_in_an_answer_is_masked(emulator: EmulatorServer, api: Api) -> None:
    REDACTOR.replace_keys(())
    events = ask(
        emulator, api, body("playground/demo-chat", f"echo {emulator.api_key}", stream=True)
    )
    shown = "".join(d.content for d in only(events, ChatDelta))
    assert emulator.api_key not in shown
    assert emulator.api_key not in finished(events).result.content
    assert "echo" in shown


def test_the_bodies_say_one_conversation_in_each_format() -> None:
    chat = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [ToolCall(0, "call_1", "w", '{"c": 1}').to_openai()],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ],
        "max_tokens": 64,
        "stop": ["\n\n"],
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": [
            {"type": "function", "function": {"name": "w", "parameters": {"type": "object"}}}
        ],
        "tool_choice": "required",
        "top_k": 5,
    }
    assert to_responses(chat) == {
        "model": "m",
        "instructions": "Be brief.",
        "input": [
            {"role": "user", "content": "Weather?"},
            {"type": "function_call", "call_id": "call_1", "name": "w", "arguments": '{"c": 1}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
        ],
        "max_output_tokens": 64,
        "stop": ["\n\n"],
        "stream": True,
        "top_k": 5,
        "tools": [{"type": "function", "name": "w", "parameters": {"type": "object"}}],
        "tool_choice": "required",
    }
    assert to_messages(chat) == {
        "model": "m",
        "max_tokens": 64,
        "system": "Be brief.",
        "messages": [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "call_1", "name": "w", "input": {"c": 1}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"}],
            },
        ],
        "stream": True,
        "top_k": 5,
        "stop_sequences": ["\n\n"],
        "tools": [{"name": "w", "description": "", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "any"},
    }
    assert to_messages({"messages": [{"role": "user", "content": "x"}]})["max_tokens"] == 4096


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_a_malformed_event_is_skipped_with_a_notice(emulator: EmulatorServer, api: Api) -> None:
    events = ask(emulator, api, body("playground/demo-chat", stream=True), "delay=0,malformed_at=5")
    done = finished(events)
    assert done.result.malformed_events == 1
    assert [n.message[:27] for n in only(events, Notice)] == ["Skipped a malformed event: "]
    whole = finished(ask(emulator, api, body("playground/demo-chat", stream=False)))
    assert done.result.content == whole.result.content


def test_only_model_apis_take_the_responses_and_messages_apis() -> None:
    from playground.core import Target
    from playground.core.request.api_bodies import served_apis
    from playground.core.request.spec import RequestSpec

    assert served_apis(model_api=True) == APIS
    assert served_apis(model_api=False) == ("chat",)
    body_ = body("demo-llm")
    assert RequestSpec("chat", None, body_, model_api="some/llm", api="messages").api == "messages"
    with pytest.raises(ValueError, match="served by Model APIs only"):
        RequestSpec("chat", Target(demo.CHAT), body_, api="responses")


def typed_events(events: list[dict[str, Any]]) -> bytes:
    return b"".join(b"data: %s\n\n" % json.dumps(e).encode() for e in events)


ODD_STREAMS: dict[Api, list[dict[str, Any]]] = {
    "responses": [
        {"type": "response.created", "response": {"id": 5, "model": ["m"]}},
        {"type": "response.output_text.delta", "delta": "a"},
        {"type": "response.output_text.delta", "delta": 5},  # odd
        {"type": "response.reasoning_text.delta", "delta": ["thinking"]},  # odd
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "function_call", "call_id": "c1", "name": 7},  # odd
        },
        {"type": "response.output_text.delta", "delta": "b"},
        {"type": "response.completed", "response": {"status": "completed"}},
    ],
    "messages": [
        {"type": "message_start", "message": {"id": ["x"], "model": 5}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": {}},
        },
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t1", "name": {"n": 1}},  # odd
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "b"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
        {"type": "message_stop"},
    ],
}


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_stream_events_of_odd_shapes_are_skipped_with_a_notice(api: Api) -> None:
    events = run(
        chat_with(sends_body(typed_events(ODD_STREAMS[api])), key=KEY, stream=True, api=api)
    )
    done = finished(events)
    assert done.result.content == "ab"
    assert (done.result.reasoning, done.result.tool_calls) == ("", [])
    assert (done.result.id, done.result.model) == (None, None)  # not text: not an id or a name
    notices = only(events, Notice)
    assert len(notices) == done.result.malformed_events == 3
    assert all("unexpected shape" in n.message for n in notices)


ODD_ANSWERS: list[tuple[Api, dict[str, Any]]] = [
    (
        "responses",
        {"output": [{"type": "message", "content": [{"type": "output_text", "text": 5}]}]},
    ),
    ("responses", {"output": [{"type": "message", "content": [7]}]}),
    ("messages", {"content": [{"type": "text", "text": ["a"]}]}),
    ("messages", {"content": [{"type": "thinking", "thinking": 5}]}),
]


@pytest.mark.parametrize(("api", "answer"), ODD_ANSWERS)
def test_a_whole_answer_of_an_odd_shape_is_an_error_in_words(
    api: Api, answer: dict[str, Any]
) -> None:
    reply = sends_body(json.dumps(answer).encode(), "application/json")
    with pytest.raises(StreamError, match="an answer of an unexpected shape"):
        run(chat_with(reply, key=KEY, stream=False, api=api))
