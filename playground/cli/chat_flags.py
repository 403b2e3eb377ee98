"""The chat flags for what an LLM can do beyond text: a JSON Schema answer, images, logprobs,
reasoning effort, and extra headers (`x-session-affinity`, say)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from playground.core.chat.parts import image_part
from playground.core.errors import InvalidRequest
from playground.core.request.attachments import image_ref

EFFORTS = ("low", "medium", "high")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def add_llm_flags(group: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--schema",
        metavar="FILE",
        help="answer as JSON valid against this JSON Schema (response_format json_schema); "
        'the file holds a schema, or OpenAI\'s {"name", "schema", "strict"}',
    )
    group.add_argument(
        "--image",
        metavar="FILE",
        action="append",
        help="an image sent with the last message, as a data URL (repeatable)",
    )
    group.add_argument(
        "--logprobs",
        metavar="N",
        type=int,
        help="log probabilities of the answer's tokens, with N alternatives each (0-20)",
    )
    group.add_argument(
        "--reasoning-effort", choices=EFFORTS, help="how much a reasoning model thinks"
    )


def add_header_flag(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--header",
        metavar="NAME:VALUE",
        action="append",
        help="an extra request header, e.g. x-session-affinity:abc (repeatable)",
    )


def schema_format(path: str, loaded: Any) -> dict[str, Any]:
    """The `response_format` for a schema file (a bare schema is named after the file)."""
    if not isinstance(loaded, dict):
        raise ValueError(f"the schema in {path} must be a JSON object")
    if isinstance(loaded.get("schema"), dict) and "name" in loaded:
        spec = dict(loaded)
    else:
        name = re.sub(r"[^A-Za-z0-9_-]", "_", Path(path).stem)[:64] or "answer"
        spec = {"name": name, "schema": loaded, "strict": True}
    return {"type": "json_schema", "json_schema": spec}


def apply_llm_flags(args: argparse.Namespace, body: dict[str, Any], schema: Any) -> None:
    """Add what the flags ask to a chat body (`schema`: the --schema file's JSON, or None).

    Raises ValueError in words for a mistake."""
    if args.schema:
        if args.json_mode:
            raise ValueError("--schema and --json-mode are two response formats: give one")
        body["response_format"] = schema_format(args.schema, schema)
    if args.logprobs is not None:
        if not 0 <= args.logprobs <= 20:
            raise ValueError("--logprobs takes 0 to 20 alternatives per token")
        body["logprobs"] = True
        if args.logprobs:
            body["top_logprobs"] = args.logprobs
    if args.reasoning_effort:
        body["reasoning_effort"] = args.reasoning_effort
    if args.image:
        users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
        if not users:
            raise ValueError("--image goes with a message: give -m TEXT too")
        last = users[-1]
        content = last.get("content")
        parts = list(content) if isinstance(content, list) else [{"type": "text", "text": content}]
        try:
            refs: list[str] = []
            for path in args.image:
                refs.append(image_ref(path, taken=refs))
            parts += [image_part(ref) for ref in refs]
        except InvalidRequest as exc:
            raise ValueError(str(exc)) from None
        last["content"] = parts


def headers_from(values: list[str] | None) -> dict[str, str]:
    """`NAME:VALUE` flags as headers; raises ValueError for one without a name or colon."""
    headers: dict[str, str] = {}
    for value in values or []:
        name, colon, text = value.partition(":")
        name = name.strip()
        if not colon or not _HEADER_NAME.match(name):
            raise ValueError(f"--header wants NAME:VALUE, not {value!r}")
        headers[name] = text.strip()
    return headers
