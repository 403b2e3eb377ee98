"""Chat LLMs on dedicated deployments (plain, reasoning, tool calling) and on the Model APIs base."""

from __future__ import annotations

from typing import Any

from playground.emulator.behaviours import ChatBehaviour
from playground.emulator.catalogue import Model, ModelAPI
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

CHAT = "l7vx2npc"
REASONER = "r4kq9tzm"
TOOLS = "t2wj6hfx"

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


def add(demo: DemoBuilder) -> None:
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

    demo.add_model(
        Model(
            id=CHAT,
            name="demo-llm",
            behaviour=ChatBehaviour(),
            deployments=deployments(
                CHAT, demo.now - 20 * DAY, chat_variants, instance_type_name="H100:1x26x234"
            ),
            environments={"production": "lc4p1ra", "staging": "lc4p2sb"},
            created_at=demo.now - 20 * DAY,
            example_input={
                "model": "demo-llm",
                "messages": [{"role": "user", "content": "What is a cold start?"}],
                "stream": True,
            },
            description="OpenAI-compatible chat; environments differ in speed and words.",
        )
    )

    demo.add_model(
        Model(
            id=REASONER,
            name="demo-reasoner",
            behaviour=ChatBehaviour(),
            deployments=deployments(
                REASONER,
                demo.now - 12 * DAY,
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
            created_at=demo.now - 12 * DAY,
            example_input={
                "model": "demo-reasoner",
                "messages": [{"role": "user", "content": "Is 1009 a prime number?"}],
                "stream": True,
            },
            description="Streams reasoning_content before the answer.",
        )
    )

    demo.add_model(
        Model(
            id=TOOLS,
            name="demo-tool-caller",
            behaviour=ChatBehaviour(),
            deployments=deployments(
                TOOLS,
                demo.now - 10 * DAY,
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
            created_at=demo.now - 10 * DAY,
            example_input={
                "model": "demo-tools",
                "messages": [{"role": "user", "content": "What is the weather in Zürich?"}],
                "tools": [WEATHER_TOOL],
                "stream": True,
            },
            description="Streams tool_calls deltas when offered tools.",
        )
    )

    demo.add_model_api(
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
        )
    )
    demo.add_model_api(
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
        )
    )
    demo.add_model_api(
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
        )
    )
