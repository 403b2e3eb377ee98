"""A custom Docker server, reached through `/sync/{route}`."""

from __future__ import annotations

from playground.emulator.behaviours import CustomServerBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

CUSTOM = "c6ks1vro"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=CUSTOM,
            name="custom-server",
            behaviour=CustomServerBehaviour(),
            deployments=deployments(
                CUSTOM,
                demo.now - 15 * DAY,
                [
                    ("cs9r1ma", "v1", "production", False, {"version": "1.0"}),
                    ("cs9r2nb", "development", None, True, {"version": "1.1-dev"}),
                ],
                instance_type_name="CPU:1x2",
            ),
            environments={"production": "cs9r1ma"},
            created_at=demo.now - 15 * DAY,
            example_input={"hello": "custom server"},
            description="A custom Docker server: /sync/health, /sync/items/{id}, /sync/echo.",
        )
    )
