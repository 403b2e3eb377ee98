"""Write the example presets for the demo catalogue (resources/presets/*.json) from RequestSpecs.

    python packaging/make_presets.py

They are built from `RequestSpec` objects so that they are valid by construction; a test checks
that the committed files are what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import RequestSpec
from playground.emulator.demo import CHAIN, CHAT, CLASSIFIER, CUSTOM, SLEEPY, STREAMER

PRESETS = Path(__file__).resolve().parent.parent / "resources" / "presets"
SCHEMA_VERSION = 1
SENTIMENT = {"text": "I love how fast this is, great work!"}


def examples() -> dict[str, tuple[str, RequestSpec]]:
    """File stem -> (preset name, request)."""
    return {
        "sentiment-production": (
            "Sentiment on production",
            RequestSpec("predict", Target(CLASSIFIER), SENTIMENT),
        ),
        "sentiment-staging": (
            "Sentiment on staging",
            RequestSpec("predict", Target(CLASSIFIER, "environment", "staging"), SENTIMENT),
        ),
        "chat-system-prompt": (
            "Chat with a system prompt",
            RequestSpec(
                "chat",
                Target(CHAT),
                {
                    "model": "demo-llm",
                    "messages": [
                        {"role": "system", "content": "You are terse. Answer in one sentence."},
                        {"role": "user", "content": "What does scale to zero mean?"},
                    ],
                    "max_tokens": 200,
                    "stream": True,
                },
            ),
        ),
        "model-api-chat": (
            "Model API chat",
            RequestSpec(
                "chat",
                None,
                {
                    "messages": [{"role": "user", "content": "Name three uses of embeddings."}],
                    "temperature": 0.7,
                    "stream": True,
                },
                model_api="playground/demo-chat",
            ),
        ),
        "custom-route-item": (
            "Custom route: GET an item",
            RequestSpec("route", Target(CUSTOM), method="GET", route="/items/1"),
        ),
        "custom-route-echo": (
            "Custom route: POST to echo",
            RequestSpec("route", Target(CUSTOM), {"hello": "custom server"}, route="/echo"),
        ),
        "stream-story": (
            "Streamed story",
            RequestSpec(
                "predict", Target(STREAMER), {"prompt": "a lighthouse keeper", "stream": True}
            ),
        ),
        "async-transcription": (
            "Async transcription on a scaled-to-zero model",
            RequestSpec(
                "async",
                Target(SLEEPY),
                {"audio_url": "https://example.com/clips/hello.wav"},
                async_options=AsyncOptions(priority=0, max_time_in_queue_seconds=600),
            ),
        ),
        "chain-question": (
            "RAG chain question",
            RequestSpec(
                "predict",
                Target(CHAIN, is_chain=True),
                {"question": "How do I rotate my API key?"},
            ),
        ),
    }


def preset(name: str, spec: RequestSpec) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "remote": "local",
        "request": spec.to_dict(),
    }


def render(name: str, spec: RequestSpec) -> str:
    """A preset file's text: 2-space indent, keys in order, a trailing newline."""
    return json.dumps(preset(name, spec), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    PRESETS.mkdir(parents=True, exist_ok=True)
    wanted = examples()
    for stale in PRESETS.glob("*.json"):
        if stale.stem not in wanted:
            stale.unlink()
    for stem, (name, spec) in wanted.items():
        path = PRESETS / f"{stem}.json"
        path.write_text(render(name, spec), encoding="utf-8")
        print(path.relative_to(PRESETS.parent.parent))


if __name__ == "__main__":
    main()
