"""A model scaled to zero: a whisper whose first call parks until a replica has woken."""

from __future__ import annotations

from playground.emulator.behaviours import TranscriberBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

SLEEPY = "z9pl4ycu"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=SLEEPY,
            name="whisper-scaled-to-zero",
            behaviour=TranscriberBehaviour(),
            deployments=deployments(
                SLEEPY,
                demo.now - 40 * DAY,
                [
                    ("zz0w1ka", "v3", "production", False, {"latency": 0.1}),
                ],
                instance_type_name="A10G:4x16",
                min_replica=0,
                max_replica=2,
                scale_down_delay=demo.scale_down_delay,
            ),
            environments={"production": "zz0w1ka"},
            created_at=demo.now - 40 * DAY,
            example_input={"audio_url": "https://example.com/clips/hello.wav"},
            description="Scaled to zero: the first call parks until a replica has woken up.",
        )
    )
