"""Where the app keeps its files: the user's config and data folders, from one place, overridable."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "playground"


def config_dir(override: Path | None = None) -> Path:
    """Settings and presets: `override` when given (tests pass `tmp_path`), else the platform's."""
    if override is not None:
        return override
    import platformdirs  # loaded when first needed, as keyring is: it costs start-up time

    return platformdirs.user_config_path(APP_NAME)


def data_dir(override: Path | None = None) -> Path:
    """What the app accumulates (the history): `override` when given, else the platform's."""
    if override is not None:
        return override
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)
