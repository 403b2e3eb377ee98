"""Target choices from the management API's answers, and targets typed by hand."""

from __future__ import annotations

import asyncio

import pytest

from playground.core import BasetenClient, Remote, Target
from playground.core.remote.catalogue import parse_target, target_choices
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER, SLEEPY


def _choices(server: EmulatorServer, model_id: str) -> list[tuple[str, str, bool]]:
    async def main() -> list[tuple[str, str, bool]]:
        client = BasetenClient(Remote.local(server.base_url), server.api_key)
        try:
            mgmt = client.management
            model = await mgmt.model(model_id)
            envs = await mgmt.environments(model_id)
            deps = await mgmt.deployments(model_id)
        finally:
            await client.aclose()
        return [(c.label, c.status, c.is_production) for c in target_choices(model, envs, deps)]

    return asyncio.run(main())


def test_choices_of_the_json_model(emulator: EmulatorServer) -> None:
    assert _choices(emulator, CLASSIFIER) == [
        ("production", "ACTIVE", True),
        ("staging", "ACTIVE", False),
        ("development", "ACTIVE", False),
        ("deployment wq7d2xa (v1, production)", "ACTIVE", True),
        ("deployment wq7d3kb (v2, staging)", "ACTIVE", False),
        ("deployment wq7d4mc (development, development)", "ACTIVE", False),
    ]


def test_a_scaled_to_zero_choice_can_be_woken(fresh_emulator: EmulatorServer) -> None:
    labels = _choices(fresh_emulator, SLEEPY)
    assert labels[0] == ("production", "SCALED_TO_ZERO", True)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("", Target("m", "production")),
        ("production", Target("m", "production")),
        ("development", Target("m", "development")),
        ("staging", Target("m", "environment", "staging")),
        ("deployment abc1234", Target("m", "deployment", "abc1234")),
        ("regional prod-eu", Target("m", "regional", "prod-eu")),
    ],
)
def test_typed_targets(text: str, target: Target) -> None:
    assert parse_target("m", text) == target
