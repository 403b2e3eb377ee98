"""Runs the window's WebSocket session as one task: the upgrade (watching a scaled-to-zero model
wake), the frames each way into the frame log, the close, and the history's record of it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.errors import InvalidRequest, PlaygroundError
from playground.core.remote.remotes import Target
from playground.core.ws.frames import Closed, Frame
from playground.core.ws.plan import OutFrame, WsPlan
from playground.ui.tasks import TaskOwner
from playground.ui.websocket.frame_log import FrameLogModel

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.ws.session import WsSession

WAKE_AFTER_S = 0.3  # an upgrade still waiting this long: ask whether the model is waking
WAKE_POLL_S = 1.0
COLD = ("SCALED_TO_ZERO", "WAKING_UP", "LOADING_MODEL", "DEPLOYING", "BUILDING")
READ_SIZE = 16 * 1024  # bytes per socket read: a few hundred small frames parsed at a time
TURN_S = 0.004  # at most this long on the GUI thread before letting it paint and take input
SEND_BATCH = 256  # frames written together at most, when a script queues many
_CLOSE = object()  # in the outbox: close the session normally, after what was queued before


class WsController(TaskOwner):
    """One session at a time. `connect_to` starts it (a running one is cancelled first), `send`
    queues a frame, `close_session` closes it normally (1000), `cancel` stops the task (the socket
    is closed 1001). Each session ends in exactly one of finished (Closed), failed (error) or
    cancelled; `session_ended` then carries what the history keeps of it (an `EndedSession`,
    built into its record off this thread), a failed upgrade's too."""

    state_changed = Signal(str, str)  # new, connecting, waking, open, closing, closed; words
    session_started = Signal(object)  # the WsPlan it was started with
    session_finished = Signal(object)  # Closed
    session_failed = Signal(object)  # PlaygroundError
    session_cancelled = Signal()
    session_ended = Signal(object)  # EndedSession, for the history

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.log = FrameLogModel(self)
        self.state = "new"
        self.session: WsSession | None = None
        self._outbox: asyncio.Queue[OutFrame | object] | None = None

    @property
    def is_busy(self) -> bool:
        """A session's task is running (it may be ending: see `is_live`)."""
        return self.is_running("session")

    @property
    def is_live(self) -> bool:
        """Connecting, waking, open or closing: not ended yet, as the page shows it."""
        return self.is_busy and self.state in ("connecting", "waking", "open", "closing")

    @property
    def is_open(self) -> bool:
        return self.session is not None and self.session.is_open

    def connect_to(self, plan: WsPlan) -> None:
        """Open a session to `plan.target` and send `plan.frames` once it is open."""
        self.log.clear()
        self._outbox = asyncio.Queue()
        for frame in plan.frames:
            self._outbox.put_nowait(frame)
        self._start("session", self._run(plan, self._outbox))

    def send(self, frame: OutFrame) -> bool:
        """Queue `frame` (sent in order once open); False when no session is running."""
        if self._outbox is None or not self.is_busy:
            return False
        self._outbox.put_nowait(frame)
        return True

    def close_session(self) -> bool:
        """Close normally (1000) after the frames queued before; False if nothing is running.
        While the upgrade is still out there is nothing to close yet: it is cancelled."""
        if not self.is_busy or self._outbox is None:
            return False
        if self.session is None or not self.session.is_open:
            return self.cancel()
        self._set_state("closing", "closing…")
        self._outbox.put_nowait(_CLOSE)
        return True

    def cancel(self) -> bool:
        """Stop the session's task (idempotent); the socket is closed (1001 "cancelled")."""
        return self._cancel("session")

    # --- the task --------------------------------------------------------------------------

    def _set_state(self, state: str, words: str) -> None:
        self.state = state
        self.state_changed.emit(state, words)

    async def _run(self, plan: WsPlan, outbox: asyncio.Queue[OutFrame | object]) -> None:
        from playground.core.ws.session import WsSession  # first connect: not at start-up

        session = self.session = WsSession(
            self.client, plan.target, headers=dict(plan.headers), read_size=READ_SIZE
        )
        self.session_started.emit(plan)
        self._set_state("connecting", f"connecting to {session.url}…")
        watcher = asyncio.get_running_loop().create_task(self._watch_wake(plan.target))
        try:
            try:
                await session.open()
            except PlaygroundError as exc:
                self._record(plan, session, exc)  # refused (401, 404, 408/504…): kept as failed
                raise
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            request_id = session.request_id or "no request id"
            self._set_state("open", f"open · request id {request_id}")
            try:
                async with session:
                    sender = asyncio.get_running_loop().create_task(self._send_all(outbox))
                    try:
                        closed = await self._read_all(session)
                    finally:
                        sender.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await sender
            finally:
                self._record(plan, session)
        except asyncio.CancelledError:
            self.log.flush_now()
            self._set_state("closed", f"closed: {session.closed.words}" if session.closed else "")
            self.session_cancelled.emit()
            raise
        except PlaygroundError as exc:
            self.log.flush_now()
            self._set_state("failed", str(exc))
            self.session_failed.emit(exc)
            return
        self.log.flush_now()
        self._set_state("closed", f"closed: {closed.words}")
        self.session_finished.emit(closed)

    async def _read_all(self, session: WsSession) -> Closed:
        log, turn = self.log, _Turns()
        async for event in session:
            if isinstance(event, Frame):
                log.add(event)
                await turn.take()
            else:
                return event
        raise InvalidRequest("the session ended without a close")  # never: events end in one

    async def _send_all(self, outbox: asyncio.Queue[OutFrame | object]) -> None:
        """Send what is queued, in order: all that waits (up to SEND_BATCH frames) at a time,
        written together; a close after what was queued before it."""
        session, log, turn = self.session, self.log, _Turns()
        assert session is not None
        while True:
            await turn.take()
            batch = [await outbox.get()]
            while len(batch) < SEND_BATCH and batch[-1] is not _CLOSE and not outbox.empty():
                batch.append(outbox.get_nowait())
            frames = [frame for frame in batch if isinstance(frame, OutFrame)]
            try:
                if frames:
                    log.add_many(await session.send_many([frame.payload() for frame in frames]))
            except PlaygroundError:
                return  # closed under us: the reader reports how
            if batch[-1] is _CLOSE:
                await session.close()
                return

    async def _watch_wake(self, target: Target) -> None:
        """While the upgrade waits, say whether the model is waking (scaled to zero)."""
        from playground.core.api.wake import deployment_status

        if target.is_chain:
            return
        await asyncio.sleep(WAKE_AFTER_S)
        while True:
            with contextlib.suppress(PlaygroundError, ValueError):
                status = await deployment_status(self.client, target)
                if status.upper() in COLD:
                    words = status.replace("_", " ").lower()
                    self._set_state("waking", f"waking the model ({words})…")
            await asyncio.sleep(WAKE_POLL_S)

    def _record(
        self, plan: WsPlan, session: WsSession, error: PlaygroundError | None = None
    ) -> None:
        from playground.core.ws.record import EndedSession

        self.session_ended.emit(EndedSession.of(plan, session, self.client.remote.name, error))


class _Turns:
    """Gives the GUI its turn: frames already buffered are read (and small ones sent) without
    the loop ever waiting, so a fast stream would hold the GUI thread for as long as it lasts."""

    def __init__(self) -> None:
        self._since = time.perf_counter()

    async def take(self) -> None:
        if time.perf_counter() - self._since > TURN_S:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
