"""The presets as a Qt list model, drawn two lines each (name; what it sends and where it lives)."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from playground.core.presets.preset import DEFAULT_REMOTE, Preset
from playground.core.presets.store import StoredPreset
from playground.core.request.spec import MODES

Index = QModelIndex | QPersistentModelIndex
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2
SOURCE_TAGS = {"project": "project", "user": "", "example": "example"}


class PresetListModel(QAbstractListModel):
    """The presets a search shows; `entry(row)` gives the stored preset behind a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[StoredPreset] = []

    def set_entries(self, entries: list[StoredPreset]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> StoredPreset | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, entry: StoredPreset) -> int:
        paths = [e.path for e in self._entries]
        return paths.index(entry.path) if entry.path in paths else -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        preset = entry.preset
        if role == Qt.ItemDataRole.DisplayRole:
            return preset.name
        if role == DETAIL_ROLE:
            return detail(preset)
        if role == SOURCE_ROLE:
            return SOURCE_TAGS[entry.source]
        if role == Qt.ItemDataRole.ToolTipRole:
            kept = "read-only example" if entry.is_read_only else str(entry.path)
            return f"{preset.name}\n{preset.description}\n{kept}"
        return None


def detail(preset: Preset) -> str:
    """What a preset sends, short: `Predict · abc123 · environment staging`."""
    request = preset.request
    target = request.target
    where = f"{target.model_id} · {target.label}" if target else request.model_api
    parts = [dict(MODES)[request.mode], where]
    if request.mode == "route":
        parts[0] = f"{request.method} /{request.route.lstrip('/')}"
    if preset.is_comparison:
        parts.insert(0, f"Compare {len(preset.columns)}")
    if preset.remote != DEFAULT_REMOTE:
        parts.append(preset.remote)
    return " · ".join(parts)


class PresetItemDelegate(QStyledItemDelegate):
    """Name in bold, what it sends below in a quieter colour, a tag for project and examples."""

    PADDING = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + self.PADDING * 2 + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect: QRect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        line = QFontMetrics(bold).height()
        tag = str(index.data(SOURCE_ROLE) or "")
        if tag:
            small = QFont(option.font)
            small.setPointSizeF(max(small.pointSizeF() * 0.85, 6))
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            width = QFontMetrics(small).horizontalAdvance(tag) + 4
            painter.drawText(
                rect.adjusted(rect.width() - width, 0, 0, 0), Qt.AlignmentFlag.AlignRight, tag
            )
            rect = rect.adjusted(0, 0, -width - 4, 0)
        painter.setFont(bold)
        painter.setPen(palette.color(group))
        name = QFontMetrics(bold).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, name)
        painter.setFont(option.font)
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        detail = QFontMetrics(option.font).elidedText(
            str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(rect.adjusted(0, line + 2, 0, 0), Qt.AlignmentFlag.AlignLeft, detail)
        painter.restore()
