"""A model for suites to fail honestly on: a review classifier whose staging candidate misreads
negations ("not good") that production gets right, and slows down as requests pile up on it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.responses import Response

from playground.emulator.behaviours import Behaviour, invalid
from playground.emulator.catalogue import Call, InvalidInput, Model
from playground.emulator.demo.builder import DAY, DemoBuilder, deployments
from playground.emulator.streams import json_response

REVIEWS = "r4vw8nq2"

_POSITIVE = {"good", "great", "love", "excellent", "happy", "fast", "nice", "wonderful", "best"}
_NEGATIVE = {"bad", "slow", "hate", "terrible", "sad", "broken", "worst", "awful", "bug"}
_NEGATIONS = {"not", "never", "no", "isn't", "wasn't", "don't", "didn't"}


def classify(text: str, *, reads_negation: bool) -> dict[str, Any]:
    """The label and score; a negation just before a word flips it, when the model reads them."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    score = 0
    for i, word in enumerate(words):
        sign = 1 if word in _POSITIVE else -1 if word in _NEGATIVE else 0
        if sign and reads_negation and i > 0 and words[i - 1] in _NEGATIONS:
            sign = -sign
        score += sign
    label = "neutral" if score == 0 else "positive" if score > 0 else "negative"
    return {"label": label, "score": round(min(0.99, 0.5 + 0.15 * abs(score)), 2)}


class ReviewBehaviour(Behaviour):
    """`latency` seconds a call, plus `per_request_in_flight` for each other call it is serving
    at the time (a deployment that does not scale out while a sweep climbs)."""

    def __init__(self) -> None:
        self.in_flight: dict[str, int] = {}

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise InvalidInput("Input validation error: text\n  Field required [type=missing]")
        out = classify(payload["text"], reads_negation=bool(variant.get("reads_negation", True)))
        return {**out, "model_version": variant.get("version", "v1")}

    async def predict(self, call: Call) -> Response:
        try:
            output = self.compute(call.variant, call.json())
        except InvalidInput as exc:
            return invalid(str(exc))
        key = call.deployment.id
        busy = self.in_flight.get(key, 0)
        self.in_flight[key] = busy + 1
        try:
            extra = float(call.variant.get("per_request_in_flight", 0.0)) * busy
            await asyncio.sleep(float(call.variant.get("latency", 0.0)) + extra)
        finally:
            self.in_flight[key] -= 1
        return json_response(output, call.faults, call.record)


def add(demo: DemoBuilder) -> None:
    production = {"version": "v3", "latency": 0.02, "reads_negation": True}
    staging = {
        "version": "v4-rc1",
        "latency": 0.03,
        "reads_negation": False,
        "per_request_in_flight": 0.01,
    }
    demo.add_model(
        Model(
            id=REVIEWS,
            name="review-sentiment",
            behaviour=ReviewBehaviour(),
            deployments=deployments(
                REVIEWS,
                demo.now - 12 * DAY,
                [
                    ("rv3k8pa", "v3", "production", False, production),
                    ("rv4m2qb", "v4-rc1", "staging", False, staging),
                ],
                instance_type_name="CPU:2x8",
            ),
            environments={"production": "rv3k8pa", "staging": "rv4m2qb"},
            created_at=demo.now - 12 * DAY,
            example_input={"text": "The update is not bad at all"},
            description=(
                "For suites: staging (v4-rc1) misreads negations production (v3) gets right, "
                "and slows down as requests pile up."
            ),
        )
    )
