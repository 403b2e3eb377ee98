"""What the subcommands print: JSON lines of events and metrics on stdout, failures in words on
stderr, and the exit codes (1 API, 2 usage, 3 network, 4 broken stream)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, TextIO

from playground.cli.flags import UsageError
from playground.core.errors import (
    ApiError,
    InvalidRequest,
    NetworkError,
    PlaygroundError,
    StreamCut,
    StreamError,
)
from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    ChatEvent,
    ChatFinished,
    Finished,
    JsonBody,
    NdjsonLine,
    Notice,
    PredictEvent,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.secrets import REDACTOR
from playground.core.text import Failure

EXIT_API, EXIT_USAGE, EXIT_NETWORK, EXIT_STREAM = 1, 2, 3, 4


class Printer:
    """JSON lines on `out`, never with a key in use (whatever a record holds: a server's echo,
    an answer that quotes a typed body)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, record: dict[str, Any]) -> None:
        self.out.write(REDACTOR.text(json.dumps(record, ensure_ascii=False)) + "\n")
        self.out.flush()


def event_record(event: object) -> dict[str, Any] | None:
    if isinstance(event, ResponseStarted):
        return {
            "event": "response",
            "status": event.status,
            "content_type": event.content_type,
            "request_id": event.request_id or None,
            "deployment_id": event.deployment_id or None,
        }
    if isinstance(event, JsonBody):
        try:
            return {"event": "json", "body": event.value}
        except ValueError as exc:  # a big body is parsed only now
            return {
                "event": "text",
                "text": event.raw.decode("utf-8", "replace"),
                "notice": f"The body says JSON but is not valid JSON: {exc}",
            }
    if isinstance(event, TextChunk):
        return {"event": "text", "text": event.text}
    if isinstance(event, SseEvent):
        return {"event": "sse", "data": event.data}
    if isinstance(event, NdjsonLine):
        return {"event": "ndjson", "value": event.value}
    if isinstance(event, BinaryChunk):
        return {
            "event": "binary",
            "bytes": len(event.data),
            "base64": base64.b64encode(event.data).decode(),
        }
    if isinstance(event, Notice):
        return {"event": "notice", "message": event.message}
    if isinstance(event, ChatDelta):
        record: dict[str, Any] = {"event": "delta"}
        if event.content:
            record["content"] = event.content
        if event.reasoning:
            record["reasoning"] = event.reasoning
        if event.tool_calls:
            record["tool_calls"] = list(event.tool_calls)
        return record
    if isinstance(event, Finished):
        return {"event": "metrics", "kind": event.kind, **event.metrics.to_dict()}
    if isinstance(event, ChatFinished):
        return None  # printed as two records by the caller
    return None


def report(exc: PlaygroundError, err: TextIO) -> int:
    err.write(REDACTOR.text(Failure.of(exc).terminal()) + "\n")
    if isinstance(exc, ApiError):
        return EXIT_API
    if isinstance(exc, InvalidRequest):
        return EXIT_USAGE
    if isinstance(exc, StreamCut | StreamError):
        return EXIT_STREAM
    if isinstance(exc, NetworkError):
        return EXIT_NETWORK
    return EXIT_API


async def print_events(events: AsyncGenerator[PredictEvent, None], out: Printer) -> None:
    """A predict or route call's events as JSON lines; the stream is closed however it ends."""
    async with aclosing(events):
        async for event in events:
            record = event_record(event)
            if record is not None:
                out(record)


async def print_chat(events: AsyncGenerator[ChatEvent, None], out: Printer) -> None:
    """A chat's deltas, then its message and metrics, as JSON lines."""
    async with aclosing(events):
        async for event in events:
            _print_chat_event(event, out)


def _print_chat_event(event: object, out: Printer) -> None:
    if isinstance(event, ChatFinished):
        result = event.result
        out(
            {
                "event": "message",
                **result.to_message(),
                "reasoning": result.reasoning or None,
                "finish_reason": result.finish_reason,
                "usage": result.usage,
            }
        )
        out({"event": "metrics", **event.metrics.to_dict()})
        return
    record = event_record(event)
    if record is not None:
        out(record)


def run_command(args: argparse.Namespace) -> int:
    """Run a subcommand's coroutine (`args.runner`); the exit code says how it ended."""
    out = Printer(sys.stdout)
    try:
        asyncio.run(args.runner(args, out))
    except UsageError as exc:
        sys.stderr.write(REDACTOR.text(f"error: {exc}") + "\n")
        return EXIT_USAGE
    except PlaygroundError as exc:
        return report(exc, sys.stderr)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`); say nothing more, like any Unix tool.
        sys.stderr.close()
        return 0
    return 0
