"""Code export: a request as curl, Python `requests`, async `httpx`, the OpenAI SDK or `truss
predict`, with `$BASETEN_API_KEY` where the key goes (the key itself is never known here)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playground.core.remote.remotes import Remote
from playground.core.request import codegen_apis
from playground.core.request.attachments import has_files
from playground.core.request.codegen_files import curl_body, py_helper, py_imports
from playground.core.request.codegen_llm import logprob_lines
from playground.core.request.literals import KEY_ENV as KEY_ENV
from playground.core.request.literals import json_text, py_literal
from playground.core.request.spec import RequestSpec
from playground.core.secrets import REDACTOR

CURL_AUTH = f'-H "Authorization: Api-Key ${KEY_ENV}"'
PY_AUTH = '"Authorization": f"Api-Key {api_key}"'
# The keyword arguments of the OpenAI SDK's `chat.completions.create` (a test checks each one
# against the installed SDK); anything else in a body goes through `extra_body`.
OPENAI_PARAMS = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "reasoning_effort",
        "response_format",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
    }
)
LABELS = {
    "curl": "curl",
    "requests": "Python requests",
    "httpx": "Python httpx (async)",
    "openai": "OpenAI SDK (Python)",
    "truss": "truss predict",
    "responses": "OpenAI SDK, Responses API (Python)",
    "anthropic": "Anthropic SDK, Messages API (Python)",
}


@dataclass(frozen=True)
class Language:
    """One export; `reason` says, in words, why it does not apply to a request ("" when it does)."""

    key: str
    label: str
    reason: str = ""

    @property
    def applies(self) -> bool:
        return not self.reason


def is_streaming(spec: RequestSpec) -> bool:
    """Whether the answer streams: a body with `"stream": true` (chat, or a streaming model)."""
    body = spec.body
    return spec.mode != "async" and isinstance(body, dict) and body.get("stream") is True


def _is_sse(spec: RequestSpec) -> bool:
    return spec.mode == "chat" and is_streaming(spec)


# --- literals ------------------------------------------------------------------------------------


def _headers_literal(spec: RequestSpec, level: int) -> str:
    if not spec.headers:
        return "{" + PY_AUTH + "}"
    pad = "    " * (level + 1)
    lines = [pad + PY_AUTH + ","]
    lines += [f"{pad}{py_literal(k)}: {py_literal(v)}," for k, v in spec.headers.items()]
    return "{\n" + "\n".join(lines) + "\n" + "    " * level + "}"


def _call_args(spec: RequestSpec, remote: Remote, level: int) -> list[str]:
    """The URL, headers and JSON body as argument lines indented by `level` * 4 spaces."""
    pad = "    " * level
    lines = [
        f"{pad}{py_literal(spec.url(remote))},",
        f"{pad}headers={_headers_literal(spec, level)},",
    ]
    body = spec.wire_body()
    if body is not None:
        lines.append(f"{pad}json={py_literal(body, level)},")
    return lines


# --- curl ----------------------------------------------------------------------------------------


def to_curl(spec: RequestSpec, remote: Remote) -> str:
    """A curl command in the shape of Baseten's docs; bodies are pretty and single-quoted."""
    parts = [f"curl -X {spec.http_method} {shlex.quote(spec.url(remote))}", CURL_AUTH]
    body = spec.wire_body()
    if body is not None and not any(k.lower() == "content-type" for k in spec.headers):
        parts.append('-H "Content-Type: application/json"')
    parts += ["-H " + shlex.quote(f"{name}: {value}") for name, value in spec.headers.items()]
    files = curl_body(body, json_text)
    if files is not None:  # the body is printed with each file's base64 and piped in
        parts.append(files[1])
    elif body is not None:
        parts.append("-d " + shlex.quote(json_text(body)))
    if is_streaming(spec):
        parts.append("--no-buffer")  # print chunks as they arrive, as Baseten's docs advise
    command = " \\\n  ".join(parts)
    return command if files is None else "\n".join(files[0]) + " | " + command


# --- Python: requests and httpx ------------------------------------------------------------------

_SSE_LOOP = [
    'if not line.startswith("data: ") or line == "data: [DONE]":',
    "    continue",
    'chunk = json.loads(line.removeprefix("data: "))',
    'for choice in chunk.get("choices", []):',
    '    print(choice["delta"].get("content") or "", end="", flush=True)',
]


def _helper(body: Any) -> list[str]:
    """The file helper after one blank line (which the imports end with): two blank lines."""
    helper = py_helper(body)
    return ["", *helper] if helper else []


def _indent(lines: list[str], level: int) -> list[str]:
    return [("    " * level + line) if line else "" for line in lines]


def _async_note(spec: RequestSpec) -> list[str]:
    if spec.mode != "async":
        return []
    return [
        "# The answer is a request id; the output goes to the webhook. Poll",
        "# GET …/async_request/{request_id} for the status.",
    ]


