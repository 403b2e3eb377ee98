"""The OpenAI SDK export of structured outputs, images, logprobs and reasoning effort: the exact
code, and the code run against the local server."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

from playground.core.remote.remotes import Remote, Target
from playground.core.request.attachments import FileRef, image_ref
from playground.core.request.codegen import export, to_openai
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer, demo
from playground.emulator.demo.llm import RED_PNG

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "score": {"type": "integer", "minimum": 1}},
    "required": ["answer", "score"],
    "additionalProperties": False,
}


def image_body(url: str) -> dict:
    return {
        "model": "baseten",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": url}},
                ],
            }
        ],
    }


def run_script(code: str, server: EmulatorServer) -> str:
    env = {**os.environ, "BASETEN_API_KEY": server.api_key, "NO_PROXY": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_image_from_a_file_is_read_when_the_script_runs() -> None:
    ref = FileRef(
        "⟨red dot.png · 70 B · data-url⟩",
        path=Path("/photos/red dot.png"),
        encoding="data-url",
        mime="image/png",
        size=70,
    )
    spec = RequestSpec("chat", Target("abc123"), image_body(ref))
    code = to_openai(spec, Remote.local("http://127.0.0.1:9"))
    assert code == (
        "import base64\n"
        "import os\n"
        "from pathlib import Path\n"
        "\n"
        "from openai import OpenAI\n"
        "\n"
        "\n"
        "def file_base64(path: str) -> str:\n"
        '    """The file at `path` as base64, read when this runs."""\n'
        "    return base64.b64encode(Path(path).read_bytes()).decode()\n"
        "\n"
        "\n"
        "client = OpenAI(\n"
        '    api_key=os.environ["BASETEN_API_KEY"],\n'
        '    base_url="http://127.0.0.1:9/model-abc123/production/sync/v1",\n'
        ")\n"
        "\n"
        "response = client.chat.completions.create(\n"
        '    model="baseten",\n'
        "    messages=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": [\n'
        "                {\n"
        '                    "type": "text",\n'
        '                    "text": "What is this?",\n'
        "                },\n"
        "                {\n"
        '                    "type": "image_url",\n'
        '                    "image_url": {\n'
        '                        "url": "data:image/png;base64," + file_base64("/photos/red dot.png"),\n'
        "                    },\n"
        "                },\n"
        "            ],\n"
        "        },\n"
        "    ],\n"
        ")\n"
        "print(response.choices[0].message.content)\n"
    )
    assert "base64," + RED_PNG.partition(",")[2] not in code


def test_an_image_not_from_a_file_stays_inline() -> None:
    spec = RequestSpec("chat", Target("abc123"), image_body(RED_PNG))
    code = to_openai(spec, Remote.local("http://127.0.0.1:9"))
    assert f'                        "url": "{RED_PNG}",\n' in code
    assert "import base64" not in code


def test_response_format_logprobs_and_effort_are_the_sdks_arguments() -> None:
    body = {
        "model": "demo-reasoner",
        "messages": [{"role": "user", "content": "Hi"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "rated", "schema": {"type": "object"}, "strict": True},
        },
        "logprobs": True,
        "top_logprobs": 2,
        "reasoning_effort": "high",
    }
    code = to_openai(RequestSpec("chat", Target("abc123"), body), Remote.local("http://h"))
    assert code.endswith(
        '    model="demo-reasoner",\n'
        "    messages=[\n"
        "        {\n"
        '            "role": "user",\n'
        '            "content": "Hi",\n'
        "        },\n"
        "    ],\n"
        "    response_format={\n"
        '        "type": "json_schema",\n'
        '        "json_schema": {\n'
        '            "name": "rated",\n'
        '            "schema": {\n'
        '                "type": "object",\n'
        "            },\n"
        '            "strict": True,\n'
        "        },\n"
        "    },\n"
        "    logprobs=True,\n"
        "    top_logprobs=2,\n"
        '    reasoning_effort="high",\n'
        ")\n"
        "print(response.choices[0].message.content)\n"
        "for token in response.choices[0].logprobs.content:\n"
        '    print(f"{token.logprob:8.3f}  {token.token!r}")\n'
    )
    assert "extra_body" not in code


def test_exported_image_script_runs_against_the_local_server(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "red.png"
    path.write_bytes(base64.b64decode(RED_PNG.partition(",")[2]))
    spec = RequestSpec("chat", Target(demo.VISION), image_body(image_ref(path)))
    code = export("openai", spec, Remote.local(emulator.base_url))
    assert str(path) in code
    assert RED_PNG.partition(",")[2] not in code
    out = run_script(code, emulator)
    assert out == "The image is a PNG image, 2 × 2 pixels, mostly red (#ff0000).\n"


def test_exported_schema_and_logprobs_script_runs(emulator: EmulatorServer) -> None:
    body = {
        "model": "baseten",
        "messages": [{"role": "user", "content": "Rate this"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": SCHEMA}},
        "logprobs": True,
    }
    code = export(
        "openai", RequestSpec("chat", Target(demo.CHAT), body), Remote.local(emulator.base_url)
    )
    lines = run_script(code, emulator).splitlines()
    Draft202012Validator(SCHEMA).validate(json.loads(lines[0]))
    assert len(lines) > 3
    assert all(float(line.split()[0]) <= 0 for line in lines[1:])
