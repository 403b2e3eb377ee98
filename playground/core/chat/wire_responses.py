"""OpenAI's Responses API read into chat's terms: its stream events and its whole `response`
object become the same chat deltas and `ChatResult` a chat completion gives."""

from __future__ import annotations

from typing import Any

from playground.core.chat.protocol import text_or_none
from playground.core.chat.wire_base import TypedEventParser, call_fragment, chat_usage, read_usage
from playground.core.errors import StreamError
from playground.core.events import ChatDelta, ChatResult, Notice, ToolCall
from playground.core.jsontext import parse_json
from playground.core.metrics import Metrics

INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}


def _usage(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    details = usage.get("output_tokens_details") or {}
    return chat_usage(
        usage.get("input_tokens"), usage.get("output_tokens"), details.get("reasoning_tokens")
    )


def _finish(response: dict[str, Any], has_calls: bool) -> str:
    if response.get("status") == "incomplete":
        reason = (response.get("incomplete_details") or {}).get("reason")
        return INCOMPLETE_REASONS.get(str(reason), str(reason or "length"))
    return "tool_calls" if has_calls else "stop"


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


class ResponsesStreamParser(TypedEventParser):
    """Responses API stream events (`response.output_text.delta` …) as chat deltas."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._call_index: dict[int, int] = {}  # output_index -> tool call index

    def on_event(self, kind: str, event: dict[str, Any]) -> ChatDelta | Notice | None:
        if kind == "response.output_text.delta":
            return self.delta(content=event["delta"])
        if kind in ("response.reasoning_text.delta", "response.reasoning_summary_text.delta"):
            return self.delta(reasoning=event["delta"])
        if kind == "response.output_item.added" and event["item"].get("type") == "function_call":
            item = event["item"]
            index = self._call_index.setdefault(event["output_index"], len(self._call_index))
            fragment = call_fragment(
                index, item.get("call_id", ""), item.get("name", ""), item.get("arguments", "")
            )
            return self.delta(calls=(fragment,))
        if kind == "response.function_call_arguments.delta":
            index = self._call_index[event["output_index"]]
            return self.delta(calls=(call_fragment(index, arguments=event["delta"]),))
        if kind in ("response.created", "response.in_progress"):
            self.result.id = text_or_none(event["response"].get("id"))
            self.result.model = text_or_none(event["response"].get("model"))
        elif kind in ("response.completed", "response.incomplete"):
            response = event["response"]
            self.result.usage = _usage(response.get("usage")) or self.result.usage
            self.end(_finish(response, bool(self._calls)))
        elif kind == "response.failed":
            self.fail(_error_text(event["response"].get("error") or "the response failed"))
        elif kind == "error":
            self.fail(_error_text(event.get("message") or event.get("error") or event))
        return None


def responses_result_from_json(raw: bytes, metrics: Metrics) -> ChatResult:
    """A whole (non-streaming) `response` object."""
    try:
        payload = parse_json(raw)
    except ValueError as exc:
        raise StreamError(f"The server sent invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise StreamError("The server sent a response that is not an object")
    if payload.get("error") and not payload.get("output"):
        raise StreamError(f"The server reported an error: {_error_text(payload['error'])}")
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    for item in payload.get("output") or []:
        if not isinstance(item, dict):
            continue
        parts = item.get("content") or []
        if item.get("type") == "message":
            content += [p.get("text", "") for p in parts if p.get("type") == "output_text"]
        elif item.get("type") == "reasoning":
            texts = [p.get("text", "") for p in parts] or [
                s.get("text", "") for s in item.get("summary") or []
            ]
            reasoning += texts
        elif item.get("type") == "function_call":
            calls.append(
                ToolCall(
                    len(calls),
                    item.get("call_id", ""),
                    item.get("name", ""),
                    item.get("arguments", ""),
                )
            )
    result = ChatResult(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        finish_reason=_finish(payload, bool(calls)),
        usage=_usage(payload.get("usage")),
        model=text_or_none(payload.get("model")),
        id=text_or_none(payload.get("id")),
        saw_done=True,
    )
    read_usage(metrics, result.usage)
    return result
