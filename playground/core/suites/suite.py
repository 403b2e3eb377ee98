"""A suite file: one request, a dataset of rows, 1 to 6 targets and the checks each answer must
pass; plain YAML or JSON, versioned (`schema_version`, migrations like presets'), never a key.

    schema_version: 1
    name: Sentiment, staging against production
    remote: local                    (the default remote; each target may name its own)
    request: {preset: ../presets/sentiment-staging.json}   (a preset file or name, or inline)
    dataset: reviews.jsonl           (JSONL or CSV beside the suite; or `cases: [{…}, …]`)
    targets:                         (`Column.to_dict()` each: target or model_api, remote, …)
      - {target: {model: q8mz3kvd, environment: production}}
      - {target: {model: q8mz3kvd, environment: staging}}
    checks:                          (checks.py)
      - {status: 200}
      - {path: label, equals: "{{expected}}"}
    concurrency: 8                   (requests in flight overall)
    per_target: 4                    (in flight per target; 0: no limit of its own)
    repeats: 1
    timeout_s: 30                    (one request's deadline; 0: the client's own)
    files: {TOKEN: {path: x.png}}    (files in the request or cases, as a preset's `files`)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from playground.core.files import FileProblem, read_text
from playground.core.migrations import Migrations
from playground.core.request.attachments import FileRef, bind, files_from_dict, files_to_dict
from playground.core.request.spec import Column, RequestSpec
from playground.core.secrets import is_secret_header
from playground.core.suites.checks import Check, parse_checks

MAX_TARGETS = 6
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: Migrations[Migration] = Migrations("suite")


class SuiteError(ValueError):
    """A suite that cannot be read or run as written; the message says why, in words."""


@MIGRATIONS.step(0)
def _targets_were_columns(data: dict[str, Any]) -> dict[str, Any]:
    """Drafts before `schema_version` named the targets `columns`, as a comparison does."""
    if "columns" in data and "targets" not in data:
        data["targets"] = data.pop("columns")
    return data


SCHEMA_VERSION = MIGRATIONS.latest
PresetLookup = Callable[[str], RequestSpec]  # a preset's name → its request


@dataclass(frozen=True)
class Suite:
    """A suite as read: everything to run it, nothing secret. `folder` is where its dataset and
    media files are looked for."""

    name: str
    request: RequestSpec
    targets: tuple[Column, ...]
    checks: tuple[Check, ...] = ()
    dataset: str = ""  # a file beside the suite, or "" with `cases`
    cases: tuple[Mapping[str, Any], ...] = ()
    remote: str = "baseten"
    concurrency: int = 8
    per_target: int = 0
    repeats: int = 1
    timeout_s: float = 0.0
    folder: Path = field(default_factory=Path.cwd)
    # The file's content, migrated; stale once the view edits the suite (`replace`), so never
    # what a suite is compared by, nor what `suite_to_dict` writes.
    source: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= len(self.targets) <= MAX_TARGETS:
            raise SuiteError(f"a suite has 1 to {MAX_TARGETS} targets, not {len(self.targets)}")
        if self.concurrency < 1:
            raise SuiteError(f"concurrency is at least 1, not {self.concurrency}")
        if self.per_target < 0 or self.repeats < 1 or self.timeout_s < 0:
            raise SuiteError("per_target, repeats and timeout_s cannot be negative (repeats ≥ 1)")
        if self.request.mode == "async":
            raise SuiteError("async predict cannot be checked: its answer goes to a webhook")
        if not self.dataset and not self.cases:
            raise SuiteError("a suite needs a dataset (a JSONL or CSV file) or inline `cases`")

    @property
    def dataset_path(self) -> Path | None:
        return self.folder / self.dataset if self.dataset else None

    def labels(self) -> list[str]:
        return [f"{i + 1}. {column.label}" for i, column in enumerate(self.targets)]

    def with_targets(self, indices: list[int]) -> Suite:
        """The suite with only the targets at `indices`, in that order."""
        return replace(self, targets=tuple(self.targets[i] for i in indices))

    def with_concurrency(self, concurrency: int) -> Suite:
        return replace(self, concurrency=concurrency)


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise SuiteError(f"schema_version {version!r} is not a version Playground knows")
    if version > SCHEMA_VERSION:
        raise SuiteError(
            f"it was written by a newer Playground (schema_version {version}; this one reads "
            f"up to {SCHEMA_VERSION})"
        )
    for start, step in MIGRATIONS.after(version):
        data = step(dict(data))
        data["schema_version"] = start + 1
    return data


def _no_secret_headers(headers: Any, where: str) -> None:
    if isinstance(headers, Mapping):
        for name in headers:
            if is_secret_header(str(name)):
                raise SuiteError(
                    f"{where} sets the header {name}: a suite never holds a key (the remote's "
                    "own key is added when it is sent)"
                )


def _request(data: Any, folder: Path, presets: PresetLookup | None, first: Column) -> RequestSpec:
    if not isinstance(data, Mapping):
        raise SuiteError("`request` is an object: {preset: NAME} or a request")
    if "preset" in data:
        name = str(data["preset"])
        if name.endswith(".json"):
            from playground.core.presets.preset import Preset

            try:
                return Preset.from_text(read_text(folder / name)).request
            except (FileProblem, ValueError) as exc:
                raise SuiteError(f"the preset {name}: {exc}") from None
        if presets is None:
            raise SuiteError(f"the preset {name!r} cannot be looked up here (name a .json file)")
        try:
            return presets(name)
        except (LookupError, ValueError) as exc:
            raise SuiteError(f"the preset {name!r}: {exc}") from None
    _no_secret_headers(data.get("headers"), "the request")
    request = dict(data)
    if "target" not in request and "model_api" not in request:
        # The targets say where it goes: the request needs one only to be a valid request.
        if first.target is not None:
            from playground.core.request.spec import target_to_dict

            request["target"] = target_to_dict(first.target)
        else:
            request["model_api"] = first.model_api
    try:
        return RequestSpec.from_dict(request)
    except ValueError as exc:
        raise SuiteError(f"the request: {exc}") from None


def suite_from_dict(
    data: Mapping[str, Any], folder: Path, presets: PresetLookup | None = None
) -> Suite:
    """A suite from a file's parsed content; SuiteError in words for what is wrong."""
    if not isinstance(data, Mapping):
        raise SuiteError("a suite file holds an object (name, request, dataset, targets, checks)")
    migrated = migrate(dict(data))
    raw_targets = migrated.get("targets")
    if not isinstance(raw_targets, list) or not raw_targets:
        raise SuiteError("`targets` is a list of 1 to 6 targets")
    targets = []
    for i, raw in enumerate(raw_targets, start=1):
        if isinstance(raw, Mapping):
            _no_secret_headers(raw.get("headers"), f"target {i}")
            if "target" not in raw and "model_api" not in raw and "model" in raw:
                raw = {"target": dict(raw)}  # the short form: {model: ID, environment: NAME}
        try:
            targets.append(Column.from_dict(raw))
        except ValueError as exc:
            raise SuiteError(f"target {i}: {exc}") from None
    request = _request(migrated.get("request"), folder, presets, targets[0])
    cases = migrated.get("cases") or []
    if not isinstance(cases, list) or not all(isinstance(c, Mapping) for c in cases):
        raise SuiteError("`cases` is a list of objects, one per row")
    if refs := _files(migrated.get("files"), folder):
        request = replace(request, body=bind(request.body, refs))
        cases = [bind(dict(case), refs) for case in cases]
    try:
        checks = parse_checks(migrated.get("checks") or [])
        return Suite(
            name=str(migrated.get("name") or "suite"),
            request=request,
            targets=tuple(targets),
            checks=tuple(checks),
            dataset=str(migrated.get("dataset") or ""),
            cases=tuple(cases),
            remote=str(migrated.get("remote") or "baseten"),
            concurrency=int(migrated.get("concurrency", 8)),
            per_target=int(migrated.get("per_target", 0)),
            repeats=int(migrated.get("repeats", 1)),
            timeout_s=float(migrated.get("timeout_s", 0)),
            folder=folder,
            source=migrated,
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, SuiteError):
            raise
        raise SuiteError(str(exc)) from None


