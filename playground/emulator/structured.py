"""Structured outputs: JSON generated from a `response_format`'s JSON Schema, valid against it.

The values are deterministic from the prompt (a seed drawn from its words), so the same question
gets the same answer. Covered: objects (`properties`, `required`, `additionalProperties`),
arrays (`items`, `prefixItems`, `minItems`/`maxItems`, `uniqueItems`), `enum`, `const`,
`anyOf`/`oneOf`/`allOf`, `$ref` into `$defs`/`definitions`, type lists, string `format`s,
`minLength`/`maxLength`, simple `pattern`s, and number bounds (`minimum`, `maximum`, exclusive,
`multipleOf`).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from typing import Any

from jsonschema import Draft202012Validator, SchemaError


class SchemaRequestError(Exception):
    """A `response_format` the engine refuses (400), in the engine's words."""


_FORMATS = {
    "date-time": "2026-12-05T12:00:00Z",
    "date": "2026-12-05",
    "time": "12:00:00Z",
    "email": "ada@example.com",
    "uri": "https://example.com/answer",
    "url": "https://example.com/answer",
    "uuid": "3f2c8a1e-5b7d-4c9a-8e21-0d6b4f9a7c13",
    "ipv4": "192.0.2.7",
    "ipv6": "2001:db8::7",
    "hostname": "example.com",
}
_MAX_DEPTH = 6


def check_response_format(response_format: Any) -> dict[str, Any] | None:
    """The JSON Schema to answer with (None for text/json_object); raises SchemaRequestError."""
    if not isinstance(response_format, dict):
        raise SchemaRequestError("Validation: `response_format` must be an object")
    kind = response_format.get("type")
    if kind in (None, "text", "json_object"):
        return None
    if kind != "json_schema":
        raise SchemaRequestError(f"Validation: unknown `response_format.type` {kind!r}")
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict):
        raise SchemaRequestError("Validation: `response_format.json_schema` is required")
    if not spec.get("name"):
        # The engine's words (baseten-api.md §5.5, observed).
        raise SchemaRequestError("Validation: `response_format.json_schema.name` cannot be empty")
    schema = spec.get("schema", {})
    if not isinstance(schema, dict):
        raise SchemaRequestError(
            "Validation: `response_format.json_schema.schema` must be a JSON object"
        )
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        raise SchemaRequestError(
            "Validation: `response_format.json_schema.schema` is not a valid JSON Schema "
            f"at {where}: {exc.message}"
        ) from None
    return schema


def generate(schema: dict[str, Any], prompt: str) -> Any:
    """A value valid against `schema`, the same for the same prompt."""
    seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:8], "big")
    words = [w.strip("“”\"'.,?!") for w in prompt.split()] or ["answer"]
    return _Generator(schema, random.Random(seed), [w for w in words if w] or ["answer"]).value(
        schema, "answer", 0
    )


