"""Where the app keeps its files: the one place that asks platformdirs, so tests can pass tmp_path."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "playground"


def config_dir() -> Path:
    """The user's config folder for Playground (`~/.config/playground` on Linux)."""
    import platformdirs  # imported on use: the window paints before it is needed

    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    """The user's data folder for Playground (`~/.local/share/playground` on Linux)."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def remotes_file() -> Path:
    """The remotes added by hand (Baseten is built in; ~/.trussrc's are read where they are)."""
    return config_dir() / "remotes.json"


def presets_dir() -> Path:
    """One JSON file per preset."""
    return config_dir() / "presets"


def example_presets_dirs() -> list[Path]:
    """Read-only example presets shipped with the app: inside the package once installed, or the
    checkout's `resources/presets` when run from source."""
    package = Path(__file__).resolve().parent.parent
    candidates = (package / "resources" / "presets", package.parent / "resources" / "presets")
    return [path for path in candidates if path.is_dir()]