def _files(data: Any, folder: Path) -> dict[str, FileRef]:
    """The `files` table (as a preset's; pasted bytes as base64 too): each token's file."""
    if not data:
        return {}
    try:
        return files_from_dict(data, folder)
    except ValueError as exc:  # binascii.Error is one
        words = str(exc)
        raise SuiteError(words if words.startswith("files") else f"files: {words}") from None


def suite_to_dict(suite: Suite) -> dict[str, Any]:
    """The suite as `suite_from_dict` reads it back (with `suite.folder`) into an equal suite:
    made from its fields, never from `source` (the view edits suites with `replace`)."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "name": suite.name,
        "request": suite.request.to_dict(),
        "targets": [column.to_dict() for column in suite.targets],
        "checks": [{**check.spec, "name": check.name} for check in suite.checks],
        "dataset": suite.dataset,
        "cases": [dict(case) for case in suite.cases],
        "remote": suite.remote,
        "concurrency": suite.concurrency,
        "per_target": suite.per_target,
        "repeats": suite.repeats,
        "timeout_s": suite.timeout_s,
    }
    if files := files_to_dict([suite.request.body, data["cases"]], None, pasted=True):
        data["files"] = files
    return data


def load_suite(path: Path, presets: PresetLookup | None = None) -> Suite:
    """Read a suite file (.yaml, .yml or .json)."""
    try:
        text = read_text(path)
    except FileProblem as exc:
        raise SuiteError(f"{path}: {exc}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SuiteError(f"{path} is not valid {path.suffix.lstrip('.').upper()}: {exc}") from None
    return suite_from_dict(data, path.resolve().parent, presets)


def suite_text(data: Mapping[str, Any]) -> str:
    """A suite's content as YAML, keys in the order given, for a git-friendly file."""
    out = {
        "schema_version": SCHEMA_VERSION,
        **{k: v for k, v in data.items() if k != "schema_version"},
    }
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