def to_requests(spec: RequestSpec, remote: Remote) -> str:
    """A script with `requests`; a streaming answer is printed as it arrives."""
    body = spec.wire_body()
    imports = py_imports(body, ["import json", "import os"] if _is_sse(spec) else ["import os"])
    lines = [*imports, "", "import requests", "", *_helper(body)]
    lines += [f'api_key = os.environ["{KEY_ENV}"]', ""]
    lines += _async_note(spec)
    method = spec.http_method.lower()
    if not is_streaming(spec):
        lines += [
            f"resp = requests.{method}(",
            *_call_args(spec, remote, 1),
            ")",
            "print(resp.text)",
        ]
        return "\n".join(lines) + "\n"
    lines += [
        f"with requests.{method}(",
        *_call_args(spec, remote, 1),
        "    stream=True,",
        ") as resp:",
    ]
    lines.append(
        '    resp.encoding = "utf-8"  # decode as it arrives, even a character split in two'
    )
    if _is_sse(spec):
        lines += [
            "    if resp.status_code != 200:",
            '        raise SystemExit(f"{resp.status_code}: {resp.text}")',
            "    for line in resp.iter_lines(decode_unicode=True):",
            *_indent(_SSE_LOOP, 2),
        ]
    else:
        lines += [
            "    for text in resp.iter_content(chunk_size=None, decode_unicode=True):",
            '        print(text, end="", flush=True)',
        ]
    return "\n".join([*lines, "print()"]) + "\n"


def to_httpx(spec: RequestSpec, remote: Remote) -> str:
    """An asyncio script with `httpx.AsyncClient`; a streaming answer is printed as it arrives."""
    body = spec.wire_body()
    imports = ["import asyncio", "import json", "import os"] if _is_sse(spec) else []
    lines = py_imports(body, imports or ["import asyncio", "import os"])
    lines += ["", "import httpx", "", "", *py_helper(body), "async def main() -> None:"]
    lines += [f'    api_key = os.environ["{KEY_ENV}"]']
    lines += _indent(_async_note(spec), 1)
    # Baseten holds a sync request up to 1200 s (a cold start can take minutes).
    lines.append(
        "    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=1200.0)) as client:"
    )
    method = spec.http_method
    if not is_streaming(spec):
        # httpx's delete() takes no body; request() does.
        if method == "DELETE" and spec.wire_body() is not None:
            lines += ["        resp = await client.request(", '            "DELETE",']
        else:
            lines.append(f"        resp = await client.{method.lower()}(")
        lines += [*_call_args(spec, remote, 3), "        )"]
        lines.append("        print(resp.text)")
    else:
        lines += [
            "        async with client.stream(",
            f'            "{method}",',
            *_call_args(spec, remote, 3),
            "        ) as resp:",
        ]
        if _is_sse(spec):
            lines += [
                "            if resp.status_code != 200:",
                "                await resp.aread()",
                '                raise SystemExit(f"{resp.status_code}: {resp.text}")',
                "            async for line in resp.aiter_lines():",
                *_indent(_SSE_LOOP, 4),
            ]
        else:
            lines += [
                "            async for text in resp.aiter_text():",
                '                print(text, end="", flush=True)',
            ]
        lines.append("        print()")
    lines += ["", "", "asyncio.run(main())"]
    return "\n".join(lines) + "\n"


# --- OpenAI SDK ----------------------------------------------------------------------------------


def openai_base(spec: RequestSpec, remote: Remote) -> str:
    """`…/sync/v1` of the target, or the Model APIs base."""
    return spec.target.openai_base(remote) if spec.target else remote.model_apis_url()


def to_openai(spec: RequestSpec, remote: Remote) -> str:
    """The OpenAI Python SDK pointed at the deployment (or Model APIs), streaming when asked;
    an image that came from a file is read when the script runs (attachments' FileRef)."""
    reason = _openai_reason(spec)
    if reason:
        raise ValueError(reason)
    body: dict[str, Any] = spec.wire_body()
    lines = [*py_imports(body, ["import os"]), "", "from openai import OpenAI", ""]
    lines += [*_helper(body), "client = OpenAI("]
    lines += [
        f'    api_key=os.environ["{KEY_ENV}"],',
        f"    base_url={py_literal(openai_base(spec, remote))},",
    ]
    if spec.headers:
        lines.append(f"    default_headers={py_literal(dict(spec.headers), 1)},")
    lines += [")", ""]
    streaming = is_streaming(spec)
    lines.append(("stream" if streaming else "response") + " = client.chat.completions.create(")
    model = body.get("model", "")
    if not model:
        lines.append("    # the served model name, e.g. vLLM's --served-model-name")
    lines.append(f"    model={py_literal(model)},")
    extra = {}
    for name, value in body.items():
        if name == "model":
            continue
        if name == "messages" or name in OPENAI_PARAMS:
            lines.append(f"    {name}={py_literal(value, 1)},")
        else:
            extra[name] = value
    if extra:  # engine parameters the SDK has no argument for (top_k, chat_template_args …)
        lines.append(f"    extra_body={py_literal(extra, 1)},")
    lines.append(")")
    if streaming:
        lines += [
            "for chunk in stream:",
            "    if chunk.choices and chunk.choices[0].delta.content:",
            '        print(chunk.choices[0].delta.content, end="", flush=True)',
            "print()",
        ]
    else:
        lines.append("print(response.choices[0].message.content)")
    if body.get("logprobs"):
        lines += logprob_lines(streaming)
    return "\n".join(lines) + "\n"


