"""The flags that point a `playground` command at the local server."""

from __future__ import annotations

import pytest

from playground.emulator import EmulatorServer


@pytest.fixture
def base(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The flags that point a command at the local server, with its key in the environment."""
    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    return ["--base-url", emulator.base_url]
