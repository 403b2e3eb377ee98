"""JSON as people type it and servers send it: one parse whose every failure is a `ValueError`
that says why and, where it can be known, at which line and column."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

__all__ = ["DEEP", "InvalidJson", "parse_json", "too_deep"]


class InvalidJson(ValueError):
    """Why a text is not JSON we can read; `line` and `column` are 1-based (characters), None
    where no single place is to blame (a nesting too deep to follow)."""

    def __init__(
        self, reason: str, line: int | None = None, column: int | None = None, pos: int = 0
    ) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(reason + where)
        self.reason = reason
        self.line = line
        self.column = column
        self.pos = pos  # index of the character at fault in the decoded text


def parse_json(data: str | bytes | bytearray) -> Any:
    """`json.loads`, but bytes may be UTF-8 (with or without a BOM), UTF-16 or UTF-32 as JSON
    allows, and bad input of any kind (not JSON, not text, nested too deeply, a number with more
    digits than Python reads) raises `InvalidJson`, never a RecursionError."""
    text = data if isinstance(data, str) else _decode(bytes(data))
    bom = text.startswith("\ufeff")  # pasted from a file saved "with BOM"
    try:
        return json.loads(text[1:] if bom else text)
    except json.JSONDecodeError as exc:
        shift = 1 if bom else 0
        column = exc.colno + shift if exc.lineno == 1 else exc.colno
        raise InvalidJson(exc.msg, exc.lineno, column, exc.pos + shift) from None
    except RecursionError:
        raise too_deep(text, DEEP) or InvalidJson(_DEEP_REASON) from None
    except ValueError as exc:  # int(): more digits than sys.get_int_max_str_digits()
        raise _too_many_digits(text, exc) from None


def _decode(data: bytes) -> str:
    encoding = json.detect_encoding(data)  # what json.loads does with bytes: a BOM, or NULs
    try:
        return data.decode(encoding, "surrogatepass")  # as json.loads decodes bytes
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        bad = " ".join(f"0x{byte:02x}" for byte in exc.object[exc.start : exc.end][:4])
        reason = f"not {name} text ({bad}: {exc.reason})"
        if not encoding.startswith("utf-8"):
            raise InvalidJson(reason) from None
        before = data[: exc.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        raise InvalidJson(reason, before.count(b"\n") + 1, column, exc.start) from None


# Lists and objects in lists and objects: Python's json gives up where its stack does (about a
# thousand levels); the place said is where the text first goes this deep.
DEEP = 500
_DEEP_REASON = "arrays or objects are nested too deeply to read"
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def too_deep(text: str, limit: int) -> InvalidJson | None:
    """Where `text` first nests more than `limit` levels (strings skipped), or None."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                line, column = _position(text, match.start())
                reason = f"{_DEEP_REASON} (more than {limit:,} levels)"
                return InvalidJson(reason, line, column, match.start())
        elif token in ("]", "}"):
            depth -= 1
    return None


def _position(text: str, index: int) -> tuple[int, int]:
    """The line and column (both from 1) of `index`, as json says them."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


_LONG_INTEGER = r"-?[1-9][0-9]{%d,}(?![0-9.eE])"


def _too_many_digits(text: str, exc: ValueError) -> InvalidJson:
    limit = sys.get_int_max_str_digits()
    found = re.search(_LONG_INTEGER % limit, text) if limit else None
    if found is None:  # not the digit limit after all: say what Python said
        return InvalidJson(str(exc))
    digits = len(found.group().lstrip("-"))
    reason = f"a number with {digits:,} digits ({limit:,} at most)"
    line, column = _position(text, found.start())
    return InvalidJson(reason, line, column, found.start())
