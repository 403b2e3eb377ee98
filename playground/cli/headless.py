"""`playground call` and `playground chat`: the core client from a terminal, printing JSON lines."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import Any, TextIO

from playground.core.api.asyncjobs import AsyncOptions
from playground.core.api.client import BasetenClient
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
from playground.core.remote.keys import ENV_VAR, find_key
from playground.core.remote.remotes import Remote, Target
from playground.core.text import Failure

EXIT_API, EXIT_USAGE, EXIT_NETWORK, EXIT_STREAM = 1, 2, 3, 4


class UsageError(Exception):
    pass


def add_remote_flags(parser: argparse.ArgumentParser, *, default: str | None = "baseten") -> None:
    group = parser.add_argument_group(f"remote (default: {default or 'the one saved'})")
    group.add_argument(
        "--remote",
        default=default,
        help="a named remote: baseten, one from `playground remotes`, or a ~/.trussrc section",
    )
    group.add_argument(
        "--base-url", help="a local Baseten-compatible server, e.g. http://127.0.0.1:8765"
    )
    group.add_argument("--inference-url", help="inference URL template with {host}")
    group.add_argument("--management-url", help="management API base URL")
    group.add_argument("--model-apis-url", help="Model APIs base URL (…/v1)")


def add_target_flags(parser: argparse.ArgumentParser, *, model_api: bool) -> None:
    group = parser.add_argument_group("target")
    who = group.add_mutually_exclusive_group()
    who.add_argument("--model", help="model id")
    who.add_argument("--chain", help="chain id")
    if model_api:
        who.add_argument("--model-api", metavar="SLUG", help="a Model API by slug")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--env", metavar="NAME", help="an environment (default: production)")
    where.add_argument("--development", action="store_true", help="the development deployment")
    where.add_argument("--deployment", metavar="ID", help="a deployment by id")
    where.add_argument("--regional", metavar="ENV", help="a regional environment (bare paths)")


def add_chat_flags(group: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """The messages and parameters of an OpenAI chat body (`chat`, `compare --chat`)."""
    group.add_argument("-m", "--message", action="append", help="a user message (repeatable)")
    group.add_argument("--system", help="a system prompt")
    group.add_argument("--messages-file", help="a JSON list of OpenAI messages ('-' for stdin)")
    group.add_argument("--model-name", help="the served model name (the body's model field)")
    group.add_argument("--stream", action="store_true", help="stream the answer")
    group.add_argument("--temperature", type=float)
    group.add_argument("--top-p", type=float)
    group.add_argument("--max-tokens", type=int)
    group.add_argument("--seed", type=int)
    group.add_argument("--stop", action="append", help="a stop sequence (repeatable)")
    group.add_argument("--json-mode", action="store_true", help="response_format json_object")
    group.add_argument("--extra", help="JSON object merged into the body")


def add_body_flags(parser: argparse.ArgumentParser) -> None:
    body = parser.add_mutually_exclusive_group()
    body.add_argument("-d", "--data", help="the JSON body")
    body.add_argument("-f", "--file", help="a file with the JSON body ('-' for stdin)")


def remote_from(args: argparse.Namespace) -> Remote:
    if args.base_url:
        return Remote.local(args.base_url, name="custom")
    urls = (args.inference_url, args.management_url, args.model_apis_url)
    if any(urls):
        if not all(urls):
            raise UsageError("--inference-url, --management-url and --model-apis-url go together")
        if "{host}" not in args.inference_url:
            raise UsageError("--inference-url needs {host}, e.g. https://{host}.api.baseten.co")
        return Remote("custom", args.inference_url, args.management_url, args.model_apis_url)
    return named_remote(args.remote)


def named_remote(name: str) -> Remote:
    """Baseten, a remote added with `playground remotes add`, or a section of ~/.trussrc."""
    from playground.core.remote.config import RemoteConfigError, RemoteStore

    try:
        return RemoteStore.default().get(name)
    except RemoteConfigError as exc:
        raise UsageError(str(exc)) from None


def target_from(args: argparse.Namespace) -> Target | None:
    """None means the Model APIs base (chat only)."""
    if getattr(args, "model_api", None):
        return None
    owner = args.model or args.chain
    if not owner:
        raise UsageError(
            "say which model: --model ID (or --chain ID, or --model-api SLUG for chat)"
        )
    chain = bool(args.chain)
    if args.development:
        return Target(owner, "development", is_chain=chain)
    if args.deployment:
        return Target(owner, "deployment", args.deployment, is_chain=chain)
    if args.regional:
        return Target(owner, "regional", args.regional, is_chain=chain)
    if args.env:
        return Target(owner, "environment", args.env, is_chain=chain)
    return Target(owner, "production", is_chain=chain)


def read_json(data: str | None, file: str | None, *, what: str = "body") -> Any:
    if data is None and file is None:
        return None
    if file is not None:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        source = "stdin" if file == "-" else file
    else:
        text, source = str(data), "--data"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"the {what} in {source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc


def client_for(args: argparse.Namespace) -> BasetenClient:
    remote = remote_from(args)
    found = find_key(remote.name)
    if found is None:
        raise UsageError(
            f"no API key: set {ENV_VAR} (or store one in the keyring for {remote.name!r})"
        )
    return BasetenClient(remote, found.key)


class Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
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
    err.write(Failure.of(exc).terminal() + "\n")
    if isinstance(exc, ApiError):
        return EXIT_API
    if isinstance(exc, InvalidRequest):
        return EXIT_USAGE
    if isinstance(exc, StreamCut | StreamError):
        return EXIT_STREAM
    if isinstance(exc, NetworkError):
        return EXIT_NETWORK
    return EXIT_API


async def run_call(args: argparse.Namespace, out: Printer) -> None:
    client = client_for(args)
    try:
        target = target_from(args)
        assert target is not None
        body = read_json(args.data, args.file)
        if args.wake:
            metrics = await client.wake(target)
            out({"event": "woken", "status": metrics.status, "request_id": metrics.request_id})
            return
        if args.is_async:
            options = AsyncOptions(
                webhook_endpoint=args.webhook,
                priority=args.priority,
                max_time_in_queue_seconds=args.max_time_in_queue,
                max_attempts=args.max_attempts,
                initial_delay_ms=args.initial_delay_ms,
                max_delay_ms=args.max_delay_ms,
            )
            await submit_async(client, target, body, options, wait=args.wait, out=out)
            return
        if args.route:
            events = client.route(target, args.route, args.method, body)
        else:
            events = client.predict(target, body)
        await print_events(events, out)
    finally:
        await client.aclose()


async def print_events(events: AsyncGenerator[PredictEvent, None], out: Printer) -> None:
    """A predict or route call's events as JSON lines; the stream is closed however it ends."""
    async with aclosing(events):
        async for event in events:
            record = event_record(event)
            if record is not None:
                out(record)


