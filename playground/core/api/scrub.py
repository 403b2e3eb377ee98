"""What a server sends, with the keys in use masked before anyone sees it: headers, bodies,
events, chat deltas and answers, and errors. The client applies these where bytes come in, so
the window, the command line and the history all get the same, already redacted, text."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from typing import Any

import httpx

from playground.core.errors import ApiError, PlaygroundError
from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    ChatResult,
    NdjsonLine,
    Notice,
    PredictEvent,
    SseEvent,
    TextChunk,
    ToolCall,
)
from playground.core.logprobs import Alternative, TokenLogprob
from playground.core.secrets import REDACTOR

PIECE = 256 * 1024  # a big body is masked in pieces this size as it arrives


def scrub_headers(response: httpx.Response) -> None:
    """A header can quote the key back (a proxy's `X-Baseten-Request-Id`, say); it never goes
    further, into the metrics, the history's request id or a response view."""
    items = response.headers.multi_items()
    if any(REDACTOR.finds(value) for _, value in items):  # the mask is UTF-8, not ASCII
        response.headers = httpx.Headers(
            [(k.encode(), REDACTOR.text(v).encode()) for k, v in items]
        )


async def read_all(response: httpx.Response) -> bytes:
    """The whole body, redacted: a big one a piece at a time as it arrives (no single long
    pause), a small one at once."""
    stream = REDACTOR.data_stream()
    parts: list[bytes] = []
    waiting: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        waiting.append(chunk)
        size += len(chunk)
        if size >= PIECE:
            parts.append(stream.feed(b"".join(waiting)))
            waiting, size = [], 0
    if not parts:
        return REDACTOR.data(b"".join(waiting))
    return b"".join([*parts, stream.feed(b"".join(waiting)), stream.end()])


class EventScrubber:
    """A predict call's events, redacted: streamed text and bytes as one stream each (a key cut
    across two chunks is still found), an SSE event or an NDJSON line each on its own. A whole
    JSON body comes redacted already (`read_all`); so does a `whole` text or binary body."""

    def __init__(self, *, whole: bool = False) -> None:
        self._text = REDACTOR.stream()
        self._data = REDACTOR.data_stream()
        self._whole = whole

    def feed(self, event: PredictEvent) -> list[PredictEvent]:
        out = self._feed(event)
        return [*out, *self.end()] if self._whole else out  # nothing follows: nothing waits

    def _feed(self, event: PredictEvent) -> list[PredictEvent]:
        if isinstance(event, TextChunk):
            text = self._text.feed(event.text)
            return [TextChunk(text)] if text else []
        if isinstance(event, BinaryChunk):
            data = self._data.feed(event.data)
            return [BinaryChunk(data)] if data else []
        out = self.end()  # what a text or byte stream held back comes before what follows it
        if isinstance(event, SseEvent):
            event = SseEvent(REDACTOR.text(event.data), REDACTOR.text(event.event), event.id)
        elif isinstance(event, NdjsonLine):
            raw = REDACTOR.text(event.raw)
            event = event if raw == event.raw else NdjsonLine(_parsed(raw, event.value), raw)
        elif isinstance(event, Notice):
            event = Notice(REDACTOR.text(event.message))
        return [*out, event]

    def end(self) -> list[PredictEvent]:
        """What was held back, once the body has ended."""
        text, data = self._text.end(), self._data.end()
        out: list[PredictEvent] = [TextChunk(text)] if text else []
        return [*out, BinaryChunk(data)] if data else out


def _parsed(raw: str, value: Any) -> Any:
    try:
        return json.loads(raw)
    except ValueError:  # a mask that broke the line: keep its value, redacted
        return REDACTOR.value(value)


class DeltaScrubber:
    """A chat's deltas, redacted: content and reasoning each as one stream."""

    def __init__(self) -> None:
        self._content = REDACTOR.stream()
        self._reasoning = REDACTOR.stream()
        self._tokens: deque[TokenLogprob] = deque()  # logprobs of content held back
        self._unmatched = ""  # released content not yet matched to a held token

    def feed(self, event: ChatDelta | Notice) -> ChatDelta | Notice | None:
        """`event` redacted; None when all of it is held back for now."""
        if isinstance(event, Notice):
            return Notice(REDACTOR.text(event.message))
        content = self._content.feed(event.content) if event.content else ""
        if content is event.content and not (
            event.reasoning or event.tool_calls or event.logprobs or self._tokens
        ):
            return event  # the usual token: nothing masked, nothing held back
        if content is event.content and not (event.reasoning or event.tool_calls or self._tokens):
            # The usual token with logprobs on: its text went through whole, so do its tokens.
            masked = _masked_all(event.logprobs)
            return event if masked is event.logprobs else ChatDelta(content, "", (), masked)
        reasoning = self._reasoning.feed(event.reasoning) if event.reasoning else ""
        tool_calls = REDACTOR.value(event.tool_calls) if event.tool_calls else ()
        self._tokens.extend(event.logprobs)
        logprobs = self._released(content) if self._tokens else ()
        if content or reasoning or tool_calls:
            return ChatDelta(content, reasoning, tool_calls, logprobs)
        return None

    def _released(self, content: str) -> tuple[TokenLogprob, ...]:
        """The held tokens whose text `content` releases; all dropped when it was masked."""
        self._unmatched += content
        out = []
        while self._tokens and self._unmatched.startswith(self._tokens[0].token):
            token = self._tokens.popleft()
            self._unmatched = self._unmatched[len(token.token) :]
            out.append(_masked_alternatives(token))
        if self._unmatched and not (
            self._tokens and self._tokens[0].token.startswith(self._unmatched)
        ):
            self._tokens.clear()  # the text was masked: its tokens never leave
            self._unmatched = ""
        return tuple(out)

    def end(self) -> ChatDelta | None:
        content, reasoning = self._content.end(), self._reasoning.end()
        logprobs = self._released(content) if self._tokens else ()
        return ChatDelta(content, reasoning, (), logprobs) if content or reasoning else None


def _masked_all(tokens: Sequence[TokenLogprob]) -> tuple[TokenLogprob, ...]:
    """Tokens whose alternatives are redacted: one search over all of them, then (only when it
    finds a key) token by token."""
    alternatives = "\n".join([alt.token for token in tokens for alt in token.top])
    if not REDACTOR.finds(alternatives):
        return tokens if isinstance(tokens, tuple) else tuple(tokens)
    return tuple(_masked_alternatives(token) for token in tokens)


def _masked_alternatives(token: TokenLogprob) -> TokenLogprob:
    """A token whose alternatives are each redacted (one may be a whole key)."""
    if not token.top or not REDACTOR.finds("\n".join([alt.token for alt in token.top])):
        return token  # one search over them all (no key spans a line break)
    top = tuple(Alternative(REDACTOR.text(alt.token), alt.logprob) for alt in token.top)
    return TokenLogprob(token.token, token.logprob, top)


def scrub_result(result: ChatResult) -> ChatResult:
    """An assembled answer redacted in place (an error's `partial` may be the same object)."""
    result.content = REDACTOR.text(result.content)
    result.reasoning = REDACTOR.text(result.reasoning)
    result.tool_calls = [
        ToolCall(
            c.index, REDACTOR.text(c.id), REDACTOR.text(c.name), REDACTOR.text(c.arguments), c.type
        )
        for c in result.tool_calls
    ]
    if result.logprobs:
        joined = "".join(t.token for t in result.logprobs)
        if REDACTOR.text(joined) != joined:  # a key spelled out token by token: drop them all
            result.logprobs = []
        result.logprobs = list(_masked_all(result.logprobs))
    result.usage = REDACTOR.value(result.usage)
    result.model = REDACTOR.value(result.model)
    result.id = REDACTOR.value(result.id)
    return result


def scrub_error(error: PlaygroundError) -> PlaygroundError:
    """`error` redacted in place: its words, hint, details and what it kept of the answer."""
    error.args = tuple(REDACTOR.value(arg) for arg in error.args)
    error.hint = REDACTOR.text(error.hint)
    if isinstance(error, ApiError):
        error._message = REDACTOR.text(error._message)
        error.detail = REDACTOR.value(error.detail)
        error.request_id = REDACTOR.value(error.request_id)
        error.body = REDACTOR.data(error.body)
    partial = getattr(error, "partial", None)
    if isinstance(partial, ChatResult):
        scrub_result(partial)
    elif isinstance(partial, str | list | dict):
        error.partial = REDACTOR.value(partial)  # type: ignore[attr-defined]
    return error
