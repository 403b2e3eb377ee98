"""What a call yields as it happens: the response starting, body parts as they arrive, and the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playground.core.jsontext import parse_json
from playground.core.metrics import Metrics

if TYPE_CHECKING:  # msgspec, which it needs, is imported when a chat is, not at startup
    from playground.core.logprobs import TokenLogprob


@dataclass(frozen=True)
class ResponseStarted:
    status: int
    headers: dict[str, str]
    content_type: str
    metrics: Metrics

    @property
    def request_id(self) -> str:
        """Baseten's `X-Baseten-Request-Id` ("" when the server sent none)."""
        return self.metrics.request_id or ""

    @property
    def deployment_id(self) -> str:
        """The deployment that answered (`X-Baseten-Model-Version-Id`), "" when not said."""
        return self.metrics.deployment_id or ""


_UNPARSED: Any = object()


class JsonBody:
    """A JSON body: `raw` as it came, and `value` parsed from it.

    A big body arrives unparsed and is parsed on first use of `value`: parsing holds the GIL
    (20 MB take ~200 ms, even on another thread), and a window showing a capped preview of the
    raw text never needs it. `value` raises ValueError when the body is not valid JSON.
    """

    __slots__ = ("_value", "raw")
    __match_args__ = ("value", "raw")

    def __init__(self, value: Any, raw: bytes) -> None:
        self._value = value
        self.raw = raw

    @classmethod
    def unparsed(cls, raw: bytes) -> JsonBody:
        return cls(_UNPARSED, raw)

    @property
    def is_parsed(self) -> bool:
        return self._value is not _UNPARSED

    @property
    def value(self) -> Any:
        if self._value is _UNPARSED:
            self._value = parse_json(self.raw)
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonBody) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"JsonBody({len(self.raw):,} bytes{'' if self.is_parsed else ', unparsed'})"


@dataclass(frozen=True)
class TextChunk:
    """A piece of a streamed text body (UTF-8 decoded across chunk boundaries), or a whole text body."""

    text: str


@dataclass(frozen=True)
class BinaryChunk:
    data: bytes


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str = "message"
    id: str = ""


@dataclass(frozen=True)
class NdjsonLine:
    value: Any
    raw: str


@dataclass(frozen=True)
class Notice:
    """Something odd that did not stop the call (a malformed line, an undecodable chunk)."""

    message: str


@dataclass(frozen=True)
class Retrying:
    """The server answered `status` in a way that is safe to send again: the request goes out
    again after `wait_s` seconds, as attempt `attempt` of at most `attempts`."""

    status: int
    message: str  # the server's words
    request_id: str | None
    wait_s: float
    attempt: int
    attempts: int


@dataclass(frozen=True)
class Finished:
    kind: str  # json, sse, ndjson, text-stream, text, binary, empty
    metrics: Metrics


@dataclass(frozen=True)
class ToolCall:
    index: int
    id: str
    name: str
    arguments: str
    type: str = "function"

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class ChatResult:
    """An assistant message assembled from deltas (or read whole), with how it ended."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None
    id: str | None = None
    saw_done: bool = False
    malformed_events: int = 0
    logprobs: list[TokenLogprob] = field(default_factory=list)  # when they were asked for

    def to_message(self) -> dict[str, Any]:
        """The OpenAI `assistant` message for the conversation history."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [call.to_openai() for call in self.tool_calls]
        return message


@dataclass(
    slots=True
)  # not frozen: a frozen dataclass costs 3x to build, and there is one per token
class ChatDelta:
    content: str = ""
    reasoning: str = ""
    tool_calls: tuple[dict[str, Any], ...] = ()
    logprobs: tuple[TokenLogprob, ...] = ()  # the content's tokens, when logprobs were asked for


@dataclass(frozen=True)
class ChatFinished:
    result: ChatResult
    metrics: Metrics


PredictEvent = (
    Retrying
    | ResponseStarted
    | JsonBody
    | TextChunk
    | BinaryChunk
    | SseEvent
    | NdjsonLine
    | Notice
    | Finished
)
ChatEvent = Retrying | ResponseStarted | ChatDelta | Notice | ChatFinished
