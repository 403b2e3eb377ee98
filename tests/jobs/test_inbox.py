"""The webhook inbox over real sockets: the local server's signed deliveries are verified, kept
and attached to their jobs; bad, missing, stale and rotated-out signatures are refused in
words and not kept; a payload is on disk before the 2xx (kill -9 right after loses nothing)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from playground.core.jobs.inbox import PATH, InboxServer, InboxSettings, Received, create_app
from playground.core.jobs.store import JobStore
from playground.core.jobs.verify import sign, verify
from playground.core.jobs.webhook_secrets import load_secrets, store_secret
from playground.core.request.asyncopts import AsyncOptions
from playground.emulator import EmulatorServer
from tests.conftest import WEBHOOK_SECRET, MemoryKeyring
from tests.jobs.helpers import CLASSIFIER, open_jobs, run_until_done, store_path

NEW, OLD = "whsec_new_one_0123456789", "whsec_old_one_9876543210"


def payload(request_id: str = "abc123", at: float | None = None) -> bytes:
    stamp = datetime.fromtimestamp(time.time() if at is None else at, UTC).isoformat()
    body = {
        "request_id": request_id,
        "model_id": "m",
        "deployment_id": "d",
        "type": "async_request_completed",
        "time": stamp.replace("+00:00", "Z"),
        "data": {"label": "positive"},
        "errors": [],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def signed(body: bytes, *secrets: str) -> dict[str, str]:
    return {"X-BASETEN-SIGNATURE": ",".join(sign(s, body) for s in secrets)}


# --- verify(): what the window's "Verify a webhook" shows ---------------------------------------


def test_verify_says_why() -> None:
    body = payload()
    kept = {"current": NEW}
    assert verify(signed(body, NEW), body, kept).ok
    assert verify(signed(body, NEW), body, kept).secret_name == "current"
    # During a rotation the header lists both; either kept secret verifies it.
    assert verify(signed(body, NEW, OLD), body, {"old": OLD}).ok
    cases = {
        "missing": ({}, "No X-BASETEN-SIGNATURE header"),
        "no v1": ({"X-BASETEN-SIGNATURE": "v0=abc"}, "holds no v1= signature"),
        "bad": ({"X-BASETEN-SIGNATURE": "v1=" + "0" * 64}, "None of the 1 signature(s) matches"),
        "rotated out": (signed(body, OLD), "signed with another secret"),
        "changed body": (signed(body + b" ", NEW), "the body was changed"),
    }
    for name, (headers, reason) in cases.items():
        result = verify(headers, body, kept)
        assert not result.ok, name
        assert reason in result.reason, (name, result.reason)
    stale = payload(at=time.time() - 3600)
    result = verify(signed(stale, NEW), stale, kept)
    assert not result.ok
    assert "3600 s old" in result.reason
    future = payload(at=time.time() + 900)
    assert "in the future" in verify(signed(future, NEW), future, kept).reason
    assert "No webhook secret is kept" in verify(signed(body, NEW), body, {}).reason


def test_secrets_live_in_the_keyring_only(test_keyring: MemoryKeyring) -> None:
    store_secret("current", NEW)
    store_secret("old", OLD)
    assert load_secrets() == {"current": NEW, "old": OLD}
    assert any(NEW in value for value in test_keyring.items.values())


# --- the inbox over sockets ----------------------------------------------------------------------


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, content=body, headers=headers)


def test_the_local_servers_webhook_is_verified_kept_and_attached(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    store_secret("local", WEBHOOK_SECRET)
    received: list[Received] = []

    async def main() -> str:
        async with open_jobs(fresh_emulator, store_path(tmp_path)) as jobs:
            app = create_app(
                jobs.store, on_received=lambda r: (received.append(r), jobs.received(r.job))
            )
            inbox = await InboxServer(app).start()
            jobs.watcher.inbox_endpoint = inbox.url
            try:
                job = await jobs.submit(
                    CLASSIFIER, {"text": "I love it"}, AsyncOptions(webhook_endpoint=inbox.url)
                )
                await run_until_done(jobs)
            finally:
                await inbox.stop()
            return job.request_id

    request_id = asyncio.run(main())
    store = JobStore(store_path(tmp_path))
    job = store.find(request_id)
    assert job is not None
    assert job.has_result
    assert job.result == {"label": "positive", "score": 0.99}
    assert job.status == "SUCCEEDED"
    (delivery,) = store.deliveries(request_id)
    assert delivery.verified_by == "local"
    assert delivery.json()["request_id"] == request_id
    assert [r.request_id for r in received] == [request_id]
    assert received[0].job is not None


def test_the_inbox_refuses_in_words_and_keeps_nothing(tmp_path: Path) -> None:
    store_secret("current", NEW)
    store = JobStore(store_path(tmp_path))

    async def main() -> list[tuple[int, Any]]:
        inbox = await InboxServer(create_app(store)).start()
        answers = []
        try:
            body = payload("unknown-job")
            stale = payload("stale", at=time.time() - 1000)
            for headers, data in (
                ({}, body),
                ({"X-BASETEN-SIGNATURE": "v1=" + "ab" * 32}, body),
                (signed(body, OLD), body),
                (signed(stale, NEW), stale),
                (signed(body, NEW), body),
            ):
                response = await post(inbox.url, data, headers)
                answers.append((response.status_code, response.json()))
        finally:
            await inbox.stop()
        return answers

    answers = asyncio.run(main())
    assert [code for code, _ in answers] == [401, 401, 401, 401, 200]
    assert "No X-BASETEN-SIGNATURE header" in answers[0][1]["error"]
    assert "None of the 1 signature(s) matches" in answers[1][1]["error"]
    assert "rotated out" in answers[2][1]["error"]
    assert "s old" in answers[3][1]["error"]
    # A payload for a job we do not know is kept all the same.
    assert answers[4][1] == {"kept": True, "request_id": "unknown-job", "job": None}
    assert [d.request_id for d in store.deliveries()] == ["unknown-job"]


INBOX_PROCESS = """
import os, sys, keyring
from tests.conftest import MemoryKeyring
memory = MemoryKeyring()
keyring.set_keyring(memory)
from playground.core.jobs.webhook_secrets import store_secret
store_secret("current", os.environ.pop("TEST_WEBHOOK_SECRET"))
from playground.cli.main import main
sys.exit(main(["inbox", "--port", "0"]))
"""


def test_a_payload_is_on_disk_before_the_2xx(isolated_home: Path) -> None:
    env = {**os.environ, "TEST_WEBHOOK_SECRET": NEW, "PYTHONPATH": os.getcwd()}
    with subprocess.Popen(
        [sys.executable, "-c", INBOX_PROCESS], stdout=subprocess.PIPE, env=env, text=True
    ) as process:
        try:
            assert process.stdout is not None
            listening = json.loads(process.stdout.readline())
            assert listening["event"] == "listening"
            assert listening["webhook_endpoint"] == listening["url"]
            assert listening["url"].endswith(PATH)
            body = payload("kill-me")
            response = httpx.post(listening["url"], content=body, headers=signed(body, NEW))
            assert response.status_code == 200
            process.send_signal(signal.SIGKILL)  # the moment the 2xx is in: no clean shutdown
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    assert process.returncode == -signal.SIGKILL
    store = JobStore(isolated_home / ".local" / "share" / "playground" / "history.sqlite3")
    (delivery,) = store.deliveries("kill-me")
    assert delivery.payload == body
    assert delivery.verified_by == "current"


def test_the_public_url_gives_the_webhook_endpoint() -> None:
    settings = InboxSettings.load()
    assert settings.webhook_endpoint(4567) == f"http://127.0.0.1:4567{PATH}"
    settings.public_url = "https://my-tunnel.example.dev/"
    settings.save()
    assert InboxSettings.load().webhook_endpoint() == f"https://my-tunnel.example.dev{PATH}"
