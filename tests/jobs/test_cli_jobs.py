"""`playground jobs`, `playground logs` and `playground inbox --add-secret` against the local
server, in-process, reading their JSON lines."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from playground.core.jobs.webhook_secrets import load_secrets
from playground.emulator import EmulatorServer, demo
from tests.integration.helpers import run
from tests.jobs.helpers import hold


@pytest.fixture
def local(fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("BASETEN_API_KEY", fresh_emulator.api_key)
    return ["--base-url", fresh_emulator.base_url]


def submit(capsys: pytest.CaptureFixture[str], local: list[str], *extra: str) -> dict[str, Any]:
    code, lines, err = run(
        capsys, "call", "--model", demo.CLASSIFIER, "-d", '{"text": "I love it"}', "--async",
        *extra, *local,
    )  # fmt: skip
    assert code == 0, err
    (submitted,) = lines
    return submitted


def test_call_async_is_a_job_listed_and_watched(
    capsys: pytest.CaptureFixture[str], local: list[str]
) -> None:
    submitted = submit(capsys, local, "--priority", "1", "--max-attempts", "2")
    assert submitted["job"] >= 1
    code, lines, _ = run(capsys, "jobs", "watch", submitted["request_id"], *local)
    assert code == 0
    assert lines[0]["event"] == "watching"
    assert lines[-1]["status"] == "SUCCEEDED"
    code, lines, _ = run(capsys, "jobs", "list")
    assert code == 0
    (job,) = lines
    assert job["request_id"] == submitted["request_id"]
    assert job["status"] == "SUCCEEDED"
    assert job["options"] == {"priority": 1, "max_attempts": 2}
    assert [s for s, _ in job["timeline"]][-1] == "SUCCEEDED"
    assert "Baseten keeps no output" in job["summary"]


def test_jobs_cancel_while_queued(
    capsys: pytest.CaptureFixture[str], local: list[str], fresh_emulator: EmulatorServer
) -> None:
    hold(fresh_emulator, 1.0)
    submit(capsys, local)
    queued = submit(capsys, local)
    code, lines, _ = run(capsys, "jobs", "cancel", str(queued["job"]), *local)
    assert code == 0
    assert lines == [
        {
            "event": "cancel",
            "request_id": queued["request_id"],
            "canceled": True,
            "message": "Request canceled.",
            "status": "CANCELED",
        }
    ]
    code, lines, _ = run(capsys, "jobs", "cancel", queued["request_id"], *local)
    assert code == 1
    assert lines[0]["canceled"] is False
    assert "Only QUEUED requests can be canceled; this one is CANCELED" in lines[0]["message"]
    code, _, err = run(capsys, "jobs", "watch", "nope", *local)
    assert code == 2
    assert "no job 'nope'" in err


def test_logs_of_a_request_id(
    capsys: pytest.CaptureFixture[str], local: list[str], fresh_emulator: EmulatorServer
) -> None:
    submitted = submit(capsys, local)
    run(capsys, "jobs", "watch", submitted["request_id"], *local)
    request_id = submitted["request_id"]
    code, lines, _ = run(capsys, "logs", request_id, "--model", demo.CLASSIFIER, *local)
    assert code == 0
    messages = [line["message"] for line in lines]
    assert messages[0].startswith("Async request queued (priority 0")
    assert "Async request started" in messages
    assert any(m.startswith("Output: {") and "positive" in m for m in messages)
    assert {line["request_id"] for line in lines} == {request_id}
    assert {line["level"] for line in lines} >= {"INFO", "DEBUG"}
    assert all(line["time"].endswith("Z") for line in lines)
    # By deployment id, and only errors and up: none for a job that went well.
    deployment = fresh_emulator.emulator.state.queue.jobs[request_id].deployment.id
    code, lines, _ = run(
        capsys, "logs", request_id, "--model", demo.CLASSIFIER, "--deployment", deployment,
        "--min-level", "ERROR", *local,
    )  # fmt: skip
    assert code == 0
    assert lines == [{"event": "notice", "message": f"No log lines carry request id {request_id}."}]


def test_logs_of_a_failed_job_say_the_error(
    capsys: pytest.CaptureFixture[str], local: list[str], fresh_emulator: EmulatorServer
) -> None:
    fresh_emulator.emulator.state.set_model_faults(
        demo.CLASSIFIER, "job_fail=MODEL_PREDICT_ERROR,count=1"
    )
    submitted = submit(capsys, local)
    run(capsys, "jobs", "watch", submitted["request_id"], *local)
    code, lines, _ = run(
        capsys, "logs", submitted["request_id"], "--model", demo.CLASSIFIER,
        "--min-level", "ERROR", *local,
    )  # fmt: skip
    assert code == 0
    assert any("MODEL_PREDICT_ERROR" in line["message"] for line in lines)
    assert {line["level"] for line in lines} == {"ERROR"}


def test_logs_with_a_key_that_cannot_read_them(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", "invoke-only-key-42")
    code, lines, err = run(
        capsys, "logs", "abc", "--model", demo.CLASSIFIER, "--base-url", emulator.base_url
    )
    assert code != 0
    assert lines == []
    assert "This API key cannot read logs (403" in err
    assert "invoke-only key can call models but not read their logs" in err


def test_inbox_keeps_a_secret_from_stdin_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("whsec_from_stdin_12345\n"))
    code, lines, _ = run(capsys, "inbox", "--add-secret", "current")
    assert code == 0
    assert lines == [{"event": "secret_kept", "name": "current", "names": ["current"]}]
    assert load_secrets() == {"current": "whsec_from_stdin_12345"}
    code, _, err = run(capsys, "inbox", "--public-url", "http://not-https.example")
    assert code == 2
    assert "https://" in err
    code, lines, _ = run(capsys, "inbox", "--forget-secret", "current")
    assert lines[0]["names"] == []
    code, _, err = run(capsys, "inbox", "--port", "0")
    assert code == 2
    assert "no webhook secret is kept" in err


def test_a_new_process_picks_up_a_pending_job(
    capsys: pytest.CaptureFixture[str], local: list[str], fresh_emulator: EmulatorServer
) -> None:
    hold(fresh_emulator, 0.8)
    submit(capsys, local)
    pending = submit(capsys, local)  # queued behind the slow one when this "session" ends
    code, lines, _ = run(capsys, "jobs", "list")
    assert code == 0
    assert {job["status"] for job in lines} == {"QUEUED"}
    done = subprocess.run(
        [sys.executable, "-m", "playground", "jobs", "watch", pending["request_id"], *local],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    statuses = [json.loads(line)["status"] for line in done.stdout.splitlines()]
    assert statuses[0] == "QUEUED"
    assert statuses[-1] == "SUCCEEDED"
    assert run(capsys, "jobs", "list")[0] == 0
    _, lines, _ = run(capsys, "jobs", "list")
    kept = next(job for job in lines if job["request_id"] == pending["request_id"])
    assert kept["status"] == "SUCCEEDED"
    timeline = [s for s, _ in kept["timeline"]]
    # A 0.1 s run may pass between two polls: IN_PROGRESS is seen or not, nothing else differs.
    assert [s for s in timeline if s != "IN_PROGRESS"] == ["SENDING", "QUEUED", "SUCCEEDED"]
