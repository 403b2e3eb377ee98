"""Python and JSON literals for code export, black-style, and where the exported code finds the key."""

from __future__ import annotations

import json
from typing import Any

from playground.core.request.attachments import FileRef
from playground.core.request.codegen_files import py_file

KEY_ENV = "BASETEN_API_KEY"


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def py_literal(value: Any, level: int = 0) -> str:
    """`value` as Python source, black-style, for a line indented by `level` * 4 spaces."""
    pad = "    " * (level + 1)
    if isinstance(value, FileRef):  # read when the code runs, not pasted in
        return py_file(value)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{py_literal(str(k))}: {py_literal(v, level + 1)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(items) + "\n" + "    " * level + "}"
    if isinstance(value, list) and value:
        inline = "[" + ", ".join(py_literal(v) for v in value) + "]"
        if all(_is_scalar(v) for v in value) and len(inline) <= 60:
            return inline
        items = [f"{pad}{py_literal(v, level + 1)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + "    " * level + "]"
    if value is None or isinstance(value, bool):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # strings and numbers read the same in Python
