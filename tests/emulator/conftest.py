"""Fixtures for the emulator tests: clients already pointed at the session or a fresh server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from playground.emulator import EmulatorServer
from tests.emulator.helpers import client


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A client of the session server, authorised with `Api-Key`."""
    with client(emulator.base_url) as c:
        yield c


@pytest.fixture
def fresh_http(fresh_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A client of a server of its own (for tests that change the server's world)."""
    with client(fresh_emulator.base_url) as c:
        yield c
