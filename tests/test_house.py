"""The house keeps its shape: no module over 450 lines, empty package `__init__` files (first
paint stays lazy), and core's public names listed once and each one real."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import playground.core as core

PACKAGE = Path(__file__).resolve().parents[1] / "playground"
MAX_LINES = 450
# Package __init__ files that may hold code: the version, core's lazy name table, the emulator's
# API and the demo catalogue's one list of feature modules (none of them on the first paint's way).
INITS_WITH_CODE = {
    "playground",
    "playground.core",
    "playground.emulator",
    "playground.emulator.demo",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_module_is_over_450_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines; split it by feature"


def test_main_window_stays_thin() -> None:
    lines = len((PACKAGE / "ui" / "main_window.py").read_text(encoding="utf-8").splitlines())
    assert lines < 300


def _has_code(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring is not code
    return bool(body)


def test_package_init_files_are_empty() -> None:
    full = [
        _name(path)
        for path in PACKAGE.rglob("__init__.py")
        if _name(path) not in INITS_WITH_CODE and _has_code(path)
    ]
    assert full == []


def test_core_lists_each_public_name_once_and_each_is_what_its_module_defines() -> None:
    assert len(core.__all__) == len(set(core.__all__))
    assert sorted(core.__all__) == sorted(core._WHERE)
    for name in core.__all__:
        module = importlib.import_module(f"playground.core.{core._WHERE[name]}")
        assert getattr(core, name) is getattr(module, name)
        assert getattr(module, name).__module__ == module.__name__, name
    assert set(core.__all__) <= set(dir(core))
    with pytest.raises(AttributeError):
        _ = core.NotAName  # type: ignore[attr-defined]


def test_core_init_imports_nothing_at_the_top() -> None:
    """Its names load on first use: the window paints before httpx is imported."""
    tree = ast.parse((PACKAGE / "core" / "__init__.py").read_text(encoding="utf-8"))
    imported = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("playground")
    ]
    assert imported == []
