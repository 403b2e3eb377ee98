"""Core's chat with structured outputs, images, logprobs and reasoning effort, over real sockets."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from playground.core import ChatDelta, ChatFinished, InvalidRequest, Target
from playground.core.chat.conversation import ChatParams, Conversation
from playground.core.chat.parts import image_part
from playground.core.chat.protocol import merge_deltas
from playground.core.errors import StreamError
from playground.core.events import Notice
from playground.core.logprobs import Alternative, TokenLogprob
from playground.core.request.attachments import expand, image_ref
from playground.emulator import EmulatorServer, demo
from playground.emulator.demo.llm import RED_PNG
from tests.core.helpers import (
    chat_with,
    collect,
    fault,
    only,
    open_client,
    run,
    sends_body,
    sse_body,
)

FAST = fault("delay=0")
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2},
        "kind": {"enum": ["trip", "stay"]},
    },
    "required": ["city", "days", "kind"],
    "additionalProperties": False,
}


def ask(
    emulator: EmulatorServer, model_id: str, conversation: Conversation, stream: bool
) -> tuple[list[Any], ChatFinished]:
    async def main() -> list[Any]:
        async with open_client(emulator) as client:
            base = client.openai_base(Target(model_id))
            return await collect(client.chat(base, conversation.request_body(stream), headers=FAST))

    events = run(main())
    assert isinstance(events[-1], ChatFinished)
    return events, events[-1]


@pytest.mark.parametrize("stream", [True, False])
def test_a_json_schema_answer_round_trips(emulator: EmulatorServer, stream: bool) -> None:
    params = ChatParams(
        model="baseten",
        response_format="json_schema",
        json_schema={"name": "plan", "schema": SCHEMA, "strict": True},
    )
    conversation = Conversation(params=params)
    conversation.add_user("Plan three days in Lyon")
    body = conversation.request_body(stream)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "plan", "schema": SCHEMA, "strict": True},
    }
    _, done = ask(emulator, demo.CHAT, conversation, stream)
    Draft202012Validator(SCHEMA).validate(json.loads(done.result.content))
    assert Conversation.from_body(body).params == params


@pytest.mark.parametrize("stream", [True, False])
def test_logprobs_are_assembled_per_token(emulator: EmulatorServer, stream: bool) -> None:
    conversation = Conversation(params=ChatParams(model="baseten", logprobs=2))
    conversation.add_user("What is a token?")
    body = conversation.request_body(stream)
    assert (body["logprobs"], body["top_logprobs"]) == (True, 2)
    events, done = ask(emulator, demo.CHAT, conversation, stream)
    tokens = done.result.logprobs
    assert "".join(t.token for t in tokens) == done.result.content
    assert all(isinstance(t, TokenLogprob) and len(t.top) == 2 for t in tokens)
    assert all(t.logprob <= 0 for t in tokens)
    # The deltas carry the same tokens (for a window to tint as they come).
    assert [t for d in only(events, ChatDelta) for t in d.logprobs] == tokens
    turn = conversation.begin_assistant()
    conversation.finish(turn, done.result, done.metrics)
    assert turn.logprobs == tokens


def test_without_logprobs_there_are_none(emulator: EmulatorServer) -> None:
    conversation = Conversation(params=ChatParams(model="baseten"))
    conversation.add_user("hi")
    events, done = ask(emulator, demo.CHAT, conversation, True)
    assert "logprobs" not in conversation.request_body()
    assert done.result.logprobs == []
    assert all(d.logprobs == () for d in only(events, ChatDelta))


def test_reasoning_effort_is_sent_and_changes_the_reasoning(emulator: EmulatorServer) -> None:
    lengths = {}
    for effort in ("low", "high"):
        conversation = Conversation(params=ChatParams(reasoning_effort=effort))
        conversation.add_user("Is 1009 prime?")
        assert conversation.request_body()["reasoning_effort"] == effort
        _, done = ask(emulator, demo.REASONER, conversation, True)
        lengths[effort] = len(done.result.reasoning)
    assert lengths["low"] < lengths["high"]


def test_an_image_from_a_file_goes_as_a_data_url_part(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "red.png"
    path.write_bytes(base64.b64decode(RED_PNG.partition(",")[2]))
    ref = image_ref(path)
    assert ref.encoded() == RED_PNG
    conversation = Conversation(params=ChatParams(model="baseten"))
    conversation.add_user("What is this?", [image_part(ref)])
    message = expand(conversation.request_body())["messages"][0]
    assert message["content"] == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": RED_PNG}},
    ]
    _, done = ask(emulator, demo.VISION, conversation, True)
    assert done.result.content == "The image is a PNG image, 2 × 2 pixels, mostly red (#ff0000)."
    assert "[image: ⟨red.png · " in conversation.to_markdown()
    assert RED_PNG not in conversation.to_markdown()


def test_from_body_keeps_image_parts_as_parts() -> None:
    content = [
        {"type": "text", "text": "Compare"},
        {"type": "image_url", "image_url": {"url": RED_PNG}},
        {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
    ]
    body = {"messages": [{"role": "user", "content": content}]}
    conversation = Conversation.from_body(body)
    turn = conversation.turns[0]
    assert turn.content == "Compare"
    assert turn.parts == content[1:]
    assert conversation.request_body()["messages"] == body["messages"]


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidRequest, match=r"notes\.txt is not a PNG, JPEG, GIF or WebP image"):
        image_ref(path)
    with pytest.raises(InvalidRequest, match=r"cannot read .*missing\.png"):
        image_ref(tmp_path / "missing.png")


KEY = "Zq8vLogprobKey0123456789abcdefXYZ"


def logprob_echo(stream: bool) -> bytes:
    """An answer whose logprobs spell the key token by token and name it whole as an alternative."""
    half = len(KEY) // 2
    tokens = ["The key is ", KEY[:half], KEY[half:], "."]

    def entry(token: str) -> dict[str, Any]:
        alternative = {"token": KEY, "logprob": -3.0, "bytes": None}
        return {"token": token, "logprob": -0.5, "bytes": None, "top_logprobs": [alternative]}

    if not stream:
        message = {"role": "assistant", "content": "".join(tokens)}
        choice = {"message": message, "logprobs": {"content": [entry(t) for t in tokens]}}
        return json.dumps({"choices": [{**choice, "finish_reason": "stop"}]}).encode()
    events = [
        {"choices": [{"delta": {"content": t}, "logprobs": {"content": [entry(t)]}}]}
        for t in tokens
    ]
    events.append({"choices": [{"delta": {}, "finish_reason": "stop"}]})
    return b"".join(b"data: %s\n\n" % json.dumps(e).encode() for e in events) + b"data: [DONE]\n\n"


@pytest.mark.parametrize("stream", [True, False])
def test_logprobs_never_spell_the_key(stream: bool) -> None:
    kind = "text/event-stream" if stream else "application/json"
    events = run(chat_with(sends_body(logprob_echo(stream), kind), key=KEY, stream=stream))
    done = events[-1]
    assert isinstance(done, ChatFinished)
    assert KEY not in done.result.content
    shown = [t for d in only(events, ChatDelta) for t in d.logprobs]
    for tokens in (done.result.logprobs, shown):
        assert KEY not in "".join(t.token for t in tokens)
        assert all(KEY not in alt.token for t in tokens for alt in t.top)


ODD_LOGPROBS: list[Any] = [
    {"content": [{"token": "a", "logprob": -0.1, "top_logprobs": 5}]},  # not a list
    {"content": [{"token": "b", "logprob": -0.2, "top_logprobs": [5, {"token": 1, "logprob": 0}]}]},
    {"content": [{"token": "c", "logprob": "low"}, 7, None]},
    {"content": "nope"},
    "nope",
    {"content": [{"token": "d", "logprob": -1}]},  # an integer is a number too
]


def test_logprobs_of_odd_shapes_never_break_the_stream() -> None:
    events = [
        {"choices": [{"delta": {"content": t}, "logprobs": odd}]}
        for t, odd in zip("abcdef", ODD_LOGPROBS, strict=True)
    ]
    done = run(chat_with(sends_body(sse_body(events)), key=KEY, stream=True))[-1]
    assert isinstance(done, ChatFinished)
    assert done.result.content == "abcdef"
    assert [(t.token, t.logprob, t.top) for t in done.result.logprobs] == [
        ("a", -0.1, ()),
        ("b", -0.2, (Alternative("1", 0.0),)),
        ("d", -1.0, ()),
    ]


ODD_DELTAS: list[Any] = [
    {"content": 5},
    {"reasoning_content": ["thinking"]},
    {"tool_calls": [5]},
    {"tool_calls": {"index": 0}},
    {"tool_calls": [{"index": 0, "function": "f"}]},
    {"tool_calls": [{"index": 0, "id": 7, "function": {"name": "f"}}]},
    {"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": {"x": 1}}}]},
]


def test_deltas_of_odd_shapes_are_skipped_with_a_notice() -> None:
    events = [{"id": 5, "choices": [{"delta": {"content": "a"}}]}]
    events += [{"choices": [{"delta": odd}]} for odd in ODD_DELTAS]
    events += [{"choices": [{"delta": {"content": "b"}, "finish_reason": ["stop"]}]}]
    events += [{"choices": [{"delta": {"content": "c"}, "finish_reason": "stop"}]}]
    answer = run(chat_with(sends_body(sse_body(events)), key=KEY, stream=True))
    done = answer[-1]
    assert isinstance(done, ChatFinished)
    assert done.result.content == "ac"
    assert done.result.tool_calls == []
    assert done.result.finish_reason == "stop"
    assert done.result.id is None  # not a string: not an id
    notices = only(answer, Notice)
    assert len(notices) == done.result.malformed_events == len(ODD_DELTAS) + 1
    assert all("unexpected shape" in n.message for n in notices)


def test_a_whole_answer_of_odd_shapes_keeps_what_makes_sense() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    odd_calls = [5, {"function": "f"}, {"id": 7, "function": {"name": "g"}}]
    answer = {
        "id": 5,
        "model": ["m"],
        "choices": [
            {"message": {"content": "a", "tool_calls": [*odd_calls, call]}, "finish_reason": 1}
        ],
    }
    body = json.dumps(answer).encode()
    done = run(chat_with(sends_body(body, "application/json"), key=KEY, stream=False))[-1]
    assert isinstance(done, ChatFinished)
    assert done.result.content == "a"
    assert [(c.id, c.name, c.arguments) for c in done.result.tool_calls] == [("c1", "f", "{}")]
    assert (done.result.id, done.result.model, done.result.finish_reason) == (None, None, None)


@pytest.mark.parametrize(
    "answer",
    [{"choices": [{"message": {"content": 5}}]}, {"choices": [{"message": {"reasoning": [1]}}]}],
)
def test_a_whole_answer_whose_message_is_not_text_is_an_error(answer: dict[str, Any]) -> None:
    body = json.dumps(answer).encode()
    with pytest.raises(StreamError, match="message is not text"):
        run(chat_with(sends_body(body, "application/json"), key=KEY, stream=False))


def test_merged_deltas_keep_their_tokens_in_order() -> None:
    a, b = (
        TokenLogprob("Hi", -0.1),
        TokenLogprob(" there", -0.2, (Alternative(" there", -0.2), Alternative(" you", -2.0))),
    )
    merged = merge_deltas(
        [ChatDelta("Hi", "", (), (a,)), ChatDelta("", "hmm"), ChatDelta(" there", "", (), (b,))]
    )
    assert merged == ChatDelta("Hi there", "hmm", (), (a, b))
    assert merge_deltas([ChatDelta("Hi"), ChatDelta(" there")]).logprobs == ()
