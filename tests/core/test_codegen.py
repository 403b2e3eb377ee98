"""Code export: exact strings for every language, and the code run for real against the emulator."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest
from openai.resources.chat.completions import Completions

from playground.core.errors import InvalidRequest
from playground.core.remote.remotes import Remote, Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.codegen import (
    OPENAI_PARAMS,
    export,
    languages,
    to_curl,
    to_httpx,
    to_openai,
    to_requests,
    to_truss_predict,
)
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer, demo

BASETEN = Remote.baseten()
LOCAL = Remote.local("http://127.0.0.1:8123")
ABC = Target("abc123")


# --- curl ----------------------------------------------------------------------------------------


def test_curl_predict_quotes_a_single_quote_in_the_body_and_keeps_extra_headers() -> None:
    spec = RequestSpec(
        "predict",
        Target("abc123", "environment", "staging"),
        {"text": "it's fine"},
        headers={"X-Trace": "a b"},
    )
    assert to_curl(spec, BASETEN) == (
        "curl -X POST https://model-abc123.api.baseten.co/environments/staging/predict \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -H 'X-Trace: a b' \\\n"
        "  -d '{\n"
        '  "text": "it\'"\'"\'s fine"\n'
        "}'"
    )


def test_curl_get_route_has_no_body() -> None:
    spec = RequestSpec("route", Target("abc123", "development"), None, "GET", "/health")
    assert to_curl(spec, LOCAL) == (
        "curl -X GET http://127.0.0.1:8123/model-abc123/development/sync/health \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY"'
    )


def test_curl_async_wraps_the_input_with_its_options() -> None:
    options = AsyncOptions(webhook_endpoint="https://example.com/hook", priority=1, max_attempts=3)
    spec = RequestSpec("async", ABC, {"prompt": "hi"}, async_options=options)
    assert to_curl(spec, BASETEN) == (
        "curl -X POST https://model-abc123.api.baseten.co/production/async_predict \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -d '{\n"
        '  "model_input": {\n'
        '    "prompt": "hi"\n'
        "  },\n"
        '  "webhook_endpoint": "https://example.com/hook",\n'
        '  "priority": 1,\n'
        '  "inference_retry_config": {\n'
        '    "max_attempts": 3\n'
        "  }\n"
        "}'"
    )


def test_curl_streaming_chat_on_model_apis_does_not_buffer() -> None:
    slug = "deepseek-ai/DeepSeek-V3.1"
    body = {"model": slug, "messages": [{"role": "user", "content": "Hi"}], "stream": True}
    spec = RequestSpec("chat", None, body, model_api=slug)
    assert to_curl(spec, BASETEN) == (
        "curl -X POST https://inference.baseten.co/v1/chat/completions \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -d '{\n"
        '  "model": "deepseek-ai/DeepSeek-V3.1",\n'
        '  "messages": [\n'
        "    {\n"
        '      "role": "user",\n'
        '      "content": "Hi"\n'
        "    }\n"
        "  ],\n"
        '  "stream": true\n'
        "}' \\\n"
        "  --no-buffer"
    )


def test_curl_url_with_a_query_is_quoted() -> None:
    spec = RequestSpec("route", ABC, None, "DELETE", "/items/1?force=true&x=1")
    assert to_curl(spec, BASETEN).splitlines()[0] == (
        "curl -X DELETE 'https://model-abc123.api.baseten.co/production/sync/items/1?force=true&x=1' \\"
    )


# --- Python --------------------------------------------------------------------------------------


def test_requests_predict() -> None:
    spec = RequestSpec("predict", ABC, {"prompt": "hi", "ok": True, "n": None, "xs": [1, 2]})
    assert to_requests(spec, BASETEN) == (
        "import os\n"
        "\n"
        "import requests\n"
        "\n"
        'api_key = os.environ["BASETEN_API_KEY"]\n'
        "\n"
        "resp = requests.post(\n"
        '    "https://model-abc123.api.baseten.co/production/predict",\n'
        '    headers={"Authorization": f"Api-Key {api_key}"},\n'
        "    json={\n"
        '        "prompt": "hi",\n'
        '        "ok": True,\n'
        '        "n": None,\n'
        '        "xs": [1, 2],\n'
        "    },\n"
        ")\n"
        "print(resp.text)\n"
    )


def test_requests_streaming_model_prints_chunks_as_they_come() -> None:
    spec = RequestSpec("predict", ABC, {"prompt": "hi", "stream": True}, headers={"X-A": "1"})
    assert to_requests(spec, BASETEN) == (
        "import os\n"
        "\n"
        "import requests\n"
        "\n"
        'api_key = os.environ["BASETEN_API_KEY"]\n'
        "\n"
        "with requests.post(\n"
        '    "https://model-abc123.api.baseten.co/production/predict",\n'
        "    headers={\n"
        '        "Authorization": f"Api-Key {api_key}",\n'
        '        "X-A": "1",\n'
        "    },\n"
        "    json={\n"
        '        "prompt": "hi",\n'
        '        "stream": True,\n'
        "    },\n"
        "    stream=True,\n"
        ") as resp:\n"
        '    resp.encoding = "utf-8"  # decode as it arrives, even a character split in two\n'
        "    for text in resp.iter_content(chunk_size=None, decode_unicode=True):\n"
        '        print(text, end="", flush=True)\n'
        "print()\n"
    )


def test_requests_streaming_chat_prints_the_deltas() -> None:
    body = {"model": "m", "messages": [], "stream": True}
    code = to_requests(RequestSpec("chat", ABC, body), BASETEN)
    assert code.startswith("import json\nimport os\n\nimport requests\n")
    assert code.endswith(
        "    for line in resp.iter_lines(decode_unicode=True):\n"
        '        if not line.startswith("data: ") or line == "data: [DONE]":\n'
        "            continue\n"
        '        chunk = json.loads(line.removeprefix("data: "))\n'
        '        for choice in chunk.get("choices", []):\n'
        '            print(choice["delta"].get("content") or "", end="", flush=True)\n'
        "print()\n"
    )


def test_httpx_delete_with_a_body_uses_request() -> None:
    target = Target("abc123", "deployment", "qvvndvx")
    spec = RequestSpec("route", target, {"force": True}, "DELETE", "/items/2")
    assert to_httpx(spec, BASETEN) == (
        "import asyncio\n"
        "import os\n"
        "\n"
        "import httpx\n"
        "\n"
        "\n"
        "async def main() -> None:\n"
        '    api_key = os.environ["BASETEN_API_KEY"]\n'
        "    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=1200.0)) as client:\n"
        "        resp = await client.request(\n"
        '            "DELETE",\n'
        '            "https://model-abc123.api.baseten.co/deployment/qvvndvx/sync/items/2",\n'
        '            headers={"Authorization": f"Api-Key {api_key}"},\n'
        "            json={\n"
        '                "force": True,\n'
        "            },\n"
        "        )\n"
        "        print(resp.text)\n"
        "\n"
        "\n"
        "asyncio.run(main())\n"
    )


def test_httpx_streaming_model() -> None:
    spec = RequestSpec("predict", Target("abc123", "regional", "prod-us"), {"stream": True})
    assert to_httpx(spec, BASETEN) == (
        "import asyncio\n"
        "import os\n"
        "\n"
        "import httpx\n"
        "\n"
        "\n"
        "async def main() -> None:\n"
        '    api_key = os.environ["BASETEN_API_KEY"]\n'
        "    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=1200.0)) as client:\n"
        "        async with client.stream(\n"
        '            "POST",\n'
        '            "https://model-abc123-prod-us.api.baseten.co/predict",\n'
        '            headers={"Authorization": f"Api-Key {api_key}"},\n'
        "            json={\n"
        '                "stream": True,\n'
        "            },\n"
        "        ) as resp:\n"
        "            async for text in resp.aiter_text():\n"
        '                print(text, end="", flush=True)\n'
        "        print()\n"
        "\n"
        "\n"
        "asyncio.run(main())\n"
    )


def test_async_export_says_where_the_output_goes() -> None:
    spec = RequestSpec("async", ABC, {"x": 1})
    for code in (to_requests(spec, BASETEN), to_httpx(spec, BASETEN)):
        assert "# The answer is a request id; the output goes to the webhook. Poll\n" in code


def test_openai_streaming_chat_sends_engine_parameters_as_extra_body() -> None:
    body = {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        "top_k": 5,
        "temperature": 0.2,
    }
    spec = RequestSpec("chat", Target("abc123", "development"), body)
    assert to_openai(spec, BASETEN) == (
        "import os\n"
        "\n"
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI(\n"
        '    api_key=os.environ["BASETEN_API_KEY"],\n'
        '    base_url="https://model-abc123.api.baseten.co/development/sync/v1",\n'
        ")\n"
        "\n"
        "stream = client.chat.completions.create(\n"
        '    model="demo-llm",\n'
        "    messages=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": "Hi",\n'
        "        },\n"
        "    ],\n"
        "    stream=True,\n"
        "    temperature=0.2,\n"
        "    extra_body={\n"
        '        "top_k": 5,\n'
        "    },\n"
        ")\n"
        "for chunk in stream:\n"
        "    if chunk.choices and chunk.choices[0].delta.content:\n"
        '        print(chunk.choices[0].delta.content, end="", flush=True)\n'
        "print()\n"
    )


def test_openai_model_api_with_headers() -> None:
    body = {"model": "org/x", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 64}
    spec = RequestSpec("chat", None, body, model_api="org/x", headers={"X-Trace": "1"})
    assert to_openai(spec, BASETEN) == (
        "import os\n"
        "\n"
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI(\n"
        '    api_key=os.environ["BASETEN_API_KEY"],\n'
        '    base_url="https://inference.baseten.co/v1",\n'
        "    default_headers={\n"
        '        "X-Trace": "1",\n'
        "    },\n"
        ")\n"
        "\n"
        "response = client.chat.completions.create(\n"
        '    model="org/x",\n'
        "    messages=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": "Hi",\n'
        "        },\n"
        "    ],\n"
        "    max_tokens=64,\n"
        ")\n"
        "print(response.choices[0].message.content)\n"
    )


def test_openai_without_a_model_says_what_to_put_there() -> None:
    code = to_openai(RequestSpec("chat", ABC, {"messages": []}), BASETEN)
    assert '    # the served model name, e.g. vLLM\'s --served-model-name\n    model="",\n' in code


def test_openai_parameters_are_the_sdks_own() -> None:
    accepted = set(inspect.signature(Completions.create).parameters)
    assert accepted >= OPENAI_PARAMS


# --- truss predict -------------------------------------------------------------------------------


def test_truss_predict_development_uses_model() -> None:
    spec = RequestSpec("predict", Target("abc123", "development"), {"prompt": "it's"})
    assert to_truss_predict(spec, BASETEN) == (
        "# truss reads the key from ~/.trussrc (or $BASETEN_API_KEY); it cannot call other\n"
        "# environments, deployments by id, regional hosts, async predict or custom routes.\n"
        "truss predict --remote baseten --model abc123 -d '{\n"
        '  "prompt": "it\'"\'"\'s"\n'
        "}'"
    )


def test_truss_predict_production_uses_published() -> None:
    spec = RequestSpec("predict", ABC, {"prompt": "hi"})
    assert to_truss_predict(spec, BASETEN) == (
        "# truss reads the key from ~/.trussrc (or $BASETEN_API_KEY); it cannot call other\n"
        "# environments, deployments by id, regional hosts, async predict or custom routes.\n"
        "# Run in the model's Truss directory: --published finds the model by the\n"
        "# model_name in config.yaml (it does not take --model) and calls production.\n"
        "truss predict --remote baseten --published -d '{\n"
        '  "prompt": "hi"\n'
        "}'"
    )


@pytest.mark.parametrize(
    ("spec", "remote", "reason"),
    [
        (
            RequestSpec("predict", Target("abc123", "environment", "staging"), {}),
            BASETEN,
            "truss predict calls the development deployment or production only, not environment staging.",
        ),
        (
            RequestSpec("predict", Target("abc123", "deployment", "qvvndvx"), {}),
            BASETEN,
            "truss predict cannot pin a deployment by id: its --model-deployment call ends up at the development deployment.",
        ),
        (
            RequestSpec("async", ABC, {}),
            BASETEN,
            "truss predict calls /predict only; this is Async predict on model abc123 · production.",
        ),
        (
            RequestSpec("predict", Target("c1", is_chain=True), {}),
            BASETEN,
            "truss predict calls models, not chains.",
        ),
        (
            RequestSpec("predict", ABC, {}),
            LOCAL,
            "truss predict finds models through Baseten's own API; it cannot call the server at http://127.0.0.1:8123.",
        ),
        (
            RequestSpec("predict", ABC, {}, headers={"X-A": "1"}),
            BASETEN,
            "truss predict cannot send extra headers (X-A).",
        ),
    ],
)
def test_truss_predict_says_why_it_does_not_apply(
    spec: RequestSpec, remote: Remote, reason: str
) -> None:
    truss = {lang.key: lang for lang in languages(spec, remote)}["truss"]
    assert not truss.applies
    assert truss.reason == reason
    with pytest.raises(ValueError, match="truss predict"):
        export("truss", spec, remote)


def test_languages_for_predict_and_chat() -> None:
    predict = {lang.key: lang for lang in languages(RequestSpec("predict", ABC, {}), BASETEN)}
    assert [k for k, lang in predict.items() if lang.applies] == [
        "curl",
        "requests",
        "httpx",
        "truss",
    ]
    assert predict["openai"].reason == (
        "The OpenAI SDK speaks OpenAI chat; this is Predict on model abc123 · production."
    )
    chat = languages(RequestSpec("chat", ABC, {"messages": []}), BASETEN)
    assert [lang.key for lang in chat if lang.applies] == ["curl", "requests", "httpx", "openai"]
    assert [lang.label for lang in chat] == [
        "curl",
        "Python requests",
        "Python httpx (async)",
        "OpenAI SDK (Python)",
        "truss predict",
        "OpenAI SDK, Responses API (Python)",
        "Anthropic SDK, Messages API (Python)",
    ]


def test_an_invalid_async_option_is_an_error_in_words() -> None:
    spec = RequestSpec("async", ABC, {}, async_options=AsyncOptions(priority=7))
    with pytest.raises(InvalidRequest, match="priority must be a whole number from 0 to 2"):
        to_curl(spec, BASETEN)


def test_every_python_export_compiles() -> None:
    specs = [
        RequestSpec("predict", ABC, {"a": [{"b": None}], "stream": True}),
        RequestSpec("async", ABC, {"a": 1}, async_options=AsyncOptions(priority=0)),
        RequestSpec("route", ABC, None, "GET", "/health", headers={"X-A": "1"}),
        RequestSpec("route", ABC, {"q": 'a "quoted" \\ word\n'}, "PATCH", "/items/1"),
        RequestSpec("chat", ABC, {"model": "m", "messages": [], "stream": True, "k": {}}),
    ]
    for spec in specs:
        for lang in languages(spec, BASETEN):
            if lang.applies and lang.key in ("requests", "httpx", "openai"):
                compile(export(lang.key, spec, BASETEN), f"<{lang.key}>", "exec")


# --- run for real --------------------------------------------------------------------------------


def _run(code: str, language: str, server: EmulatorServer) -> str:
    """Run exported code with the emulator's key in `BASETEN_API_KEY`; its standard output."""
    env = {**os.environ, "BASETEN_API_KEY": server.api_key}
    if language == "curl":  # a missing curl fails the test: a skip would go unseen
        assert shutil.which("curl"), "curl is not installed (bootstrap --test installs it)"
    command = ["bash", "-c", code] if language == "curl" else [sys.executable, "-c", code]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


