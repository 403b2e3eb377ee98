"""What each demo model does when called: JSON, chat engines, raw and NDJSON streams, a custom server, images, a chain."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from starlette.responses import Response

from playground.emulator.catalogue import Call, Deployment, InvalidInput
from playground.emulator.chat import ChatEngine, tokens_of
from playground.emulator.faults import Faults, error_response
from playground.emulator.streams import body_response, json_response, streaming


class JobError(Exception):
    """An async job failed with one of the async error codes (baseten-api.md §4.3)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> Response:
    # The Truss server answers malformed and invalid input with 400 and {"error": ...}.
    return error_response(400, message, shape="truss")


NOT_FOUND_ROUTE = {"detail": "Not Found"}


class Behaviour:
    """A model's code. `compute` is the non-streaming answer, also used for async jobs."""

    streams = False

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        raise NotImplementedError

    async def predict(self, call: Call) -> Response:
        try:
            output = self.compute(call.variant, call.json())
        except InvalidInput as exc:
            return invalid(str(exc))
        await asyncio.sleep(float(call.variant.get("latency", 0.0)))
        return json_response(output, call.faults, call.record)

    async def route(self, call: Call, route: str) -> Response:
        # A Truss model without a custom server has no routes beyond its own; FastAPI's 404.
        return Response(json.dumps(NOT_FOUND_ROUTE), 404, media_type="application/json")

    def run_job(self, variant: dict[str, Any], payload: Any) -> Any:
        try:
            return self.compute(variant, payload)
        except InvalidInput as exc:
            raise JobError("MODEL_INVALID_INPUT", str(exc)) from exc


_POSITIVE = {"good", "great", "love", "excellent", "happy", "fast", "nice", "wonderful", "best"}
_NEGATIVE = {"bad", "slow", "hate", "terrible", "sad", "broken", "worst", "awful", "bug"}


