"""The demo catalogue: models worth exploring, whose environments answer and stream differently."""

from __future__ import annotations

import time
from collections.abc import Callable

from playground.emulator.catalogue import Catalogue
from playground.emulator.demo import (
    chains,
    chat,
    custom,
    llm,
    media,
    predict,
    scale,
    streams,
    suites,
    websockets,
)
from playground.emulator.demo.builder import DemoBuilder

# The ids, as callers have always imported them. They look like Baseten's: 8 lowercase
# alphanumerics for models, 7 for deployments.
from playground.emulator.demo.chains import CHAIN
from playground.emulator.demo.chat import CHAT, REASONER, TOOLS, WEATHER_TOOL
from playground.emulator.demo.custom import CUSTOM
from playground.emulator.demo.llm import VISION, VLLM_MODEL
from playground.emulator.demo.media import IMAGE, IMAGE_GEN, SPEECH, TRANSCRIBER
from playground.emulator.demo.predict import CLASSIFIER
from playground.emulator.demo.scale import SLEEPY
from playground.emulator.demo.streams import NDJSON, STREAMER
from playground.emulator.demo.suites import REVIEWS

# Each feature adds its models in a module of its own (`def add(demo: DemoBuilder) -> None`),
# listed here once, in the order the management API lists their models. A new demo model is a new
# module, imported above and named once here.
FEATURES: tuple[Callable[[DemoBuilder], None], ...] = (
    predict.add,
    chat.add,
    llm.add,
    streams.add,
    scale.add,
    custom.add,
    media.add,
    chains.add,
    websockets.add,
    suites.add,
)

__all__ = [
    "CHAIN",
    "CHAT",
    "CLASSIFIER",
    "CUSTOM",
    "FEATURES",
    "IMAGE",
    "IMAGE_GEN",
    "NDJSON",
    "REASONER",
    "REVIEWS",
    "SLEEPY",
    "SPEECH",
    "STREAMER",
    "TOOLS",
    "TRANSCRIBER",
    "VISION",
    "VLLM_MODEL",
    "WEATHER_TOOL",
    "demo_catalogue",
]


def demo_catalogue(scale_down_delay: int = 120) -> Catalogue:
    demo = DemoBuilder(now=time.time(), scale_down_delay=scale_down_delay)
    for add in FEATURES:
        add(demo)
    return demo.catalogue()
