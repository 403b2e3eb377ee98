"""`playground chat`: OpenAI-compatible chat with a deployment or a Model API, from a terminal."""

from __future__ import annotations

import argparse

from playground.cli.chat_flags import add_header_flag, headers_from
from playground.cli.flags import (
    UsageError,
    add_chat_flags,
    add_remote_flags,
    add_target_flags,
    chat_body,
    client_for,
    target_from,
)
from playground.cli.output import Printer, print_chat
from playground.core.request.api_bodies import APIS


async def run_chat(args: argparse.Namespace, out: Printer) -> None:
    client = client_for(args)
    try:
        target = target_from(args, client.remote)
        body = chat_body(args)
        try:
            headers = headers_from(args.header)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        base = client.openai_base(target)
        await print_chat(client.chat(base, body, headers=headers, api=args.api), out)
    finally:
        await client.aclose()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = sub.add_parser(
        "chat",
        help="OpenAI-compatible chat with a deployment or a Model API",
        description="Chat and print deltas, the message and metrics as JSON lines.",
    )
    add_target_flags(chat, model_api=True)
    add_remote_flags(chat)
    add_chat_flags(chat)
    chat.add_argument(
        "--api",
        choices=APIS,
        default="chat",
        help="the wire: chat completions (default), the Responses API or the Messages API "
        "(Anthropic's format); the answer prints the same whichever is used",
    )
    add_header_flag(chat)
    chat.set_defaults(runner=run_chat)
