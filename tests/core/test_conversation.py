"""The chat pane's model: bodies, deltas, endings, history edits, exports and validation."""

from __future__ import annotations

import json

import pytest

from playground.core.chat.conversation import ChatParams, Conversation, Turn
from playground.core.chat.protocol import ChatStreamParser
from playground.core.errors import InvalidRequest
from playground.core.events import ChatDelta, ChatResult, ToolCall
from playground.core.metrics import Clock, Metrics

WEATHER = ToolCall(0, "call_1", "get_weather", '{"city": "Paris"}')


def answer(conversation: Conversation, text: str) -> Turn:
    """An assistant turn streamed and finished the way the controller does it."""
    turn = conversation.begin_assistant()
    conversation.apply_delta(turn, ChatDelta(text))
    conversation.finish(turn, ChatResult(content=text, finish_reason="stop"), Metrics())
    return turn


@pytest.fixture
def chat() -> Conversation:
    """A small conversation with reasoning, a tool call, its result and figures."""
    conversation = Conversation(
        "You are terse.",
        ChatParams(model="deepseek-ai/DeepSeek-V3.1", temperature=0.7, max_tokens=256, seed=7),
    )
    conversation.add_user("Weather in Paris?")
    first = conversation.begin_assistant()
    conversation.finish(
        first,
        ChatResult(
            reasoning="Need the tool.\n\nCall it.", tool_calls=[WEATHER], finish_reason="tool_calls"
        ),
        Metrics(first_token_s=0.12, total_s=1.12, tokens=51, streamed=True),
        "req-1",
    )
    conversation.add_tool("call_1", '{"temp_c": 21}')
    second = conversation.begin_assistant()
    conversation.apply_delta(second, ChatDelta("It is 21 °C"))
    estimated = Metrics(
        first_token_s=0.2, total_s=0.7, tokens=6, tokens_estimated=True, streamed=True
    )
    conversation.fail(second, "The connection broke.", None, metrics=estimated)
    return conversation


# --- bodies ------------------------------------------------------------------------------------


def test_defaults_are_not_sent() -> None:
    conversation = Conversation()
    conversation.add_user("Hi")
    assert conversation.request_body() == {
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
    }
    assert conversation.request_body(stream=False)["stream"] is False


def test_system_prompt_comes_first_and_params_are_sent_in_openai_shape() -> None:
    params = ChatParams(
        model="m",
        temperature=0.0,
        top_p=0.5,
        max_tokens=10,
        stop=["END"],
        seed=0,
        response_format="json_object",
    )
    conversation = Conversation("Be brief.", params)
    conversation.add_user("Hi")
    assert conversation.request_body() == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "model": "m",
        "temperature": 0.0,
        "top_p": 0.5,
        "max_tokens": 10,
        "stop": ["END"],
        "seed": 0,
        "response_format": {"type": "json_object"},
        "stream": True,
    }
    assert "stream_options" not in conversation.request_body()


def test_extra_is_merged_last_and_can_override_anything() -> None:
    extra = {"temperature": 1.5, "stream": False, "logprobs": True, "tools": [{"type": "x"}]}
    conversation = Conversation(params=ChatParams(temperature=0.2, extra=extra))
    body = conversation.request_body()
    assert body["temperature"] == 1.5
    assert body["stream"] is False
    assert list(body)[-2:] == ["logprobs", "tools"]
    body["tools"].append("changed")
    assert extra["tools"] == [{"type": "x"}], "the body must not share the params' objects"


def test_tool_turns_and_assistant_tool_calls(chat: Conversation) -> None:
    messages = chat.request_body()["messages"]
    assert messages[1:4] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [WEATHER.to_openai()]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 21}'},
    ]
    # A partial answer is history too: the text that arrived is sent back, reasoning never.
    assert messages[4] == {"role": "assistant", "content": "It is 21 °C"}


def test_empty_failed_and_streaming_answers_are_not_sent() -> None:
    conversation = Conversation()
    conversation.add_user("Hi")
    failed = conversation.begin_assistant()
    conversation.fail(failed, "503: not ready", None)
    conversation.add_user("Again")
    conversation.begin_assistant()  # still streaming, nothing yet
    assert [m["content"] for m in conversation.request_body()["messages"]] == ["Hi", "Again"]