class _Generator:
    def __init__(self, root: dict[str, Any], rng: random.Random, words: list[str]) -> None:
        self.root = root
        self.rng = rng
        self.words = words

    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
            ref = schema["$ref"]
            target: Any = self.root
            if ref != "#":
                if not ref.startswith("#/"):
                    return {}
                for part in ref[2:].split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    target = target.get(part, {}) if isinstance(target, dict) else {}
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest} if isinstance(target, dict) else target
            seen += 1
        return schema

    def value(self, schema: Any, name: str, depth: int) -> Any:
        schema = self.resolve(schema)
        if schema is True or not isinstance(schema, dict):
            return self.word()
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        if schema.get("allOf"):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self.resolve(part)
                if isinstance(part, dict):
                    merged = _merge(merged, part)
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.value(_merge(merged, rest), name, depth)
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                options = schema[key]
                # Deep down, prefer a leaf (null, a scalar) so recursive schemas end.
                if depth >= _MAX_DEPTH - 2:
                    options = sorted(options, key=lambda o: _weight(self.resolve(o)))[:1]
                choice = options[self.rng.randrange(len(options))]
                rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                return self.value(_merge(rest, self.resolve(choice)), name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or kind
            kind = "null" if depth >= _MAX_DEPTH and "null" in kind else kinds[0]
        if kind is None:
            kind = _implied_type(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self.string(schema, name)

    def word(self) -> str:
        return self.rng.choice(self.words)

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        names = list(props) if depth < _MAX_DEPTH else [n for n in props if n in required]
        for key in names:
            out[key] = self.value(props[key], key, depth + 1)
        extra = schema.get("additionalProperties", True)
        for key in required:
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, dict) else {}, key, depth + 1)
        minimum = schema.get("minProperties", 0)
        if isinstance(extra, dict) or extra is True:
            while len(out) < minimum:
                key = f"extra_{len(out)}"
                out[key] = self.value(extra if isinstance(extra, dict) else {}, key, depth + 1)
        return out

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, len(prefix), 3)))
        if depth >= _MAX_DEPTH:
            count = low
        else:
            count = min(high, max(low, len(prefix), 1 + self.rng.randrange(3)))
        items = schema.get("items", {})
        out: list[Any] = []
        for i in range(count):
            part = prefix[i] if i < len(prefix) else items
            value = self.value(part, name, depth + 1)
            if schema.get("uniqueItems"):
                for _ in range(20):
                    if value not in out:
                        break
                    value = self.value(part, name, depth + 1)
                if value in out:  # the item schema has too few values: stop if allowed
                    if len(out) >= low:
                        break
                    value = f"{value}-{i}" if isinstance(value, str) else value
            out.append(value)
        return out

    def integer(self, schema: dict[str, Any]) -> int:
        low, high = _bounds(schema, 1)
        lo, hi = math.ceil(low), math.floor(high)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first = math.ceil(lo / step) * step
            if first > hi:
                return first
            return first + step * self.rng.randrange((hi - first) // step + 1)
        return self.rng.randint(lo, hi) if lo <= hi else lo

    def number(self, schema: dict[str, Any]) -> float:
        step = schema.get("multipleOf")
        low, high = _bounds(schema, 0.01)
        if isinstance(step, int | float) and step > 0:
            return _multiple(low, high, float(step), self.rng)
        return round(low + (high - low) * self.rng.random(), 2) if high > low else low

    def string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            text = _FORMATS[fmt]
        else:
            count = 1 + self.rng.randrange(4)
            text = " ".join(self.word() for _ in range(count))
            pattern = schema.get("pattern")
            if isinstance(pattern, str):
                text = _for_pattern(pattern, text, self.words)
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        while len(text) < low:
            text += " " + self.word() if text else self.word()
        if isinstance(high, int):
            text = text[:high]
        return text


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if key == "properties" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list):
            out[key] = out[key] + [v for v in value if v not in out[key]]
        else:
            out[key] = value
    return out


def _weight(schema: Any) -> int:
    if not isinstance(schema, dict):
        return 1
    kind = schema.get("type")
    if kind == "null" or "const" in schema or "enum" in schema:
        return 0
    return 2 if kind in ("object", "array") or "$ref" in schema else 1


def _implied_type(schema: dict[str, Any]) -> str:
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema or "minItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    return "string"


def _bounds(schema: dict[str, Any], nudge: float) -> tuple[float, float]:
    """The closed range a number may take (exclusive bounds moved in by `nudge`)."""
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        edge = schema["exclusiveMinimum"] + nudge
        low = edge if low is None else max(low, edge)
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        edge = schema["exclusiveMaximum"] - nudge
        high = edge if high is None else min(high, edge)
    if low is None:
        low = 0 if high is None or high >= 0 else high - 100
    if high is None or high < low:
        high = low + 100 if high is None else low
    return float(low), float(high)


def _multiple(low: float, high: float, step: float, rng: random.Random) -> float:
    """A multiple of `step` in [low, high] that survives the validator's float division."""
    first = math.ceil(low / step)
    last = max(first, math.floor(high / step))
    for _ in range(50):
        value = round(rng.randint(first, last) * step, 10)
        quotient = value / step
        if int(quotient) == quotient and low <= value <= high:
            return value
    return first * step


_SIMPLE = re.compile(r"^\^?((?:\[[^\]]+\]|\\d|\\w|[A-Za-z0-9 _-])(?:\{\d+(?:,\d*)?\}|[+*?])?)+\$?$")


def _for_pattern(pattern: str, text: str, words: list[str]) -> str:
    """A string matching a simple pattern (character classes with counts); else a best try."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return text
    for candidate in (text, *words, "A1", "a", "1", "abc123", "ABC-123"):
        if compiled.search(candidate):
            return candidate
    if _SIMPLE.match(pattern):
        built = _build(pattern.strip("^$"))
        if built is not None and compiled.search(built):
            return built
    return text


_PIECE = re.compile(r"(\[[^\]]+\]|\\d|\\w|[A-Za-z0-9 _-])(\{(\d+)(?:,(\d*))?\}|[+*?])?")


def _build(pattern: str) -> str | None:
    out = []
    for match in _PIECE.finditer(pattern):
        atom, _, count, _ = match.groups()
        quant = match.group(2) or ""
        times = int(count) if count else (0 if quant in ("*", "?") else 1)
        if atom == r"\d":
            char = "7"
        elif atom == r"\w":
            char = "a"
        elif atom.startswith("["):
            body = atom[1:-1]
            char = body[0] if body and body[0] != "^" else "x"
        else:
            char = atom
        out.append(char * times)
    return "".join(out)
