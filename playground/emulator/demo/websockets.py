"""Models served over WebSockets: echo, streaming speech to text, text to speech, one that fails
mid-session, one deployed without a websocket method, one scaled to zero, and a chain."""

from __future__ import annotations

from typing import Any

from playground.emulator.behaviours import ClassifierBehaviour
from playground.emulator.catalogue import Model, ModelCode
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments
from playground.emulator.ws_models import EchoWs, FailingWs, SpeechToTextWs, TextToSpeechWs

WS_ECHO = "ws3ch0aa"
WS_STT = "ws5ttrsc"
WS_TTS = "ws7tt5pk"
WS_FAIL = "ws9fa1lx"
WS_NONE = "ws2n0mth"
WS_SLEEPY = "ws4zz0sl"
WS_CHAIN = "ws6cha1n"

_INPUT = {"frames": [{"text": "hello"}]}


def _model(
    demo: DemoBuilder,
    model_id: str,
    name: str,
    behaviour: ModelCode,
    description: str,
    *,
    prefix: str,
    variant: dict[str, Any] | None = None,
    is_chain: bool = False,
    **common: Any,
) -> None:
    variant = variant or {}
    demo.add_model(
        Model(
            id=model_id,
            name=name,
            behaviour=behaviour,
            deployments=deployments(
                model_id,
                demo.now - 5 * DAY,
                [
                    (prefix + "prd", "v1", "production", False, variant),
                    (prefix + "stg", "v2", "staging", False, variant),
                    (prefix + "dev", "development", None, True, variant),
                ],
                instance_type_name="CPU:2x8",
                is_chain=is_chain,
                **common,
            ),
            environments={"production": prefix + "prd", "staging": prefix + "stg"},
            created_at=demo.now - 5 * DAY,
            example_input=_INPUT,
            description=description,
            is_chain=is_chain,
        )
    )


def add(demo: DemoBuilder) -> None:
    _model(
        demo,
        WS_ECHO,
        "websocket-echo",
        EchoWs(),
        "WebSocket: sends every frame back, text as text and binary as binary.",
        prefix="we0",
    )
    _model(
        demo,
        WS_STT,
        "websocket-speech-to-text",
        SpeechToTextWs(),
        'WebSocket: 16 kHz 16-bit PCM in; partial transcripts, and a final one on {"type": "end"}.',
        prefix="ws0",
    )
    _model(
        demo,
        WS_TTS,
        "websocket-text-to-speech",
        TextToSpeechWs(),
        "WebSocket: text in; 16 kHz 16-bit PCM frames out (60 ms a character), then an end marker.",
        prefix="wt0",
    )
    _model(
        demo,
        WS_FAIL,
        "websocket-fails-mid-session",
        FailingWs(),
        "WebSocket: echoes two frames, then the model fails (close 1011 with the reason).",
        prefix="wf0",
        variant={"fail_after": 2},
    )
    _model(
        demo,
        WS_NONE,
        "no-websocket-method",
        ClassifierBehaviour(),
        "Deployed without a websocket method: the upgrade is accepted, then closed 1003.",
        prefix="wn0",
        variant={"version": "v1"},
    )
    _model(
        demo,
        WS_SLEEPY,
        "websocket-scaled-to-zero",
        EchoWs(),
        "WebSocket echo scaled to zero: the upgrade waits while a replica wakes.",
        prefix="wz0",
        min_replica=0,
        max_replica=1,
        scale_down_delay=demo.scale_down_delay,
    )
    _model(
        demo,
        WS_CHAIN,
        "websocket-chain",
        EchoWs(),
        "A chain whose entrypoint takes a websocket (echo).",
        prefix="wc0",
        is_chain=True,
    )
