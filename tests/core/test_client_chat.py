"""OpenAI chat over SSE: assembled content, reasoning and tool calls, usage, and every way a stream goes wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from playground.core import (
    ApiError,
    BasetenClient,
    ChatDelta,
    ChatFinished,
    ChatResult,
    Notice,
    Remote,
    ResponseStarted,
    StreamCut,
    StreamError,
    Target,
    TruncatedStream,
)
from playground.core.chat.conversation import Conversation
from playground.core.events import ChatEvent, ToolCall
from playground.core.secrets import REDACTOR
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import (
    NO_RETRY,
    collect,
    collect_until_error,
    fault,
    only,
    open_client,
    raw_server,
    run,
    sends_body,
    sse_body,
)

FAST = fault("delay=0")

WEATHER_TOOLS: list[dict[str, Any]] = [
    demo.WEATHER_TOOL,
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {
                "type": "object",
                "properties": {"timezone_offset": {"type": "integer"}},
            },
        },
    },
]


def chat_body(model: str, content: str = "What is a cold start?", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}


def finished(events: list[ChatEvent]) -> ChatFinished:
    assert isinstance(events[0], ResponseStarted)
    assert isinstance(events[-1], ChatFinished)
    return events[-1]


def joined(events: list[Any], field: str = "content") -> str:
    return "".join(getattr(delta, field) for delta in only(events, ChatDelta))


async def both_ways(
    client: BasetenClient, base: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[list[ChatEvent], list[ChatEvent]]:
    """The same request streamed and not streamed."""
    streamed = await collect(client.chat(base, {**body, "stream": True}, headers=headers or FAST))
    whole = await collect(client.chat(base, {**body, "stream": False}, headers=headers or FAST))
    return streamed, whole


@pytest.mark.parametrize(
    "target",
    [Target(demo.CHAT, "development"), Target(demo.CHAT, "environment", "staging")],
    ids=["development", "staging"],
)
def test_streamed_content_equals_the_whole_answer(emulator: EmulatorServer, target: Target) -> None:
    async def main() -> tuple[list[ChatEvent], list[ChatEvent]]:
        async with open_client(emulator) as client:
            return await both_ways(client, client.openai_base(target), chat_body("demo-llm"))

    streamed, whole = run(main())
    result = finished(streamed).result
    expected = finished(whole).result.content
    assert expected
    assert result.content == expected
    assert result.content.encode() == expected.encode()
    assert joined(streamed) == expected
    assert len(only(streamed, ChatDelta)) > 5
    assert result.finish_reason == "stop"
    assert result.saw_done
    assert result.model == "demo-llm"
    assert result.to_message() == {"role": "assistant", "content": expected}
    if target.kind == "development":  # the verbose style: accents, another script, an emoji
        for text in ("naïve", "café", "日本語", "🚀"):
            assert text in result.content


def test_reasoning_content_is_assembled(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[ChatEvent], list[ChatEvent]]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.REASONER))
            return await both_ways(client, base, chat_body("demo-reasoner", "Is 1009 prime?"))

    streamed, whole = run(main())
    result = finished(streamed).result
    expected = finished(whole).result
    assert expected.reasoning.startswith("The user asks about")
    assert result.reasoning == expected.reasoning
    assert joined(streamed, "reasoning") == expected.reasoning
    assert result.content == expected.content
    assert result.content
    # Reasoning comes first, then the answer.
    kinds = [
        "r" if d.reasoning else "c" for d in only(streamed, ChatDelta) if d.reasoning or d.content
    ]
    assert kinds == sorted(kinds, key=lambda k: k != "r")


def test_tool_calls_are_assembled(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[ChatEvent], list[ChatEvent]]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.TOOLS))
            body = chat_body("demo-tools", "What is the weather in Zürich?", tools=WEATHER_TOOLS)
            return await both_ways(client, base, body)

    streamed, whole = run(main())
    result = finished(streamed).result
    assert result.finish_reason == "tool_calls"
    assert result.content == ""
    assert [call.index for call in result.tool_calls] == [0, 1]
    weather, clock = result.tool_calls
    assert weather.name == "get_weather"
    assert json.loads(weather.arguments) == {"city": "Zürich", "unit": "celsius"}
    assert clock.name == "get_time"
    assert json.loads(clock.arguments) == {"timezone_offset": 42}
    assert weather.id.startswith("call_")
    assert clock.id.startswith("call_")
    assert weather.id != clock.id
    assert all(call.type == "function" for call in result.tool_calls)
    # Arguments arrive in several fragments; the deltas carry them as they came.
    fragments = [c for d in only(streamed, ChatDelta) for c in d.tool_calls]
    assert len(fragments) > 4
    message = result.to_message()
    assert message["content"] is None
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["get_weather", "get_time"]
    whole_result = finished(whole).result
    assert [(c.name, c.arguments) for c in whole_result.tool_calls] == [
        (c.name, c.arguments) for c in result.tool_calls
    ]


@pytest.mark.parametrize("dialect", ["empty_id", "same_id", "empty_name"])
def test_tool_calls_are_assembled_in_each_engines_dialect(
    emulator: EmulatorServer, dialect: str
) -> None:
    async def main() -> list[ChatEvent]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.TOOLS))
            body = chat_body("demo-tools", "Weather in Zürich?", tools=WEATHER_TOOLS, stream=True)
            return await collect(
                client.chat(base, body, headers=fault(f"delay=0,dialect={dialect}"))
            )

    events = run(main())
    deltas = only(events, ChatDelta)
    named = [c for d in deltas for c in d.tool_calls if (c.get("function") or {}).get("name")]
    assert [c["function"]["name"] for c in named] == ["get_weather", "get_time"]
    result = finished(events).result
    assert [call.name for call in result.tool_calls] == ["get_weather", "get_time"]
    # One call per call, under the id it was opened with, whatever its later fragments carry.
    assert [(c.index, c.id, c.name, json.loads(c.arguments)) for c in result.tool_calls] == [
        (0, named[0]["id"], "get_weather", {"city": "Zürich", "unit": "celsius"}),
        (1, named[1]["id"], "get_time", {"timezone_offset": 42}),
    ]
    conversation = Conversation()  # the chat pane assembles the same deltas on its own
    turn = conversation.begin_assistant()
    for delta in deltas:
        conversation.apply_delta(turn, delta)
    assert turn.tool_calls == result.tool_calls


def test_reasoning_named_reasoning_is_assembled(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[ChatEvent], list[ChatEvent]]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.REASONER))
            body = chat_body("demo-reasoner", "Is 1009 prime?")
            return await both_ways(client, base, body, fault("delay=0,dialect=reasoning"))

    streamed, whole = run(main())
    reasoning = finished(whole).result.reasoning
    assert reasoning.startswith("The user asks about “Is 1009 prime?”")
    assert finished(streamed).result.reasoning == reasoning
    assert joined(streamed, "reasoning") == reasoning


def test_a_function_name_sent_in_pieces_is_joined() -> None:
    # No engine in the docs splits a name, so the local server never does; the openai SDK joins
    # the pieces of every string field, and so does the client.
    fragments = [
        {"index": 0, "id": "call_1", "function": {"name": "get_", "arguments": ""}},
        {"index": 0, "function": {"name": "weather", "arguments": '{"city": "Zürich"}'}},
    ]
    events = [{"choices": [{"index": 0, "delta": {"tool_calls": [f]}}]} for f in fragments]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})

    async def main() -> list[ChatEvent]:
        async with raw_server(sends_body(sse_body(events))) as url:
            client = BasetenClient(Remote.local(url), "k")
            try:
                base = client.openai_base(Target(demo.TOOLS))
                return await collect(client.chat(base, chat_body("demo-tools", stream=True)))
            finally:
                await client.aclose()

    result = finished(run(main())).result
    assert result.tool_calls == [ToolCall(0, "call_1", "get_weather", '{"city": "Zürich"}')]


def test_usage_is_asked_for_and_gives_the_token_count(emulator: EmulatorServer) -> None:
    async def main() -> list[ChatEvent]:
        async with open_client(emulator) as client:
            # A dedicated deployment sends usage only when asked: include_usage is added for us.
            base = client.openai_base(Target(demo.CHAT))
            return await collect(
                client.chat(base, chat_body("demo-llm", stream=True), headers=FAST)
            )

    events = run(main())
    end = finished(events)
    usage = end.result.usage
    assert usage is not None
    metrics = end.metrics
    assert metrics.tokens == usage["completion_tokens"] > 0
    assert metrics.tokens_estimated is False
    assert metrics.prompt_tokens == usage["prompt_tokens"] > 0
    assert metrics.status == 200
    assert metrics.request_id
    assert isinstance(events[0], ResponseStarted)
    assert metrics.request_id == events[0].headers["x-baseten-request-id"]
    assert metrics.headers_s is not None
    assert metrics.first_byte_s is not None
    assert metrics.first_token_s is not None
    assert metrics.total_s is not None
    assert 0 < metrics.headers_s <= metrics.first_byte_s <= metrics.first_token_s <= metrics.total_s
    assert metrics.tokens_per_s is not None
    assert metrics.tokens_per_s > 0


def test_without_usage_the_token_count_is_an_estimate(emulator: EmulatorServer) -> None:
    async def main() -> list[ChatEvent]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.CHAT))
            body = chat_body("demo-llm", stream=True, stream_options={"include_usage": False})
            return await collect(client.chat(base, body, headers=FAST))

    events = run(main())
    end = finished(events)
    assert end.result.usage is None
    assert end.metrics.tokens_estimated is True
    assert end.metrics.tokens == len([d for d in only(events, ChatDelta) if d.content])


def test_a_whole_answer_counts_its_tokens_too(emulator: EmulatorServer) -> None:
    async def main() -> list[ChatEvent]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.CHAT))
            return await collect(client.chat(base, chat_body("demo-llm"), headers=FAST))

    events = run(main())
    end = finished(events)
    assert [type(e) for e in events] == [ResponseStarted, ChatDelta, ChatFinished]
    assert end.result.usage is not None
    assert end.metrics.tokens == end.result.usage["completion_tokens"]
    assert end.metrics.tokens_estimated is False
    assert end.metrics.first_token_s is not None


def test_model_api_by_slug(emulator: EmulatorServer) -> None:
    async def main() -> tuple[str, list[ChatEvent], list[ChatEvent]]:
        async with open_client(emulator) as client:
            base = client.openai_base(None)
            streamed, whole = await both_ways(client, base, chat_body("playground/demo-chat"))
            return base, streamed, whole

    base, streamed, whole = run(main())
    assert base == f"{emulator.base_url}/inference/v1"
    result = finished(streamed).result
    assert result.content == finished(whole).result.content
    assert result.content
    assert result.model == "playground/demo-chat"
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert finished(streamed).metrics.tokens == result.usage["completion_tokens"]
    assert finished(streamed).metrics.tokens_estimated is False


def test_a_wrong_served_model_name_is_an_api_error(emulator: EmulatorServer) -> None:
    async def main() -> Exception:
        async with open_client(emulator, retry=NO_RETRY) as client:
            base = client.openai_base(Target(demo.VLLM_MODEL))
            _, error = await collect_until_error(
                client.chat(base, chat_body("gpt-4o", stream=True))
            )
            return error

    error = run(main())
    assert isinstance(error, ApiError)
    assert error.status == 404
    assert error.message == "The model `gpt-4o` does not exist."
    assert error.request_id


async def _full_answer(client: BasetenClient, base: str) -> str:
    events = await collect(client.chat(base, chat_body("demo-llm", stream=True), headers=FAST))
    return finished(events).result.content


def _broken_stream(server: EmulatorServer, spec: str) -> tuple[list[ChatEvent], Exception, str]:
    async def main() -> tuple[list[ChatEvent], Exception, str]:
        async with open_client(server, retry=NO_RETRY) as client:
            base = client.openai_base(Target(demo.CHAT, "development"))
            events, error = await collect_until_error(
                client.chat(base, chat_body("demo-llm", stream=True), headers=fault(spec))
            )
            return events, error, await _full_answer(client, base)

    return run(main())


def test_an_in_band_error_raises_with_the_partial_answer(emulator: EmulatorServer) -> None:
    events, error, full = _broken_stream(emulator, "delay=0,error_at=6,message=engine overloaded")
    assert type(error) is StreamError
    assert "engine overloaded" in str(error)
    assert error.hint
    partial = error.partial
    assert isinstance(partial, ChatResult)
    assert partial.content
    assert partial.content == joined(events)
    assert full.startswith(partial.content)
    assert len(partial.content) < len(full)
    assert not only(events, ChatFinished)


def test_a_stream_without_an_end_is_truncated(emulator: EmulatorServer) -> None:
    events, error, full = _broken_stream(emulator, "delay=0,end_after=6")
    assert isinstance(error, TruncatedStream)
    assert "incomplete" in error.hint
    partial = error.partial
    assert isinstance(partial, ChatResult)
    assert partial.content
    assert partial.content == joined(events)
    assert full.startswith(partial.content)
    assert partial.finish_reason is None
    assert not partial.saw_done


def test_a_cut_stream_raises_stream_cut_with_the_partial_answer(emulator: EmulatorServer) -> None:
    events, error, full = _broken_stream(emulator, "delay=0,cut_after=6")
    assert isinstance(error, StreamCut)
    assert "closed before the response was complete" in str(error)
    partial = error.partial
    assert isinstance(partial, ChatResult)
    assert partial.content
    assert partial.content == joined(events)
    assert full.startswith(partial.content)
    assert len(partial.content) < len(full)
    assert not only(events, ChatFinished)


def test_a_malformed_event_is_a_notice_and_the_stream_completes(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[ChatEvent], str]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(demo.CHAT, "development"))
            events = await collect(
                client.chat(
                    base,
                    chat_body("demo-llm", stream=True),
                    headers=fault("delay=0,malformed_at=3"),
                )
            )
            return events, await _full_answer(client, base)

    events, full = run(main())
    (notice,) = only(events, Notice)
    assert "malformed" in notice.message
    result = finished(events).result
    assert result.malformed_events == 1
    assert result.content == full
    assert result.saw_done


def test_served_models_and_the_model_api_catalog(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[str], list[str], list[dict[str, Any]]]:
        async with open_client(emulator) as client:
            served = await client.list_served_models(client.openai_base(Target(demo.REASONER)))
            slugs = await client.list_served_models(client.openai_base(None))
            return served, slugs, await client.model_apis_catalog()

    served, slugs, catalog = run(main())
    assert served == ["demo-reasoner"]
    assert "playground/demo-chat" in slugs
    assert "playground/demo-reasoner" in slugs
    assert [entry["id"] for entry in catalog] == slugs
    reasoner = next(entry for entry in catalog if entry["id"] == "playground/demo-reasoner")
    assert "reasoning" in reasoner["supported_features"]
    assert reasoner["context_length"] > 0
    assert set(reasoner["pricing"]) >= {"prompt", "completion"}


def test_exactly_n_deltas_counted_from_usage(emulator: EmulatorServer) -> None:
    async def main() -> list[ChatEvent]:
        async with open_client(emulator) as client:
            REDACTOR.replace_keys(())  # a delta per token: none waits to be masked
            base = client.openai_base(Target(demo.CHAT))
            body = chat_body("demo-llm", stream=True)
            return await collect(client.chat(base, body, headers=fault("tokens=500,delay=0")))

    events = run(main())
    deltas = only(events, ChatDelta)
    assert len(deltas) == 500
    done = finished(events)
    assert done.result.content == "".join(d.content for d in deltas)
    assert done.metrics.tokens == 500
    assert done.metrics.tokens_estimated is False
    assert done.metrics.tokens_per_s is not None
    assert done.metrics.tokens_per_s > 0
