"""Code export for the Model APIs' other wires: the OpenAI SDK's `client.responses.create` and
the Anthropic SDK's `client.messages`, with the key sent as `Authorization` (what Baseten reads)."""

from __future__ import annotations

from typing import Any

from playground.core.remote.remotes import Remote
from playground.core.request.api_bodies import to_messages, to_responses
from playground.core.request.literals import KEY_ENV, py_literal
from playground.core.request.spec import RequestSpec

# The keyword arguments each SDK's `create` takes (a test checks them against the installed
# SDKs); anything else in a body goes through `extra_body`.
RESPONSES_PARAMS = frozenset(
    {
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "metadata",
        "parallel_tool_calls",
        "reasoning",
        "store",
        "stream",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "truncation",
        "user",
    }
)
MESSAGES_PARAMS = frozenset(
    {
        "max_tokens",
        "messages",
        "metadata",
        "stop_sequences",
        "system",
        "thinking",
        "tool_choice",
        "tools",
    }
)


def api_reason(spec: RequestSpec, api: str) -> str:
    """Why the `api` export does not apply to `spec`, in words ("" when it does)."""
    if spec.mode != "chat":
        return f"The {api} is a chat API; this is {spec.description}."
    if not isinstance(spec.body, dict):
        return "The chat body is not a JSON object."
    if spec.target is not None:
        return f"Baseten serves the {api} on Model APIs; this is {spec.description}."
    return ""


def _arguments(body: dict[str, Any], known: frozenset[str]) -> list[str]:
    """`model` first (with a hint when empty), then the SDK's own arguments, then `extra_body`."""
    lines = [f"    model={py_literal(body.get('model', ''))},"]
    extra = {}
    for name, value in body.items():
        if name == "model":
            continue
        if name in known:
            lines.append(f"    {name}={py_literal(value, 1)},")
        else:
            extra[name] = value
    if extra:  # engine parameters the SDK has no argument for (top_k, stop …)
        lines.append(f"    extra_body={py_literal(extra, 1)},")
    return lines


def to_openai_responses(spec: RequestSpec, remote: Remote) -> str:
    """The OpenAI SDK's Responses API on Model APIs: the whole history as `input` each call."""
    reason = api_reason(spec, "Responses API")
    if reason:
        raise ValueError(reason)
    body = to_responses(spec.chat_body())
    streaming = body.pop("stream", False) is True
    lines = ["import os", "", "from openai import OpenAI", "", "client = OpenAI("]
    lines += [
        f'    api_key=os.environ["{KEY_ENV}"],',
        f"    base_url={py_literal(remote.model_apis_url())},",
    ]
    if spec.headers:
        lines.append(f"    default_headers={py_literal(dict(spec.headers), 1)},")
    lines += [")", ""]
    lines.append(("stream" if streaming else "response") + " = client.responses.create(")
    lines += _arguments(body, RESPONSES_PARAMS)
    if streaming:
        lines += [
            "    stream=True,",
            ")",
            "for event in stream:",
            '    if event.type == "response.output_text.delta":',
            '        print(event.delta, end="", flush=True)',
            "print()",
        ]
    else:
        lines += [")", "print(response.output_text)"]
    return "\n".join(lines) + "\n"


def to_anthropic_messages(spec: RequestSpec, remote: Remote) -> str:
    """The Anthropic SDK's Messages API on Model APIs, as Baseten's docs call it: the key also
    in `Authorization`, since Baseten does not read the `x-api-key` header."""
    reason = api_reason(spec, "Messages API")
    if reason:
        raise ValueError(reason)
    body = to_messages(spec.chat_body())
    streaming = body.pop("stream", False) is True
    # The SDK adds /v1/messages itself.
    base = remote.model_apis_url().rstrip("/").removesuffix("/v1")
    headers = {"Authorization": "{AUTH}", **spec.headers}
    header_lines = py_literal(headers, 1).replace('"{AUTH}"', 'f"Bearer {api_key}"')
    lines = ["import os", "", "import anthropic", "", f'api_key = os.environ["{KEY_ENV}"]']
    lines += [
        "# Baseten reads the key from Authorization, not from the SDK's x-api-key header.",
        "client = anthropic.Anthropic(",
        f"    base_url={py_literal(base)},",
        "    api_key=api_key,",
        f"    default_headers={header_lines},",
        ")",
        "",
    ]
    if streaming:
        lines.append("with client.messages.stream(")
        lines += _arguments(body, MESSAGES_PARAMS)
        lines += [
            ") as stream:",
            "    for text in stream.text_stream:",
            '        print(text, end="", flush=True)',
            "print()",
        ]
    else:
        lines.append("message = client.messages.create(")
        lines += _arguments(body, MESSAGES_PARAMS)
        lines += [
            ")",
            'print("".join(block.text for block in message.content if block.type == "text"))',
        ]
    return "\n".join(lines) + "\n"
