"""A WebSocket session as the window's request: a preset file (schema 3) that round-trips, the
history's record read back as one, and its code export."""

from __future__ import annotations

import pytest

from playground.core.presets.preset import Preset, PresetError
from playground.core.remote.remotes import Remote, Target
from playground.core.request import codegen
from playground.core.request.spec import RequestSpec
from playground.core.ws import codegen as ws_codegen
from playground.core.ws.plan import OutFrame, WsPlan

PLAN = WsPlan(
    Target("ws3ch0aa", "environment", "staging"),
    (OutFrame.of_text("hi"), OutFrame.of_json({"type": "end"}), OutFrame.of_bytes(b"\x00\x01")),
)


def test_a_websocket_preset_is_written_exactly_so_and_reads_back() -> None:
    preset = Preset("Echo", PLAN.to_spec(), remote="local")
    text = preset.to_text()
    assert text == (
        "{\n"
        '  "schema_version": 3,\n'
        '  "name": "Echo",\n'
        '  "remote": "local",\n'
        '  "request": {\n'
        '    "mode": "websocket",\n'
        '    "target": {\n'
        '      "model": "ws3ch0aa",\n'
        '      "environment": "staging"\n'
        "    },\n"
        '    "frames": [\n'
        "      {\n"
        '        "text": "hi"\n'
        "      },\n"
        "      {\n"
        '        "json": {\n'
        '          "type": "end"\n'
        "        }\n"
        "      },\n"
        "      {\n"
        '        "base64": "AAE="\n'
        "      }\n"
        "    ]\n"
        "  }\n"
        "}\n"
    )
    again = Preset.from_text(text)
    assert again == preset
    assert WsPlan.from_spec(again.request) == PLAN
    assert again.description == "WebSocket on model ws3ch0aa · environment staging"


def test_a_broken_websocket_preset_says_what_is_wrong() -> None:
    request = {"mode": "websocket", "target": {"model": "m"}, "frames": {"text": "x"}}
    with pytest.raises(PresetError, match="request: frames must be a list"):
        Preset.from_dict({"schema_version": 3, "name": "x", "request": request})


def test_the_history_record_reads_back_as_the_windows_request() -> None:
    spec = RequestSpec.from_dict(PLAN.to_dict())
    assert spec.mode == "websocket"
    assert spec.body == [{"text": "hi"}, {"json": {"type": "end"}}, {"base64": "AAE="}]
    assert spec.to_dict() == PLAN.to_dict()
    assert spec.url(Remote.baseten()) == (
        "wss://model-ws3ch0aa.api.baseten.co/environments/staging/websocket"
    )


def test_code_export_of_a_websocket_request_is_the_websocket_exports() -> None:
    spec, remote = PLAN.to_spec(), Remote.baseten()
    assert [(lang.key, lang.applies) for lang in codegen.languages(spec, remote)] == [
        ("python-websockets", True),
        ("websocat", True),
    ]
    assert codegen.export("websocat", spec, remote) == ws_codegen.websocat(PLAN, remote)
    assert codegen.export("python-websockets", spec, remote) == ws_codegen.python_websockets(
        PLAN, remote
    )
