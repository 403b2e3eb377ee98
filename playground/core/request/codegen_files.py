"""Code export of a body that holds files: the code reads each file when it runs (base64 of the
file, or a data URL of it) rather than carrying megabytes of it inline."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import Any

from playground.core.request.attachments import FileRef, has_files, map_leaves

B64_FUNCTION = "file_base64"
PY_IMPORTS = ("import base64", "from pathlib import Path")
PY_HELPER = [
    f"def {B64_FUNCTION}(path: str) -> str:",
    '    """The file at `path` as base64, read when this runs."""',
    "    return base64.b64encode(Path(path).read_bytes()).decode()",
]
_SENTINEL = "@@playground-file-{}@@"


def _prefix(ref: FileRef) -> str:
    return f"data:{ref.mime};base64," if ref.encoding == "data-url" else ""


def py_file(ref: FileRef) -> str:
    """The Python expression that gives what `ref` is sent as."""
    if ref.path is None:  # pasted bytes: nothing to read at run time
        return json.dumps(ref.encoded())
    call = f"{B64_FUNCTION}({json.dumps(str(ref.path), ensure_ascii=False)})"
    prefix = _prefix(ref)
    return f"{json.dumps(prefix)} + {call}" if prefix else call


def py_imports(body: Any, imports: list[str]) -> list[str]:
    """`imports` (the standard library's, one per line) with those the file helper needs."""
    if not has_files(body):
        return imports
    return sorted({*imports, *PY_IMPORTS}, key=lambda line: (line.startswith("from"), line))


def py_helper(body: Any) -> list[str]:
    """The helper's definition and two blank lines, when `body` holds a file."""
    return [*PY_HELPER, "", ""] if has_files(body) else []


def curl_body(body_text: Any, json_text: Callable[[Any], str]) -> tuple[list[str], str] | None:
    """For a body with files: the shell lines that print the JSON body (each file's base64 from
    the `base64` tool, newlines taken out) to pipe into curl, and curl's body argument; None
    for a body without files. `json_text` formats a body the way curl export does."""
    if not has_files(body_text):
        return None
    refs: list[FileRef] = []

    def sentinel(value: Any) -> Any:
        if isinstance(value, FileRef):
            refs.append(value)
            return _SENTINEL.format(len(refs) - 1)
        return value

    text = json_text(map_leaves(body_text, sentinel))
    lines = ["{"]
    for number, ref in enumerate(refs):
        before, _, text = text.partition(json.dumps(_SENTINEL.format(number)))
        lines.append(f"  printf '%s' {shlex.quote(before + chr(34) + _prefix(ref))}")
        if ref.path is None:
            lines.append(f"  printf '%s' {shlex.quote(ref.encoded())}")
        else:
            lines.append(f"  base64 < {shlex.quote(str(ref.path))} | tr -d '\\n'")
        text = '"' + text
    lines += [f"  printf '%s' {shlex.quote(text)}", "}"]
    return lines, "--data-binary @-"
