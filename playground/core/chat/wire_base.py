"""What the Responses and Messages parsers share: typed SSE events assembled into the same
`ChatResult` and chat events as chat completions (`ChatStreamParser`), usage in chat's words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from playground.core.chat.protocol import ChatStreamParser, is_fragment
from playground.core.errors import StreamError
from playground.core.events import ChatDelta, Notice
from playground.core.logprobs import TokenLogprobs
from playground.core.metrics import Metrics


def chat_usage(
    input_tokens: Any, output_tokens: Any, reasoning_tokens: Any = None
) -> dict[str, Any]:
    """Responses' and Messages' token counts as chat completions name them."""
    usage: dict[str, Any] = {}
    if isinstance(input_tokens, int):
        usage["prompt_tokens"] = input_tokens
    if isinstance(output_tokens, int):
        usage["completion_tokens"] = output_tokens
    if isinstance(input_tokens, int) and isinstance(output_tokens, int):
        usage["total_tokens"] = input_tokens + output_tokens
    if isinstance(reasoning_tokens, int):
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return usage


def call_fragment(
    index: int, call_id: str = "", name: str = "", arguments: str = ""
) -> dict[str, Any]:
    """A tool call's start or continuation, as a chat `tool_calls` delta fragment."""
    function: dict[str, Any] = {"arguments": arguments}
    fragment: dict[str, Any] = {"index": index, "function": function}
    if call_id or name:
        fragment.update(id=call_id, type="function")
        function["name"] = name
    return fragment


def read_usage(metrics: Metrics, usage: dict[str, Any] | None) -> None:
    """A whole answer's token counts into the metrics, as chat_result_from_json does."""
    usage = usage or {}
    if isinstance(usage.get("completion_tokens"), int):
        metrics.tokens = usage["completion_tokens"]
        metrics.tokens_estimated = False
    if isinstance(usage.get("prompt_tokens"), int):
        metrics.prompt_tokens = usage["prompt_tokens"]
    metrics.first_token_s = metrics.first_byte_s


class TypedEventParser(ChatStreamParser):
    """Feeds on `data:` payloads that carry a `type`; subclasses handle each type in `on_event`.

    The end (`finished`, `saw_done`), truncation, partial results and metrics are the chat
    parser's own, so a stream of either API ends, fails and counts exactly as a chat stream does.
    """

    def feed(self, data: str) -> ChatDelta | Notice | None:
        try:
            event = msgspec.json.decode(data)
            kind = event["type"]
        except (ValueError, TypeError, KeyError):
            self.result.malformed_events += 1
            return Notice(f"Skipped a malformed event: {data[:120]}")
        try:
            return self.on_event(str(kind), event)
        except (AttributeError, KeyError, TypeError, IndexError):
            self.result.malformed_events += 1
            return Notice(f"Skipped an event of an unexpected shape: {data[:120]}")

    def on_event(self, kind: str, event: dict[str, Any]) -> ChatDelta | Notice | None:
        raise NotImplementedError

    def delta(
        self,
        content: str = "",
        reasoning: str = "",
        calls: Sequence[dict[str, Any]] = (),
        tokens: TokenLogprobs = (),
    ) -> ChatDelta | None:
        """The chat parser's, for fields read from an event in trust: text of another type or a
        tool call that is not one raises before any of it is taken (feed's notice)."""
        if not (isinstance(content, str) and isinstance(reasoning, str)):
            raise TypeError("text that is not text")
        if not all(map(is_fragment, calls)):
            raise TypeError("a tool call that is not one")
        return super().delta(content, reasoning, calls, tokens)

    def end(self, finish_reason: str | None) -> None:
        self.result.finish_reason = finish_reason or self.result.finish_reason
        self.result.saw_done = True
        self.finished = True
        self._sync()

    def fail(self, message: str) -> None:
        self._sync()
        raise StreamError(f"The server reported an error mid-stream: {message}", self.result)
