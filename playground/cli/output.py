"""What the subcommands print: JSON lines of events and metrics on stdout, failures in words on
stderr, and the exit codes (1 API, 2 usage, 3 network, 4 broken stream). A 3xx is an API error
(redirects are never followed); no traceback ever reaches the terminal."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, TextIO

from playground.cli.flags import UsageError, check_request_flags
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
from playground.core.text import Failure, status_text

EXIT_API, EXIT_USAGE, EXIT_NETWORK, EXIT_STREAM = 1, 2, 3, 4


class Printer:
    """JSON lines on `out`, never with a key in use (whatever a record holds: a server's echo,
    an answer that quotes a typed body)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, record: dict[str, Any]) -> None:
        try:
            self.out.write(REDACTOR.text(json.dumps(record, ensure_ascii=False)) + "\n")
        except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"), or a non-UTF-8 terminal
            self.out.write(REDACTOR.text(json.dumps(record)) + "\n")
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


def refuse_redirect(event: ResponseStarted) -> None:
    """A 3xx is not the answer: say where it points. It is not followed, so that the key is
    never sent on to another host."""
    if not 300 <= event.status < 400:
        return
    location = event.headers.get("location")
    if location:
        message = f"The server redirects to {location}; redirects are not followed"
        hint = "Call that address instead (its remote, or --base-url); the key is not sent on."
    else:
        message = f"The server answered {status_text(event.status)} without a Location"
        hint = "A redirect that says nowhere to go; check the remote's URL."
    error = ApiError(event.status, message, event.request_id or None)
    error.hint = hint
    raise error


async def print_events(events: AsyncGenerator[PredictEvent, None], out: Printer) -> None:
    """A predict or route call's events as JSON lines; the stream is closed however it ends.
    A stream that carries an error or ends short of the end it promised raises (core says so)."""
    async with aclosing(events):
        async for event in events:
            if isinstance(event, ResponseStarted):
                refuse_redirect(event)
            record = event_record(event)
            if record is not None:
                out(record)


async def print_chat(events: AsyncGenerator[ChatEvent, None], out: Printer) -> None:
    """A chat's deltas, then its message and metrics, as JSON lines."""
    async with aclosing(events):
        async for event in events:
            if isinstance(event, ResponseStarted):
                refuse_redirect(event)
            _print_chat_event(event, out)


def _print_chat_event(event: object, out: Printer) -> None:
    if isinstance(event, ChatFinished):
        result = event.result
        record: dict[str, Any] = {
            "event": "message",
            **result.to_message(),
            "reasoning": result.reasoning or None,
            "finish_reason": result.finish_reason,
            "usage": result.usage,
        }
        if result.logprobs:  # asked for with --logprobs
            record["logprobs"] = [
                {
                    "token": t.token,
                    "logprob": t.logprob,
                    "top": [[alt.token, alt.logprob] for alt in t.top],
                }
                for t in result.logprobs
            ]
        out(record)
        out({"event": "metrics", **event.metrics.to_dict()})
        return
    line = event_record(event)
    if line is not None:
        out(line)


class Exit(Exception):
    """Ends a command with `code`; the lines printed already say why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def run_command(args: argparse.Namespace) -> int:
    """Run a subcommand's coroutine (`args.runner`); the exit code says how it ended."""
    out = Printer(sys.stdout)
    try:
        check_request_flags(args)
        asyncio.run(args.runner(args, out))
    except UsageError as exc:
        sys.stderr.write(REDACTOR.text(f"error: {exc}") + "\n")
        return EXIT_USAGE
    except PlaygroundError as exc:
        return report(exc, sys.stderr)
    except Exit as exc:
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`); say nothing more, like any Unix tool.
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug of ours: a sentence, not a traceback
        sys.stderr.write(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in playground; please report it with the command you ran\n"
        )
        return EXIT_API
    return 0
