"""Anthropic's Messages API read into chat's terms: its stream events and its whole `message`
become the same chat deltas and `ChatResult` a chat completion gives."""

from __future__ import annotations

import json
from typing import Any

from playground.core.chat.protocol import text_or_none
from playground.core.chat.wire_base import TypedEventParser, call_fragment, chat_usage, read_usage
from playground.core.errors import StreamError
from playground.core.events import ChatDelta, ChatResult, Notice, ToolCall
from playground.core.jsontext import parse_json
from playground.core.metrics import Metrics

# Anthropic's stop reasons in chat completions' words.
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def _finish(stop_reason: Any) -> str | None:
    return FINISH_REASONS.get(str(stop_reason), str(stop_reason)) if stop_reason else None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            return str(inner.get("message") or inner)
        return str(inner)
    return str(error)


class MessagesStreamParser(TypedEventParser):
    """Messages API stream events (`content_block_delta` …) as chat deltas."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._input_tokens: Any = None
        self._call_index: dict[int, int] = {}  # content block index -> tool call index

    def on_event(self, kind: str, event: dict[str, Any]) -> ChatDelta | Notice | None:
        if kind == "content_block_delta":
            delta = event["delta"]
            if delta["type"] == "text_delta":
                return self.delta(content=delta["text"])
            if delta["type"] == "thinking_delta":
                return self.delta(reasoning=delta["thinking"])
            if delta["type"] == "input_json_delta" and event["index"] in self._call_index:
                index = self._call_index[event["index"]]
                return self.delta(calls=(call_fragment(index, arguments=delta["partial_json"]),))
            return None
        if kind == "content_block_start" and event["content_block"].get("type") == "tool_use":
            block = event["content_block"]
            index = self._call_index.setdefault(event["index"], len(self._call_index))
            return self.delta(
                calls=(call_fragment(index, block.get("id", ""), block.get("name", "")),)
            )
        if kind == "message_start":
            message = event["message"]
            self.result.id = text_or_none(message.get("id"))
            self.result.model = text_or_none(message.get("model"))
            self._input_tokens = (message.get("usage") or {}).get("input_tokens")
        elif kind == "message_delta":
            self.result.finish_reason = _finish(event["delta"].get("stop_reason"))
            usage = event.get("usage") or {}
            inputs = usage.get("input_tokens", self._input_tokens)
            self.result.usage = chat_usage(inputs, usage.get("output_tokens"))
        elif kind == "message_stop":
            self.end(self.result.finish_reason)
        elif kind == "error":
            self.fail(_error_text(event))
        return None


def messages_result_from_json(raw: bytes, metrics: Metrics) -> ChatResult:
    """A whole (non-streaming) `message`."""
    try:
        payload = parse_json(raw)
    except ValueError as exc:
        raise StreamError(f"The server sent invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise StreamError("The server sent a message that is not an object")
    if payload.get("type") == "error" or (payload.get("error") and not payload.get("content")):
        raise StreamError(f"The server reported an error: {_error_text(payload)}")
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    for block in payload.get("content") or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            content.append(block.get("text", ""))
        elif block.get("type") == "thinking":
            reasoning.append(block.get("thinking", ""))
        elif block.get("type") == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            calls.append(
                ToolCall(len(calls), block.get("id", ""), block.get("name", ""), arguments)
            )
    usage = payload.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    result = ChatResult(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        finish_reason=_finish(payload.get("stop_reason")),
        usage=chat_usage(usage.get("input_tokens"), usage.get("output_tokens")) or None,
        model=text_or_none(payload.get("model")),
        id=text_or_none(payload.get("id")),
        saw_done=True,
    )
    read_usage(metrics, result.usage)
    return result
