"""Rows of the history read back: a list's rows, and one exchange's fields, where whatever cannot
be decoded (a file damaged, or edited by hand) is said in a note and never raised, so that one
bad row never hides the rest."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playground.core.files import FileProblem, parse_json

_TEXTS = ("remote", "url", "outcome", "request_id", "deployment_id", "error", "content_type")


@dataclass(frozen=True)
class ExchangeRow:
    """An exchange as a list shows it: no bodies."""

    id: int
    at: float
    mode: str
    target: str
    outcome: str
    status: int
    total_s: float | None
    request_id: str
    error: str
    response_size: int


def exchange_fields(row: sqlite3.Row) -> dict[str, Any]:
    """`Exchange(**fields)` for a row of `exchanges`, with `note` saying what could not be read
    (and was left empty) in words."""
    notes: list[str] = []
    response = row["response"]
    if isinstance(response, str):
        response = response.encode("utf-8", "surrogatepass")
    elif not isinstance(response, bytes):
        notes.append(f"The stored response is {_kind(response)}, not bytes; it is shown empty.")
        response = b""
    size = row["response_size"]
    return {
        "request": _json_object(row["request"], "request", notes),
        "metrics": _json_object(row["metrics"], "metrics", notes),
        **{name: _text(row[name]) for name in (*_TEXTS, "answer")},
        "status": _number(row["status"], int, 0),
        "response": response,
        "response_size": _number(size, int, None),
        "is_truncated": bool(row["truncated"]),
        "at": _number(row["at"], float, 0.0),
        "id": row["id"],
        "note": " ".join(notes),
    }


def _json_object(value: object, what: str, notes: list[str]) -> Mapping[str, Any]:
    try:
        data = parse_json(_text(value))
    except FileProblem as exc:
        notes.append(f"The stored {what} cannot be read ({exc}); it is shown empty.")
        return {}
    if not isinstance(data, dict):
        notes.append(f"The stored {what} is {_kind(data)}, not an object; it is shown empty.")
        return {}
    return data


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _number(value: object, kind: type[Any], default: Any) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _kind(value: object) -> str:
    names = {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }
    return "null" if value is None else names.get(type(value), f"a {type(value).__name__}")
