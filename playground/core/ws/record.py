"""A WebSocket session on its way into the history: the frames sent (as a replayable plan) and
every frame both ways as JSON lines, cut at the history's cap like a response body; a refused
upgrade as a failed exchange, like a failed HTTP call."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playground.core.errors import PlaygroundError
from playground.core.history.record import PendingExchange
from playground.core.history.store import BODY_CAP, Exchange
from playground.core.secrets import REDACTOR
from playground.core.ws.frames import Closed, Frame, WsMetrics
from playground.core.ws.plan import OutFrame, WsPlan

if TYPE_CHECKING:
    from playground.core.ws.session import WsSession

CONTENT_TYPE = "application/x-ndjson"


def frame_line(frame: Frame) -> bytes:
    """One frame as a JSON line: text as text, binary as its size and base64."""
    record: dict[str, Any] = {"direction": frame.direction, "at_s": round(frame.at_s, 6)}
    if isinstance(frame.data, str):
        record["text"] = frame.data
    else:
        record["bytes"] = len(frame.data)
        record["base64"] = base64.b64encode(frame.data).decode()
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def session_exchange(
    plan: WsPlan,
    frames: Iterable[Frame],
    metrics: WsMetrics,
    closed: Closed | None,
    *,
    remote: str,
    url: str,
    cap: int = BODY_CAP,
    at: float | None = None,
) -> Exchange:
    """The history's record of a session. `plan` says where; its frames are replaced by the
    frames actually sent (as many as fit in `cap`), so that the entry can be sent again."""
    kept: list[bytes] = []
    size = kept_size = 0
    sent: list[OutFrame] = []
    sent_size = 0
    for frame in frames:
        line = frame_line(frame)
        size += len(line)
        room = cap - kept_size
        if room > 0:
            kept.append(line[:room])
            kept_size += min(len(line), room)
        if frame.direction == "sent" and sent_size + frame.size <= cap:
            sent_size += frame.size
            data = frame.data
            sent.append(
                OutFrame.of_text(data) if isinstance(data, str) else OutFrame.of_bytes(data)
            )
    request = WsPlan(plan.target, tuple(sent), plan.headers).to_dict()
    normal = closed is None or closed.is_normal
    return Exchange(
        json.loads(REDACTOR.text(json.dumps(request, ensure_ascii=False))),
        remote=remote,
        url=REDACTOR.text(url),
        outcome="finished" if normal else "failed",
        status=101,
        metrics=metrics.to_dict(),
        request_id=metrics.request_id or "",
        deployment_id=metrics.deployment_id or "",
        error="" if normal or closed is None else REDACTOR.text(closed.words),
        content_type=CONTENT_TYPE,
        response=REDACTOR.data(b"".join(kept)),
        response_size=size,
        is_truncated=size > kept_size,
        at=time.time() if at is None else at,
    )


def refused_exchange(
    plan: WsPlan,
    error: PlaygroundError,
    *,
    remote: str,
    url: str,
    cap: int = BODY_CAP,
    at: float | None = None,
) -> Exchange:
    """The history's record of an upgrade that never opened (401, 404, 408/504, unreachable):
    a failed exchange with Baseten's status, message and request id, as a failed call's is."""
    pending = PendingExchange(plan.to_spec(), REDACTOR.text(url), cap)
    if at is not None:
        pending.at = at
    return pending.exchange(remote, "failed", pending.failed(error))


@dataclass(frozen=True)
class EndedSession:
    """What the history needs of a session that ended, or whose upgrade failed (`error`): taken
    in an instant where the session ran; `exchange()` builds the record — tens of ms for
    10,000 frames — where it is written, off the window's thread."""

    plan: WsPlan
    remote: str
    url: str
    frames: tuple[Frame, ...] = ()
    metrics: WsMetrics = field(default_factory=WsMetrics)
    closed: Closed | None = None
    error: PlaygroundError | None = None
    at: float = field(default_factory=time.time)

    @classmethod
    def of(
        cls, plan: WsPlan, session: WsSession, remote: str, error: PlaygroundError | None = None
    ) -> EndedSession:
        frames = tuple(session.frames)  # the session's own may still grow; a copy is cheap
        metrics = copy.copy(session.metrics)
        return cls(plan, remote, session.url, frames, metrics, session.closed, error)

    def exchange(self, cap: int = BODY_CAP) -> Exchange:
        where: dict[str, Any] = {"remote": self.remote, "url": self.url, "cap": cap, "at": self.at}
        if self.error is not None:
            return refused_exchange(self.plan, self.error, **where)
        return session_exchange(self.plan, self.frames, self.metrics, self.closed, **where)
