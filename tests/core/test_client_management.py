"""The management API: models, deployments, environments, logs by request id, and waking a model at zero."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from playground.core import ApiError, Finished, Metrics, Target
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import NO_RETRY, collect, deployment_id, fault, only, open_client, run


def _catalogue_ids(server: EmulatorServer, model_id: str) -> dict[str, str]:
    model = server.emulator.state.catalogue.model(model_id)
    assert model is not None
    names = [*model.environments, *(["development"] if model.development else [])]
    return {name: deployment_id(server, model_id, name) for name in names}


def test_models_and_one_model(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with open_client(emulator) as client:
            return await client.management.models(), await client.management.model(demo.CHAT)

    models, chat = run(main())
    ids = {m["id"] for m in models}
    assert {demo.CLASSIFIER, demo.CHAT, demo.REASONER, demo.SLEEPY, demo.IMAGE} <= ids
    assert demo.CHAIN not in ids  # chains are listed apart
    assert next(m for m in models if m["id"] == demo.CHAT) == chat
    expected = _catalogue_ids(emulator, demo.CHAT)
    assert chat["name"] == "demo-llm"
    assert chat["production_deployment_id"] == expected["production"]
    assert chat["development_deployment_id"] == expected["development"]
    assert chat["deployments_count"] == 3
    for field in ("created_at", "instance_type_name", "team_name"):
        assert chat[field]


def test_deployments_by_reference(emulator: EmulatorServer) -> None:
    ids = _catalogue_ids(emulator, demo.CHAT)

    async def main() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        async with open_client(emulator) as client:
            api = client.management
            every = await api.deployments(demo.CHAT)
            one = {
                "production": await api.deployment(demo.CHAT, "production"),
                "development": await api.deployment(demo.CHAT, "development"),
                "by-id": await api.deployment(demo.CHAT, ids["staging"]),
            }
            return every, one

    every, one = run(main())
    assert {d["id"] for d in every} == set(ids.values())
    assert all(d["model_id"] == demo.CHAT for d in every)
    assert all(d["status"] == "ACTIVE" for d in every)
    production, development, staging = one["production"], one["development"], one["by-id"]
    assert production["id"] == ids["production"]
    assert production["is_production"] is True
    assert production["environment"] == "production"
    assert development["id"] == ids["development"]
    assert development["is_development"] is True
    assert development["environment"] is None
    assert staging["id"] == ids["staging"]
    assert staging["environment"] == "staging"
    assert staging["is_production"] is False
    assert staging in every


def test_environments(emulator: EmulatorServer) -> None:
    ids = _catalogue_ids(emulator, demo.CHAT)

    async def main() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with open_client(emulator) as client:
            api = client.management
            return await api.environments(demo.CHAT), await api.environment(demo.CHAT, "staging")

    environments, staging = run(main())
    assert [e["name"] for e in environments] == ["production", "staging"]
    assert staging["name"] == "staging"
    assert staging["model_id"] == demo.CHAT
    assert staging["current_deployment"]["id"] == ids["staging"]
    assert staging["instance_type"]["gpu_type"] == "H100"
    by_name = {e["name"]: e for e in environments}
    assert by_name["production"]["current_deployment"]["id"] == ids["production"]


def test_chains_are_listed_apart(emulator: EmulatorServer) -> None:
    async def main() -> list[dict[str, Any]]:
        async with open_client(emulator) as client:
            return await client.management.chains()

    # the RAG chain, and the chain whose entrypoint takes a websocket (demo/websockets.py)
    assert [c["id"] for c in run(main())] == [demo.CHAIN, "ws6cha1n"]


def test_logs_of_one_request(emulator: EmulatorServer) -> None:
    async def main() -> tuple[Metrics, list[dict[str, Any]], list[dict[str, Any]], str | None]:
        async with open_client(emulator, retry=NO_RETRY) as client:
            events = await collect(client.predict(Target(demo.CLASSIFIER), {"text": "nice"}))
            (end,) = only(events, Finished)
            metrics = end.metrics
            assert metrics.request_id
            assert metrics.deployment_id
            logs = await client.management.logs(
                demo.CLASSIFIER, metrics.deployment_id, request_id=metrics.request_id
            )
            # A failed request logs an ERROR line; min_level keeps just that.
            with pytest.raises(ApiError) as failed:
                await collect(
                    client.predict(
                        Target(demo.CLASSIFIER), {"text": "x"}, headers=fault("status=500")
                    )
                )
            failed_id = failed.value.request_id
            errors = await client.management.logs(
                demo.CLASSIFIER, metrics.deployment_id, request_id=failed_id, min_level="ERROR"
            )
            return metrics, logs, errors, failed_id

    metrics, logs, errors, failed = run(main())
    assert len(logs) >= 2
    assert {line["request_id"] for line in logs} == {metrics.request_id}
    assert any("Received POST" in line["message"] for line in logs)
    assert any("Completed with status 200" in line["message"] for line in logs)
    timestamps = [int(line["timestamp"]) for line in logs]
    assert timestamps == sorted(timestamps)
    assert failed
    assert failed != metrics.request_id
    assert [line["level"] for line in errors] == ["ERROR"]
    assert "500" in errors[0]["message"]


def test_an_unknown_model_is_a_404(emulator: EmulatorServer) -> None:
    async def main() -> None:
        async with open_client(emulator, retry=NO_RETRY) as client:
            await client.management.model("zz00zz00")

    with pytest.raises(ApiError) as caught:
        run(main())
    assert caught.value.status == 404
    assert "zz00zz00" in caught.value.message
    assert caught.value.hint


def test_an_invoke_only_key_cannot_manage(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[Any], ApiError]:
        async with open_client(emulator, key="invoke-only-key-42", retry=NO_RETRY) as client:
            events = await collect(client.predict(Target(demo.CLASSIFIER), {"text": "ok"}))
            try:
                await client.management.models()
            except ApiError as exc:
                return events, exc
            raise AssertionError("the management API answered an invoke-only key")

    events, error = run(main())
    assert only(events, Finished)[0].metrics.status == 200
    assert error.status == 403
    assert error.hint


def test_wake_a_model_at_zero_until_it_is_active(fresh_emulator: EmulatorServer) -> None:
    server = fresh_emulator
    target = Target(demo.SLEEPY)

    async def main() -> tuple[str, Metrics, list[tuple[str, int]]]:
        async with open_client(server) as client:
            api = client.management
            before = (await api.deployment(demo.SLEEPY, "production"))["status"]
            woken = await client.wake(target)
            seen: list[tuple[str, int]] = []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                deployment = await api.deployment(demo.SLEEPY, "production")
                step = (deployment["status"], deployment["active_replica_count"])
                if not seen or seen[-1] != step:
                    seen.append(step)
                if step[0] == "ACTIVE":
                    break
                await asyncio.sleep(0.05)
            return before, woken, seen

    before, woken, seen = run(main())
    assert before == "SCALED_TO_ZERO"
    assert woken.status == 202
    assert woken.request_id
    assert woken.deployment_id == _catalogue_ids(server, demo.SLEEPY)["production"]
    statuses = [status for status, _ in seen]
    # In order; a 0.05 s poll sees each 0.3 s phase unless the machine is very busy.
    assert statuses[0] == "WAKING_UP"
    assert statuses[-1] == "ACTIVE"
    assert statuses in (["WAKING_UP", "LOADING_MODEL", "ACTIVE"], ["WAKING_UP", "ACTIVE"])
    assert seen[0][1] == 0
    assert seen[-1][1] >= 1
