"""A chain: its entrypoint is called with run_remote on the chain- host."""

from __future__ import annotations

from playground.emulator.behaviours import ChainBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments

CHAIN = "h8cn2ebx"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=CHAIN,
            name="rag-chain",
            behaviour=ChainBehaviour(),
            deployments=deployments(
                CHAIN,
                demo.now - 3 * DAY,
                [
                    ("ch7a1pa", "v1", "production", False, {"latency": 0.05}),
                ],
                is_chain=True,
                instance_type_name="CPU:1x2",
            ),
            environments={"production": "ch7a1pa"},
            created_at=demo.now - 3 * DAY,
            example_input={"question": "How do I rotate my API key?"},
            description="A chain: run_remote on the chain- host.",
            is_chain=True,
        )
    )
