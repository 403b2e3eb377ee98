"""Code export for the Responses and Messages APIs: exact strings, the SDKs' own arguments, and
the exported code run for real against the local server."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from typing import Any

import httpx
from anthropic.resources.messages import Messages
from openai.resources.responses import Responses

from playground.core.remote.remotes import Remote, Target
from playground.core.request.codegen import export, languages
from playground.core.request.codegen_apis import (
    MESSAGES_PARAMS,
    RESPONSES_PARAMS,
    to_anthropic_messages,
    to_openai_responses,
)
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer

BASETEN = Remote.baseten()
SLUG = "playground/demo-reasoner"


def spec(stream: bool, **extra: Any) -> RequestSpec:
    body = {
        "model": SLUG,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is a cold start?"},
        ],
        "stream": stream,
        **extra,
    }
    return RequestSpec("chat", None, body, model_api=SLUG)


def test_responses_export_streams_with_the_whole_history_as_input() -> None:
    assert to_openai_responses(spec(True, max_tokens=64, top_k=5), BASETEN) == (
        "import os\n"
        "\n"
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI(\n"
        '    api_key=os.environ["BASETEN_API_KEY"],\n'
        '    base_url="https://inference.baseten.co/v1",\n'
        ")\n"
        "\n"
        "stream = client.responses.create(\n"
        '    model="playground/demo-reasoner",\n'
        '    instructions="Be brief.",\n'
        "    input=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": "What is a cold start?",\n'
        "        },\n"
        "    ],\n"
        "    max_output_tokens=64,\n"
        "    extra_body={\n"
        '        "top_k": 5,\n'
        "    },\n"
        "    stream=True,\n"
        ")\n"
        "for event in stream:\n"
        '    if event.type == "response.output_text.delta":\n'
        '        print(event.delta, end="", flush=True)\n'
        "print()\n"
    )


def test_messages_export_sends_the_key_as_authorization() -> None:
    code = to_anthropic_messages(
        RequestSpec(
            "chat",
            None,
            {"model": "org/x", "messages": [{"role": "user", "content": "Hi"}], "stop": "."},
            model_api="org/x",
            headers={"X-Trace": "1"},
        ),
        BASETEN,
    )
    assert code == (
        "import os\n"
        "\n"
        "import anthropic\n"
        "\n"
        'api_key = os.environ["BASETEN_API_KEY"]\n'
        "# Baseten reads the key from Authorization, not from the SDK's x-api-key header.\n"
        "client = anthropic.Anthropic(\n"
        '    base_url="https://inference.baseten.co",\n'
        "    api_key=api_key,\n"
        "    default_headers={\n"
        '        "Authorization": f"Bearer {api_key}",\n'
        '        "X-Trace": "1",\n'
        "    },\n"
        ")\n"
        "\n"
        "message = client.messages.create(\n"
        '    model="org/x",\n'
        "    max_tokens=4096,\n"
        "    messages=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": "Hi",\n'
        "        },\n"
        "    ],\n"
        '    stop_sequences=["."],\n'
        ")\n"
        'print("".join(block.text for block in message.content if block.type == "text"))\n'
    )


def test_streaming_messages_export_uses_the_stream_helper() -> None:
    code = to_anthropic_messages(spec(True, temperature=0.2), BASETEN)
    assert "with client.messages.stream(\n" in code
    assert '    system="Be brief.",\n' in code
    assert '    extra_body={\n        "temperature": 0.2,\n    },\n' in code
    assert code.endswith(
        ") as stream:\n"
        "    for text in stream.text_stream:\n"
        '        print(text, end="", flush=True)\n'
        "print()\n"
    )


def test_the_parameters_are_the_sdks_own() -> None:
    assert set(inspect.signature(Responses.create).parameters) >= RESPONSES_PARAMS
    assert set(inspect.signature(Messages.create).parameters) >= MESSAGES_PARAMS


def test_they_apply_to_chat_with_a_model_api_only() -> None:
    model_api = {lang.key: lang for lang in languages(spec(False), BASETEN)}
    assert model_api["responses"].applies
    assert model_api["anthropic"].applies
    deployment = RequestSpec("chat", Target("abc123"), {"messages": []})
    reasons = {lang.key: lang.reason for lang in languages(deployment, BASETEN)}
    assert reasons["responses"] == (
        "Baseten serves the Responses API on Model APIs; this is OpenAI chat on model abc123 · production."
    )
    predict = {
        lang.key: lang.reason for lang in languages(RequestSpec("predict", Target("abc123"), {}))
    }
    assert predict["anthropic"].startswith("The Messages API is a chat API; this is Predict")


def _run(code: str, server: EmulatorServer) -> str:
    env = {**os.environ, "BASETEN_API_KEY": server.api_key}
    env.pop("ANTHROPIC_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _answer(server: EmulatorServer) -> str:
    response = httpx.post(
        server.base_url + "/inference/v1/chat/completions",
        json=spec(False).wire_body(),
        headers={"Authorization": f"Api-Key {server.api_key}", "X-Emulator-Fault": "delay=0"},
        trust_env=False,
    )
    return str(response.json()["choices"][0]["message"]["content"])


def test_exported_responses_and_messages_code_runs(emulator: EmulatorServer) -> None:
    remote = Remote.local(emulator.base_url)
    answer = _answer(emulator)
    for key in ("responses", "anthropic"):
        for stream in (True, False):
            out = _run(export(key, spec(stream), remote), emulator)
            assert out.strip() == answer, (key, stream)
