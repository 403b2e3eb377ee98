"""Truss generators: a raw byte stream and an NDJSON one."""

from __future__ import annotations

from playground.emulator.behaviours import TextStreamBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

STREAMER = "s5nb8xqe"
NDJSON = "n3dj7wsa"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=STREAMER,
            name="story-streamer",
            behaviour=TextStreamBehaviour(ndjson=False),
            deployments=deployments(
                STREAMER,
                demo.now - 8 * DAY,
                [
                    ("ss2q1ra", "v1", "production", False, {"delay": 0.03}),
                    ("ss2q2sb", "development", None, True, {"delay": 0.08}),
                ],
                instance_type_name="T4:4x16",
            ),
            environments={"production": "ss2q1ra"},
            created_at=demo.now - 8 * DAY,
            example_input={"prompt": "a lighthouse keeper", "stream": True},
            description="A Truss generator: raw application/octet-stream chunks.",
        )
    )

    demo.add_model(
        Model(
            id=NDJSON,
            name="ndjson-events",
            behaviour=TextStreamBehaviour(ndjson=True),
            deployments=deployments(
                NDJSON,
                demo.now - 7 * DAY,
                [
                    ("nd5e1ka", "v1", "production", False, {"delay": 0.02}),
                ],
                instance_type_name="CPU:2x8",
            ),
            environments={"production": "nd5e1ka"},
            created_at=demo.now - 7 * DAY,
            example_input={"prompt": "a rainy harbour", "stream": True},
            description="Streams one JSON object per line (application/x-ndjson).",
        )
    )
