"""A JSON model: a sentiment classifier whose environments answer visibly differently."""

from __future__ import annotations

from playground.emulator.behaviours import ClassifierBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

CLASSIFIER = "q8mz3kvd"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=CLASSIFIER,
            name="sentiment-classifier",
            behaviour=ClassifierBehaviour(),
            deployments=deployments(
                CLASSIFIER,
                demo.now - 30 * DAY,
                [
                    ("wq7d2xa", "v1", "production", False, {"version": "v1", "latency": 0.02}),
                    ("wq7d3kb", "v2", "staging", False, {"version": "v2", "latency": 0.05}),
                    ("wq7d4mc", "development", None, True, {"version": "dev", "latency": 0.08}),
                ],
                instance_type_name="CPU:2x8",
            ),
            environments={"production": "wq7d2xa", "staging": "wq7d3kb"},
            created_at=demo.now - 30 * DAY,
            example_input={"text": "I love how fast this is, great work!"},
            description="JSON in, JSON out; production, staging and development answer differently.",
        )
    )
