"""A user message's content parts: its text and its images (as `image_url` parts, data URLs).

(A small encoder of its own: the shared file-attachment mechanism of the media issue is not on
main yet; when it is, `image_data_url` should defer to it.)
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from playground.core.errors import InvalidRequest
from playground.core.media import sniff

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # what OpenAI-compatible servers commonly take per image


def image_data_url(path: str | Path) -> str:
    """A data URL of an image file (PNG, JPEG, GIF, WebP), its type read from its bytes."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRequest(f"Cannot read the image {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidRequest(f"The image {path.name} is larger than 20 MB.")
    media = sniff(data[:4096], size=len(data))
    if media is None or media.kind != "image":
        raise InvalidRequest(f"{path.name} is not a PNG, JPEG, GIF or WebP image.")
    return f"data:{media.mime};base64,{base64.b64encode(data).decode('ascii')}"


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