async def submit_async(
    client: BasetenClient,
    target: Target,
    body: Any,
    options: AsyncOptions | None,
    *,
    wait: bool,
    out: Printer,
) -> None:
    """Queue an async request; with `wait`, print its status until it is terminal."""
    request_id = await client.jobs.submit(target, body, options)
    out({"event": "submitted", "request_id": request_id})
    if wait:
        async for status in client.jobs.watch(target, request_id):
            out({"event": "status", **status.raw})


async def print_chat(events: AsyncGenerator[ChatEvent, None], out: Printer) -> None:
    """A chat's deltas, then its message and metrics, as JSON lines."""
    async with aclosing(events):
        async for event in events:
            _print_chat_event(event, out)


def chat_body(args: argparse.Namespace) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if args.messages_file:
        loaded = read_json(None, args.messages_file, what="messages")
        if not isinstance(loaded, list):
            raise UsageError("the messages file must hold a JSON list of messages")
        messages.extend(loaded)
    if args.system:
        messages.insert(0, {"role": "system", "content": args.system})
    messages.extend({"role": "user", "content": text} for text in args.message or [])
    if not messages:
        raise UsageError("give a message: -m TEXT (or --messages-file FILE)")
    body: dict[str, Any] = {"messages": messages, "stream": bool(args.stream)}
    if args.model_name or args.model_api:
        body["model"] = args.model_name or args.model_api
    for key in ("temperature", "top_p", "max_tokens", "seed"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    if args.stop:
        body["stop"] = args.stop
    if args.json_mode:
        body["response_format"] = {"type": "json_object"}
    if args.extra:
        extra = read_json(args.extra, None, what="--extra")
        if not isinstance(extra, dict):
            raise UsageError("--extra must be a JSON object")
        body.update(extra)
    return body


async def run_chat(args: argparse.Namespace, out: Printer) -> None:
    client = client_for(args)
    try:
        target = target_from(args)
        body = chat_body(args)
        await print_chat(client.chat(client.openai_base(target), body), out)
    finally:
        await client.aclose()


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


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    call = sub.add_parser(
        "call",
        help="call a model (predict, async, custom route, wake)",
        description="Call a model and print events and metrics as JSON lines.",
    )
    add_target_flags(call, model_api=False)
    add_body_flags(call)
    add_remote_flags(call)
    call.add_argument("--route", help="a custom route through sync/, e.g. /health")
    call.add_argument("--method", default="GET", help="HTTP method for --route (default GET)")
    call.add_argument("--wake", action="store_true", help="wake the deployment (202) and exit")
    asyn = call.add_argument_group("async")
    asyn.add_argument("--async", dest="is_async", action="store_true", help="async predict")
    asyn.add_argument("--wait", action="store_true", help="poll the status until it is terminal")
    asyn.add_argument("--webhook", help="https:// URL that receives the result")
    asyn.add_argument("--priority", type=int, help="0 (first) to 2")
    asyn.add_argument("--max-time-in-queue", type=int, metavar="S", help="10 to 259200 seconds")
    asyn.add_argument("--max-attempts", type=int, help="1 to 10")
    asyn.add_argument("--initial-delay-ms", type=int, help="0 to 10000")
    asyn.add_argument("--max-delay-ms", type=int, help="0 to 60000")
    call.set_defaults(runner=run_call)

    chat = sub.add_parser(
        "chat",
        help="OpenAI-compatible chat with a deployment or a Model API",
        description="Chat and print deltas, the message and metrics as JSON lines.",
    )
    add_target_flags(chat, model_api=True)
    add_remote_flags(chat)
    add_chat_flags(chat)
    chat.set_defaults(runner=run_chat)


def run(args: argparse.Namespace) -> int:
    out = Printer(sys.stdout)
    try:
        asyncio.run(args.runner(args, out))
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
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
