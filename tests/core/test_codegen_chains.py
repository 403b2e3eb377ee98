"""Code export for chains: run_remote and async_run_remote (the entrypoint's arguments, unwrapped),
as exact strings and run for real against the local server's demo chain."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from playground.core.remote.remotes import Remote, Target
from playground.core.request.codegen import export, to_curl, to_requests
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer, demo

BASETEN = Remote.baseten()
QUESTION = {"question": "How do I rotate my API key?"}


def test_curl_run_remote_on_a_chain_environment() -> None:
    spec = RequestSpec("predict", Target("c1", "environment", "staging", is_chain=True), QUESTION)
    assert to_curl(spec, BASETEN) == (
        "curl -X POST https://chain-c1.api.baseten.co/environments/staging/run_remote \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -d '{\n"
        '  "question": "How do I rotate my API key?"\n'
        "}'"
    )


def test_curl_async_run_remote_sends_the_arguments_unwrapped() -> None:
    spec = RequestSpec("async", Target("c1", is_chain=True), QUESTION)
    assert to_curl(spec, BASETEN) == (
        "curl -X POST https://chain-c1.api.baseten.co/production/async_run_remote \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -d '{\n"
        '  "question": "How do I rotate my API key?"\n'
        "}'"
    )


def test_requests_async_run_remote_on_a_deployment() -> None:
    spec = RequestSpec("async", Target("c1", "deployment", "d9", is_chain=True), QUESTION)
    assert to_requests(spec, BASETEN) == (
        "import os\n"
        "\n"
        "import requests\n"
        "\n"
        'api_key = os.environ["BASETEN_API_KEY"]\n'
        "\n"
        "# The answer is a request id; the output goes to the webhook. Poll\n"
        "# GET …/async_request/{request_id} for the status.\n"
        "resp = requests.post(\n"
        '    "https://chain-c1.api.baseten.co/deployment/d9/async_run_remote",\n'
        '    headers={"Authorization": f"Api-Key {api_key}"},\n'
        "    json={\n"
        '        "question": "How do I rotate my API key?",\n'
        "    },\n"
        ")\n"
        "print(resp.text)\n"
    )


def _run(code: str, language: str, server: EmulatorServer) -> str:
    env = {**os.environ, "BASETEN_API_KEY": server.api_key}
    if language == "curl":  # a missing curl fails the test: a skip would go unseen
        assert shutil.which("curl"), "curl is not installed (bootstrap --test installs it)"
    command = ["bash", "-c", code] if language == "curl" else [sys.executable, "-c", code]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("language", ["curl", "requests", "httpx"])
def test_exported_chain_calls_run(language: str, emulator: EmulatorServer) -> None:
    local = Remote.local(emulator.base_url)
    sync = RequestSpec("predict", Target(demo.CHAIN, is_chain=True), QUESTION)
    assert "answered in section 2" in _run(export(language, sync, local), language, emulator)
    queued = RequestSpec("async", Target(demo.CHAIN, is_chain=True), QUESTION)
    out = _run(export(language, queued, local), language, emulator)
    assert json.loads(out)["request_id"]  # queued: the answer is its request id


def test_the_window_form_sends_a_chain_async_call_without_options() -> None:
    from playground.core.request.form import RequestForm

    chain = Target("c1", is_chain=True)
    spec = RequestForm("async", QUESTION, priority=1).spec(chain)
    assert isinstance(spec, RequestSpec)
    assert spec.async_options is None
    assert spec.wire_body() == QUESTION
    refused = RequestForm("async", QUESTION, webhook="https://example.test/hook").spec(chain)
    assert refused == "A chain's async call takes its arguments only: clear the webhook."
    model = RequestForm("async", QUESTION, priority=1).spec(Target("m1"))
    assert isinstance(model, RequestSpec)
    assert model.async_options is not None
    assert model.async_options.priority == 1
