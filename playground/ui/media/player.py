"""Plays 16-bit PCM through miniaudio, off the GUI thread: the device pulls samples on its own
thread, opening and closing it happen on a worker thread, and the widget only reads the state.

Why miniaudio and not QtMultimedia: QtMultimedia needs PySide6-Addons (+422 MB installed) and the
system's libpulse, and logs Qt warnings when there is no device (which fail the tests); miniaudio
is a small cffi extension that decodes WAV/MP3/FLAC/Vorbis itself and plays to a null device
when asked (the tests do), so a headless machine is no special case. It cannot decode Opus,
which the view says.
"""

from __future__ import annotations

import array
import threading
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal

import miniaudio

State = Literal["closed", "opening", "open", "failed"]


class Player:
    """One piece of audio and the device that plays it.

    Samples may keep arriving (`append`) while it plays: the device plays silence where they
    have not come yet, and the position waits for them. Everything the device's thread reads is
    behind one lock; the GUI thread never waits on the device (`open` and `close` run on a worker).
    """

    def __init__(
        self, rate: int, channels: int, *, backends: Sequence[miniaudio.Backend] | None = None
    ) -> None:
        self.rate = rate
        self.channels = max(channels, 1)
        self._backends = list(backends) if backends else None
        self._lock = threading.Lock()
        self._samples = array.array("h")
        self._position = 0  # in frames
        self._is_playing = False
        self._is_complete = False  # no more samples will come
        self._state: State = "closed"
        self._is_closing = False
        self.error = ""
        self._device: miniaudio.PlaybackDevice | None = None
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="audio-device")

    # --- what the GUI thread does -----------------------------------------------------------

    def append(self, samples: array.array[int], *, complete: bool = False) -> None:
        with self._lock:
            self._samples.extend(samples)
            self._is_complete = self._is_complete or complete

    def complete(self) -> None:
        with self._lock:
            self._is_complete = True

    def play(self) -> None:
        """Start (from the start again, when it had played to the end)."""
        with self._lock:
            if self._is_complete and self._position >= self._frames():
                self._position = 0
            self._is_playing = True
            state = self._state
        if state == "closed" and not self._is_closing:
            self._state = "opening"
            self._worker.submit(self._open)

    def pause(self) -> None:
        with self._lock:
            self._is_playing = False

    def seek(self, frame: int) -> None:
        with self._lock:
            self._position = max(0, min(frame, self._frames()))

    @property
    def position(self) -> int:
        with self._lock:
            return self._position

    @property
    def frames(self) -> int:
        with self._lock:
            return self._frames()

    @property
    def is_playing(self) -> bool:
        """True while it plays or waits for samples to play; False when paused or at the end."""
        with self._lock:
            return self._is_playing

    @property
    def state(self) -> State:
        return self._state

    def close(self) -> Future[None] | None:
        """Let the device go (on the worker); the player can be dropped at once. The future is
        done when the device is closed (None: it was closing already)."""
        with self._lock:
            self._is_playing = False
            if self._is_closing:
                return None
            self._is_closing = True
        try:
            closing = self._worker.submit(self._close)
        except RuntimeError:  # the interpreter is shutting down: no new threads, close here
            self._close()
            return None
        self._worker.shutdown(wait=False)
        return closing

    # --- the worker's and the device's ------------------------------------------------------

    def _frames(self) -> int:
        return len(self._samples) // self.channels

    def _open(self) -> None:
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=self.channels,
                sample_rate=self.rate,
                buffersize_msec=50,
                backends=self._backends,
                app_name="Playground",
            )
            if self._backends is None and device.backend.lower() == "null":
                device.close()  # a silent stand-in is no device to a person listening
                raise miniaudio.MiniaudioError("only the null backend")
            pull = self._pull()
            next(pull)
            device.start(pull)
        except miniaudio.MiniaudioError as exc:
            self.error = f"No audio device to play on ({exc.args[0] if exc.args else exc})"
            self._state = "failed"
            with self._lock:
                self._is_playing = False
            return
        self._device = device
        self._state = "open"

    def _close(self) -> None:
        if self._device is not None:
            self._device.close()
            self._device = None
        self._state = "closed"

    def _pull(self) -> Generator[bytes, int, None]:
        """Runs on the device's thread: each `send` asks for a number of frames."""
        frames = yield b""
        while True:
            wanted = frames * self.channels
            with self._lock:
                if self._is_playing:
                    start = self._position * self.channels
                    piece = self._samples[start : start + wanted]
                    self._position += len(piece) // self.channels
                    if self._is_complete and self._position >= self._frames():
                        self._is_playing = False  # the end: the view sees it and says so
                else:
                    piece = array.array("h")
            if len(piece) < wanted:
                piece.frombytes(bytes(2 * (wanted - len(piece))))  # silence, until samples come
            frames = yield piece.tobytes()
