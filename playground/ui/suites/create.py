"""A suite made from the window's request: each string value of its body becomes a `{{name}}`
placeholder and the first (only) row of an inline dataset holds the value it replaced.

The placeholder replaces the whole string on the parsed body (never its text), so a value with
quotes, newlines or non-ASCII goes back exactly as it was when core fills the row in. `model` and
`role` stay as written: they say where a chat goes and who speaks, not what is asked."""

from __future__ import annotations

import re
from typing import Any

from playground.core.request.spec import Column, RequestSpec

KEPT = frozenset({"model", "role"})


def _name(path: list[str | int], taken: dict[str, Any]) -> str:
    words = [str(p) for p in path if isinstance(p, str)] or ["value"]
    base = re.sub(r"[^\w]+", "_", words[-1]).strip("_") or "value"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def variables_of(body: Any) -> tuple[Any, dict[str, Any]]:
    """`body` with each string value a placeholder, and the row of the values taken out."""
    row: dict[str, Any] = {}

    def walk(value: Any, path: list[str | int]) -> Any:
        if isinstance(value, dict):
            return {
                k: (v if k in KEPT and isinstance(v, str) else walk(v, [*path, k]))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v, [*path, i]) for i, v in enumerate(value)]
        if isinstance(value, str):
            name = _name(path, row)
            row[name] = value
            return "{{" + name + "}}"
        return value

    return walk(body, []), row


def suite_data(spec: RequestSpec, name: str = "From the window's request") -> dict[str, Any]:
    """A suite file's content: the request with placeholders, its target, one inline case."""
    body, row = variables_of(spec.body)
    request = spec.to_dict()
    request.pop("target", None)
    request.pop("model_api", None)
    request["body"] = body
    column = Column(spec.target, spec.model_api)
    return {
        "name": name,
        "request": request,
        "cases": [{"id": "1", **row}],
        "targets": [column.to_dict()],
        "checks": [{"status": 200}],
        "concurrency": 8,
    }
