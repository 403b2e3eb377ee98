"""Flags every subcommand shares (the remote, the target, the body, a chat's messages), read
into core objects; a mistake is a `UsageError`, in words."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, TextIO

import httpx

from playground.cli.chat_flags import add_llm_flags, apply_llm_flags
from playground.core.api.client import BasetenClient
from playground.core.api.policy import CallSettings
from playground.core.events import Retrying
from playground.core.jsontext import InvalidJson, parse_json
from playground.core.remote.keys import ENV_VAR, find_key
from playground.core.remote.remotes import Remote, Target
from playground.core.remote.truss import MODEL_NAME as TRUSS_MODEL


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
    add_connection_flags(parser)


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """Timeouts, retries and the size limit: every command that sends takes them."""
    default = CallSettings()
    group = parser.add_argument_group("timeouts, retries and limits (0: no limit)")
    for flag, value, what in (
        ("--connect-timeout", default.connect_timeout, "to open a connection"),
        (
            "--read-timeout",
            default.read_timeout,
            "the longest silence between bytes, the first too",
        ),
        (
            "--pool-timeout",
            default.pool_timeout,
            "to wait for a free connection when many are busy",
        ),
        ("--timeout", default.timeout, "a deadline for the whole request, retries included"),
    ):
        group.add_argument(
            flag,
            type=float,
            default=value,
            metavar="S",
            help=f"{what} (default {f'{value:g} s' if value else 'none'})",
        )
    group.add_argument(
        "--retries",
        type=int,
        default=default.retries,
        metavar="N",
        help="retries after 429, or 502/503 when safe; each is said on stderr "
        f"(default {default.retries}; 0: none)",
    )
    group.add_argument(
        "--max-response-mb",
        type=float,
        default=default.max_response_mb,
        metavar="MB",
        help="stop reading a response past this size, decompressed; what arrived is kept "
        f"(default {default.max_response_mb:g})",
    )


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
    add_llm_flags(group)
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


def target_from(args: argparse.Namespace, remote: Remote | None = None) -> Target | None:
    """None means the Model APIs base (chat only). On a Truss server (`remote`), which serves
    one model, the model needs no id."""
    if getattr(args, "model_api", None):
        return None
    owner = args.model or args.chain
    if not owner and remote is not None and remote.kind == "truss":
        return Target(TRUSS_MODEL)
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


def read_json(
    data: str | None, file: str | None, *, what: str = "body", flag: str = "--data"
) -> Any:
    """The one way the command reads JSON it is given (an argument, a file, stdin): whatever is
    wrong with it (not there, not readable, not text, not JSON) is a `UsageError` in words."""
    if data is None and file is None:
        return None
    raw: str | bytes
    if file is not None:
        source = "stdin" if file == "-" else file
        try:
            raw = _stdin_bytes() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise UsageError(
                f"cannot read the {what} from {source}: {exc.strerror or exc}"
            ) from None
    else:
        raw, source = str(data), flag
    try:
        return parse_json(raw)
    except InvalidJson as exc:
        raise UsageError(f"the {what} in {source} is not valid JSON: {exc}") from None


def _stdin_bytes() -> bytes:
    if sys.stdin is None:
        raise OSError("there is no stdin")
    buffer = getattr(sys.stdin, "buffer", None)  # bytes, so that a BOM or UTF-16 is read right
    return buffer.read() if buffer is not None else sys.stdin.read().encode()


# Flags whose values go into a URL or the request line. A control character there (a pasted CR or
# LF) makes the URL invalid, so it is refused in words before anything is built of it.
_URL_FLAGS = (
    "model",
    "chain",
    "model_api",
    "env",
    "deployment",
    "regional",
    "route",
    "method",
    "remote",
    "base_url",
    "inference_url",
    "management_url",
    "model_apis_url",
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 §5.6.2: a method, a header name


def header_from(flag: str, text: str) -> tuple[str, str]:
    """`NAME:VALUE` as a header; a name that is not a token, or a line break, is refused."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not _TOKEN.fullmatch(name):
        raise UsageError(f"{flag} {text!r}: not NAME:VALUE with a name of letters, digits or -")
    found = re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value)
    if found is not None:
        raise UsageError(f"{flag} {text!r}: a header value cannot hold {found.group()!r}")
    return name, value


def check_request_flags(args: argparse.Namespace) -> None:
    """Refuse, in words, what cannot go into a request line (httpx would raise instead)."""
    named = [(name, getattr(args, name, None)) for name in _URL_FLAGS]
    for name, value in [*named, *(getattr(args, "column_flags", None) or [])]:
        found = _CONTROL.search(value) if isinstance(value, str) else None
        if found is not None:
            raise UsageError(
                f"--{name.replace('_', '-')} {value!r} holds a control character "
                f"({found.group()!r}), which no URL can carry"
            )
    method = getattr(args, "method", None)
    if method and not _TOKEN.fullmatch(method):
        raise UsageError(f"--method {method!r} is not an HTTP method (GET, POST, PUT, …)")
    for name in ("base_url", "inference_url", "management_url", "model_apis_url"):
        value = getattr(args, name, None)
        if value:
            _check_url("--" + name.replace("_", "-"), value)


def _check_url(flag: str, value: str) -> None:
    try:
        url = httpx.URL(value.replace("{host}", "host"))
    except httpx.InvalidURL as exc:
        raise UsageError(f"{flag} {value!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"{flag} {value!r} is not an http:// or https:// URL with a host")
    if url.port is not None and not 0 < url.port < 65536:
        raise UsageError(f"{flag} {value!r}: port {url.port} is not 1 to 65535")


def client_for(args: argparse.Namespace, err: TextIO | None = None) -> BasetenClient:
    """A client of the remote the flags name, with their timeouts, retries and limits; each
    retry is said on `err` (stderr) before its wait."""
    return client_of(remote_from(args), args, err)


def client_of(remote: Remote, args: argparse.Namespace, err: TextIO | None = None) -> BasetenClient:
    """A client of `remote` with its own key (none for a Truss server, which takes none) and
    the flags' timeouts, retries and limits."""
    found = find_key(remote.name) if remote.needs_key else None
    if found is None and remote.needs_key:
        raise UsageError(
            f"no API key: set {ENV_VAR} (or store one in the keyring for {remote.name!r})"
        )
    client = BasetenClient(remote, found.key if found is not None else "")
    client.transport.apply(connection_settings(args))
    stream = err or sys.stderr

    def say(retrying: Retrying) -> None:
        from playground.core.text import retry_text

        stream.write(retry_text(retrying) + "\n")
        stream.flush()

    client.transport.retry_listeners.append(say)
    return client


def connection_settings(args: argparse.Namespace) -> CallSettings:
    """The timeouts, retries and size limit the flags give (0 is no limit)."""
    values = {f.name: getattr(args, f.name) for f in fields(CallSettings)}
    for name, value in values.items():
        if value < 0:
            raise UsageError(f"--{name.replace('_', '-')} cannot be negative (0 turns it off)")
    return CallSettings(**values)


def chat_body(args: argparse.Namespace) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if args.messages_file:
        loaded = read_json(None, args.messages_file, what="list of messages")
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
    schema = read_json(None, args.schema, what="JSON Schema") if args.schema else None
    try:
        apply_llm_flags(args, body, schema)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.extra:
        extra = read_json(args.extra, None, what="object", flag="--extra")
        if not isinstance(extra, dict):
            raise UsageError("--extra must be a JSON object")
        body.update(extra)
    return body
