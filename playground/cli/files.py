"""Files in a request: `call --data-file` sends one as the body, `--file-field PATH=FILE` puts
one as base64 (or a data URL) at a JSON path of the body. A file that cannot be read, or a path
that does not fit the body, is a `UsageError` in words."""

from __future__ import annotations

import argparse
import re
from typing import Any

from playground.cli.flags import UsageError
from playground.core.request.attachments import FileRef, MissingFile


def add_file_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("files")
    group.add_argument(
        "--data-file",
        metavar="FILE",
        help="send FILE's bytes as the body, as they are (instead of -d/-f)",
    )
    group.add_argument(
        "--content-type",
        metavar="TYPE",
        help="the Content-Type of --data-file (default: known from its bytes, then its name)",
    )
    group.add_argument(
        "--file-field",
        action="append",
        metavar="PATH=FILE",
        help="put FILE as base64 at PATH in the JSON body, e.g. audio=clip.wav or "
        "input.images[0]=cat.png (repeatable)",
    )
    group.add_argument(
        "--as-data-url",
        action="store_true",
        help="--file-field writes data:TYPE;base64,… URLs rather than bare base64",
    )


def data_file_from(args: argparse.Namespace) -> tuple[bytes, str] | None:
    """`--data-file`'s bytes and the Content-Type to send them with; None without the flag."""
    if args.data_file is None:
        if args.content_type is not None:
            raise UsageError("--content-type goes with --data-file")
        return None
    if args.data is not None or args.file is not None or args.file_field:
        raise UsageError("--data-file is the whole body: it cannot go with -d, -f or --file-field")
    ref = _file(args.data_file, "--data-file")
    data = _read(ref, "--data-file")
    if args.content_type is not None:
        found = re.search(r"[\x00-\x1f\x7f]", args.content_type)
        if found is not None:
            raise UsageError(
                f"--content-type {args.content_type!r}: a header value cannot hold {found.group()!r}"
            )
        if not args.content_type.strip():
            raise UsageError("--content-type cannot be empty")
        return data, args.content_type.strip()
    return data, ref.mime


def with_files(body: Any, fields: list[str] | None, *, as_data_url: bool = False) -> Any:
    """`body` (a new object if there is none) with each `PATH=FILE` put in as base64."""
    if not fields:
        return body
    body = {} if body is None else body
    for field in fields:
        path, sep, name = field.partition("=")
        if not sep or not path or not name:
            raise UsageError(f"--file-field {field!r}: not PATH=FILE, e.g. audio=clip.wav")
        flag = f"--file-field {path}"
        ref = _file(name, flag, "data-url" if as_data_url else "base64")
        body = _put(body, _steps(path), _read(ref, flag, encoded=True), path)
    return body


def _file(name: str, flag: str, encoding: str = "base64") -> FileRef:
    """The file as core's file reference (the one the window and presets use)."""
    try:
        return FileRef.from_path(name, encoding)
    except MissingFile as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _read(ref: FileRef, flag: str, *, encoded: bool = False) -> Any:
    try:
        return ref.encoded() if encoded else ref.read()
    except MissingFile as exc:
        raise UsageError(f"{flag}: {exc}") from None


_STEP = r"(?:\.[^.\[\]]+|\[\d+\])"
_PATH = re.compile(f"{_STEP}+")


def _steps(path: str) -> list[str | int]:
    """`input.images[0].b64_json` (or `$.input.images[0].b64_json`) as keys and indexes."""
    text = path[1:] if path.startswith("$") else path if path.startswith("[") else "." + path
    if not _PATH.fullmatch(text):
        raise UsageError(
            f"--file-field {path!r}: not a path like audio, input.image or images[0].data"
        )
    return [
        int(step[1:-1]) if step.startswith("[") else step[1:] for step in re.findall(_STEP, text)
    ]


def _put(body: Any, steps: list[str | int], value: str, path: str) -> Any:
    """Set `value` at `steps`, making the objects and lists on the way; a list grows by one."""
    holder: Any = body
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        fresh: Any = value if last else ([] if isinstance(steps[i + 1], int) else {})
        if isinstance(step, str) and isinstance(holder, dict):
            if last or step not in holder:
                holder[step] = fresh
        elif isinstance(step, int) and isinstance(holder, list):
            if step > len(holder):
                raise UsageError(
                    f"--file-field {path!r}: index {step} is past the end of a list of "
                    f"{len(holder)}"
                )
            if step == len(holder):
                holder.append(fresh)
            elif last:
                holder[step] = fresh
        else:
            what = "an object" if isinstance(step, str) else "a list"
            raise UsageError(
                f"--file-field {path!r}: the body holds {json_kind(holder)} where the path "
                f"needs {what}"
            )
        holder = holder[step]
    return body


def json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}
    return "null" if value is None else names.get(type(value), "a number")
