"""Saved requests ("presets"): one plain, versioned JSON file each, with migrations between versions.

A file, keys in this order and nothing that equals its default:

    {
      "schema_version": 3,
      "name": "Sentiment on staging",
      "remote": "local",        (omitted for "baseten"; a remote's name, never a key)
      "request": {…},           (`RequestSpec.to_dict()`, which never holds a secret header;
                                a WebSocket session's is `{"mode": "websocket", "target": …,
                                "frames": [{"text": …} | {"json": …} | {"base64": …}, …]}`)
      "columns": […],           (only for a comparison: `Column.to_dict()` each)
      "files": {token: {"path": "samples/a.wav", "encoding": "base64"}}
                                (only when the body holds files: each by its path relative to
                                the preset's folder, never its bytes; see request.attachments)
    }

`store.PresetStore` keeps the files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from playground.core.files import FileProblem, UnreadableFile, parse_json, read_text
from playground.core.migrations import Migrations
from playground.core.request.attachments import bind, files_from_dict, files_to_dict
from playground.core.request.spec import Column, RequestSpec

DEFAULT_REMOTE = "baseten"
KEYS = ("schema_version", "name", "remote", "request", "columns", "files")


class PresetError(ValueError):
    """A preset that cannot be read, saved or found; the message says why, in words."""


class NewerPreset(PresetError):
    """Written by a newer Playground: left where it is, untouched, for that version to read."""


class UnreadablePreset(PresetError):
    """A file that cannot be read at all (no permission, a folder, a pipe): nothing is known to be
    wrong with it, so it is left where it is."""


Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: Migrations[Migration] = Migrations("preset")


_REQUEST_FIELDS = ("mode", "target", "model_api", "method", "route", "async_options", "headers")


@MIGRATIONS.step(0)
def _request_in_an_object_of_its_own(data: dict[str, Any]) -> dict[str, Any]:
    """Files from before `schema_version` kept the request's fields beside the name, and the
    body under `input` (as Truss's examples do)."""
    if "request" in data:
        return data
    fields = (*_REQUEST_FIELDS, "body", "input")
    request = {key: data[key] for key in _REQUEST_FIELDS if key in data}
    if "body" in data or "input" in data:
        request["body"] = data.get("body", data.get("input"))
    out = {key: value for key, value in data.items() if key not in fields}
    out["request"] = request
    return out


@MIGRATIONS.step(1)
def _files_by_path(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 may keep files (`files`); a version 1 file has none, and a Playground that
    reads up to 1 would send a file's token as text, so it is told the file is newer."""
    return data


@MIGRATIONS.step(2)
def _websocket_sessions(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 may keep a WebSocket session (mode "websocket", its frames to send); a
    Playground that reads up to 2 would set such a file aside as broken, so it is told the
    file is newer and leaves it alone."""
    return data


SCHEMA_VERSION = MIGRATIONS.latest


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """`data` brought up to `SCHEMA_VERSION`, one registered step at a time."""
    version = data.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise PresetError(f"schema_version {version!r} is not a version Playground knows")
    if version > SCHEMA_VERSION:
        raise NewerPreset(
            f"it was written by a newer Playground (schema_version {version}; this one reads "
            f"up to {SCHEMA_VERSION}), so it is left as it is"
        )
    for start, step in MIGRATIONS.after(version):
        data = step(dict(data))
        data["schema_version"] = start + 1
    return data


def slug(name: str) -> str:
    """A file name for a preset's name: `Sentiment on staging` → `sentiment-on-staging`."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[\W_]+", "-", text).strip("-")
    return text[:64].rstrip("-") or "preset"


@dataclass(frozen=True)
class Preset:
    """A request saved under a name, for a named remote; a comparison has columns too."""

    name: str
    request: RequestSpec
    remote: str = DEFAULT_REMOTE
    columns: tuple[Column, ...] = ()

    def __post_init__(self) -> None:
        name = " ".join(self.name.split())  # one line, no stray spaces
        if not name:
            raise PresetError("a preset needs a name")
        if len(name) > 200:
            raise PresetError("a preset's name is at most 200 characters")
        object.__setattr__(self, "name", name)
        if not self.remote.strip():
            raise PresetError("a preset's remote needs a name (e.g. baseten)")
        object.__setattr__(self, "columns", tuple(self.columns))

    @property
    def is_comparison(self) -> bool:
        return bool(self.columns)

    @property
    def description(self) -> str:
        if self.is_comparison:
            return f"Compare {len(self.columns)} columns: {self.request.description}"
        return self.request.description

    def renamed(self, name: str) -> Preset:
        return replace(self, name=name)

    def to_dict(self, folder: Path | None = None) -> dict[str, Any]:
        """The file's content, in a stable order, with nothing that equals its default; files
        in the body are kept by their path relative to `folder` (where it is written)."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": self.name}
        if self.remote != DEFAULT_REMOTE:
            out["remote"] = self.remote
        out["request"] = self.request.to_dict()
        if self.columns:
            out["columns"] = [column.to_dict() for column in self.columns]
        try:
            files = files_to_dict(self.request.body, folder)
        except ValueError as exc:
            raise PresetError(f"{self.name!r}: {exc}") from None
        if files:
            out["files"] = files
        return out

    def to_text(self, folder: Path | None = None) -> str:
        """The file as written in `folder`: 2-space indent, UTF-8 as is, a trailing newline."""
        try:
            data = self.to_dict(folder)
            text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
        except PresetError:  # a file it cannot keep, said as is
            raise
        except ValueError:
            raise PresetError(
                f"{self.name!r} holds NaN or Infinity, which a JSON file cannot hold"
            ) from None
        except TypeError as exc:
            raise PresetError(f"{self.name!r} holds something JSON cannot: {exc}") from None
        except RecursionError:
            raise PresetError(f"{self.name!r} nests lists and objects too deeply") from None
        return text + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], folder: Path | None = None) -> Preset:
        """Any known version's form (migrated first); PresetError, in words, for anything else.
        Files are found from `folder` (the preset's); a missing one is said when it is sent."""
        if not isinstance(data, Mapping):
            raise PresetError(f"a preset must be a JSON object, not {_json_type(data)}")
        data = migrate(dict(data))
        unknown = [key for key in data if key not in KEYS]
        if unknown:
            raise PresetError(f"unknown key {unknown[0]!r} (a preset has {', '.join(KEYS)})")
        name, remote = data.get("name"), data.get("remote", DEFAULT_REMOTE)
        if not isinstance(name, str):
            raise PresetError("a preset needs a name (a string)")
        if not isinstance(remote, str):
            raise PresetError("remote must be a remote's name (a string)")
        if "request" not in data:
            raise PresetError("a preset needs a request")
        columns = data.get("columns", [])
        if not isinstance(columns, list):
            raise PresetError("columns must be a list")
        try:
            request = RequestSpec.from_dict(data["request"])
            refs = files_from_dict(data.get("files", {}), folder)
        except ValueError as exc:
            raise PresetError(f"request: {exc}") from None
        if refs:
            request = replace(request, body=bind(request.body, refs))
        try:
            parsed = tuple(Column.from_dict(column) for column in columns)
        except ValueError as exc:
            raise PresetError(f"columns: {exc}") from None
        return cls(name, request, remote, parsed)

    @classmethod
    def from_text(cls, text: str, folder: Path | None = None) -> Preset:
        """The preset `text` holds (its files found from `folder`); PresetError in words for
        anything else, however it fails."""
        try:
            data = parse_json(text)
        except FileProblem as exc:
            raise PresetError(str(exc)) from None
        try:
            return cls.from_dict(data, folder)
        except RecursionError:  # deep, but not too deep for json: too deep for the rest
            raise PresetError("it nests lists and objects too deeply to be used") from None


def read_preset(path: Path) -> Preset:
    """The preset in `path`; UnreadablePreset when the file cannot be read at all, PresetError
    saying what is wrong with what it holds."""
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise UnreadablePreset(str(exc)) from None
    except FileProblem as exc:
        raise PresetError(str(exc)) from None
    return Preset.from_text(text, path.parent)


def _json_type(value: object) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number"}
    names.update({bool: "true/false", type(None): "null"})
    return names.get(type(value), type(value).__name__)
