"""Whether a predict call's stream ended as it should, judged as a chat's own is (ChatStreamParser):
the window, the CLI, compare and history all see the same broken streams."""

from __future__ import annotations

from typing import Any

from playground.core.chat.protocol import ChatStreamParser
from playground.core.errors import StreamError, TruncatedStream
from playground.core.events import NdjsonLine, SseEvent
from playground.core.jsontext import parse_json
from playground.core.metrics import Clock, Metrics


class StreamEnd:
    """Watches SSE events and NDJSON lines as they are printed.

    An in-band error (`{"error": …}`, or an SSE `event: error`) raises StreamError at once.
    A stream of OpenAI chunks promises an end (`[DONE]` or a finish reason), and NDJSON lines that
    say `"done"` promise a last one with `"done": true`: `close()` raises TruncatedStream when
    that end never came. Any other stream has no end to miss; a connection that breaks is
    already a StreamCut.
    """

    def __init__(self) -> None:
        self._parser = ChatStreamParser(Metrics(), Clock())
        self._chunks = False
        self._done: bool | None = None

    def see(self, event: object) -> None:
        if isinstance(event, SseEvent):
            if event.event == "error":
                raise StreamError(f"The server reported an error mid-stream: {event.data[:2000]}")
            data = event.data
            chunk = data == "[DONE]" or '"choices"' in data
            if chunk or ('"error"' in data and _has_error(_loads(data))):
                self._feed(data)
        elif isinstance(event, NdjsonLine):
            value = event.value
            if not isinstance(value, dict):
                return
            if "done" in value:
                self._done = value["done"] is True
            if "choices" in value or _has_error(value):
                self._feed(event.raw)

    def _feed(self, data: str) -> None:
        self._chunks = self._chunks or data == "[DONE]" or '"choices"' in data
        self._parser.feed(data)  # raises StreamError for an in-band error

    def close(self) -> None:
        """The stream has ended cleanly: raise if it had promised an end it never sent."""
        if self._chunks:
            self._parser.close()
        if self._done is False:
            raise TruncatedStream(
                'The stream ended before a line said "done": true; the output may be incomplete'
            )


def _loads(data: str) -> Any:
    try:
        return parse_json(data)
    except ValueError:
        return None


def _has_error(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("error")) and "choices" not in value