# --- truss predict -------------------------------------------------------------------------------


def _is_local(remote: Remote) -> bool:
    return not remote.inference.startswith("https://{host}.")


def _truss_reason(spec: RequestSpec, remote: Remote | None) -> str:
    target = spec.target
    if spec.mode != "predict" or target is None:
        return f"truss predict calls /predict only; this is {spec.description}."
    if target.is_chain:
        return "truss predict calls models, not chains."
    if remote is not None and _is_local(remote):
        return (
            "truss predict finds models through Baseten's own API; "
            f"it cannot call the server at {remote.label}."
        )
    if has_files(spec.body):
        return (
            "truss predict takes the body inline; a body with files is exported as curl or "
            "Python, which read them when they run."
        )
    if spec.headers:
        return f"truss predict cannot send extra headers ({', '.join(spec.headers)})."
    if target.kind == "deployment":
        # truss's --model-deployment resolves the deployment, then still posts to
        # /development/predict unless --published, which it refuses alongside it.
        return (
            "truss predict cannot pin a deployment by id: its --model-deployment call "
            "ends up at the development deployment."
        )
    if target.kind in ("regional", "environment") and target.name != "production":
        return (
            "truss predict calls the development deployment or production only, "
            f"not {target.label}."
        )
    return ""


def to_truss_predict(spec: RequestSpec, remote: Remote) -> str:
    """`truss predict` for a model's development deployment (`--model ID`) or its production
    deployment (`--published`, run in the Truss directory)."""
    reason = _truss_reason(spec, remote)
    if reason:
        raise ValueError(reason)
    assert spec.target is not None  # _truss_reason says so
    lines = [
        f"# truss reads the key from ~/.trussrc (or ${KEY_ENV}); it cannot call other",
        "# environments, deployments by id, regional hosts, async predict or custom routes.",
    ]
    if spec.target.kind == "development":
        # With --model (and without --published) truss posts to /development/predict.
        command = (
            f"truss predict --remote {shlex.quote(remote.name)} --model {spec.target.model_id}"
        )
    else:
        lines += [
            "# Run in the model's Truss directory: --published finds the model by the",
            "# model_name in config.yaml (it does not take --model) and calls production.",
        ]
        command = f"truss predict --remote {shlex.quote(remote.name)} --published"
    lines.append(f"{command} -d {shlex.quote(json_text(spec.wire_body()))}")
    return "\n".join(lines)


# --- which apply ---------------------------------------------------------------------------------


def _openai_reason(spec: RequestSpec) -> str:
    if spec.mode != "chat":
        return f"The OpenAI SDK speaks OpenAI chat; this is {spec.description}."
    if not isinstance(spec.body, dict):
        return "The chat body is not a JSON object."
    return ""


EXPORTERS: dict[str, Callable[..., str]] = {
    "curl": to_curl,
    "requests": to_requests,
    "httpx": to_httpx,
    "openai": to_openai,
    "truss": to_truss_predict,
    "responses": codegen_apis.to_openai_responses,
    "anthropic": codegen_apis.to_anthropic_messages,
}


def languages(spec: RequestSpec, remote: Remote | None = None) -> tuple[Language, ...]:
    """Every export in a fixed order; those that do not apply carry the reason."""
    reasons = {"openai": _openai_reason(spec), "truss": _truss_reason(spec, remote)}
    reasons["responses"] = codegen_apis.api_reason(spec, "Responses API")
    reasons["anthropic"] = codegen_apis.api_reason(spec, "Messages API")
    return tuple(Language(key, label, reasons.get(key, "")) for key, label in LABELS.items())


def export(key: str, spec: RequestSpec, remote: Remote) -> str:
    """The code for `key` (one of `LABELS`); ValueError with the reason when it does not apply."""
    if key not in EXPORTERS:
        raise ValueError(f"unknown language {key!r}; one of {', '.join(LABELS)}")
    code = EXPORTERS[key](spec, remote)
    return REDACTOR.text(code)  # a body typed with the key in it