def test_an_empty_answer_that_finished_is_sent() -> None:
    conversation = Conversation()
    conversation.add_user("Say nothing")
    answer(conversation, "")
    assert conversation.request_body()["messages"][-1] == {"role": "assistant", "content": ""}


# --- deltas and endings ------------------------------------------------------------------------


def test_deltas_append_text_and_reasoning_including_multibyte() -> None:
    conversation = Conversation()
    turn = conversation.begin_assistant()
    for delta in [ChatDelta(reasoning="思"), ChatDelta(reasoning="考"), ChatDelta("naïve "), ChatDelta("🎉"), ChatDelta("世界")]:  # fmt: skip
        conversation.apply_delta(turn, delta)
    assert turn.content == "naïve 🎉世界"
    assert turn.reasoning == "思考"
    assert '"content": "naïve 🎉世界"' in conversation.to_openai_json()  # readable, not \\u-escaped
    assert "naïve 🎉世界" in conversation.to_markdown()


def test_tool_call_fragments_merge_by_index_like_the_stream_parser() -> None:
    fragments = [
        {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}},
        {"index": 1, "id": "call_b", "function": {"name": "get_time", "arguments": '{"tz"'}},
        {"index": 0, "function": {"arguments": '{"city": '}},
        {"index": 0, "function": {"arguments": '"Zürich"}'}},
        {"function": {"arguments": ': "CET"}'}},  # no index: continues the last call
    ]  # fmt: skip
    conversation = Conversation()
    turn = conversation.begin_assistant()
    parser = ChatStreamParser(Metrics(), Clock())
    for fragment in fragments:
        conversation.apply_delta(turn, ChatDelta(tool_calls=(fragment,)))
        chunk = {"choices": [{"delta": {"tool_calls": [fragment]}}]}
        parser.feed(json.dumps(chunk))
    assert turn.tool_calls == [
        ToolCall(0, "call_a", "get_weather", '{"city": "Zürich"}'),
        ToolCall(1, "call_b", "get_time", '{"tz": "CET"}'),
    ]
    assert turn.tool_calls == parser.partial().tool_calls


def test_finish_takes_the_result_as_authoritative() -> None:
    conversation = Conversation()
    turn = conversation.begin_assistant()
    conversation.apply_delta(turn, ChatDelta("Hel", "hmm"))
    metrics = Metrics(request_id="req-9", tokens=3)
    result = ChatResult("Hello", "hmm.", [WEATHER], "tool_calls")
    conversation.finish(turn, result, metrics, None)
    assert (turn.content, turn.reasoning, turn.tool_calls) == ("Hello", "hmm.", [WEATHER])
    assert (turn.finish_reason, turn.metrics, turn.request_id) == ("tool_calls", metrics, "req-9")
    assert (turn.error, turn.is_partial) == ("", False)
    conversation.finish(turn, result, metrics, "req-explicit")
    assert turn.request_id == "req-explicit"


def test_finish_at_the_token_limit_says_the_answer_was_cut() -> None:
    conversation = Conversation()
    turn = conversation.begin_assistant()
    conversation.finish(turn, ChatResult("Once upon", finish_reason="length"), Metrics())
    assert turn.error == "The answer reached the max_tokens limit and was cut short."
    assert turn.content == "Once upon"
    assert not turn.is_partial


def test_fail_keeps_the_partial_text() -> None:
    conversation = Conversation()
    turn = conversation.begin_assistant()
    conversation.apply_delta(turn, ChatDelta("Partial ans", "why"))
    partial = ChatResult("Partial answer", "why", [WEATHER], "tool_calls")
    metrics = Metrics(request_id="req-2")
    conversation.fail(turn, "The connection broke.", partial, metrics=metrics)
    assert (turn.content, turn.reasoning, turn.tool_calls) == ("Partial answer", "why", [WEATHER])
    assert (turn.error, turn.is_partial, turn.request_id) == (
        "The connection broke.",
        True,
        "req-2",
    )
    assert turn.metrics is metrics