class ClassifierBehaviour(Behaviour):
    """A sentiment classifier whose versions answer visibly differently."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise InvalidInput(
                "Input validation error: 1 validation error for ModelInput\ntext\n"
                "  Field required [type=missing]"
            )
        text: str = payload["text"]
        words = re.findall(r"[a-zà-ÿ']+", text.lower())
        pos = sum(w in _POSITIVE for w in words)
        neg = sum(w in _NEGATIVE for w in words)
        total = pos + neg
        label = "neutral" if pos == neg else ("positive" if pos > neg else "negative")
        confidence = 0.5 if total == 0 else 0.5 + 0.49 * abs(pos - neg) / total
        version = variant.get("version", "v1")
        if version == "v1":
            return {"label": label, "score": round(confidence, 2)}
        if version == "v2":
            return {
                "label": label.upper(),
                "score": round(min(0.99, confidence + 0.04), 4),
                "model_version": "v2",
                "scores": {
                    "positive": round(pos / total, 3) if total else 0.333,
                    "negative": round(neg / total, 3) if total else 0.333,
                    "neutral": 0.0 if total else 0.334,
                },
            }
        return {
            "label": label,
            "score": round(confidence, 4),
            "model_version": version,
            "debug": {"tokens": words[:32], "positive_hits": pos, "negative_hits": neg},
        }


class ChatBehaviour(Behaviour):
    """An OpenAI-compatible engine (vLLM, SGLang, Engine-Builder) whose predict endpoint is chat."""

    def engine(self, variant: dict[str, Any]) -> ChatEngine:
        return ChatEngine(str(variant.get("served_model_name", "model")), variant)

    async def predict(self, call: Call) -> Response:
        try:
            body = call.json()
        except InvalidInput as exc:
            return error_response(400, str(exc), shape="openai")
        return await self.engine(call.variant).respond(body, call.faults, call.record)

    async def route(self, call: Call, route: str) -> Response:
        method = call.request.method
        engine = self.engine(call.variant)
        if route == "v1/chat/completions" and method == "POST":
            return await self.predict(call)
        if route == "v1/completions" and method == "POST":
            from playground.emulator import completions

            try:
                body = call.json()
            except InvalidInput as exc:
                return error_response(400, str(exc), shape="openai")
            return await completions.respond(engine, body, call.faults, call.record)
        if route == "v1/models" and method == "GET":
            return json_response(engine.models_payload(), call.faults, call.record)
        if route == "health" and method == "GET":
            return Response(status_code=200)
        return await super().route(call, route)

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        raise InvalidInput("async inference needs a non-streaming chat request")

    def run_job(self, variant: dict[str, Any], payload: Any) -> Any:
        from playground.emulator.chat import ChatRequestError, plan_answer, validate_request

        try:
            request = validate_request(payload, variant)
        except ChatRequestError as exc:
            raise JobError("MODEL_INVALID_INPUT", exc.message) from exc
        if request.get("stream"):
            raise JobError("MODEL_INVALID_INPUT", "async inference does not support streaming")
        plan = plan_answer(request, variant, Faults())
        return {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(plan.content)},
                    "finish_reason": plan.finish_reason,
                }
            ],
        }


STORY = (
    "Once upon a time, a model woke up on a warm GPU. It read the prompt “{prompt}”, thought "
    "for a moment, and began to write — one token, then another — until the story was done. "
    "Ünïcödé, 漢字 and emoji 🎉 travelled safely all the way. The end."
)


def _stream_request(payload: Any) -> tuple[str, bool, int]:
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise InvalidInput("Input validation error: the body must be a JSON object")
    prompt = str(payload.get("prompt", "a quiet afternoon"))
    stream = bool(payload.get("stream", True))
    max_tokens = payload.get("max_tokens", 10_000)
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise InvalidInput("Input validation error: max_tokens must be a positive integer")
    return prompt, stream, max_tokens


class TextStreamBehaviour(Behaviour):
    """A Truss whose predict is a generator: raw `application/octet-stream` chunks, or NDJSON."""

    streams = True

    def __init__(self, *, ndjson: bool) -> None:
        self.ndjson = ndjson

    def _tokens(self, prompt: str, max_tokens: int, faults: Faults) -> list[str]:
        tokens = tokens_of(STORY.format(prompt=prompt))
        if faults.tokens > 0:
            tokens = [tokens[i % len(tokens)] for i in range(faults.tokens)]
        return tokens[:max_tokens]

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        prompt, _, max_tokens = _stream_request(payload)
        tokens = self._tokens(prompt, max_tokens, Faults())
        return {"text": "".join(tokens), "tokens": len(tokens)}

    async def predict(self, call: Call) -> Response:
        try:
            prompt, stream, max_tokens = _stream_request(call.json())
        except InvalidInput as exc:
            return invalid(str(exc))
        if not stream:
            return await super().predict(call)
        tokens = self._tokens(prompt, max_tokens, call.faults)
        delay = (
            call.faults.delay if call.faults.delay >= 0 else float(call.variant.get("delay", 0.03))
        )

        async def events() -> AsyncIterator[bytes]:
            for index, token in enumerate(tokens):
                if delay > 0:
                    await asyncio.sleep(delay)
                elif index % 64 == 0:
                    await asyncio.sleep(0)
                if self.ndjson:
                    line = {"index": index, "token": token}
                    yield json.dumps(line, ensure_ascii=False).encode() + b"\n"
                else:
                    yield token.encode()
            if self.ndjson:
                yield json.dumps({"done": True, "tokens": len(tokens)}).encode() + b"\n"

        if self.ndjson:
            return streaming(
                events(), call.faults, call.record, media_type="application/x-ndjson", kind="ndjson"
            )
        return streaming(
            events(), call.faults, call.record, media_type="application/octet-stream", kind="raw"
        )


class TranscriberBehaviour(Behaviour):
    """A speech-to-text model that sleeps at zero replicas until called or woken."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("audio_url"), str):
            raise InvalidInput("Input validation error: `audio_url` (a string) is required")
        name = payload["audio_url"].rstrip("/").rsplit("/", 1)[-1] or "audio"
        return {
            "text": f"Transcript of {name}: hello from a model that was asleep a moment ago.",
            "language": "en",
            "duration_s": 3.2,
            "segments": [
                {"start": 0.0, "end": 1.4, "text": f"Transcript of {name}:"},
                {
                    "start": 1.4,
                    "end": 3.2,
                    "text": "hello from a model that was asleep a moment ago.",
                },
            ],
        }


