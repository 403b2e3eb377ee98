"""`playground ws`: a WebSocket session with a model or chain from a terminal — frames in from
flags or stdin (one per line), frames out as JSON lines, then how it closed and its figures."""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from pathlib import Path
from typing import Any, BinaryIO

from playground.cli.flags import (
    UsageError,
    add_remote_flags,
    add_target_flags,
    client_for,
    target_from,
)
from playground.cli.output import Printer
from playground.core.errors import PlaygroundError
from playground.core.ws.frames import Closed, Frame
from playground.core.ws.session import WsSession


def frame_record(frame: Frame, save: BinaryIO | None = None) -> dict[str, Any]:
    """A frame as a JSON line: text as text; binary as its size and base64 (or saved to a file)."""
    record: dict[str, Any] = {"event": "frame", "direction": frame.direction, "at_s": frame.at_s}
    if isinstance(frame.data, str):
        record["text"] = frame.data
        return record
    record["bytes"] = frame.size
    if frame.direction == "sent":
        return record
    if save is not None:
        save.write(frame.data)
        record["saved"] = save.name
    else:
        record["base64"] = base64.b64encode(frame.data).decode()
    return record


def closed_record(closed: Closed) -> dict[str, Any]:
    return {
        "event": "closed",
        "code": closed.code,
        "reason": closed.reason,
        "by": closed.by,
        "words": closed.words,
    }


def _outgoing(args: argparse.Namespace) -> list[str | bytes]:
    frames: list[str | bytes] = list(args.send or [])
    for name in args.send_file or []:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
        if args.binary:
            frames.append(data)
        else:
            try:
                frames.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                raise UsageError(
                    f"{name} is not UTF-8 text: add --binary to send it as bytes"
                ) from None
    return frames


async def _stdin_line() -> str | None:
    """The next line of stdin (without its line break), or None at its end."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return None if line == "" else line.rstrip("\r\n")


def _open_save(name: str | None) -> BinaryIO | None:
    if not name:
        return None
    try:
        return open(name, "wb")  # closed when the session ends
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from None


async def run_ws(args: argparse.Namespace, out: Printer) -> None:
    frames = _outgoing(args)
    if not frames and not args.stdin:
        raise UsageError("give frames to send: --send TEXT, --send-file FILE or --stdin")
    if args.binary and not args.send_file:
        raise UsageError("--binary goes with --send-file")
    target = target_from(args)
    assert target is not None
    save = _open_save(args.save_binary)
    try:
        client = client_for(args)
    except BaseException:
        if save is not None:
            save.close()
        raise
    try:
        async with WsSession(client, target) as session:
            m = session.metrics
            out(
                {
                    "event": "open",
                    "url": session.url,
                    "request_id": m.request_id,
                    "model_id": m.model_id,
                    "deployment_id": m.deployment_id,
                    "connect_s": m.connect_s,
                }
            )
            loop = asyncio.get_running_loop()
            last = [loop.time()]

            async def read() -> Closed:
                async for event in session:
                    if isinstance(event, Closed):
                        out(closed_record(event))
                        return event
                    last[0] = loop.time()
                    out(frame_record(event, save))
                raise AssertionError("a session's events end with Closed")

            reader = asyncio.create_task(read())
            try:
                for data in frames:
                    sent = await (
                        session.send_text(data)
                        if isinstance(data, str)
                        else session.send_bytes(data)
                    )
                    out(frame_record(sent))
                while args.stdin and (line := await _stdin_line()) is not None:
                    if line:
                        out(frame_record(await session.send_text(line)))
            except PlaygroundError:
                if session.closed is None:
                    raise  # the server's close is said below, after the frames that came
            # Replies are read until the server closes, or until --idle seconds pass without one.
            while not reader.done():
                left = last[0] + args.idle - loop.time()
                if left <= 0:
                    await session.close()
                    break
                await asyncio.wait({reader}, timeout=left)
            closed = await reader
        out({"event": "metrics", **session.metrics.to_dict()})
        error = closed.error()
        if error is not None:
            raise error
    finally:
        if save is not None:
            save.close()
        await client.aclose()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ws = sub.add_parser(
        "ws",
        help="a WebSocket session with a model or chain",
        description="Open a model's (or chain's) websocket, send frames, and print the frames "
        "that come back, how the session closed and its figures as JSON lines.",
    )
    add_target_flags(ws, model_api=False)
    frames = ws.add_argument_group("frames to send, in this order")
    frames.add_argument("--send", action="append", metavar="TEXT", help="a text frame (repeatable)")
    frames.add_argument(
        "--send-file", action="append", metavar="FILE", help="a file as one frame (repeatable)"
    )
    frames.add_argument(
        "--binary", action="store_true", help="send the --send-file files as binary"
    )
    frames.add_argument(
        "--stdin", action="store_true", help="then each line of stdin as a text frame"
    )
    ws.add_argument(
        "--save-binary",
        metavar="FILE",
        help="write the binary frames received to FILE (one after another) instead of base64",
    )
    ws.add_argument(
        "--idle",
        type=float,
        default=2.0,
        metavar="S",
        help="once all is sent, close after S seconds without a frame (default 2)",
    )
    add_remote_flags(ws)
    ws.set_defaults(runner=run_ws)
