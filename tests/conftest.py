"""Shared fixtures: an isolated home for every test, and the local Baseten-compatible server on loopback."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

# Qt must never look for a display, whatever the shell says.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("LANG", "C.UTF-8")

from playground.core.secrets import REDACTOR
from playground.emulator import EmulatorServer, EmulatorSettings

WEBHOOK_SECRET = "whsec_test_secret"


# --- no skips in CI: a test that did not run is a gap nobody sees ---------------------------------


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _fail_a_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if on_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_a_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report() -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield  # a module skipped whole (pytest.importorskip, say)
    _fail_a_skip(report)
    return report


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the user's real config, data, keyring and ~/.trussrc."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("USER_TRUSSRC_PATH", str(home / ".trussrc"))
    monkeypatch.setenv("PLAYGROUND_AUDIO_BACKEND", "null")  # never the machine's speakers
    monkeypatch.delenv("BASETEN_API_KEY", raising=False)
    return home


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives and dies with one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture(autouse=True)
def test_keyring() -> Iterator[MemoryKeyring]:
    """Never the user's real keyring."""
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def forget_keys() -> Iterator[None]:
    """Each test masks the keys its own clients use, not every key the process has seen (what
    a stream holds back depends on them)."""
    before = REDACTOR.keys
    yield
    REDACTOR.replace_keys(before)


def fast_settings(**changes: Any) -> EmulatorSettings:
    """The demo world with waits shrunk so that tests take fractions of a second."""
    base: dict[str, Any] = {
        "api_keys": ["test-key-0123456789"],
        "webhook_secrets": [WEBHOOK_SECRET],
        "wake_seconds": 0.3,
        "load_seconds": 0.3,
        "async_run_seconds": 0.1,
        "time_scale": 0.01,
    }
    return EmulatorSettings(**{**base, **changes})


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One server for the session; tests that change its world use `fresh_emulator`."""
    settings = fast_settings(
        api_keys=["test-key-0123456789", "second-key-abcdef"],
        invoke_only_keys=["invoke-only-key-42"],
    )
    with EmulatorServer(settings) as server:
        yield server


@pytest.fixture
def fresh_emulator() -> Iterator[EmulatorServer]:
    """A server of its own, for tests that wake models, fill queues or set per-model faults."""
    with EmulatorServer(fast_settings()) as server:
        yield server
