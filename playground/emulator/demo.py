"""The demo catalogue: models worth exploring, whose environments answer and stream differently."""

from __future__ import annotations

import time
from typing import Any

from playground.emulator.behaviours import (
    ChainBehaviour,
    ChatBehaviour,
    ClassifierBehaviour,
    CustomServerBehaviour,
    ImageBehaviour,
    TextStreamBehaviour,
    TranscriberBehaviour,
)
from playground.emulator.catalogue import Catalogue, Deployment, Model, ModelAPI

# Ids look like Baseten's: 8 lowercase alphanumerics for models, 7 for deployments.
CLASSIFIER = "q8mz3kvd"
CHAT = "l7vx2npc"
REASONER = "r4kq9tzm"
TOOLS = "t2wj6hfx"
STREAMER = "s5nb8xqe"
NDJSON = "n3dj7wsa"
SLEEPY = "z9pl4ycu"
CUSTOM = "c6ks1vro"
IMAGE = "i1mg5qla"
CHAIN = "h8cn2ebx"

# The tool the tool-calling model's example offers (and tests reuse).
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
        },
    },
}


def _deps(
    model_id: str,
    created: float,
    specs: list[tuple[str, str, str | None, bool, dict[str, Any]]],
    **common: Any,
) -> list[Deployment]:
    return [
        Deployment(
            id=dep_id,
            name=name,
            owner_id=model_id,
            created_at=created + i * 3600,
            variant=variant,
            environment=env,
            is_development=is_dev,
            **common,
        )
        for i, (dep_id, name, env, is_dev, variant) in enumerate(specs)
    ]


