"""The Responses API on Model APIs (`/v1/responses`): stateless, the whole history as `input`,
answered by the chat engine's own plan and streamed as OpenAI's Responses API streams it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
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
from playground.emulator.streams import RequestRecord, json_response, streaming


def named_sse(event: str, payload: Any) -> bytes:
    """One event as OpenAI and Anthropic frame theirs: `event:` names it, `data:` carries it."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {data}\n\n".encode()


def openai_error(status: int, message: str, param: str | None = None) -> Response:
    kind = "invalid_request_error" if status < 500 else "server_error"
    code = "model_not_found" if status == 404 else None
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _text(content: Any) -> str | list[dict[str, Any]]:
    """A Responses content (a string or input_text/output_text parts) as chat content."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise ChatRequestError(400, "A message's `content` must be a string or a list of parts.")
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": str(part.get("text", ""))})
        elif kind == "input_image":
            parts.append({"type": "image_url", "image_url": {"url": part.get("image_url", "")}})
        else:
            raise ChatRequestError(400, f"Unsupported content part type {kind!r}.")
    return parts


def _messages(items: Any) -> Iterator[dict[str, Any]]:
    if isinstance(items, str):
        yield {"role": "user", "content": items}
        return
    if not isinstance(items, list) or not items:
        raise ChatRequestError(400, "`input` must be a string or a non-empty list of items.")
    for item in items:
        if not isinstance(item, dict):
            raise ChatRequestError(400, "Each `input` item must be an object.")
        kind = item.get("type", "message")
        if kind == "message":
            yield {"role": item.get("role"), "content": _text(item.get("content", ""))}
        elif kind == "function_call":
            call = {"name": item.get("name", ""), "arguments": item.get("arguments", "")}
            yield {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": item.get("call_id", ""), "type": "function", "function": call}
                ],
            }
        elif kind == "function_call_output":
            output = item.get("output", "")
            yield {
                "role": "tool",
                "tool_call_id": item.get("call_id", ""),
                "content": output if isinstance(output, str) else json.dumps(output),
            }
        elif kind != "reasoning":  # reasoning sent back is context only, as OpenAI treats it
            raise ChatRequestError(400, f"Unsupported input item type {kind!r}.")


def chat_body(body: Any) -> dict[str, Any]:
    """The chat-completions body a Responses request stands for (the engine answers that)."""
    if not isinstance(body, dict):
        raise ChatRequestError(400, "The request body must be a JSON object.")
    if body.get("previous_response_id"):
        # Baseten stores no response: a request cannot refer to an earlier one.
        raise ChatRequestError(
            400,
            "previous_response_id is not supported: Model APIs store no responses; "
            "send the whole conversation as `input`.",
        )
    messages = list(_messages(body.get("input")))
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        messages.insert(0, {"role": "system", "content": body["instructions"]})
    chat: dict[str, Any] = {"messages": messages}
    for name in ("temperature", "top_p", "parallel_tool_calls", "top_logprobs"):
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("max_output_tokens") is not None:
        chat["max_tokens"] = body["max_output_tokens"]
    if isinstance(body.get("tool_choice"), str):
        chat["tool_choice"] = body["tool_choice"]
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    chat["tools"] = [
        {"type": "function", "function": {k: v for k, v in t.items() if k != "type"}}
        for t in tools
        if t.get("type") == "function"
    ]
    fmt = (
        ((body.get("text") or {}).get("format") or {}) if isinstance(body.get("text"), dict) else {}
    )
    if fmt.get("type") == "json_schema":
        schema = {k: fmt[k] for k in ("name", "schema", "strict") if k in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": schema}
    elif fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    effort = (
        (body.get("reasoning") or {}).get("effort")
        if isinstance(body.get("reasoning"), dict)
        else None
    )
    if effort:
        chat["reasoning_effort"] = effort
    return validate_request(chat)


class ResponsesAnswer:
    """One Responses API answer: the plan, told as output items and (when asked) as events."""

    def __init__(self, engine: ChatEngine, body: dict[str, Any], plan: Plan) -> None:
        self.engine = engine
        self.body = body
        self.plan = plan
        self.id = f"resp_{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.seq = 0
        hexes = uuid.uuid4().hex
        self.reasoning_id, self.message_id = f"rs_{hexes[:24]}", f"msg_{hexes[8:]}"

    def usage(self, produced: int | None = None) -> dict[str, Any]:
        done = self.plan.completion_tokens if produced is None else produced
        return {
            "input_tokens": self.plan.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": done,
            "output_tokens_details": {"reasoning_tokens": min(done, len(self.plan.reasoning))},
            "total_tokens": self.plan.prompt_tokens + done,
        }

    @property
    def incomplete(self) -> bool:
        return self.plan.finish_reason == "length"

    def response(self, status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
        body = self.body
        done = status != "in_progress"
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "background": False,
            "error": None,
            "incomplete_details": {"reason": "max_output_tokens"}
            if status == "incomplete"
            else None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "model": self.engine.served_model_name,
            "output": output,
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": None,
            "reasoning": {"effort": (body.get("reasoning") or {}).get("effort"), "summary": None},
            "store": False,  # stateless: nothing is kept, whatever `store` asked
            "temperature": body.get("temperature", 1.0),
            "text": body.get("text") or {"format": {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_p": body.get("top_p", 1.0),
            "truncation": "disabled",
            "usage": self.usage() if done else None,
            "metadata": body.get("metadata") or {},
        }

    def reasoning_item(self, text: str, status: str) -> dict[str, Any]:
        content = [{"type": "reasoning_text", "text": text}] if status != "in_progress" else []
        return {
            "id": self.reasoning_id,
            "type": "reasoning",
            "summary": [],
            "content": content,
            "status": status,
        }

    def message_item(self, text: str | None, status: str) -> dict[str, Any]:
        content = [] if text is None else [self.text_part(text)]
        return {
            "id": self.message_id,
            "type": "message",
            "status": status,
            "role": "assistant",
            "content": content,
        }

    @staticmethod
    def text_part(text: str) -> dict[str, Any]:
        return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}

    def call_item(self, index: int, arguments: str, status: str) -> dict[str, Any]:
        call = self.plan.tool_calls[index]
        return {
            "id": f"fc_{call.id.removeprefix('call_')}",
            "type": "function_call",
            "status": status,
            "call_id": call.id,
            "name": call.name,
            "arguments": arguments,
        }

    def output(self) -> list[dict[str, Any]]:
        status = "incomplete" if self.incomplete else "completed"
        items: list[dict[str, Any]] = []
        if self.plan.reasoning:
            items.append(self.reasoning_item("".join(self.plan.reasoning), status))
        if self.plan.content or not self.plan.tool_calls:
            items.append(self.message_item("".join(self.plan.content), status))
        items += [
            self.call_item(i, c.arguments, "completed") for i, c in enumerate(self.plan.tool_calls)
        ]
        return items

    def final(self) -> dict[str, Any]:
        return self.response("incomplete" if self.incomplete else "completed", self.output())

    # --- the stream ------------------------------------------------------------------------------

    def event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return named_sse(kind, payload)

    async def events(self, delay: float, error_at: int, message: str) -> AsyncIterator[bytes]:
        """Every event of the answer; an `error` event (then the end) as event `error_at`."""
        sent = 0
        async for event in self._events(delay):
            if sent == error_at:
                self.seq = sent  # the event in hand was never sent
                yield self.event(
                    "error",
                    code="server_error",
                    message=message,
                    param=None,
                )
                return
            sent += 1
            yield event

    async def _events(self, delay: float) -> AsyncIterator[bytes]:
        async def pace(n: int) -> None:
            if delay > 0:
                await asyncio.sleep(delay)
            elif n % 64 == 0:
                await asyncio.sleep(0)

        plan = self.plan
        yield self.event("response.created", response=self.response("in_progress", []))
        yield self.event("response.in_progress", response=self.response("in_progress", []))
        index = 0
        item_status = "incomplete" if self.incomplete else "completed"
        if plan.reasoning:
            rid = self.reasoning_id
            yield self.event(
                "response.output_item.added",
                output_index=index,
                item=self.reasoning_item("", "in_progress"),
            )
            for n, token in enumerate(plan.reasoning):
                await pace(n)
                yield self.event(
                    "response.reasoning_text.delta",
                    item_id=rid,
                    output_index=index,
                    content_index=0,
                    delta=token,
                )
            text = "".join(plan.reasoning)
            yield self.event(
                "response.reasoning_text.done",
                item_id=rid,
                output_index=index,
                content_index=0,
                text=text,
            )
            yield self.event(
                "response.output_item.done",
                output_index=index,
                item=self.reasoning_item(text, item_status),
            )
            index += 1
        if plan.content or not plan.tool_calls:
            mid = self.message_id
            yield self.event(
                "response.output_item.added",
                output_index=index,
                item=self.message_item(None, "in_progress"),
            )
            yield self.event(
                "response.content_part.added",
                item_id=mid,
                output_index=index,
                content_index=0,
                part=self.text_part(""),
            )
            for n, token in enumerate(plan.content):
                await pace(n)
                yield self.event(
                    "response.output_text.delta",
                    item_id=mid,
                    output_index=index,
                    content_index=0,
                    delta=token,
                    logprobs=[],
                )
            text = "".join(plan.content)
            yield self.event(
                "response.output_text.done",
                item_id=mid,
                output_index=index,
                content_index=0,
                text=text,
                logprobs=[],
            )
            yield self.event(
                "response.content_part.done",
                item_id=mid,
                output_index=index,
                content_index=0,
                part=self.text_part(text),
            )
            yield self.event(
                "response.output_item.done",
                output_index=index,
                item=self.message_item(text, item_status),
            )
            index += 1
        for n, call in enumerate(plan.tool_calls):
            item = self.call_item(n, "", "in_progress")
            yield self.event("response.output_item.added", output_index=index, item=item)
            for start in range(0, len(call.arguments), 8):
                await pace(start)
                yield self.event(
                    "response.function_call_arguments.delta",
                    item_id=item["id"],
                    output_index=index,
                    delta=call.arguments[start : start + 8],
                )
            yield self.event(
                "response.function_call_arguments.done",
                item_id=item["id"],
                output_index=index,
                name=call.name,
                arguments=call.arguments,
            )
            yield self.event(
                "response.output_item.done",
                output_index=index,
                item=self.call_item(n, call.arguments, "completed"),
            )
            index += 1
        final = self.final()
        kind = "response.incomplete" if self.incomplete else "response.completed"
        yield self.event(kind, response=final)


async def respond(engine: ChatEngine, body: Any, faults: Faults, record: RequestRecord) -> Response:
    """POST /v1/responses for one Model API."""
    try:
        chat = chat_body(body)
    except ChatRequestError as exc:
        return openai_error(exc.status, exc.message)
    plan = plan_answer(chat, engine.variant, faults)
    answer = ResponsesAnswer(engine, body, plan)
    if body.get("stream"):
        # The in-band error is the Responses API's own `error` event, not chat's, so it is sent
        # here rather than by the stream shaper.
        message = faults.message or "Internal error while generating the response"
        events = answer.events(engine.delay(faults), faults.error_at, message)
        return streaming(
            events, replace(faults, error_at=-1), record, media_type="text/event-stream", kind="sse"
        )
    await asyncio.sleep(engine.delay(faults) * plan.completion_tokens)
    return json_response(answer.final(), faults, record)
