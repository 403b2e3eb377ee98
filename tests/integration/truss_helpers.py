"""The real Truss server (the `truss` package's own server code, from `.venv-truss`, which
`packaging/bootstrap --test` builds) serving tests/integration/truss_model on 127.0.0.1: started
for a module (`truss_server`, ready), or for one test that watches it load (`loading_truss`)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.core.api.client import BasetenClient
from playground.core.api.truss_ready import Readiness, truss_readiness
from playground.core.remote.remotes import Remote
from tests.core.helpers import run

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-truss"
MODEL_DIR = Path(__file__).parent / "truss_model"
SERVE = Path(__file__).parent / "truss_serve.py"


class TrussServer:
    """The package's server, started in `.venv-truss` by truss_serve.py; readiness as it went."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, seen: list[Readiness]) -> None:
        self.process, self.url, self.seen = process, url, seen

    def remote(self, name: str = "truss-local") -> Remote:
        return Remote.truss(self.url, name)


@contextlib.contextmanager
def started(work: Path, *, ready: bool = True) -> Iterator[TrussServer]:
    """A Truss server listening (and, with `ready`, done loading its model) in `work`."""
    if not (VENV / "bin" / "truss").exists():
        pytest.skip(f"{VENV} is missing: `packaging/bootstrap --test` builds it")
    # What the server's Docker image is built from, without Docker: its code, the model, config.
    subprocess.run(
        [VENV / "bin" / "truss", "image", "build-context", work / "app", MODEL_DIR],
        check=True,
        capture_output=True,
        timeout=60,
    )
    log = work / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VENV / "bin" / "python", SERVE, work / "app"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        port = _port_from(log, process)
        server = TrussServer(process, f"http://127.0.0.1:{port}", [])
        if ready:
            run(until_ready(server))
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def truss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrussServer]:
    with started(tmp_path_factory.mktemp("truss")) as server:
        yield server


@pytest.fixture
def loading_truss(tmp_path: Path) -> Iterator[TrussServer]:
    """A server of this test's own, listening but (for a second) still loading its model."""
    work = tmp_path / "truss"
    work.mkdir()
    with started(work, ready=False) as server:
        yield server


def _port_from(log: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("PORT "):
                return int(line.split()[1])
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"the Truss server did not start:\n{log.read_text(errors='replace')}")


async def until_ready(server: TrussServer) -> None:
    client = BasetenClient(server.remote(), "")
    try:
        for _ in range(600):
            readiness = await truss_readiness(client)
            if not server.seen or server.seen[-1] != readiness:
                server.seen.append(readiness)
            if readiness.is_ready:
                return
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()
    raise AssertionError(f"never ready: {server.seen}")
