"""What a chat request asks beyond plain text: a response format, images, logprobs, an effort.

Read once per request (`read_features`), refused in the engine's words (`FeatureError`), and used
by the planner to decide what the model says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playground.emulator import structured
from playground.emulator.logprobs import LogprobsError, wanted
from playground.emulator.vision import NOT_MULTIMODAL, ImageError, describe_images, image_parts

EFFORTS = ("low", "medium", "high")

# How the reasoning model thinks at each effort: more checks, more tokens (low < medium < high).
REASONING = {
    "low": "The user asks about “{topic}”. A short, direct answer will do.",
    "medium": (
        "The user asks about “{topic}”. Let me think about what they need: a direct answer, then "
        "one reason. Checking: is there any ambiguity? Not much. So I will answer briefly."
    ),
    "high": (
        "The user asks about “{topic}”. Let me think carefully about what they need. First, what "
        "is really being asked: a direct answer, and the reason behind it. Second, the possible "
        "readings of the question: is there any ambiguity in the words? I will consider the "
        "narrow reading and the broad one, and check each against what the user most likely "
        "means. Third, the edge cases: are there exceptions worth a sentence? One or two, but "
        "they should not crowd out the main point. Fourth, I double-check the reasoning from the "
        "start, step by step, to make sure nothing contradicts. It holds. So I will answer "
        "formally, in three short points, and mention the main exception."
    ),
}


class FeatureError(Exception):
    def __init__(self, message: str, shape: str = "openai") -> None:
        super().__init__(message)
        self.message = message
        self.shape = shape


@dataclass
class Features:
    schema: dict[str, Any] | None = None  # response_format json_schema
    json_object: bool = False
    top_logprobs: int | None = None  # None: logprobs off
    effort: str = "medium"
    images: list[dict[str, Any]] = field(default_factory=list)
    image_text: str = ""  # what the vision model read from the images


def read_features(body: dict[str, Any], variant: dict[str, Any]) -> Features:
    features = Features()
    response_format = body.get("response_format")
    if response_format is not None:
        try:
            features.schema = structured.check_response_format(response_format)
        except structured.SchemaRequestError as exc:
            raise FeatureError(str(exc)) from None
        features.json_object = response_format.get("type") == "json_object"
    try:
        features.top_logprobs = wanted(body)
    except LogprobsError as exc:
        raise FeatureError(str(exc)) from None
    effort = body.get("reasoning_effort")
    if effort is not None:
        if effort not in EFFORTS:
            raise FeatureError(
                f"`reasoning_effort` must be one of low, medium or high, not {effort!r}."
            )
        features.effort = effort
    features.images = image_parts(body["messages"])
    if features.images and not variant.get("vision"):
        raise FeatureError(NOT_MULTIMODAL, shape="flat")
    if features.images:
        try:
            features.image_text = describe_images(features.images)
        except ImageError as exc:
            raise FeatureError(str(exc)) from None
    return features


def answer_text(features: Features, prompt: str, text: str) -> str:
    """The answer's text once the features have their say (an image read, a JSON shape)."""
    if features.image_text:
        text = features.image_text
    if features.schema is not None:
        value = structured.generate(features.schema, prompt)
        return json.dumps(value, ensure_ascii=False)
    if features.json_object:
        return json.dumps({"answer": text}, ensure_ascii=False)
    return text
