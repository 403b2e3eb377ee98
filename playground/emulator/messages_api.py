"""The Messages API on Model APIs (`/v1/messages`, Anthropic's format, beta on Baseten), answered by
the chat engine's own plan and streamed with the events Anthropic's SDK expects."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from starlette.responses import Response

from playground.emulator.chat import (
    ChatEngine,
    ChatRequestError,
    Plan,
    plan_answer,
    validate_request,
)
from playground.emulator.faults import Faults
from playground.emulator.responses_api import named_sse
from playground.emulator.streams import RequestRecord, json_response, streaming

# Anthropic's error types by status (docs.anthropic.com, "Errors").
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def error_body(status: int, message: str) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def anthropic_error(status: int, message: str) -> Response:
    body = json.dumps(error_body(status, message))
    return Response(body, status_code=status, media_type="application/json")


def _blocks(content: Any, role: str) -> list[dict[str, Any]]:
    """A message's content (a string or content blocks) as chat messages."""
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if not isinstance(content, list):
        raise ChatRequestError(400, "messages: content must be a string or a list of blocks")
    out: list[dict[str, Any]] = []
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            function = {"name": block.get("name", ""), "arguments": arguments}
            calls.append({"id": block.get("id", ""), "type": "function", "function": function})
        elif kind == "tool_result":
            result = block.get("content", "")
            if isinstance(result, list):
                result = " ".join(b.get("text", "") for b in result if isinstance(b, dict))
            out.append(
                {"role": "tool", "tool_call_id": block.get("tool_use_id", ""), "content": result}
            )
        elif kind not in ("thinking", "redacted_thinking"):  # earlier thinking is context only
            raise ChatRequestError(400, f"messages: content block type {kind!r} is not supported")
    if texts or calls:
        message: dict[str, Any] = {"role": role, "content": " ".join(texts) if texts else None}
        if calls:
            message["tool_calls"] = calls
        out.append(message)
    return out


