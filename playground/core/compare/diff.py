"""Differences between two answers: a structural, JSON-aware diff by path, and a word diff of text."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed"]
TextOpKind = Literal["equal", "insert", "delete", "replace"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words, runs of whitespace, and single other characters: joined back, they are the text again.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_SHORT = 60


def _short(value: Any) -> str:
    """A value in one short line, as JSON."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def child_path(path: str, key: str | int) -> str:
    """`$.choices[0].text`; a key that is not an identifier is quoted: `$["a b"]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


@dataclass(frozen=True)
class Change:
    """One difference at `path`: a key or item only in the second (added), only in the first
    (removed), or a different value, including a different JSON type (changed)."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        if self.kind == "added":
            return f"{self.path} added: {_short(self.new)}"
        if self.kind == "removed":
            return f"{self.path} removed (was {_short(self.old)})"
        if _json_type(self.old) != _json_type(self.new):
            return f"{self.path} changed from {_typed(self.old)} to {_typed(self.new)}"
        return f"{self.path} changed: {_short(self.old)} → {_short(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind != "added":
            out["old"] = self.old
        if self.kind != "removed":
            out["new"] = self.new
        return out


def _typed(value: Any) -> str:
    kind = _json_type(value)
    return kind if value is None else f"{kind} {_short(value)}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, Sequence):
        return "array"
    return type(value).__name__


def _same_scalar(a: Any, b: Any) -> bool:
    # JSON has one number type (1 equals 1.0), but true is not 1.
    return _json_type(a) == _json_type(b) and a == b


def json_diff(a: Any, b: Any, path: str = "$") -> list[Change]:
    """Every difference from `a` to `b`, in document order: the first's keys in its order, then
    keys only the second has; lists compared index by index."""
    changes: list[Change] = []
    _walk(a, b, path, changes)
    return changes


def _walk(a: Any, b: Any, path: str, out: list[Change]) -> None:
    kind_a, kind_b = _json_type(a), _json_type(b)
    if kind_a != kind_b:
        out.append(Change(path, "changed", a, b))
    elif kind_a == "object":
        for key in a:
            if key in b:
                _walk(a[key], b[key], child_path(path, str(key)), out)
            else:
                out.append(Change(child_path(path, str(key)), "removed", old=a[key]))
        out.extend(
            Change(child_path(path, str(key)), "added", new=b[key]) for key in b if key not in a
        )
    elif kind_a == "array":
        for i in range(min(len(a), len(b))):
            _walk(a[i], b[i], child_path(path, i), out)
        out.extend(Change(child_path(path, i), "removed", old=a[i]) for i in range(len(b), len(a)))
        out.extend(Change(child_path(path, i), "added", new=b[i]) for i in range(len(a), len(b)))
    elif not _same_scalar(a, b):
        out.append(Change(path, "changed", a, b))


def summarize(changes: Sequence[Change]) -> str:
    """`identical`, or how many paths differ and how: `3 differences: 1 added, 2 changed`."""
    if not changes:
        return "identical"
    counts = {
        kind: sum(c.kind == kind for c in changes) for kind in ("added", "removed", "changed")
    }
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    noun = "difference" if len(changes) == 1 else "differences"
    return f"{len(changes)} {noun}: {parts}"


@dataclass(frozen=True)
class TextOp:
    """One step from the first text to the second; `old` and `new` are the words involved."""

    kind: TextOpKind
    old: str = ""
    new: str = ""

    def to_dict(self) -> dict[str, str]:
        out: dict[str, str] = {"op": self.kind}
        if self.old:
            out["old"] = self.old
        if self.new:
            out["new"] = self.new
        return out


def words(text: str) -> list[str]:
    """`text` as words, whitespace runs and punctuation marks; `"".join(words(t)) == t`."""
    return _TOKENS.findall(text)


def text_diff(a: str, b: str) -> list[TextOp]:
    """Word-level steps that turn `a` into `b`; the equal steps are kept, so that joining each
    step's old side gives `a` and its new side gives `b`."""
    left, right = words(a), words(b)
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    ops: list[TextOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(left[i1:i2]), "".join(right[j1:j2])
        if tag == "equal":
            ops.append(TextOp("equal", old, new))
        elif tag == "insert":
            ops.append(TextOp("insert", new=new))
        elif tag == "delete":
            ops.append(TextOp("delete", old=old))
        else:
            ops.append(TextOp("replace", old, new))
    return ops


def text_summary(ops: Sequence[TextOp]) -> str:
    """`identical`, or how many words were inserted, deleted and replaced."""
    changed = [op for op in ops if op.kind != "equal"]
    if not changed:
        return "identical"
    counts: dict[str, int] = {}
    for op in changed:
        counts[op.kind] = counts.get(op.kind, 0) + 1
    names = {"insert": "inserted", "delete": "deleted", "replace": "replaced"}
    parts = ", ".join(f"{counts[k]} {names[k]}" for k in names if k in counts)
    noun = "passage" if len(changed) == 1 else "passages"
    return f"{len(changed)} changed {noun}: {parts}"


def similarity(ops: Sequence[TextOp]) -> float:
    """The share of words the two texts have in common, 0.0 to 1.0 (1.0 for two empty texts)."""
    same = sum(len(words(op.old)) for op in ops if op.kind == "equal")
    total = sum(len(words(op.old)) + len(words(op.new)) for op in ops)
    return 1.0 if total == 0 else 2 * same / total
