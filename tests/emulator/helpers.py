"""Small helpers shared by the emulator tests: URLs, auth headers, SSE parsing, polling."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

KEY = "test-key-0123456789"
SECOND_KEY = "second-key-abcdef"
INVOKE_ONLY_KEY = "invoke-only-key-42"
FAULT = "X-Emulator-Fault"

AUTH = {"Authorization": f"Api-Key {KEY}"}
BEARER = {"Authorization": f"Bearer {KEY}"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# What the demo catalogue (playground/emulator/demo/) deploys where.
CLASSIFIER_DEPLOYMENTS = {"production": "wq7d2xa", "staging": "wq7d3kb", "development": "wq7d4mc"}
CHAT_DEPLOYMENTS = {"production": "lc4p1ra", "staging": "lc4p2sb", "development": "lc4p3tc"}
SLEEPY_PRODUCTION = "zz0w1ka"
CUSTOM_DEPLOYMENTS = {"production": "cs9r1ma", "development": "cs9r2nb"}
CHAIN_PRODUCTION = "ch7a1pa"


def client(
    base_url: str, key: str = KEY, *, scheme: str = "Api-Key", timeout: float = 10.0
) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"{scheme} {key}"},
        timeout=timeout,
        trust_env=False,
    )


def model_path(
    model_id: str, prefix: str = "environments/production", *, kind: str = "model"
) -> str:
    """`/model-{id}/{prefix}`; an empty prefix gives the host root."""
    base = f"/{kind}-{model_id}"
    return f"{base}/{prefix}" if prefix else base


def chat_body(
    content: str = "What is a cold start?", *, model: str | None = "demo-llm", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"messages": [{"role": "user", "content": content}], **extra}
    if model is not None:
        body["model"] = model
    return body


def sse_data(lines: Iterable[str]) -> list[str]:
    """The `data:` payloads of an SSE stream, in order (blank lines and comments dropped)."""
    return [line[len("data:") :].strip() for line in lines if line.startswith("data:")]


def sse_data_from_bytes(body: bytes) -> list[str]:
    return sse_data(body.decode("utf-8").splitlines())


def chunks_of(data: list[str]) -> list[dict[str, Any]]:
    """The parsed JSON events of an SSE stream, without the final `[DONE]`."""
    return [json.loads(item) for item in data if item != "[DONE]"]


def deltas(chunks: list[dict[str, Any]], field: str = "content") -> list[str]:
    return [
        choice["delta"][field]
        for chunk in chunks
        for choice in chunk.get("choices", [])
        if choice.get("delta", {}).get(field)
    ]


def finish_reasons(chunks: list[dict[str, Any]]) -> list[str]:
    return [
        choice["finish_reason"]
        for chunk in chunks
        for choice in chunk.get("choices", [])
        if choice.get("finish_reason")
    ]


def wait_for(
    fetch: Callable[[], Any],
    done: Callable[[Any], bool],
    *,
    timeout: float = 5.0,
    interval: float = 0.05,
) -> list[Any]:
    """Call `fetch` until `done(result)`; returns every result seen. Fails on timeout."""
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        seen.append(value)
        if done(value):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; last value: {value!r}")
        time.sleep(interval)


def distinct_in_order(values: Iterable[Any]) -> list[Any]:
    """Collapse runs of equal values: [a, a, b, b, a] -> [a, b, a]."""
    out: list[Any] = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out


def server_record(http: httpx.Client, request_id: str) -> dict[str, Any]:
    response = http.get(f"/_emulator/requests/{request_id}")
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record
