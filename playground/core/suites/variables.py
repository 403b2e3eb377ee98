"""`{{name}}` placeholders filled from a dataset row, on the parsed JSON, never on its text.

Why not a template engine (Jinja2's sandbox was the candidate): an engine renders text, and a
JSON body rendered as text breaks on the first value holding a quote or a newline unless every
placeholder is escaped by hand; rendered value by value it still yields only strings, while a
placeholder standing for a whole JSON value must become the row's number, list or object. The
walk below does exactly that in a few lines, with nothing to sandbox: no expressions, no code.

- A string that is exactly `{{name}}` becomes the row's value as is (any JSON type).
- `{{name}}` inside a longer string is replaced by the value's text (a string as is, anything
  else as compact JSON); the result is a string whatever it holds, so quotes, newlines and
  non-ASCII never break the body (it is serialised once, by the client).
- `{{name|base64}}` and `{{name|data_url}}` read the file the row's value names (relative to the
  dataset's folder) and put it in as base64 or as a data URL (a FileRef: read and encoded when sent).
- Object keys are filled too; a missing variable is a `MissingVariable`, in words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playground.core.request.attachments import FileRef, MissingFile

PLACEHOLDER = re.compile(r"\{\{\s*([\w.-]+)\s*(?:\|\s*(base64|data_url)\s*)?\}\}")
MAX_FILE_BYTES = 50 * 1024 * 1024


class MissingVariable(ValueError):
    """A placeholder the row has no value for, or a file it names that cannot be read."""


def _file(value: Any, how: str, folder: Path) -> FileRef:
    """The file the row names, as the one file mechanism keeps it (core.request.attachments): a
    FileRef the client reads and encodes when it sends, so a row holds a token, not megabytes."""
    try:
        ref = FileRef.from_path(folder / str(value), "base64" if how == "base64" else "data-url")
    except MissingFile:
        raise MissingVariable(f"cannot read {value}: no such file in {folder}") from None
    if ref.size > MAX_FILE_BYTES:
        raise MissingVariable(f"{ref.name} is over {MAX_FILE_BYTES // 2**20} MB")
    return ref


def _value(match: re.Match[str], row: Mapping[str, Any], folder: Path) -> Any:
    name, how = match.group(1), match.group(2)
    if name not in row:
        raise MissingVariable(f"the row has no {name!r} for {{{{{name}}}}}")
    value = row[name]
    return _file(value, how, folder) if how else value


def _text(value: Any) -> str:
    if isinstance(value, FileRef):  # inside a longer string: the data itself, now
        return value.encoded()
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def fill_string(text: str, row: Mapping[str, Any], folder: Path = Path()) -> Any:
    """One string filled: the row's value itself for a lone placeholder, else a string."""
    whole = PLACEHOLDER.fullmatch(text)
    if whole:
        return _value(whole, row, folder)
    if "{{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: _text(_value(m, row, folder)), text)


def fill(value: Any, row: Mapping[str, Any], folder: Path = Path()) -> Any:
    """`value` (parsed JSON) with every placeholder filled from `row`; a new value."""
    if isinstance(value, str):
        return fill_string(value, row, folder)
    if isinstance(value, list):
        return [fill(item, row, folder) for item in value]
    if isinstance(value, dict):
        return {_text(fill_string(k, row, folder)): fill(v, row, folder) for k, v in value.items()}
    return value


def fill_headers(headers: Mapping[str, str], row: Mapping[str, Any]) -> dict[str, str]:
    """Header values filled (always as text; a line break or non-ASCII is refused, as HTTP would)."""
    out = {}
    for name, value in headers.items():
        text = _text(fill_string(value, row))
        if "\n" in text or "\r" in text:
            raise MissingVariable(f"the header {name} would hold a line break")
        if not text.isascii():
            raise MissingVariable(
                f"the header {name} would hold non-ASCII text, which HTTP refuses"
            )
        out[name] = text
    return out


def variables_in(value: Any) -> set[str]:
    """The names every placeholder in `value` uses."""
    if isinstance(value, str):
        return {m.group(1) for m in PLACEHOLDER.finditer(value)}
    if isinstance(value, list):
        return set().union(*(variables_in(v) for v in value)) if value else set()
    if isinstance(value, dict):
        found: set[str] = set()
        for k, v in value.items():
            found |= variables_in(k) | variables_in(v)
        return found
    return set()
