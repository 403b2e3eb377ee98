"""The official `openai` SDK, unchanged, against every LLM surface of the local server."""

from __future__ import annotations

import contextlib
import io

import httpx
import openai
import pytest
from openai import OpenAI
from pydantic import BaseModel

from playground.emulator import EmulatorServer, demo
from playground.emulator.demo.llm import RED_PNG
from tests.emulator.helpers import FAULT, KEY

FAST = {FAULT: "delay=0"}


def sync_v1(emulator: EmulatorServer, model_id: str) -> str:
    return f"{emulator.base_url}/model-{model_id}/environments/production/sync/v1"


def make_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url,
        api_key=KEY,
        max_retries=0,
        timeout=10.0,
        http_client=httpx.Client(trust_env=False),
        default_headers=FAST,
    )


def test_basetens_call_your_model_snippet_runs_unchanged(emulator: EmulatorServer) -> None:
    """The seed's snippet, word for word, with only the host swapped for the local server."""
    model_id, api_key = demo.CHAT, KEY
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        client = OpenAI(
            base_url=f"{emulator.base_url}/model-{model_id}/environments/production/sync/v1",
            api_key=api_key,
            http_client=httpx.Client(trust_env=False),  # loopback never through a proxy
        )
        stream = client.chat.completions.create(
            model="baseten",
            messages=[
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is the capital of France?"},
            ],
            stream=True,
        )
        for chunk in stream:
            if chunk.choices[0].delta.content is not None:
                print(chunk.choices[0].delta.content, end="")
        client.close()
    assert printed.getvalue().startswith("Short answer about “What is the capital of France?”")


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str


@pytest.mark.parametrize("model_id", [demo.CHAT, demo.REASONER])
def test_parse_with_a_pydantic_model(emulator: EmulatorServer, model_id: str) -> None:
    with make_client(sync_v1(emulator, model_id)) as client:
        completion = client.chat.completions.parse(
            model="baseten" if model_id == demo.CHAT else "demo-reasoner",
            messages=[{"role": "user", "content": "Solve 8x + 7 = -23"}],
            response_format=MathReasoning,
        )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, MathReasoning)
    assert parsed.steps
    assert all(isinstance(step, Step) for step in parsed.steps)


def test_sdk_logprobs_vision_and_effort(emulator: EmulatorServer) -> None:
    with make_client(sync_v1(emulator, demo.CHAT)) as client:
        answer = client.chat.completions.create(
            model="baseten",
            messages=[{"role": "user", "content": "hi"}],
            logprobs=True,
            top_logprobs=2,
        )
        logprobs = answer.choices[0].logprobs
        assert logprobs is not None
        assert logprobs.content
        assert "".join(t.token for t in logprobs.content) == answer.choices[0].message.content
        assert all(len(t.top_logprobs) == 2 for t in logprobs.content)
        streamed = client.chat.completions.create(
            model="baseten",
            messages=[{"role": "user", "content": "hi"}],
            logprobs=True,
            stream=True,
        )
        tokens = [
            t.token
            for c in streamed
            if c.choices and c.choices[0].logprobs
            for t in c.choices[0].logprobs.content or []
        ]
        assert "".join(tokens) == answer.choices[0].message.content
    with make_client(sync_v1(emulator, demo.VISION)) as client:
        seen = client.chat.completions.create(
            model="baseten",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": RED_PNG}},
                    ],
                }
            ],
        )
        assert seen.choices[0].message.content == (
            "The image is a PNG image, 2 × 2 pixels, mostly red (#ff0000)."
        )
    with make_client(sync_v1(emulator, demo.REASONER)) as client:
        reasoning = {}
        for effort in ("low", "high"):
            done = client.chat.completions.create(
                model="demo-reasoner",
                messages=[{"role": "user", "content": "Is 1009 prime?"}],
                reasoning_effort=effort,
            )
            assert done.usage is not None
            assert done.usage.completion_tokens_details is not None
            reasoning[effort] = done.usage.completion_tokens_details.reasoning_tokens
        assert reasoning["low"] < reasoning["high"]


def test_sdk_legacy_completions(emulator: EmulatorServer) -> None:
    with make_client(sync_v1(emulator, demo.CHAT)) as client:
        whole = client.completions.create(model="baseten", prompt="Once upon a time", max_tokens=8)
        pieces = [
            c.choices[0].text
            for c in client.completions.create(
                model="baseten", prompt="Once upon a time", max_tokens=8, stream=True
            )
            if c.choices
        ]
    assert whole.choices[0].text == "".join(pieces)
    assert whole.choices[0].finish_reason == "length"
    assert whole.usage is not None
    assert whole.usage.completion_tokens == 8


def test_sdk_sees_vllms_404(emulator: EmulatorServer) -> None:
    with (
        make_client(sync_v1(emulator, demo.VLLM_MODEL)) as client,
        pytest.raises(openai.NotFoundError) as error,
    ):
        client.chat.completions.create(model="baseten", messages=[{"role": "user", "content": "x"}])
    assert error.value.message == "Error code: 404 - The model `baseten` does not exist."
    assert error.value.body == {
        "object": "error",
        "message": "The model `baseten` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }
