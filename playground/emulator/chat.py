"""OpenAI-compatible chat completions as the engines behind Baseten stream them (SSE, usage, tools, reasoning)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from playground.emulator.chat_features import REASONING, FeatureError, Features, read_features
from playground.emulator.chat_features import answer_text as featured_text
from playground.emulator.engines import model_not_found
from playground.emulator.faults import Faults, error_response
from playground.emulator.logprobs import chat_logprobs, entry
from playground.emulator.streams import SSE_DONE, RequestRecord, json_response, sse, streaming

_TOKEN = re.compile(r"\s*\S+")

STYLES: dict[str, str] = {
    "concise": "Short answer about “{topic}”: it comes down to one idea, stated plainly. ✓",
    "friendly": (
        "Great question! You asked about “{topic}”. Here’s a friendly take: think of it step "
        "by step, keep the parts small, and it gets simpler than it looks 🙂"
    ),
    "verbose": (
        "Let me walk through “{topic}” in detail. First, the context: every system has a naïve "
        "version and a careful one. Second, the trade-offs: speed against clarity, like a café "
        "that serves fast but still gets the order right. Third, an example in another script, "
        "日本語のテキスト, to show that nothing is lost on the way. Finally, the summary: start "
        "simple, measure, and only then make it clever. 🚀"
    ),
    "formal": (
        "Regarding “{topic}”: the matter can be summarised in three points — scope, method and "
        "result — each of which is addressed in turn below. Ω"
    ),
}


def tokens_of(text: str) -> list[str]:
    """Split text into deltas that join back to exactly the text (leading spaces kept)."""
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    return len(text.split())


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _topic(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            words = _text_of(message.get("content")).split()
            topic = " ".join(words[:12])
            return topic + ("…" if len(words) > 12 else "") if topic else "nothing in particular"
    return "nothing in particular"


def _prompt(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m.get("role") == "user"]
    return _text_of(users[-1].get("content")) if users else ""


class ChatRequestError(Exception):
    def __init__(self, status: int, message: str, shape: str = "openai") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.shape = shape


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class Plan:
    """What the model will say, decided before the first byte."""

    reasoning: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    top_logprobs: int | None = None  # None: logprobs were not asked for

    @property
    def completion_tokens(self) -> int:
        args = sum(max(1, len(call.arguments) // 4) for call in self.tool_calls)
        return len(self.reasoning) + len(self.content) + args


def _example_value(schema: dict[str, Any], name: str, topic: str) -> Any:
    kind = schema.get("type", "string")
    if schema.get("enum"):
        return schema["enum"][0]
    if kind in ("number", "integer"):
        return 42
    if kind == "boolean":
        return True
    if kind == "array":
        return [topic]
    if kind == "object":
        return {}
    if "city" in name or "location" in name:
        return "Zürich"
    return topic


def validate_request(body: Any, variant: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body, checked as the engine checks it (raises ChatRequestError)."""
    checked = _validate_basics(body)
    try:
        read_features(checked, variant or {})
    except FeatureError as exc:
        raise ChatRequestError(400, exc.message, exc.shape) from None
    return checked


def _validate_basics(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ChatRequestError(400, "The request body must be a JSON object.")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ChatRequestError(400, "`messages` must be a non-empty list.")
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in (
            "system",
            "user",
            "assistant",
            "tool",
            "developer",
        ):
            raise ChatRequestError(
                400, "Each message needs a `role` of system, user, assistant or tool."
            )
    if body.get("n", 1) != 1:
        raise ChatRequestError(400, "Only n=1 is supported.")
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ChatRequestError(400, "`max_tokens` must be a positive integer.")
    temperature = body.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, int | float) or not 0 <= temperature <= 4
    ):
        raise ChatRequestError(400, "`temperature` must be between 0 and 4.")
    return body


def plan_answer(body: dict[str, Any], variant: dict[str, Any], faults: Faults) -> Plan:
    messages: list[dict[str, Any]] = body["messages"]
    topic = _topic(messages)
    try:
        features = read_features(body, variant)
    except FeatureError:
        features = Features()  # validate_request refused it already
    plan = Plan(prompt_tokens=sum(count_words(_text_of(m.get("content"))) + 3 for m in messages))
    plan.top_logprobs = features.top_logprobs
    last = messages[-1]
    tools = body.get("tools") or []
    if (
        variant.get("tools")
        and tools
        and last.get("role") == "user"
        and body.get("tool_choice") != "none"
    ):
        plan.reasoning = []
        calls = tools[:2] if body.get("parallel_tool_calls", True) else tools[:1]
        for tool in calls:
            function = tool.get("function", {}) if isinstance(tool, dict) else {}
            params = function.get("parameters", {}) or {}
            props = params.get("properties", {}) or {}
            wanted = params.get("required") or list(props)
            args = {n: _example_value(props.get(n, {}), n, topic) for n in wanted}
            plan.tool_calls.append(
                ToolCall(
                    id=f"call_{uuid.uuid4().hex[:24]}",
                    name=str(function.get("name", "tool")),
                    arguments=json.dumps(args, ensure_ascii=False),
                )
            )
        plan.finish_reason = "tool_calls"
        return plan
    if last.get("role") == "tool":
        text = (
            f"Based on the tool result ({_text_of(last.get('content'))[:80]}), "
            "here is the answer you asked for. ✓"
        )
    elif variant.get("tools") and not tools:
        text = (
            f"No tools were offered, so I will answer “{topic}” directly: it depends on the data."
        )
    else:
        text = STYLES.get(str(variant.get("style", "concise")), STYLES["concise"]).format(
            topic=topic
        )
    if variant.get("reasoning"):
        plan.reasoning = tokens_of(REASONING[features.effort].format(topic=topic))
    content = tokens_of(featured_text(features, _prompt(messages), text))
    if faults.tokens > 0:
        base = content or ["token"]
        content = [base[i % len(base)] for i in range(faults.tokens)]
    stops = body.get("stop")
    if isinstance(stops, str):
        stops = [stops]
    if stops:
        joined = "".join(content)
        cut = min((joined.find(s) for s in stops if s and s in joined), default=-1)
        if cut >= 0:
            content = tokens_of(joined[:cut])
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
    if isinstance(max_tokens, int) and len(plan.reasoning) + len(content) > max_tokens:
        room = max(0, max_tokens - len(plan.reasoning))
        plan.reasoning = plan.reasoning[:max_tokens]
        content = content[:room]
        plan.finish_reason = "length"
    plan.content = content
    return plan


def _usage(plan: Plan, completion: int | None = None) -> dict[str, Any]:
    done = plan.completion_tokens if completion is None else completion
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": done,
        "total_tokens": plan.prompt_tokens + done,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": min(done, len(plan.reasoning))},
    }


def _reasoning_key(dialect: str) -> str:
    # vLLM renamed `reasoning_content` to `reasoning` (vllm PR 27752), in messages as in deltas.
    return "reasoning" if dialect == "reasoning" else "reasoning_content"


def _continuation(index: int, call: ToolCall, piece: str, dialect: str) -> dict[str, Any]:
    """A fragment of a call's arguments after its first, as the engine of `dialect` sends it."""
    function: dict[str, Any] = {"arguments": piece}
    if dialect == "empty_id":
        return {"index": index, "id": "", "function": function}
    if dialect == "same_id":  # the call's id again, and no index
        return {"id": call.id, "type": "function", "function": function}
    if dialect == "empty_name":  # MiniMax on Baseten: an id of its own each time, and no name
        fresh = f"call_{uuid.uuid4().hex[:24]}"
        return {
            "index": index,
            "id": fresh,
            "type": "function",
            "function": {"name": "", **function},
        }
    return {"index": index, "function": function}


@dataclass
class ChatEngine:
    """One deployment's (or Model API's) chat behaviour."""

    served_model_name: str
    variant: dict[str, Any]
    # Model APIs default include_usage and continuous_usage_stats to true (baseten-api.md §5.3).
    usage_by_default: bool = False

    def delay(self, faults: Faults) -> float:
        if faults.delay >= 0:
            return faults.delay
        speed = float(self.variant.get("tokens_per_second", 100))
        return 1.0 / speed if speed > 0 else 0.0

    async def respond(self, body: Any, faults: Faults, record: RequestRecord) -> Response:
        try:
            request = validate_request(body, self.variant)
        except ChatRequestError as exc:
            return error_response(exc.status, exc.message, shape=exc.shape)
        refused = model_not_found(self.variant, self.served_model_name, request.get("model"))
        if refused is not None:
            return refused
        plan = plan_answer(request, self.variant, faults)
        created = int(time.time())
        cid = f"chatcmpl-{uuid.uuid4().hex}"
        if request.get("stream"):
            options = request.get("stream_options") or {}
            include_usage = bool(options.get("include_usage", self.usage_by_default))
            continuous = bool(options.get("continuous_usage_stats", self.usage_by_default))
            events = self._stream(
                plan, cid, created, self.delay(faults), include_usage, continuous, faults.dialect
            )
            return streaming(events, faults, record, media_type="text/event-stream", kind="sse")
        await asyncio.sleep(self.delay(faults) * plan.completion_tokens)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(plan.content) or None}
        if plan.reasoning:
            message[_reasoning_key(faults.dialect)] = "".join(plan.reasoning)
        if plan.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in plan.tool_calls
            ]
        payload = {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": self.served_model_name,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None
                    if plan.top_logprobs is None
                    else chat_logprobs(plan.content, plan.top_logprobs),
                    "finish_reason": plan.finish_reason,
                }
            ],
            "usage": _usage(plan),
        }
        return json_response(payload, faults, record)

    async def _stream(
        self,
        plan: Plan,
        cid: str,
        created: int,
        delay: float,
        include_usage: bool,
        continuous: bool,
        dialect: str,
    ) -> AsyncIterator[bytes]:
        produced = 0

        def chunk(delta: dict[str, Any], finish: str | None = None, logprobs: Any = None) -> bytes:
            payload: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": self.served_model_name,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
                ],
            }
            if continuous:
                payload["usage"] = _usage(plan, produced)
            return sse(payload)

        async def pace() -> None:
            if delay > 0:
                await asyncio.sleep(delay)
            elif produced % 64 == 0:
                await asyncio.sleep(0)

        yield chunk({"role": "assistant", "content": ""})
        for token in plan.reasoning:
            await pace()
            produced += 1
            yield chunk({_reasoning_key(dialect): token})
        top = plan.top_logprobs
        for position, token in enumerate(plan.content):
            await pace()
            produced += 1
            if top is None:
                yield chunk({"content": token})
            else:
                lp = {"content": [entry(token, position, top)], "refusal": None}
                yield chunk({"content": token}, logprobs=lp)
        for index, call in enumerate(plan.tool_calls):
            await pace()
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
            pieces = [call.arguments[i : i + 8] for i in range(0, len(call.arguments), 8)]
            for piece in pieces:
                await pace()
                produced += max(1, len(piece) // 4)
                yield chunk({"tool_calls": [_continuation(index, call, piece, dialect)]})
        produced = plan.completion_tokens
        yield chunk({}, plan.finish_reason)
        if include_usage:
            yield sse(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": self.served_model_name,
                    "choices": [],
                    "usage": _usage(plan),
                }
            )
        yield SSE_DONE

    def models_payload(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {
                    "id": self.served_model_name,
                    "object": "model",
                    "created": 1_767_225_600,
                    "owned_by": "baseten",
                    "max_model_len": 32_768,
                }
            ],
        }
