"""A WebSocket session as a preset keeps it: where to connect and the frames to send, as a plain
dict (`{"mode": "websocket", "target": …, "frames": […]}`) that never holds a secret."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from playground.core.remote.remotes import Target
from playground.core.request.spec import clean_headers, target_from_dict, target_to_dict

MODE = "websocket"
FrameKind = Literal["text", "json", "binary"]


@dataclass(frozen=True)
class OutFrame:
    """A frame to send: text as typed, a JSON value (sent as its text), or bytes."""

    kind: FrameKind
    text: str = ""
    value: Any = None
    data: bytes = b""

    @classmethod
    def of_text(cls, text: str) -> OutFrame:
        return cls("text", text=text)

    @classmethod
    def of_json(cls, value: Any) -> OutFrame:
        return cls("json", value=value)

    @classmethod
    def of_bytes(cls, data: bytes) -> OutFrame:
        return cls("binary", data=bytes(data))

    def payload(self) -> str | bytes:
        """What goes on the wire."""
        if self.kind == "binary":
            return self.data
        if self.kind == "json":
            return json.dumps(self.value, ensure_ascii=False)
        return self.text

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "binary":
            return {"base64": base64.b64encode(self.data).decode()}
        if self.kind == "json":
            return {"json": self.value}
        return {"text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutFrame:
        if not isinstance(data, Mapping):
            raise ValueError(f"a frame must be an object, not {type(data).__name__}")
        if "json" in data:
            return cls.of_json(data["json"])
        if isinstance(data.get("text"), str):
            return cls.of_text(data["text"])
        if isinstance(data.get("base64"), str):
            try:
                return cls.of_bytes(base64.b64decode(data["base64"], validate=True))
            except binascii.Error as exc:
                raise ValueError(f"a binary frame's base64 is broken: {exc}") from None
        raise ValueError('a frame needs "text", "json" or "base64"')


@dataclass(frozen=True)
class WsPlan:
    """The preset form of a session: the target, extra headers (never a secret) and the frames."""

    target: Target
    frames: tuple[OutFrame, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": MODE, "target": target_to_dict(self.target)}
        out["frames"] = [f.to_dict() for f in self.frames]
        headers = clean_headers(self.headers)
        if headers:
            out["headers"] = headers
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WsPlan:
        """The inverse of `to_dict`; ValueError, in words, for a malformed one."""
        if not isinstance(data, Mapping) or data.get("mode") != MODE:
            raise ValueError('not a WebSocket session (its mode is not "websocket")')
        target = data.get("target")
        if not isinstance(target, Mapping):
            raise ValueError("a WebSocket session needs a target")
        frames = data.get("frames") or []
        if not isinstance(frames, list):
            raise ValueError("frames must be a list")
        headers = data.get("headers") or {}
        if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError("headers must be an object of strings")
        return cls(
            target_from_dict(target),
            tuple(OutFrame.from_dict(f) for f in frames),
            clean_headers(headers),
        )
