"""A chat-completions body said in the other formats Model APIs take: OpenAI's Responses API
(`/v1/responses`) and Anthropic's Messages API (`/v1/messages`). One conversation, three wires."""

from __future__ import annotations

import copy
import json
from typing import Any, Literal

Api = Literal["chat", "responses", "messages"]
APIS: tuple[Api, ...] = ("chat", "responses", "messages")
PATHS: dict[Api, str] = {
    "chat": "chat/completions",
    "responses": "responses",
    "messages": "messages",
}
API_LABELS: dict[Api, str] = {
    "chat": "Chat Completions",
    "responses": "Responses",
    "messages": "Messages",
}


def served_apis(*, model_api: bool) -> tuple[Api, ...]:
    """The chat APIs a target takes: a Model API all three; a dedicated deployment's engine
    (`…/sync/v1`) Chat Completions only (baseten-api.md §0)."""
    return APIS if model_api else ("chat",)


# Baseten's default max_tokens for chat (baseten-api.md §5.4); the Messages API requires one.
DEFAULT_MAX_TOKENS = 4096

# Chat parameters that neither the Responses nor the Messages API takes under that name.
_CHAT_ONLY = {"messages", "stream_options", "max_tokens", "max_completion_tokens", "n"}


def _tool(tool: Any) -> dict[str, Any] | None:
    function = tool.get("function") if isinstance(tool, dict) else None
    return function if isinstance(function, dict) else None


def _responses_content(content: Any, role: str) -> Any:
    if not isinstance(content, list):
        return content if content is not None else ""
    parts = []
    text_type = "output_text" if role == "assistant" else "input_text"
    for part in content:
        if isinstance(part, dict) and part.get("type") == "image_url":
            url = (part.get("image_url") or {}).get("url", "")
            parts.append({"type": "input_image", "image_url": url})
        elif isinstance(part, dict):
            parts.append({"type": text_type, "text": part.get("text", "")})
    return parts


def to_responses(chat: dict[str, Any]) -> dict[str, Any]:
    """The Responses API body: the whole history as `input`, the first system turn as
    `instructions` (requests are stateless on Baseten)."""
    body: dict[str, Any] = {"model": chat["model"]} if "model" in chat else {}
    messages = list(chat.get("messages") or [])
    if (
        messages
        and messages[0].get("role") == "system"
        and isinstance(messages[0].get("content"), str)
    ):
        body["instructions"] = messages.pop(0)["content"]
    items: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.get("tool_call_id", ""),
                    "output": message.get("content") or "",
                }
            )
            continue
        if message.get("content") or not message.get("tool_calls"):
            items.append(
                {"role": role, "content": _responses_content(message.get("content"), str(role))}
            )
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            items.append(
                {
                    "type": "function_call",
                    "call_id": call.get("id", ""),
                    "name": function.get("name", ""),
                    "arguments": function.get("arguments", ""),
                }
            )
    body["input"] = items
    max_tokens = chat.get("max_completion_tokens", chat.get("max_tokens"))
    if max_tokens is not None:
        body["max_output_tokens"] = max_tokens
    for name, value in chat.items():
        if name in _CHAT_ONLY or name in (
            "model",
            "response_format",
            "reasoning_effort",
            "tools",
            "tool_choice",
        ):
            continue
        body[name] = copy.deepcopy(value)
    fmt = chat.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        body["text"] = {"format": {"type": "json_schema", **(fmt.get("json_schema") or {})}}
    elif isinstance(fmt, dict) and fmt.get("type") in ("json_object", "text"):
        body["text"] = {"format": {"type": fmt["type"]}}
    if chat.get("reasoning_effort"):
        body["reasoning"] = {"effort": chat["reasoning_effort"]}
    if chat.get("tools"):
        body["tools"] = [
            {"type": "function", **f} for f in map(_tool, chat["tools"]) if f is not None
        ]
    choice = chat.get("tool_choice")
    if isinstance(choice, dict):
        body["tool_choice"] = {
            "type": "function",
            "name": (choice.get("function") or {}).get("name", ""),
        }
    elif choice is not None:
        body["tool_choice"] = choice
    return body


def _image_block(url: str) -> dict[str, Any]:
    if url.startswith("data:") and ";base64," in url:
        media_type, _, data = url.removeprefix("data:").partition(";base64,")
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }
    return {"type": "image", "source": {"type": "url", "url": url}}


def _message_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    blocks: list[dict[str, Any]] = []
    if isinstance(content, str) and content:
        blocks.append({"type": "text", "text": content})
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") == "image_url":
                blocks.append(_image_block((part.get("image_url") or {}).get("url", "")))
            elif isinstance(part, dict):
                blocks.append({"type": "text", "text": part.get("text", "")})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except ValueError:
            arguments = {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id", ""),
                "name": function.get("name", ""),
                "input": arguments,
            }
        )
    return blocks


def to_messages(chat: dict[str, Any]) -> dict[str, Any]:
    """The Messages API body: system turns as `system`, tool results as user `tool_result`
    blocks, turns of one role merged (Anthropic's turns alternate), `max_tokens` always set."""
    body: dict[str, Any] = {"model": chat["model"]} if "model" in chat else {}
    body["max_tokens"] = (
        chat.get("max_completion_tokens", chat.get("max_tokens")) or DEFAULT_MAX_TOKENS
    )
    systems: list[str] = []
    messages: list[dict[str, Any]] = []
    for message in chat.get("messages") or []:
        role = message.get("role")
        if role in ("system", "developer"):
            content = message.get("content")
            systems.append(content if isinstance(content, str) else json.dumps(content))
            continue
        if role == "tool":
            role = "user"
            blocks = [
                {
                    "type": "tool_result",
                    "tool_use_id": message.get("tool_call_id", ""),
                    "content": message.get("content") or "",
                }
            ]
        else:
            blocks = _message_blocks(message)
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"] += blocks
        else:
            messages.append({"role": role, "content": blocks})
    for message in messages:  # a lone text block reads best as a plain string
        if len(message["content"]) == 1 and message["content"][0]["type"] == "text":
            message["content"] = message["content"][0]["text"]
    if systems:
        body["system"] = "\n\n".join(systems)
    body["messages"] = messages
    skip = _CHAT_ONLY | {"model", "stop", "tools", "tool_choice", "seed", "response_format"}
    skip |= {"reasoning_effort", "parallel_tool_calls", "logprobs", "top_logprobs"}
    skip |= {"frequency_penalty", "presence_penalty"}
    for name, value in chat.items():
        if name not in skip:
            body[name] = copy.deepcopy(value)
    stop = chat.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if chat.get("tools"):
        body["tools"] = [
            {
                "name": f.get("name", ""),
                "description": f.get("description", ""),
                "input_schema": f.get("parameters") or {"type": "object"},
            }
            for f in map(_tool, chat["tools"])
            if f is not None
        ]
    choice = chat.get("tool_choice")
    if isinstance(choice, dict):
        body["tool_choice"] = {
            "type": "tool",
            "name": (choice.get("function") or {}).get("name", ""),
        }
    elif choice in ("auto", "none"):
        body["tool_choice"] = {"type": choice}
    elif choice == "required":
        body["tool_choice"] = {"type": "any"}
    return body


def wire_body(api: Api, chat: dict[str, Any]) -> dict[str, Any]:
    """`chat` as `api` takes it."""
    if api == "responses":
        return to_responses(chat)
    if api == "messages":
        return to_messages(chat)
    return chat
