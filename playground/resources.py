"""The app's files (icon, stylesheet, example presets), found in a checkout, a wheel or a bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

APP_ID = "io.github.playground.Playground"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


class ResourcesMissing(FileNotFoundError):
    """Raised when no resources folder is found: the install is broken, not the user's input."""


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    found = [
        package / "_resources",  # a wheel (hatch force-include) and the PyInstaller bundle
        package.parent / "resources",  # a checkout, and an editable install of one
    ]
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle, however it was laid out
    if bundle:
        found.insert(0, Path(bundle) / "playground" / "_resources")
    return found


@cache
def root() -> Path:
    """The folder that holds icon.svg, style.qss, icons/ and presets/."""
    for folder in _candidates():
        if (folder / "style.qss").is_file():
            return folder
    looked = ", ".join(str(c) for c in _candidates())
    raise ResourcesMissing(f"Playground's resources are missing (looked in {looked})")


def path(name: str) -> Path:
    """A file in the resources folder, e.g. `path("icon.svg")`; raises if it is not there."""
    found = root() / name
    if not found.exists():
        raise ResourcesMissing(f"Playground's resource {name!r} is missing from {root()}")
    return found


def stylesheet() -> str:
    """The app-wide Qt stylesheet."""
    return path("style.qss").read_text(encoding="utf-8")


def icon_file(size: int) -> Path:
    return path(f"icons/playground-{size}.png")


def example_presets_dirs() -> list[Path]:
    """The folder of example presets, for a preset store's read-only examples (none if missing)."""
    try:
        return [path("presets")]
    except ResourcesMissing:
        return []


def example_presets() -> list[Path]:
    """The example presets for the demo catalogue, by file name."""
    return sorted(path("presets").glob("*.json"))


def icon() -> QIcon:
    """The app icon at every size it was rendered at (Qt picks one per use)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    result = QIcon()
    for size in ICON_SIZES:
        result.addFile(str(icon_file(size)), QSize(size, size))
    return result