def demo_catalogue(scale_down_delay: int = 120) -> Catalogue:
    now = time.time()
    day = 86_400.0
    models: list[Model] = []

    models.append(
        Model(
            id=CLASSIFIER,
            name="sentiment-classifier",
            behaviour=ClassifierBehaviour(),
            deployments=_deps(
                CLASSIFIER,
                now - 30 * day,
                [
                    ("wq7d2xa", "v1", "production", False, {"version": "v1", "latency": 0.02}),
                    ("wq7d3kb", "v2", "staging", False, {"version": "v2", "latency": 0.05}),
                    ("wq7d4mc", "development", None, True, {"version": "dev", "latency": 0.08}),
                ],
                instance_type_name="CPU:2x8",
            ),
            environments={"production": "wq7d2xa", "staging": "wq7d3kb"},
            created_at=now - 30 * day,
            example_input={"text": "I love how fast this is, great work!"},
            description="JSON in, JSON out; production, staging and development answer differently.",
        )
    )

    chat_variants = [
        (
            "lc4p1ra",
            "llama-prod",
            "production",
            False,
            {"served_model_name": "demo-llm", "style": "concise", "tokens_per_second": 150},
        ),
        (
            "lc4p2sb",
            "llama-staging",
            "staging",
            False,
            {"served_model_name": "demo-llm", "style": "friendly", "tokens_per_second": 60},
        ),
        (
            "lc4p3tc",
            "development",
            None,
            True,
            {"served_model_name": "demo-llm", "style": "verbose", "tokens_per_second": 25},
        ),
    ]
    models.append(
        Model(
            id=CHAT,
            name="demo-llm",
            behaviour=ChatBehaviour(),
            deployments=_deps(
                CHAT, now - 20 * day, chat_variants, instance_type_name="H100:1x26x234"
            ),
            environments={"production": "lc4p1ra", "staging": "lc4p2sb"},
            created_at=now - 20 * day,
            example_input={
                "model": "demo-llm",
                "messages": [{"role": "user", "content": "What is a cold start?"}],
                "stream": True,
            },
            description="OpenAI-compatible chat; environments differ in speed and words.",
        )
    )

    models.append(
        Model(
            id=REASONER,
            name="demo-reasoner",
            behaviour=ChatBehaviour(),
            deployments=_deps(
                REASONER,
                now - 12 * day,
                [
                    (
                        "rk8v1aa",
                        "v1",
                        "production",
                        False,
                        {
                            "served_model_name": "demo-reasoner",
                            "style": "formal",
                            "reasoning": True,
                            "tokens_per_second": 120,
                        },
                    ),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "rk8v1aa"},
            created_at=now - 12 * day,
            example_input={
                "model": "demo-reasoner",
                "messages": [{"role": "user", "content": "Is 1009 a prime number?"}],
                "stream": True,
            },
            description="Streams reasoning_content before the answer.",
        )
    )

    models.append(
        Model(
            id=TOOLS,
            name="demo-tool-caller",
            behaviour=ChatBehaviour(),
            deployments=_deps(
                TOOLS,
                now - 10 * day,
                [
                    (
                        "tc3n1ab",
                        "v1",
                        "production",
                        False,
                        {
                            "served_model_name": "demo-tools",
                            "style": "concise",
                            "tools": True,
                            "tokens_per_second": 100,
                        },
                    ),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "tc3n1ab"},
            created_at=now - 10 * day,
            example_input={
                "model": "demo-tools",
                "messages": [{"role": "user", "content": "What is the weather in Zürich?"}],
                "tools": [WEATHER_TOOL],
                "stream": True,
            },
            description="Streams tool_calls deltas when offered tools.",
        )
    )

    models.append(
        Model(
            id=STREAMER,
            name="story-streamer",
            behaviour=TextStreamBehaviour(ndjson=False),
            deployments=_deps(
                STREAMER,
                now - 8 * day,
                [
                    ("ss2q1ra", "v1", "production", False, {"delay": 0.03}),
                    ("ss2q2sb", "development", None, True, {"delay": 0.08}),
                ],
                instance_type_name="T4:4x16",
            ),
            environments={"production": "ss2q1ra"},
            created_at=now - 8 * day,
            example_input={"prompt": "a lighthouse keeper", "stream": True},
            description="A Truss generator: raw application/octet-stream chunks.",
        )
    )

    models.append(
        Model(
            id=NDJSON,
            name="ndjson-events",
            behaviour=TextStreamBehaviour(ndjson=True),
            deployments=_deps(
                NDJSON,
                now - 7 * day,
                [
                    ("nd5e1ka", "v1", "production", False, {"delay": 0.02}),
                ],
                instance_type_name="CPU:2x8",
            ),
            environments={"production": "nd5e1ka"},
            created_at=now - 7 * day,
            example_input={"prompt": "a rainy harbour", "stream": True},
            description="Streams one JSON object per line (application/x-ndjson).",
        )
    )

    models.append(
        Model(
            id=SLEEPY,
            name="whisper-scaled-to-zero",
            behaviour=TranscriberBehaviour(),
            deployments=_deps(
                SLEEPY,
                now - 40 * day,
                [
                    ("zz0w1ka", "v3", "production", False, {"latency": 0.1}),
                ],
                instance_type_name="A10G:4x16",
                min_replica=0,
                max_replica=2,
                scale_down_delay=scale_down_delay,
            ),
            environments={"production": "zz0w1ka"},
            created_at=now - 40 * day,
            example_input={"audio_url": "https://example.com/clips/hello.wav"},
            description="Scaled to zero: the first call parks until a replica has woken up.",
        )
    )

    models.append(
        Model(
            id=CUSTOM,
            name="custom-server",
            behaviour=CustomServerBehaviour(),
            deployments=_deps(
                CUSTOM,
                now - 15 * day,
                [
                    ("cs9r1ma", "v1", "production", False, {"version": "1.0"}),
                    ("cs9r2nb", "development", None, True, {"version": "1.1-dev"}),
                ],
                instance_type_name="CPU:1x2",
            ),
            environments={"production": "cs9r1ma"},
            created_at=now - 15 * day,
            example_input={"hello": "custom server"},
            description="A custom Docker server: /sync/health, /sync/items/{id}, /sync/echo.",
        )
    )

    models.append(
        Model(
            id=IMAGE,
            name="tiny-image-gen",
            behaviour=ImageBehaviour(),
            deployments=_deps(
                IMAGE,
                now - 5 * day,
                [
                    ("im4g1xa", "v1", "production", False, {}),
                ],
                instance_type_name="L4:4x16",
            ),
            environments={"production": "im4g1xa"},
            created_at=now - 5 * day,
            example_input={"prompt": "a red square", "size": 64},
            description="Answers with a binary image/png body.",
        )
    )

    models.append(
        Model(
            id=CHAIN,
            name="rag-chain",
            behaviour=ChainBehaviour(),
            deployments=_deps(
                CHAIN,
                now - 3 * day,
                [
                    ("ch7a1pa", "v1", "production", False, {"latency": 0.05}),
                ],
                is_chain=True,
                instance_type_name="CPU:1x2",
            ),
            environments={"production": "ch7a1pa"},
            created_at=now - 3 * day,
            example_input={"question": "How do I rotate my API key?"},
            description="A chain: run_remote on the chain- host.",
            is_chain=True,
        )
    )

    apis = [
        ModelAPI(
            slug="playground/demo-chat",
            name="Demo Chat",
            description="A fast general chat model served on the Model APIs base.",
            behaviour=ChatBehaviour(),
            variant={
                "served_model_name": "playground/demo-chat",
                "style": "concise",
                "tokens_per_second": 200,
            },
            supported_features=("json_mode", "structured_outputs"),
        ),
        ModelAPI(
            slug="playground/demo-reasoner",
            name="Demo Reasoner",
            description="A reasoning model: reasoning_content deltas, then the answer.",
            behaviour=ChatBehaviour(),
            variant={
                "served_model_name": "playground/demo-reasoner",
                "style": "formal",
                "reasoning": True,
                "tokens_per_second": 150,
            },
            supported_features=("reasoning", "reasoning_effort"),
        ),
        ModelAPI(
            slug="playground/demo-tools",
            name="Demo Tools",
            description="A tool-calling model.",
            behaviour=ChatBehaviour(),
            variant={
                "served_model_name": "playground/demo-tools",
                "style": "concise",
                "tools": True,
                "tokens_per_second": 150,
            },
            supported_features=("tools",),
        ),
    ]
    return Catalogue(
        models={m.id: m for m in models},
        model_apis={a.slug: a for a in apis},
    )