@dataclass
class CustomServerBehaviour(Behaviour):
    """A custom Docker server (FastAPI-like) reached through `/sync/{route}`."""

    items: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        return {"server": "custom", "version": variant.get("version", "1.0"), "echo": payload}

    def _store(self, deployment: Deployment) -> dict[str, dict[str, Any]]:
        if deployment.id not in self.items:
            self.items[deployment.id] = {
                "1": {"id": "1", "name": "widget", "price": 9.5},
                "2": {"id": "2", "name": "gadget", "price": 12.0},
            }
        return self.items[deployment.id]

    async def route(self, call: Call, route: str) -> Response:
        method = call.request.method
        parts = [p for p in route.split("/") if p]
        store = self._store(call.deployment)

        def reply(payload: Any, status: int = 200) -> Response:
            return json_response(payload, call.faults, call.record, status=status)

        if parts == ["health"] and method in ("GET", "HEAD"):
            return reply({"status": "ok", "version": call.variant.get("version", "1.0")})
        if parts == ["echo"]:
            body: Any
            try:
                body = call.json()
            except InvalidInput:
                body = call.body.decode("utf-8", "replace")
            headers = {
                k: v for k, v in call.request.headers.items() if k.lower() != "authorization"
            }
            return reply(
                {
                    "method": method,
                    "path": "/" + route,
                    "query": dict(call.request.query_params),
                    "headers": headers,
                    "body": body,
                }
            )
        if parts == ["items"]:
            if method == "GET":
                return reply({"items": list(store.values())})
            if method == "POST":
                try:
                    payload = call.json()
                except InvalidInput as exc:
                    return reply({"detail": str(exc)}, 422)
                if not isinstance(payload, dict) or "name" not in payload:
                    return reply(
                        {"detail": [{"loc": ["body", "name"], "msg": "Field required"}]}, 422
                    )
                new_id = str(max((int(k) for k in store), default=0) + 1)
                store[new_id] = {"id": new_id, **payload}
                return reply(store[new_id], 201)
            return reply({"detail": "Method Not Allowed"}, 405)
        if len(parts) == 2 and parts[0] == "items":
            item = store.get(parts[1])
            if method in ("PUT", "PATCH"):
                try:
                    payload = call.json()
                except InvalidInput as exc:
                    return reply({"detail": str(exc)}, 422)
                if not isinstance(payload, dict):
                    return reply({"detail": "body must be an object"}, 422)
                if item is None and method == "PATCH":
                    return reply({"detail": "Item not found"}, 404)
                base = {} if method == "PUT" or item is None else item
                store[parts[1]] = {**base, **payload, "id": parts[1]}
                return reply(store[parts[1]])
            if item is None:
                return reply({"detail": "Item not found"}, 404)
            if method == "GET":
                return reply(item)
            if method == "DELETE":
                del store[parts[1]]
                return Response(status_code=204)
            return reply({"detail": "Method Not Allowed"}, 405)
        return reply(NOT_FOUND_ROUTE, 404)


def _png(width: int, height: int, seed: int) -> bytes:
    def block(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes(
                ((x * 4 + seed) % 256, (y * 4 + seed * 3) % 256, (x + y + seed * 7) % 256)
            )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + block(b"IHDR", header)
        + block(b"IDAT", zlib.compress(bytes(rows)))
        + block(b"IEND", b"")
    )


class ImageBehaviour(Behaviour):
    """An image generator that answers with a binary `image/png` body."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        raise InvalidInput("the image model answers with bytes; call it synchronously")

    async def predict(self, call: Call) -> Response:
        try:
            payload = call.json() or {}
        except InvalidInput as exc:
            return invalid(str(exc))
        if not isinstance(payload, dict):
            return invalid("Input validation error: the body must be a JSON object")
        size = payload.get("size", 64)
        if not isinstance(size, int) or not 8 <= size <= 512:
            return invalid("Input validation error: size must be an integer from 8 to 512")
        seed = sum(str(payload.get("prompt", "")).encode()) % 256
        return body_response(
            _png(size, size, seed), call.faults, call.record, media_type="image/png"
        )


class ChainBehaviour(Behaviour):
    """A chain's entrypoint: `run_remote` takes the entrypoint's arguments as JSON."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("question"), str):
            raise InvalidInput("run_remote() missing 1 required argument: 'question'")
        question = payload["question"]
        return {
            "answer": f"According to the two documents retrieved, “{question}” is answered in section 2.",
            "sources": [
                {"doc": "handbook.pdf", "page": 12, "score": 0.91},
                {"doc": "faq.md", "page": 1, "score": 0.77},
            ],
        }

    async def predict(self, call: Call) -> Response:
        try:
            output = self.compute(call.variant, call.json())
        except InvalidInput as exc:
            # A chain surfaces the entrypoint's exception in the RemoteErrorDetail shape.
            return error_response(500, str(exc), shape="chain")
        await asyncio.sleep(float(call.variant.get("latency", 0.0)))
        return json_response(output, call.faults, call.record)


@lru_cache(maxsize=4)
def huge_json(size: int) -> bytes:
    """A JSON document of about `size` bytes, built once per size."""
    row = {"index": 0, "text": "lorem ipsum dolor sit amet " * 4, "values": [1.5, 2.5, 3.5]}
    row_len = len(json.dumps(row)) + 2
    count = max(1, size // row_len)
    rows = [{**row, "index": i} for i in range(count)]
    return json.dumps({"rows": count, "data": rows}).encode()
