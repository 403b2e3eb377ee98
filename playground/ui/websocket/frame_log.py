"""The live frame log: one row per frame (direction, time since connect, size, what it holds),
batched onto the screen on a frame tick, filtered by direction and text, never a widget a frame."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from playground.core.ws.frames import Frame
from playground.ui import theme
from playground.ui.widgets.batching import FrameBatcher

_Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole)
)
HEADERS = ("", "Time", "Size", "Frame")
ARROWS = {"sent": "↑ sent", "received": "↓ received"}
SHOWN_CHARS = 300  # of a row's text; the details pane shows the whole frame
COMPACT_CHARS = 64 * 1024  # JSON up to this long is shown compact in its row
HEX_BYTES = 16
DETAIL_BYTES = 64 * 1024  # of a binary frame, in the details pane's hex dump


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def summary(frame: Frame) -> str:
    """One line: text as it is (JSON made compact), binary as its size and first bytes in hex."""
    data = frame.data
    if isinstance(data, bytes):
        head = data[:HEX_BYTES].hex(" ")
        more = " …" if len(data) > HEX_BYTES else ""
        return f"binary · {len(data):,} bytes · {head}{more}"
    text = data[: SHOWN_CHARS * 4]
    if text[:1] in "{[" and len(data) <= COMPACT_CHARS:
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))
    text = " ".join(text[: SHOWN_CHARS * 2].split())
    return text[:SHOWN_CHARS] + ("…" if len(text) > SHOWN_CHARS else "")


def hex_dump(data: bytes, limit: int = DETAIL_BYTES) -> str:
    """`00000000  00 01 02 …  ...` lines, 16 bytes each, the first `limit` bytes."""
    lines = []
    for start in range(0, min(len(data), limit), 16):
        chunk = data[start : start + 16]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {chunk.hex(' '):<47}  {ascii_}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit:,} more bytes")
    return "\n".join(lines)


def details(frame: Frame) -> str:
    """The whole frame for the details pane: a header line, then the text, the JSON pretty
    printed, or a hex dump."""
    kind = "binary" if isinstance(frame.data, bytes) else "text"
    head = f"{ARROWS[frame.direction]} · +{frame.at_s:.3f} s · {frame.size:,} bytes · {kind}"
    data = frame.data
    if isinstance(data, bytes):
        return f"{head}\n\n{hex_dump(data)}"
    try:
        value = json.loads(data)
    except ValueError:
        return f"{head}\n\n{data}"
    return f"{head} · JSON\n\n{json.dumps(value, indent=2, ensure_ascii=False)}"


class FrameLogModel(QAbstractTableModel):
    """Every frame of the session (`frames`), the rows shown being those the filter keeps.

    `add()` only queues a frame: the rows are inserted on the batcher's tick (at most 30 times a
    second), in one `beginInsertRows` each, so that thousands of frames a second cost the view a
    handful of layouts, not one per frame.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frames: list[Frame] = []
        self._rows: list[int] = []  # indices into `frames` that the filter keeps
        self._pending: list[Frame] = []
        self._direction = ""
        self._text = ""
        self.batcher = FrameBatcher(self.flush, self)

    # --- feeding ---------------------------------------------------------------------------

    def add(self, frame: Frame) -> None:
        self.add_many([frame])

    def add_many(self, frames: list[Frame]) -> None:
        if frames and not self._pending:  # the first since the last flush starts the tick
            self.batcher.schedule()
        self._pending.extend(frames)

    def flush(self) -> None:
        """Put the queued frames in (the batcher's tick; `flush_now()` at the session's end)."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        first = len(self.frames)
        self.frames.extend(pending)
        kept = [first + i for i, frame in enumerate(pending) if self._keeps(frame)]
        if kept:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row + len(kept) - 1)
            self._rows.extend(kept)
            self.endInsertRows()

    def flush_now(self) -> None:
        self.batcher.flush_now()

    def clear(self) -> None:
        self.batcher.cancel()
        self.beginResetModel()
        self.frames, self._rows, self._pending = [], [], []
        self.endResetModel()

    @property
    def is_pending(self) -> bool:
        return bool(self._pending)

    # --- the filter ------------------------------------------------------------------------

    def set_filter(self, text: str, direction: str = "") -> None:
        """Keep the frames whose row holds `text` (any case) and, when given, of `direction`."""
        self._text, self._direction = text.casefold(), direction
        self.beginResetModel()
        self._rows = [i for i, frame in enumerate(self.frames) if self._keeps(frame)]
        self.endResetModel()

    def _keeps(self, frame: Frame) -> bool:
        if self._direction and frame.direction != self._direction:
            return False
        return not self._text or self._text in summary(frame).casefold()

    def frame_at(self, row: int) -> Frame | None:
        return self.frames[self._rows[row]] if 0 <= row < len(self._rows) else None

    # --- Qt's model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:  # asked for every role of every cell painted: answered first
            return None
        frame = self.frame_at(index.row())
        if frame is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return ARROWS[frame.direction]
            if column == 1:
                return f"+{frame.at_s:.3f} s"
            if column == 2:
                return size_text(frame.size)
            return summary(frame)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            from PySide6.QtGui import QColor

            return QColor(theme.colour("info" if frame.direction == "sent" else "ok"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