def chat_body(body: Any) -> dict[str, Any]:
    """The chat-completions body a Messages request stands for (the engine answers that)."""
    if not isinstance(body, dict):
        raise ChatRequestError(400, "The request body must be a JSON object.")
    if body.get("max_tokens") is None:
        raise ChatRequestError(400, "max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ChatRequestError(400, "messages: at least one message is required")
    chat_messages: list[dict[str, Any]] = []
    system = body.get("system")
    if isinstance(system, list):
        system = " ".join(b.get("text", "") for b in system if isinstance(b, dict))
    if system:
        chat_messages.append({"role": "system", "content": str(system)})
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise ChatRequestError(400, "messages: roles must be user or assistant")
        chat_messages += _blocks(message.get("content"), role)
    chat: dict[str, Any] = {"messages": chat_messages, "max_tokens": body["max_tokens"]}
    for name in ("temperature", "top_p", "top_k"):
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("stop_sequences"):
        chat["stop"] = body["stop_sequences"]
    chat["tools"] = [
        {
            "type": "function",
            "function": {
                "name": t.get("name", ""),
                "description": t.get("description", ""),
                "parameters": t.get("input_schema") or {},
            },
        }
        for t in body.get("tools") or []
        if isinstance(t, dict)
    ]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "none":
        chat["tool_choice"] = "none"
    return validate_request(chat)


class MessagesAnswer:
    """One Messages API answer: the plan as content blocks, and (when asked) as events."""

    def __init__(
        self, engine: ChatEngine, chat: dict[str, Any], plan: Plan, thinking: bool
    ) -> None:
        self.engine = engine
        self.plan = plan
        self.thinking = thinking and bool(plan.reasoning)
        self.id = f"msg_{uuid.uuid4().hex[:24]}"
        self.stop_reason = STOP_REASONS.get(plan.finish_reason, "end_turn")
        self.stop_sequence: str | None = None
        stops = chat.get("stop") or []
        if self.stop_reason == "end_turn" and stops:
            whole = plan_answer({**chat, "stop": None}, engine.variant, Faults())
            full = "".join(whole.content)
            found = [s for s in stops if s and s in full]
            if found:
                self.stop_reason = "stop_sequence"
                self.stop_sequence = min(found, key=full.find)

    @property
    def output_tokens(self) -> int:
        return self.plan.completion_tokens - (0 if self.thinking else len(self.plan.reasoning))

    def usage(self, output_tokens: int) -> dict[str, Any]:
        return {
            "input_tokens": self.plan.prompt_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }

    def signature(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_URL, "".join(self.plan.reasoning)).hex

    def tool_id(self, index: int) -> str:
        return "toolu_" + self.plan.tool_calls[index].id.removeprefix("call_")

    def content(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if self.thinking:
            thinking = "".join(self.plan.reasoning)
            blocks.append({"type": "thinking", "thinking": thinking, "signature": self.signature()})
        if self.plan.content or not self.plan.tool_calls:
            blocks.append({"type": "text", "text": "".join(self.plan.content)})
        for i, call in enumerate(self.plan.tool_calls):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": self.tool_id(i),
                    "name": call.name,
                    "input": json.loads(call.arguments),
                }
            )
        return blocks

    def message(self, content: list[dict[str, Any]], done: bool) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.engine.served_model_name,
            "content": content,
            "stop_reason": self.stop_reason if done else None,
            "stop_sequence": self.stop_sequence if done else None,
            "usage": self.usage(self.output_tokens if done else 1),
        }

    # --- the stream ------------------------------------------------------------------------------

    async def events(self, delay: float, error_at: int, message: str) -> AsyncIterator[bytes]:
        """Every event of the answer; an `error` event (then the end) as event `error_at`."""
        sent = 0
        async for event in self._events(delay):
            if sent == error_at:
                yield named_sse("error", error_body(500, message))
                return
            sent += 1
            yield event

    async def _events(self, delay: float) -> AsyncIterator[bytes]:
        async def pace(n: int) -> None:
            if delay > 0:
                await asyncio.sleep(delay)
            elif n % 64 == 0:
                await asyncio.sleep(0)

        def event(kind: str, **fields: Any) -> bytes:
            return named_sse(kind, {"type": kind, **fields})

        def delta(index: int, **fields: Any) -> bytes:
            return event("content_block_delta", index=index, delta=fields)

        plan = self.plan
        yield event("message_start", message=self.message([], done=False))
        index = 0
        pinged = False
        if self.thinking:
            yield event(
                "content_block_start",
                index=index,
                content_block={"type": "thinking", "thinking": "", "signature": ""},
            )
            yield event("ping")
            pinged = True
            for n, token in enumerate(plan.reasoning):
                await pace(n)
                yield delta(index, type="thinking_delta", thinking=token)
            yield delta(index, type="signature_delta", signature=self.signature())
            yield event("content_block_stop", index=index)
            index += 1
        if plan.content or not plan.tool_calls:
            yield event(
                "content_block_start", index=index, content_block={"type": "text", "text": ""}
            )
            if not pinged:
                yield event("ping")
                pinged = True
            for n, token in enumerate(plan.content):
                await pace(n)
                yield delta(index, type="text_delta", text=token)
            yield event("content_block_stop", index=index)
            index += 1
        for i, call in enumerate(plan.tool_calls):
            block = {"type": "tool_use", "id": self.tool_id(i), "name": call.name, "input": {}}
            yield event("content_block_start", index=index, content_block=block)
            for start in range(0, len(call.arguments), 8):
                await pace(start)
                yield delta(
                    index, type="input_json_delta", partial_json=call.arguments[start : start + 8]
                )
            yield event("content_block_stop", index=index)
            index += 1
        stop = {"stop_reason": self.stop_reason, "stop_sequence": self.stop_sequence}
        yield event("message_delta", delta=stop, usage={"output_tokens": self.output_tokens})
        yield event("message_stop")


async def respond(engine: ChatEngine, body: Any, faults: Faults, record: RequestRecord) -> Response:
    """POST /v1/messages for one Model API."""
    try:
        chat = chat_body(body)
    except ChatRequestError as exc:
        return anthropic_error(exc.status, exc.message)
    plan = plan_answer(chat, engine.variant, faults)
    # A reasoning model thinks unless the request turns thinking off.
    choice = body.get("thinking")
    thinking = not (isinstance(choice, dict) and choice.get("type") == "disabled")
    answer = MessagesAnswer(engine, chat, plan, thinking)
    if body.get("stream"):
        message = faults.message or "Internal error while generating the response"
        events = answer.events(engine.delay(faults), faults.error_at, message)
        return streaming(
            events, replace(faults, error_at=-1), record, media_type="text/event-stream", kind="sse"
        )
    await asyncio.sleep(engine.delay(faults) * plan.completion_tokens)
    return json_response(answer.message(answer.content(), done=True), faults, record)
