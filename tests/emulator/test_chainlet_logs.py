"""The local server's chainlet logs (`/v1/chains/{id}/deployments/{dep}/chainlets/{cid}/logs`):
the demo chain's one chainlet, its entrypoint, logs what each run_remote did."""

from __future__ import annotations

import httpx

from playground.emulator import EmulatorServer, demo


def test_the_entrypoints_logs_by_request_id_and_an_unknown_chainlet(
    emulator: EmulatorServer,
) -> None:
    auth = {"Authorization": f"Api-Key {emulator.api_key}"}
    base = emulator.base_url
    with httpx.Client(headers=auth, timeout=10) as http:
        ran = http.post(
            f"{base}/chain-{demo.CHAIN}/production/run_remote", json={"question": "Why?"}
        )
        assert ran.status_code == 200
        request_id = ran.headers["x-baseten-request-id"]
        deps = http.get(f"{base}/api/v1/chains/{demo.CHAIN}/deployments").json()["deployments"]
        dep = deps[0]
        chainlet = dep["chainlets"][0]
        assert chainlet["name"] == "Entrypoint"
        where = f"{base}/api/v1/chains/{demo.CHAIN}/deployments/{dep['id']}/chainlets"
        logs = http.get(f"{where}/{chainlet['id']}/logs", params={"request_id": request_id})
        assert logs.status_code == 200
        lines = logs.json()["logs"]
        assert [line["request_id"] for line in lines] == [request_id] * len(lines)
        assert any("/run_remote" in line["message"] for line in lines)
        missing = http.get(f"{where}/nope/logs")
        assert missing.status_code == 404
        assert "nope" in missing.text
    refused = httpx.get(
        f"{where}/{chainlet['id']}/logs", headers={"Authorization": "Api-Key invoke-only-key-42"}
    )
    assert refused.status_code == 403
