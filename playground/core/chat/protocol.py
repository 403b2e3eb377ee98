"""OpenAI chat completions: the request body, and assembling SSE deltas (content, reasoning, tool calls)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import msgspec

from playground.core.errors import StreamError, TruncatedStream
from playground.core.events import (
    ChatDelta,
    ChatResult,
    Notice,
    ToolCall,
)
from playground.core.jsontext import parse_json
from playground.core.logprobs import TokenLogprobs, token_logprobs
from playground.core.metrics import Clock, Metrics


def prepare_chat_body(body: dict[str, Any]) -> dict[str, Any]:
    """Ask a stream for its usage (so token counts are real), unless the caller chose otherwise."""
    body = dict(body)
    if body.get("stream"):
        options = dict(body.get("stream_options") or {})
        options.setdefault("include_usage", True)
        body["stream_options"] = options
    return body


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or json.dumps(error))
    return str(error)


def merge_tool_call(calls: dict[int, dict[str, Any]], fragment: dict[str, Any]) -> None:
    """Merge one streamed `tool_calls` fragment into `calls`, keyed by the call's index.

    Engines continue a call in different ways (baseten-api.md §5.3): by its index alone, by its
    index with an empty id, or with an empty name and an id of its own, or by repeating its id
    without an index. So a call keeps the first id it was given, and a fragment without an index
    belongs to the call whose id it repeats, else to the current call unless it names a function
    (then it starts a new one). Names sent in pieces are joined.
    """
    function = fragment.get("function") or {}
    index = fragment.get("index")
    if not isinstance(index, int):
        index = _index_for(calls, fragment.get("id"), function.get("name"))
    call = calls.setdefault(index, {"id": "", "type": "function", "name": "", "arguments": []})
    if fragment.get("id") and not call["id"]:
        call["id"] = fragment["id"]
    if fragment.get("type"):
        call["type"] = fragment["type"]
    if function.get("name"):
        call["name"] += function["name"] if call["name"] != function["name"] else ""
    if function.get("arguments"):
        call["arguments"].append(function["arguments"])


def _index_for(calls: dict[int, dict[str, Any]], call_id: Any, name: Any) -> int:
    """The index of the call that a fragment without an index belongs to."""
    if call_id:
        for index, call in calls.items():
            if call["id"] == call_id:
                return index
    if calls and not name:
        return max(calls)
    return max(calls, default=-1) + 1


_LOGPROBS = attrgetter("logprobs")


def merge_deltas(deltas: list[ChatDelta]) -> ChatDelta:
    """Several deltas as one (a batch for the screen): texts joined, tool-call fragments in order."""
    if len(deltas) == 1:
        return deltas[0]
    return ChatDelta(
        "".join(d.content for d in deltas),
        "".join(d.reasoning for d in deltas),
        tuple(fragment for d in deltas for fragment in d.tool_calls),
        # C-speed check first: with logprobs off (the usual case) no per-delta Python runs.
        tuple(token for d in deltas for token in d.logprobs) if any(map(_LOGPROBS, deltas)) else (),
    )


def tool_calls_from(calls: dict[int, dict[str, Any]]) -> list[ToolCall]:
    """The calls `merge_tool_call` assembled, in index order."""
    return [
        ToolCall(i, c["id"], c["name"], "".join(c["arguments"]), c["type"])
        for i, c in sorted(calls.items())
    ]


class _Delta(msgspec.Struct):
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class _Logprobs(msgspec.Struct):
    content: TokenLogprobs | None = None


class _Choice(msgspec.Struct):
    delta: _Delta | None = None
    finish_reason: str | None = None
    logprobs: _Logprobs | None = None


class _Chunk(msgspec.Struct):
    """A `chat.completion.chunk` as streams send it once per token: only the fields read here
    are decoded (a token's `bytes` lists are skipped); anything of another type is refused,
    and the chunk is read again as plain JSON."""

    choices: list[_Choice] = []
    id: str | None = None
    model: str | None = None
    usage: dict[str, Any] | None = None


_CHUNK = msgspec.json.Decoder(_Chunk)
_NO_DELTA = _Delta()


def text_or_none(value: Any) -> str | None:
    """A server's id or name when it is text; None for anything else."""
    return value if isinstance(value, str) else None


def is_fragment(call: Any) -> bool:
    """A streamed tool-call fragment `merge_tool_call` can take: an object whose id, type and
    function's name and arguments, where given, are text."""
    if not isinstance(call, dict):
        return False
    function = call.get("function") or {}
    return isinstance(function, dict) and all(
        isinstance(value or "", str)
        for value in (
            call.get("id"),
            call.get("type"),
            function.get("name"),
            function.get("arguments"),
        )
    )


class ChatStreamParser:
    """Feeds on SSE `data:` payloads and assembles one assistant message.

    `feed` returns the event to show (a delta, a notice) or None; `close` checks how it ended.
    """

    def __init__(self, metrics: Metrics, clock: Clock) -> None:
        self.metrics = metrics
        self.clock = clock
        self.result = ChatResult()
        self.finished = False
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._calls: dict[int, dict[str, Any]] = {}
        self._counted = 0
        self._logprobs: list[Any] = []  # TokenLogprob, only when the server sends them

    def feed(self, data: str) -> ChatDelta | Notice | None:
        # This runs once per token: keep the common path (one choice, one content delta) short.
        if data == "[DONE]":
            self.result.saw_done = True
            self.finished = True
            self._sync()
            return None
        try:  # the usual chunk, decoded straight into its fields (a third of the time of dicts)
            chunk = _CHUNK.decode(data)
        except msgspec.DecodeError:
            return self._feed_loosely(data)  # broken JSON, or a field of an odd type
        if not chunk.choices:
            return self._feed_loosely(data)  # usage alone, or an in-band error
        if chunk.usage is not None:
            self.result.usage = chunk.usage
        choice = chunk.choices[0]
        delta = choice.delta or _NO_DELTA
        calls = delta.tool_calls or ()
        if calls and not all(map(is_fragment, calls)):
            return self._odd(data)
        return self._take(
            chunk.id,
            chunk.model,
            choice.finish_reason,
            delta.content or "",
            delta.reasoning_content or delta.reasoning or "",
            calls,
            (choice.logprobs.content or ()) if choice.logprobs is not None else (),
        )

    def _feed_loosely(self, data: str) -> ChatDelta | Notice | None:
        """A chunk as plain JSON: one the typed decoding refused, read field by field. Text of
        another type, or a tool call that is not one, skips the event with a notice."""
        try:
            chunk = msgspec.json.decode(data)
            choices = chunk.get("choices")
        except (ValueError, AttributeError):
            self.result.malformed_events += 1
            return Notice(f"Skipped a malformed event: {data[:120]}")
        if not choices:
            return self._no_choices(chunk)
        if "usage" in chunk and isinstance(chunk["usage"], dict):
            self.result.usage = chunk["usage"]
        try:
            choice = choices[0]
            delta = choice.get("delta") or {}
            finish = choice.get("finish_reason")
            content = delta.get("content") or ""
            reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
            calls = delta.get("tool_calls") or ()
            logprobs = choice.get("logprobs")
        except (AttributeError, IndexError, KeyError, TypeError):
            return self._odd(data)
        texts = (content, reasoning, finish or "")
        if not all(isinstance(text, str) for text in texts) or not (
            isinstance(calls, list | tuple) and all(map(is_fragment, calls))
        ):
            return self._odd(data)
        return self._take(
            text_or_none(chunk.get("id")),
            text_or_none(chunk.get("model")),
            finish,
            content,
            reasoning,
            calls,
            token_logprobs(logprobs) if logprobs else (),
        )

    def _odd(self, data: str) -> Notice:
        self.result.malformed_events += 1
        return Notice(f"Skipped an event of an unexpected shape: {data[:120]}")

    def _take(
        self,
        chunk_id: Any,
        model: Any,
        finish: Any,
        content: str,
        reasoning: str,
        calls: Any,
        tokens: TokenLogprobs,
    ) -> ChatDelta | None:
        """One chunk's fields into the answer; the delta to show, if it has anything."""
        if self.result.id is None:
            self.result.id = chunk_id
            self.result.model = model
        if finish:
            self.result.finish_reason = finish
        return self.delta(content, reasoning, calls, tokens)

    def delta(
        self,
        content: str = "",
        reasoning: str = "",
        calls: Sequence[dict[str, Any]] = (),
        tokens: TokenLogprobs = (),
    ) -> ChatDelta | None:
        """Text, tool-call fragments and tokens into the answer; the delta to show, if any."""
        if not (content or reasoning or calls):
            return None
        if self.metrics.first_token_s is None:
            self.metrics.first_token_s = self.clock.now()
        self._counted += 1
        if content:
            self._content.append(content)
        if reasoning:
            self._reasoning.append(reasoning)
        fragments = tuple(calls) if calls else ()
        for call in fragments:
            merge_tool_call(self._calls, call)
        if tokens:  # off by default: the usual token pays one test, nothing more
            self._logprobs.extend(tokens)
            return ChatDelta(content, reasoning, fragments, tokens)
        return ChatDelta(content, reasoning, fragments)

    def _no_choices(self, chunk: Any) -> Notice | None:
        """A chunk without choices: usage only, an in-band error, or something odd."""
        if not isinstance(chunk, dict):
            self.result.malformed_events += 1
            return Notice(f"Skipped an event that is not an object: {str(chunk)[:120]}")
        if "error" in chunk:
            self._sync()
            raise StreamError(
                f"The server reported an error mid-stream: {_error_text(chunk['error'])}",
                self.result,
            )
        if isinstance(chunk.get("usage"), dict):
            self.result.usage = chunk["usage"]
        if self.result.id is None:
            self.result.id = chunk.get("id")
            self.result.model = chunk.get("model")
        return None

    def _sync(self) -> None:
        self.result.content = "".join(self._content)
        self.result.reasoning = "".join(self._reasoning)
        self.result.tool_calls = tool_calls_from(self._calls)
        if self._logprobs:
            self.result.logprobs = list(self._logprobs)
        usage = self.result.usage or {}
        completion = usage.get("completion_tokens")
        if isinstance(completion, int) and (self.result.saw_done or self.result.finish_reason):
            self.metrics.tokens = completion
            self.metrics.tokens_estimated = False
        else:
            self.metrics.tokens = self._counted
            self.metrics.tokens_estimated = True
        if isinstance(usage.get("prompt_tokens"), int):
            self.metrics.prompt_tokens = usage["prompt_tokens"]

    def partial(self) -> ChatResult:
        """What has been assembled so far, for an error that cuts the stream short."""
        self._sync()
        return self.result

    def close(self) -> None:
        """The stream has ended: raise if it ended without [DONE] and without a finish reason."""
        self._sync()
        if not self.result.saw_done and not self.result.finish_reason:
            raise TruncatedStream(
                "The stream ended without a finish reason or [DONE]; the answer may be incomplete",
                self.result,
            )


def chat_result_from_json(raw: bytes, metrics: Metrics) -> ChatResult:
    """A non-streaming `chat.completion` object."""
    try:
        payload = parse_json(raw)
    except ValueError as exc:
        raise StreamError(f"The server sent invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise StreamError("The server sent a chat completion that is not an object")
    if "error" in payload and not payload.get("choices"):
        raise StreamError(f"The server reported an error: {_error_text(payload['error'])}")
    choices = payload.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    choice = first if isinstance(first, dict) else {}
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    content = message.get("content") or ""
    reasoning = message.get("reasoning_content") or message.get("reasoning") or ""
    if not (isinstance(content, str) and isinstance(reasoning, str)):
        raise StreamError("The server sent a chat completion whose message is not text")
    calls = message.get("tool_calls")
    calls = [c for c in calls if is_fragment(c)] if isinstance(calls, list) else []
    result = ChatResult(
        content=content,
        reasoning=reasoning,
        tool_calls=[
            ToolCall(
                i,
                c.get("id") or "",
                (c.get("function") or {}).get("name") or "",
                (c.get("function") or {}).get("arguments") or "",
                c.get("type") or "function",
            )
            for i, c in enumerate(calls)
        ],
        finish_reason=text_or_none(choice.get("finish_reason")),
        logprobs=list(token_logprobs(choice.get("logprobs"))),
        usage=payload.get("usage") if isinstance(payload.get("usage"), dict) else None,
        model=text_or_none(payload.get("model")),
        id=text_or_none(payload.get("id")),
        saw_done=True,
    )
    usage = result.usage or {}
    if isinstance(usage.get("completion_tokens"), int):
        metrics.tokens = usage["completion_tokens"]
        metrics.tokens_estimated = False
    if isinstance(usage.get("prompt_tokens"), int):
        metrics.prompt_tokens = usage["prompt_tokens"]
    metrics.first_token_s = metrics.first_byte_s
    return result