def test_fail_without_a_partial_keeps_what_the_deltas_showed() -> None:
    conversation = Conversation()
    turn = conversation.begin_assistant()
    conversation.apply_delta(turn, ChatDelta("So far"))
    conversation.fail(turn, "Cancelled.", None)
    conversation.fail(turn, "Cancelled.", ChatResult())  # an empty partial loses nothing
    assert (turn.content, turn.error, turn.is_partial) == ("So far", "Cancelled.", True)


# --- history -----------------------------------------------------------------------------------


def test_regenerate_drops_the_last_answer_only() -> None:
    conversation = Conversation()
    conversation.add_user("Hi")
    answer(conversation, "Hello")
    body = conversation.regenerate_body()
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert [t.role for t in conversation.turns] == ["user"]
    conversation.regenerate_body()  # the last turn is a question: nothing to drop
    assert [t.role for t in conversation.turns] == ["user"]
    assert Conversation().regenerate_body(stream=False) == {"messages": [], "stream": False}


def test_edit_rewrites_a_user_turn_and_truncates_after_it() -> None:
    conversation = Conversation("sys")
    conversation.add_user("one")
    answer(conversation, "1")
    conversation.add_user("two")
    answer(conversation, "2")
    body = conversation.edit(0, "uno")
    assert body["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "uno"},
    ]
    assert [(t.role, t.content) for t in conversation.turns] == [("user", "uno")]
    assert conversation.edit(-1, "eins")["messages"][-1]["content"] == "eins"


def test_edit_refuses_other_turns_and_bad_indexes() -> None:
    conversation = Conversation()
    conversation.add_user("one")
    answer(conversation, "1")
    with pytest.raises(InvalidRequest, match="Only a user turn can be edited"):
        conversation.edit(1, "x")
    with pytest.raises(IndexError):
        conversation.edit(2, "x")
    assert [t.content for t in conversation.turns] == ["one", "1"]


def test_clear_keeps_the_system_prompt_and_params() -> None:
    params = ChatParams(model="m")
    conversation = Conversation("sys", params)
    conversation.add_user("Hi")
    conversation.clear()
    assert conversation.turns == []
    assert conversation.params is params
    assert conversation.request_body()["messages"] == [{"role": "system", "content": "sys"}]


# --- exports -----------------------------------------------------------------------------------


def test_openai_json_export(chat: Conversation) -> None:
    assert chat.to_openai_json() == (
        """{
  "messages": [
    {
      "role": "system",
      "content": "You are terse."
    },
    {
      "role": "user",
      "content": "Weather in Paris?"
    },
    {
      "role": "assistant",
      "content": null,
      "tool_calls": [
        {
          "id": "call_1",
          "type": "function",
          "function": {
            "name": "get_weather",
            "arguments": "{\\"city\\": \\"Paris\\"}"
          }
        }
      ]
    },
    {
      "role": "tool",
      "tool_call_id": "call_1",
      "content": "{\\"temp_c\\": 21}"
    },
    {
      "role": "assistant",
      "content": "It is 21 °C"
    }
  ],
  "model": "deepseek-ai/DeepSeek-V3.1",
  "temperature": 0.7,
  "max_tokens": 256,
  "seed": 7,
  "stream": true
}
"""
    )
    assert json.loads(chat.to_openai_json()) == chat.request_body()


def test_markdown_export(chat: Conversation) -> None:
    assert chat.to_markdown() == (
        """# Chat

- Model: `deepseek-ai/DeepSeek-V3.1`
- Parameters: temperature=0.7, max_tokens=256, seed=7

### System

You are terse.

### User

Weather in Paris?

### Assistant

> **Reasoning**
>
> Need the tool.
>
> Call it.

Tool call `get_weather` (`call_1`):

```json
{
  "city": "Paris"
}
```

- TTFT: 120 ms
- Tokens/s: 50.0
- Completion tokens: 51
- Total: 1.12 s
- Finish reason: tool_calls
- Request id: `req-1`

### Tool

Result of `call_1`:

```
{"temp_c": 21}
```

### Assistant

It is 21 °C

**Stopped:** The connection broke.

- TTFT: 200 ms
- Tokens/s: 10.0
- Completion tokens: ~6 (estimated)
- Total: 0.70 s
"""
    )


