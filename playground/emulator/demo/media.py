"""Models that answer with media: an image generator (binary image/png)."""

from __future__ import annotations

from playground.emulator.behaviours import ImageBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

IMAGE = "i1mg5qla"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=IMAGE,
            name="tiny-image-gen",
            behaviour=ImageBehaviour(),
            deployments=deployments(
                IMAGE,
                demo.now - 5 * DAY,
                [
                    ("im4g1xa", "v1", "production", False, {}),
                ],
                instance_type_name="L4:4x16",
            ),
            environments={"production": "im4g1xa"},
            created_at=demo.now - 5 * DAY,
            example_input={"prompt": "a red square", "size": 64},
            description="Answers with a binary image/png body.",
        )
    )
