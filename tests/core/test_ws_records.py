"""A WebSocket session as history, preset and code: the plan's dict round trip, the history record
cut at its cap, and the exact code exported (which, run, talks to the local server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.core import Remote, Target
from playground.core.history.store import History
from playground.core.ws.codegen import export, python_websockets, websocat
from playground.core.ws.frames import Closed, Frame, WsMetrics
from playground.core.ws.plan import OutFrame, WsPlan
from playground.core.ws.record import session_exchange
from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_FAIL

PLAN = WsPlan(
    Target("abcd1234", "environment", "staging"),
    (OutFrame.of_text("hello"), OutFrame.of_json({"type": "end"}), OutFrame.of_bytes(b"\x00\x01")),
    {"X-Trace": "1"},
)


def test_a_plan_is_a_plain_dict_and_back() -> None:
    data = PLAN.to_dict()
    assert data == {
        "mode": "websocket",
        "target": {"model": "abcd1234", "environment": "staging"},
        "frames": [{"text": "hello"}, {"json": {"type": "end"}}, {"base64": "AAE="}],
        "headers": {"X-Trace": "1"},
    }
    assert WsPlan.from_dict(json.loads(json.dumps(data))) == PLAN
    assert [f.payload() for f in PLAN.frames] == ["hello", '{"type": "end"}', b"\x00\x01"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"mode": "predict"}, "not a WebSocket session"),
        ({"mode": "websocket"}, "needs a target"),
        ({"mode": "websocket", "target": {"model": "m"}, "frames": [{}]}, '"text", "json"'),
        ({"mode": "websocket", "target": {"model": "m"}, "frames": [{"base64": "!!"}]}, "base64"),
    ],
)
def test_a_malformed_plan_is_refused_in_words(data: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        WsPlan.from_dict(data)


def test_a_plan_never_keeps_a_secret_header() -> None:
    plan = WsPlan(Target("m"), (), {"Authorization": "Api-Key x", "X-Ok": "1"})
    assert plan.to_dict()["headers"] == {"X-Ok": "1"}


def test_python_websockets_export_is_exact() -> None:
    assert python_websockets(PLAN, Remote.baseten()) == (
        "import asyncio\n"
        "import base64\n"
        "import os\n"
        "\n"
        "from websockets.asyncio.client import connect\n"
        "\n"
        'URL = "wss://model-abcd1234.api.baseten.co/environments/staging/websocket"\n'
        "FRAMES = [\n"
        "    'hello',\n"
        '    \'{"type": "end"}\',\n'
        "    base64.b64decode('AAE='),\n"
        "]\n"
        "HEADERS = {\n"
        '    "X-Trace": "1",\n'
        '    "Authorization": f"Api-Key {os.environ[\'BASETEN_API_KEY\']}",\n'
        "}\n"
        "\n"
        "\n"
        "async def main() -> None:\n"
        "    # Baseten takes messages up to 100 MiB each way.\n"
        "    async with connect(URL, additional_headers=HEADERS, max_size=100 * 2**20) as ws:\n"
        "        for frame in FRAMES:\n"
        "            await ws.send(frame)\n"
        "        async for message in ws:  # until the model closes the session\n"
        '            print(message if isinstance(message, str) else f"<{len(message)} bytes>")\n'
        "\n"
        "\n"
        "asyncio.run(main())\n"
    )


def test_websocat_export_is_exact() -> None:
    assert websocat(PLAN, Remote.baseten()) == (
        "# websocat sends one kind of frame per session: the 1 binary frame(s) are left out "
        "(the Python export sends them).\n"
        "printf '%s\\n' hello '{\"type\": \"end\"}' \\\n"
        '  | websocat --no-close -H "Authorization: Api-Key $BASETEN_API_KEY" '
        "-H 'X-Trace: 1' wss://model-abcd1234.api.baseten.co/environments/staging/websocket\n"
    )
    binary = WsPlan(Target("m1", is_chain=True), (OutFrame.of_bytes(b"\x00\x01"),))
    assert export("websocat", binary, Remote.local("http://127.0.0.1:8765")) == (
        "printf %s AAE= | base64 -d \\\n"
        '  | websocat --binary --no-close -H "Authorization: Api-Key $BASETEN_API_KEY" '
        "ws://127.0.0.1:8765/chain-m1/production/websocket\n"
    )
    with pytest.raises(ValueError, match="unknown export"):
        export("wscat", binary, Remote.baseten())


def test_the_python_export_runs_against_the_local_server(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan = WsPlan(
        Target(WS_FAIL),
        (OutFrame.of_text("one"), OutFrame.of_json({"n": 2}), OutFrame.of_text("three")),
    )
    script = tmp_path / "session.py"
    script.write_text(python_websockets(plan, Remote.local(emulator.base_url)))
    env = {**os.environ, "BASETEN_API_KEY": emulator.api_key}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    # The model echoes two frames, then fails: the script's `async for` ends with its 1011.
    assert done.stdout.splitlines() == ["one", '{"n": 2}']
    assert "1011" in done.stderr


def _frames() -> list[Frame]:
    return [
        Frame("sent", "hello", 0.01),
        Frame("received", "hello", 0.02),
        Frame("sent", b"\x00" * 300, 0.03),
        Frame("received", b"\x00" * 300, 0.04),
    ]


def test_a_session_goes_into_the_history_with_its_frames(tmp_path: Path) -> None:
    metrics = WsMetrics(request_id="rid1", deployment_id="dep1", frames_received=2)
    closed = Closed(1011, "boom", "server", 0.05)
    exchange = session_exchange(
        PLAN, _frames(), metrics, closed, remote="local", url="ws://h/model-x/websocket"
    )
    history = History(tmp_path / "history.db")
    try:
        kept = history.get(history.record(exchange))
    finally:
        history.close()
    assert kept is not None
    assert kept.mode == "websocket"
    assert (kept.status, kept.outcome, kept.request_id) == (101, "failed", "rid1")
    assert "1011" in kept.error
    assert "boom" in kept.error
    lines = [json.loads(line) for line in kept.response_text().splitlines()]
    assert lines[0] == {"direction": "sent", "at_s": 0.01, "text": "hello"}
    assert lines[3]["bytes"] == 300
    replay = WsPlan.from_dict(kept.request)
    assert [f.payload() for f in replay.frames] == ["hello", b"\x00" * 300]
    assert kept.metrics["frames_received"] == 2


def test_a_sessions_frames_are_cut_at_the_cap_like_a_body() -> None:
    exchange = session_exchange(
        PLAN, _frames(), WsMetrics(), None, remote="local", url="ws://h", cap=120
    )
    assert len(exchange.response) == 120
    assert exchange.is_truncated
    assert exchange.response_size is not None
    assert exchange.response_size > 120
    assert [f.payload() for f in WsPlan.from_dict(exchange.request).frames] == ["hello"]
    assert exchange.outcome == "finished"