def test_markdown_export_of_a_bare_conversation_and_awkward_text() -> None:
    conversation = Conversation(params=ChatParams(response_format="json_object", extra={"n": 1}))
    turn = conversation.begin_assistant()
    call = ToolCall(0, "c", "run", "not json ``` here")
    conversation.finish(turn, ChatResult(tool_calls=[call]), Metrics())
    assert conversation.to_markdown() == (
        """# Chat

- Model: (not set)
- Parameters: response_format={"type": "json_object"}, n=1

### Assistant

Tool call `run` (`c`):

````json
not json ``` here
````
"""
    )
    assert "Parameters: (defaults)" in Conversation().to_markdown()


def test_exports_hold_no_secret() -> None:
    conversation = Conversation(params=ChatParams(model="m"))
    assert not hasattr(conversation, "api_key")
    assert "key" not in conversation.to_openai_json().lower()
    assert "authorization" not in conversation.to_markdown().lower()


# --- validation --------------------------------------------------------------------------------


def test_valid_params_pass() -> None:
    ChatParams().validate()
    ChatParams(
        temperature=4, top_p=0, max_tokens=1, stop=["x"] * 32, response_format="text"
    ).validate()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (ChatParams(temperature=4.5), "Temperature must be between 0 and 4, not 4.5."),
        (ChatParams(temperature=-0.1), "Temperature must be between 0 and 4, not -0.1."),
        (ChatParams(temperature=float("nan")), "Temperature must be between 0 and 4, not nan."),
        (ChatParams(top_p=1.01), "Top p must be between 0 and 1, not 1.01."),
        (ChatParams(max_tokens=0), "Max tokens must be at least 1, not 0."),
        (ChatParams(stop=["x"] * 33), "At most 32 stop strings are allowed, not 33."),
        (ChatParams(stop=["ok", ""]), "A stop string must not be empty."),
        (
            ChatParams(response_format="grammar"),
            "The response format must be text, json_object or json_schema, not 'grammar'.",
        ),
        (
            ChatParams(response_format="json_schema"),
            "A json_schema response format needs a schema (an object).",
        ),
        (
            ChatParams(response_format="json_schema", json_schema={"schema": {}}),
            "A json_schema response format needs a name.",
        ),
        (ChatParams(logprobs=21), "Top logprobs must be between 0 and 20, not 21."),
        (
            ChatParams(reasoning_effort="max"),
            "Reasoning effort must be low, medium or high, not 'max'.",
        ),
    ],
)
def test_out_of_range_params_are_refused_in_words(params: ChatParams, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        params.validate()
    assert str(caught.value) == message


def test_a_chat_body_comes_back_as_a_conversation() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        ],
        "temperature": 0.2,
        "stop": "END",
        "response_format": {"type": "json_object"},
        "logprobs": True,
        "stream": True,
    }
    conversation = Conversation.from_body(body)
    assert conversation.system_prompt == "Be brief."
    assert conversation.params.stop == ["END"]
    assert conversation.params.extra == {}
    assert conversation.params.logprobs == 0
    again = conversation.request_body()
    assert again["messages"] == body["messages"]
    assert {k: again[k] for k in ("model", "temperature", "response_format", "logprobs")} == {
        "model": "m",
        "temperature": 0.2,
        "response_format": {"type": "json_object"},
        "logprobs": True,
    }


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"messages": "hi"}, "list of messages"),
        ({"messages": ["hi"]}, "Each message"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "Unknown message role"),
        ({"messages": [], "temperature": 9}, "Temperature"),
    ],
)
def test_a_bad_chat_body_says_what_is_wrong(body: dict, words: str) -> None:
    with pytest.raises(InvalidRequest, match=words):
        Conversation.from_body(body)
