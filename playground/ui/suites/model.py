"""The live table of a suite run: one line per row (and repeat), one column per target. Rows
arrive from the engine (on its own thread) in any order and wait in a deque; a tick (TICK_MS)
on the UI thread inserts them all at once, so a run of 64 in flight costs the UI thread one
insert per frame, never one per cell."""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor

from playground.core.suites.results import Cell, RowResult
from playground.core.text import human_time
from playground.ui import theme

Index = QModelIndex | QPersistentModelIndex
# Rows reach the table 5 times a second: a table is read, not watched like streamed text (every
# flush repaints the rows in view, each cell a call into Python per role, and the engine's thread
# competes for the GIL: at 30 flushes a second the window's loop lagged 20-27 ms at p99).
TICK_MS = 200
FIXED = ("Row", "Id")  # the columns before the targets'


def cell_text(cell: Cell) -> str:
    """✓ and the total time, or ✗ and the first failing check in words."""
    result = cell.result
    if cell.passed:
        total = result.metrics.total_s
        return "✓ " + (human_time(total) if total is not None else "passed")
    more = f" (+{len(cell.failures) - 1})" if len(cell.failures) > 1 else ""
    return f"✗ {cell.failures[0]}{more}"


def cell_tip(cell: Cell) -> str:
    """The figures, then every failing check."""
    result, m = cell.result, cell.result.metrics
    lines = [
        f"status {result.status or '—'} · {result.outcome}" + (" · cold" if result.cold else "")
    ]
    for name, value in (("TTFB", m.first_byte_s), ("TTFT", m.first_token_s), ("Total", m.total_s)):
        if value is not None:
            lines.append(f"{name} {human_time(value)}")
    if cell.cost is not None:
        lines.append(f"cost ${cell.cost:.6f}")
    lines += [f"✗ {failure}" for failure in cell.failures]
    return "\n".join(lines)


class RowsModel(QAbstractTableModel):
    """Every row of the run (the table keeps what it shows; the run file keeps them all too)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.rows: list[RowResult] = []  # every row, in the order they ended
        self._shown: list[int] = []  # indices into `rows` the table shows
        self._pending: deque[RowResult] = deque()  # appended on the engine's thread
        self.failures_only = False
        self._tick = QTimer(self)  # runs only while a run does (start_ticking … stop_ticking)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.flush)

    # -- feeding ---------------------------------------------------------------------------

    def reset(self, labels: list[str], rows: list[RowResult] | None = None) -> None:
        self.beginResetModel()
        self.labels = list(labels)
        self.rows = list(rows or [])
        self._pending.clear()
        self._shown = self._select(range(len(self.rows)))
        self.endResetModel()

    def add(self, row: RowResult) -> None:
        """A row ended (any thread): shown on the next tick."""
        self._pending.append(row)

    def start_ticking(self) -> None:
        self._tick.start()

    def stop_ticking(self) -> None:
        self._tick.stop()
        self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        start = len(self.rows)
        while self._pending:
            self.rows.append(self._pending.popleft())
        new = self._select(range(start, len(self.rows)))
        if new:
            first = len(self._shown)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._shown.extend(new)
            self.endInsertRows()

    def set_failures_only(self, on: bool) -> None:
        self.flush()
        self.beginResetModel()
        self.failures_only = on
        self._shown = self._select(range(len(self.rows)))
        self.endResetModel()

    def _select(self, indices: range) -> list[int]:
        if not self.failures_only:
            return list(indices)
        return [i for i in indices if not self.rows[i].passed]

    # -- reading ---------------------------------------------------------------------------

    def row_at(self, index: Index) -> RowResult | None:
        return self.rows[self._shown[index.row()]] if index.isValid() else None

    def cell_at(self, index: Index) -> Cell | None:
        row = self.row_at(index)
        target = index.column() - len(FIXED)
        if row is None or target < 0:
            return None
        return next((c for c in row.cells if c.target == target), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED) + len(self.labels)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return FIXED[section] if section < len(FIXED) else self.labels[section - len(FIXED)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if column < len(FIXED):
            if role == Qt.ItemDataRole.DisplayRole:
                number = f"{row.number}" + (f" ×{row.repeat}" if row.repeat > 1 else "")
                return number if column == 0 else row.id
            return None
        cell = self.cell_at(index)
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tip(cell)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(theme.colour("ok" if cell.passed else "error"))
        return None
