"""Presets from a Truss folder: `config.yaml`'s `model_metadata.example_model_input` and the examples
in `examples.yaml`, the inputs Baseten's own playground is seeded from."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from playground.core.files import FileProblem, read_text
from playground.core.presets.preset import DEFAULT_REMOTE, Preset, PresetError
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec

CONFIG = "config.yaml"
EXAMPLES = "examples.yaml"  # Truss's default; `examples_filename` in config.yaml may name another


def read_yaml(path: Path) -> Any:
    """The YAML in `path`; PresetError, with line and column, when it is not valid."""
    try:
        text = read_text(path)
    except FileProblem as exc:
        raise PresetError(f"{path.name} cannot be used: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "cannot be parsed"
        raise PresetError(f"{path.name} is not valid YAML: {problem}{where}") from None
    except yaml.YAMLError as exc:
        raise PresetError(f"{path.name} is not valid YAML: {exc}") from None
    except RecursionError:
        raise PresetError(f"{path.name} nests lists and maps too deeply to be read") from None
    except ValueError as exc:  # a number longer than Python converts (4,300 digits), a date
        reason = str(exc).split(";")[0]  # not the advice to change Python's limit
        raise PresetError(f"{path.name} holds a value that cannot be read: {reason}") from None


def presets_from_truss(
    folder: Path, target: Target, *, remote: str = DEFAULT_REMOTE
) -> list[Preset]:
    """One predict preset per example input in the Truss at `folder` (or its config.yaml), each
    sent to `target` (the model that Truss was pushed as)."""
    root = _truss_dir(Path(folder))
    config = _config(root)
    model_name = str(config.get("model_name") or root.name)
    found: list[tuple[str, Any]] = []
    metadata = config.get("model_metadata")
    if isinstance(metadata, dict) and metadata.get("example_model_input") is not None:
        found.append(("example input", metadata["example_model_input"]))
    examples_name = str(config.get("examples_filename") or EXAMPLES)
    examples_path = root / examples_name
    if examples_path.is_file():
        found.extend(_examples(read_yaml(examples_path), examples_name))
    if not found:
        raise PresetError(
            f"{model_name} has no example inputs: config.yaml has no "
            f"model_metadata.example_model_input and there is no example in {examples_name}"
        )
    return [
        Preset(
            f"{model_name}: {name}",
            RequestSpec("predict", target, _jsonable(model_input, f"{name!r}")),
            remote,
        )
        for name, model_input in found
    ]


def _truss_dir(path: Path) -> Path:
    return path.parent if path.is_file() else path


def _config(root: Path) -> dict[str, Any]:
    path = root / CONFIG
    if not path.is_file():
        raise PresetError(f"{root.name} is not a Truss: it has no {CONFIG}")
    config = read_yaml(path)
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise PresetError(f"{CONFIG} must hold a mapping of settings, not {type(config).__name__}")
    return config


def _examples(data: Any, source: str) -> list[tuple[str, Any]]:
    """Truss's form, a list of `{name, input}`; or, as older Truss docs had it, names to inputs."""
    if data is None:
        return []
    if isinstance(data, dict):
        return [(str(name), value) for name, value in data.items()]
    if not isinstance(data, list):
        raise PresetError(f"{source} must hold a list of examples, each with a name and an input")
    found = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or "input" not in item:
            raise PresetError(f"{source}: example {number} has no input (`- name: …` `input: …`)")
        found.append((str(item.get("name") or f"example {number}"), item["input"]))
    return found


def _jsonable(value: Any, where: str) -> Any:
    """YAML's values as JSON has them: dates as ISO text, keys as strings."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item, where) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, where) for item in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise PresetError(f"example {where} holds a {type(value).__name__}, which JSON cannot hold")
