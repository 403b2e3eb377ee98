"""LLMs that show what the engine behind a deployment changes: a vision model (Engine-Builder-like,
any `model` name) and a vLLM server that insists on its served name."""

from __future__ import annotations

from playground.emulator.behaviours import ChatBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

VISION = "v5qm8kpd"
VLLM_MODEL = "q3vl7mxa"

# A 2 × 2 red PNG: the vision model's example reads it (and says so).
RED_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQ"
    "CgAf7gP9i18U1AAAAABJRU5ErkJggg=="
)


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=VISION,
            name="demo-vision",
            behaviour=ChatBehaviour(),
            deployments=deployments(
                VISION,
                demo.now - 8 * DAY,
                [
                    (
                        "vq2m1aa",
                        "v1",
                        "production",
                        False,
                        {
                            "served_model_name": "demo-vision",
                            "style": "concise",
                            "vision": True,
                            "tokens_per_second": 120,
                        },
                    ),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "vq2m1aa"},
            created_at=demo.now - 8 * DAY,
            example_input={
                "model": "baseten",
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "What is in this image?"},
                            {"type": "image_url", "image_url": {"url": RED_PNG}},
                        ],
                    }
                ],
                "stream": True,
            },
            description="Vision: reads image_url parts (data URLs) and says what it found.",
        )
    )
    demo.add_model(
        Model(
            id=VLLM_MODEL,
            name="demo-vllm",
            behaviour=ChatBehaviour(),
            deployments=deployments(
                VLLM_MODEL,
                demo.now - 6 * DAY,
                [
                    (
                        "vl4k1aa",
                        "v1",
                        "production",
                        False,
                        {
                            "served_model_name": "Qwen/Qwen3-8B",
                            "engine": "vllm",
                            "style": "friendly",
                            "tokens_per_second": 120,
                        },
                    ),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "vl4k1aa"},
            created_at=demo.now - 6 * DAY,
            example_input={
                "model": "Qwen/Qwen3-8B",
                "messages": [{"role": "user", "content": "What is a served model name?"}],
                "stream": True,
            },
            description="A vLLM server: `model` must be its --served-model-name, Qwen/Qwen3-8B.",
        )
    )
