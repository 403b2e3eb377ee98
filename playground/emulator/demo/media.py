"""Models that answer with media: a tiny binary-PNG model, an image generator, text-to-speech, speech-to-text."""

from __future__ import annotations

from playground.emulator.behaviours import ImageBehaviour
from playground.emulator.catalogue import Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments
from playground.emulator.media_models import (
    ImageGeneratorBehaviour,
    SpeechBehaviour,
    TranscriptionBehaviour,
    spoken,
)

IMAGE = "i1mg5qla"
IMAGE_GEN = "f7xg2dqp"
SPEECH = "k4tt8svo"
TRANSCRIBER = "w2hs6rnx"


def add(demo: DemoBuilder) -> None:
    demo.add_model(
        Model(
            id=IMAGE,
            name="tiny-image-gen",
            behaviour=ImageBehaviour(),
            deployments=deployments(
                IMAGE,
                demo.now - 5 * DAY,
                [
                    ("im4g1xa", "v1", "production", False, {}),
                ],
                instance_type_name="L4:4x16",
            ),
            environments={"production": "im4g1xa"},
            created_at=demo.now - 5 * DAY,
            example_input={"prompt": "a red square", "size": 64},
            description="Answers with a binary image/png body.",
        )
    )

    demo.add_model(
        Model(
            id=IMAGE_GEN,
            name="sdxl-image-gen",
            behaviour=ImageGeneratorBehaviour(),
            deployments=deployments(
                IMAGE_GEN,
                demo.now - 4 * DAY,
                [
                    ("fx7g1pa", "v1", "production", False, {"style": "v1", "latency": 0.05}),
                    ("fx7g2sb", "v2", "staging", False, {"style": "v2", "latency": 0.08}),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "fx7g1pa", "staging": "fx7g2sb"},
            created_at=demo.now - 4 * DAY,
            example_input={
                "prompt": "a lighthouse at dusk, oil painting",
                "width": 256,
                "height": 256,
            },
            description=(
                'Like the SDXL and Flux Trusses: {"prompt": …} in, {"data": "<base64 PNG>"} out; '
                "production and staging draw differently."
            ),
        )
    )

    demo.add_model(
        Model(
            id=SPEECH,
            name="orpheus-tts",
            behaviour=SpeechBehaviour(),
            deployments=deployments(
                SPEECH,
                demo.now - 3 * DAY,
                [
                    ("kt4s1pa", "v1", "production", False, {"format": "wav", "delay": 0.02}),
                    ("kt4s2sb", "v2", "staging", False, {"format": "pcm", "delay": 0.02}),
                    ("kt4s3dc", "development", None, True, {"format": "json", "latency": 0.05}),
                ],
                instance_type_name="H100:1x26x234",
            ),
            environments={"production": "kt4s1pa", "staging": "kt4s2sb"},
            created_at=demo.now - 3 * DAY,
            example_input={"text": "Hello from the playground. Can you hear me?"},
            description=(
                "Text to speech, like the Orpheus and Kokoro Trusses: production streams a WAV, "
                "staging raw audio/L16 PCM, development (or stream false) base64 WAV in JSON."
            ),
        )
    )

    demo.add_model(
        Model(
            id=TRANSCRIBER,
            name="whisper-transcriber",
            behaviour=TranscriptionBehaviour(),
            deployments=deployments(
                TRANSCRIBER,
                demo.now - 2 * DAY,
                [
                    ("wh6t1pa", "v1", "production", False, {"latency": 0.03}),
                ],
                instance_type_name="A10G:4x16",
            ),
            environments={"production": "wh6t1pa"},
            created_at=demo.now - 2 * DAY,
            # One spoken word from the TTS demo: "hi", a tone per letter.
            example_input={"audio": spoken("hi")},
            description=(
                'Speech to text, like the Whisper Truss: {"audio": "<base64 WAV>"} in; text, '
                "timed segments, language and duration out. It hears the TTS demo's tones back."
            ),
        )
    )
