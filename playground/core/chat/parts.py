"""A user message's content parts: its text and its images (as `image_url` parts; an image from
a file is a FileRef of core.request.attachments, read when the message is sent)."""

from __future__ import annotations

from typing import Any

from playground.core.errors import InvalidRequest


def image_part(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def split_content(content: Any) -> tuple[str, list[dict[str, Any]]]:
    """A message's text and its other parts (images, audio …), kept as they were sent."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise InvalidRequest("A message's content is a string or a list of parts.")
    texts, parts = [], []
    for part in content:
        if not isinstance(part, dict):
            raise InvalidRequest("Each content part is an object with a type.")
        if part.get("type") == "text":
            texts.append(str(part.get("text", "")))
        else:
            parts.append(part)
    return "\n".join(texts), parts


def join_content(text: str, parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """The content to send: the text alone, or the text part first and then the others."""
    if not parts:
        return text
    return [{"type": "text", "text": text}, *parts] if text else list(parts)