CLASSIFY = RequestSpec("predict", Target(demo.CLASSIFIER), {"text": "it's great, I love it"})
ECHO = RequestSpec(
    "route", Target(demo.CUSTOM), {"q": 'it\'s "fine"'}, "POST", "/echo", headers={"X-Trace": "t 1"}
)
STORY = RequestSpec("predict", Target(demo.STREAMER), {"prompt": "a lighthouse", "stream": True})
CHAT_BODY: dict[str, Any] = {
    "model": "demo-llm",
    "messages": [{"role": "user", "content": "What is a cold start?"}],
    "stream": True,
}
CHAT = RequestSpec("chat", Target(demo.CHAT), CHAT_BODY)
SLUG = "playground/demo-chat"
MODEL_API = RequestSpec(
    "chat", None, {"model": SLUG, "messages": [{"role": "user", "content": "Hi"}]}, model_api=SLUG
)


@pytest.mark.parametrize("language", ["curl", "requests", "httpx"])
def test_exported_predict_runs(language: str, emulator: EmulatorServer) -> None:
    out = _run(export(language, CLASSIFY, Remote.local(emulator.base_url)), language, emulator)
    assert '"label": "positive"' in out


@pytest.mark.parametrize("language", ["curl", "requests", "httpx"])
def test_exported_route_sends_the_body_and_headers_intact(
    language: str, emulator: EmulatorServer
) -> None:
    out = _run(export(language, ECHO, Remote.local(emulator.base_url)), language, emulator)
    assert '"body": {"q": "it\'s \\"fine\\""}' in out
    assert '"x-trace": "t 1"' in out
    assert emulator.api_key not in out  # the echo drops Authorization; nothing else leaks it


@pytest.mark.parametrize("language", ["curl", "requests", "httpx"])
def test_exported_streaming_model_prints_the_story(language: str, emulator: EmulatorServer) -> None:
    out = _run(export(language, STORY, Remote.local(emulator.base_url)), language, emulator)
    assert "Once upon a time" in out
    assert "“a lighthouse”" in out  # UTF-8 intact across chunks


@pytest.mark.parametrize("language", ["requests", "httpx", "openai"])
def test_exported_streaming_chat_prints_the_answer(language: str, emulator: EmulatorServer) -> None:
    out = _run(export(language, CHAT, Remote.local(emulator.base_url)), language, emulator)
    assert "cold start" in out
    assert "data:" not in out  # the deltas, not the raw events


def test_exported_curl_chat_streams_events(emulator: EmulatorServer) -> None:
    out = _run(to_curl(CHAT, Remote.local(emulator.base_url)), "curl", emulator)
    assert out.startswith("data: {")
    assert out.rstrip().endswith("data: [DONE]")


def test_exported_openai_model_api_prints_the_answer(emulator: EmulatorServer) -> None:
    out = _run(to_openai(MODEL_API, Remote.local(emulator.base_url)), "openai", emulator)
    assert out.strip()
    assert not out.startswith("{")
