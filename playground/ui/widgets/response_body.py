"""One response body as it arrives: every byte kept for Copy and Save (a big one in a temporary
file, not in memory), only a capped preview shown."""

from __future__ import annotations

import codecs
import json
import tempfile
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

from playground.core.events import JsonBody

__all__ = ["PREVIEW_BYTES", "SPILL_BYTES", "KeptBytes", "ResponseBody"]

# What the Body and Raw tabs show at most; the kept body, Copy and Save always have all of it.
# 128 KB lays out in ~20 ms; 256 KB roughly doubled the window's longest stall on a 20 MB
# answer (benchmarks/large_response.py).
PREVIEW_BYTES = 128 * 1024
# Past this, a kept body moves to a temporary file: a window may hold a 100 MB answer for as long
# as it is open, and memory is better spent elsewhere. Below it, in memory: the 20 MB answers of
# benchmarks/large_response.py stay clear of the disk and of the writer thread.
SPILL_BYTES = 32 * 1024 * 1024
# One thread writes every spilled body, in order: a write releases the GIL, so the window's thread
# never waits on the disk (writing a 20 MB body there stalled it ~10 ms).
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="body-spill")


def _close_after_writes(file: IO[bytes]) -> None:
    try:
        _WRITER.submit(file.close)
    except RuntimeError:  # the writer has stopped (the interpreter is exiting): nothing to wait for
        file.close()


class KeptBytes:
    """Bytes kept in order: in memory while small, in a temporary file once past `spill`
    (written by a thread of its own; deleted when this is closed or collected)."""

    def __init__(self, spill: int = SPILL_BYTES) -> None:
        self.spill = spill
        self.size = 0
        self._parts: list[bytes] = []
        self._file: IO[bytes] | None = None
        self._written: Future[None] | None = None

    @property
    def is_spilled(self) -> bool:
        return self._file is not None

    def add(self, data: bytes) -> None:
        if self._file is None and self.size + len(data) > self.spill:
            # Closed by close() or, at the latest, when this is collected (finalize); after
            # the writes before it, as the writer runs its jobs in order.
            self._file = tempfile.TemporaryFile(prefix="playground-body-")  # noqa: SIM115
            weakref.finalize(self, _close_after_writes, self._file)
            parts, self._parts = self._parts, []
            self._write(parts)
        if self._file is not None:
            self._write([data])
        else:
            self._parts.append(data)
        self.size += len(data)

    def data(self) -> bytes:
        """All of it; OSError if the disk failed to take it."""
        if self._file is None:
            if len(self._parts) > 1:
                self._parts = [b"".join(self._parts)]
            return self._parts[0] if self._parts else b""
        self._settle()
        self._file.seek(0)
        data = self._file.read()
        self._file.seek(0, 2)  # back to the end, where the next part goes
        return data

    def close(self) -> None:
        if self._file is not None:
            self._settle()
            self._file.close()

    def _write(self, parts: list[bytes]) -> None:
        assert self._file is not None
        self._written = _WRITER.submit(self._file.writelines, parts)

    def _settle(self) -> None:
        """Wait for the writes under way (only Copy and Save read a spilled body)."""
        if self._written is not None:
            self._written.result()


class ResponseBody:
    """Keeps the body in parts and hands out, once each, what the displays have not shown yet.

    `take_shown()` is the Body tab's text (at most `preview` characters in all), `take_raw()`
    the Raw tab's (the first `preview` bytes, decoded as UTF-8 with replacement).
    """

    def __init__(self, preview: int = PREVIEW_BYTES) -> None:
        self.preview = preview
        self.size = 0
        self.is_capped = False  # some of the body will never be displayed
        self.has_text = False
        self.has_binary = False
        self._kept = KeptBytes()
        self._shown: list[str] = []
        self._shown_room = preview  # characters
        self._raw: list[bytes] = []
        self._raw_room = preview  # bytes
        self._raw_decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def add_text(self, shown: str, kept: bytes) -> None:
        """`kept` joins the body; `shown` is queued for display while the cap has room."""
        self.has_text = True
        self._keep(kept)
        if len(shown) > self._shown_room:
            shown = shown[: self._shown_room]
            self.is_capped = True
        if shown:
            self._shown_room -= len(shown)
            self._shown.append(shown)

    def add_binary(self, data: bytes) -> None:
        self.has_binary = True
        self._keep(data)

    def add_json(self, body: JsonBody) -> tuple[str, bool]:
        """Keep the raw body; return what to display and whether it is pretty-printed.

        Above the cap nothing is parsed or formatted: only the first bytes of the raw body are
        decoded. Below it, the value is pretty-printed unless that would pass the cap.
        """
        raw = body.raw
        self.has_text = True
        self._keep(raw)
        self._shown_room = 0
        if len(raw) <= self.preview:
            try:
                pretty = json.dumps(body.value, indent=2, ensure_ascii=False)
            except (TypeError, ValueError, RecursionError):
                pretty = ""
            if pretty and len(pretty) <= self.preview:
                return pretty, True
        else:
            self.is_capped = True
        # An incremental decoder without `final` drops a character cut in half by the slice.
        return codecs.getincrementaldecoder("utf-8")("replace").decode(raw[: self.preview]), False

    def take_shown(self) -> str:
        text = "".join(self._shown)
        self._shown.clear()
        return text

    def take_raw(self, *, final: bool = False) -> str:
        """The Raw text not handed out yet; `final` once the body is complete."""
        data = b"".join(self._raw)
        self._raw.clear()
        return self._raw_decoder.decode(data, final=final and self._raw_room > 0)

    @property
    def is_spilled(self) -> bool:
        """The body is kept in a temporary file, not in memory."""
        return self._kept.is_spilled

    def data(self) -> bytes:
        return self._kept.data()

    def close(self) -> None:
        """Let the temporary file go (a body kept in memory needs nothing)."""
        self._kept.close()

    def _keep(self, data: bytes) -> None:
        self._kept.add(data)
        self.size += len(data)
        if self._raw_room > 0:
            piece = data[: self._raw_room] if len(data) > self._raw_room else data
            self._raw.append(piece)
            self._raw_room -= len(piece)
