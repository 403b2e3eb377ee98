"""`playground emulator --invoke-only-key K`: a key that may call models but not read logs."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx


def test_an_invoke_only_key_calls_models_but_cannot_read_their_logs() -> None:
    command = [sys.executable, "-m", "playground", "emulator", "--port", "0", "--key", "k-1"]
    command += ["--invoke-only-key", "inv-1", "--log-level", "warning"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(7)]
        assert "  invoke-only key: inv-1" in "".join(lines)
        base = next(line.split()[-1] for line in lines if "base URL:" in line)
        invoke_only = {"Authorization": "Api-Key inv-1"}
        answer = _first_answer(
            f"{base}/model-q8mz3kvd/environments/production/predict", invoke_only
        )
        assert answer.status_code == 200
        request_id = answer.headers["x-baseten-request-id"]
        logs = f"{base}/api/v1/models/q8mz3kvd/environments/production/logs"
        refused = httpx.get(logs, headers=invoke_only, params={"request_id": request_id})
        assert refused.status_code == 403
        read = httpx.get(
            logs, headers={"Authorization": "Api-Key k-1"}, params={"request_id": request_id}
        )
        assert read.status_code == 200
        assert read.json()["logs"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _first_answer(url: str, headers: dict[str, str]) -> httpx.Response:
    """The server prints its URL just before it listens: a refused connect is tried again."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.post(url, headers=headers, json={"text": "great"}, timeout=10)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
