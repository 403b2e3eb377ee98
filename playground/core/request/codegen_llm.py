"""What the OpenAI SDK export adds for an LLM's extras: images read from their files when the
script runs (not pasted in as base64), and the answer's logprobs printed token by token."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any


class Code(str):
    """Python source that `py_literal` writes as it is (a call, not a string)."""


# The helper the script defines when it reads an image file.
DATA_URL_HELPER = [
    "def data_url(path: str, mime: str) -> str:",
    '    """An image file as a data URL, read when the script runs."""',
    '    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode()',
]


def _mime_of(url: str) -> str:
    head = url[5:].split(";", 1)[0] if url.startswith("data:") else ""
    return head or "image/png"


def with_image_files(body: Any, image_files: Mapping[str, str]) -> tuple[Any, bool]:
    """`body` with each image whose data URL came from a file replaced by a call reading it;
    whether any was (the script then needs the helper and its imports)."""
    if not image_files or not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body, False
    body = copy.deepcopy(body)
    used = False
    for message in body["messages"]:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else ():
            image = part.get("image_url") if isinstance(part, dict) else None
            if not isinstance(image, dict):
                continue
            url = image.get("url")
            if isinstance(url, str) and url in image_files:
                path = image_files[url]
                image["url"] = Code(f"data_url({_quote(path)}, {_quote(_mime_of(url))})")
                used = True
    return body, used


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def logprob_lines(streaming: bool) -> list[str]:
    """Print the answer's tokens with their log probabilities, after the answer."""
    if streaming:
        return []  # each chunk's choices[0].logprobs.content holds its tokens
    return [
        "for token in response.choices[0].logprobs.content:",
        '    print(f"{token.logprob:8.3f}  {token.token!r}")',
    ]
