"""A chain request's lines in its chainlets' logs, from the local server's management API."""

from __future__ import annotations

import pytest

from playground.core import Finished, Target
from playground.core.jobs.chain_logs import chain_request_logs
from playground.core.jobs.logs import LogsUnavailable
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import NO_RETRY, collect, only, open_client, run

QUESTION = {"question": "How do I rotate my API key?"}


def test_a_chain_request_reads_its_own_lines_from_the_entrypoint_chainlet(
    emulator: EmulatorServer,
) -> None:
    async def main() -> tuple[str, str, list[str], list[str], set[str]]:
        async with open_client(emulator) as client:
            ids = []
            for _ in range(2):
                events = await collect(client.predict(Target(demo.CHAIN, is_chain=True), QUESTION))
                ids.append(only(events, Finished)[0].metrics.request_id)
            mine = await chain_request_logs(client, demo.CHAIN, ids[0])
            by_dep = await chain_request_logs(client, demo.CHAIN, ids[0], deployment_id="ch7a1pa")
            owners = {line.request_id for line in mine + by_dep}
            return ids[0], ids[1], [x.text() for x in mine], [x.replica for x in by_dep], owners

    first, second, lines, replicas, owners = run(main())
    assert first != second
    assert owners == {first}  # the other request's lines are not among them
    assert any("/run_remote" in line for line in lines), lines
    assert any("Completed with status 200" in line for line in lines), lines
    assert replicas
    assert all(r.startswith("Entrypoint · ") for r in replicas)


def test_an_invoke_only_key_is_told_it_cannot_read_chain_logs(emulator: EmulatorServer) -> None:
    async def main() -> None:
        async with open_client(emulator, key="invoke-only-key-42", retry=NO_RETRY) as client:
            await chain_request_logs(client, demo.CHAIN, "abc")

    with pytest.raises(LogsUnavailable, match="cannot read logs"):
        run(main())


def test_a_chain_without_that_environment_says_so(emulator: EmulatorServer) -> None:
    async def main() -> None:
        async with open_client(emulator) as client:
            await chain_request_logs(client, demo.CHAIN, "abc", environment="staging")

    with pytest.raises(LogsUnavailable, match="no deployment in staging"):
        run(main())
