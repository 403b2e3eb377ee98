"""The window's docks: in their place from the first frame, filled by their feature later."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

PRESETS = "presetsDock"  # painted first, on the left; the presets feature fills it
WIDTH = 260  # what a dock on the left starts at, placeholder or filled


def dock(window: QMainWindow, title: str, name: str) -> QDockWidget:
    """The dock called `name` on the window's left: the one painted in the first frame (empty
    until its feature fills it), or a new one."""
    found = window.findChild(QDockWidget, name)
    if found is not None:
        return found
    made = QDockWidget(title, window)
    made.setObjectName(name)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, made)
    window.resizeDocks([made], [WIDTH], Qt.Orientation.Horizontal)
    return made


def fill(window: QMainWindow, name: str, title: str, content: QWidget) -> QDockWidget:
    """Put `content` in the dock called `name`, keeping the width the first frame showed."""
    found = dock(window, title, name)
    found.setWidget(content)
    window.resizeDocks([found], [WIDTH], Qt.Orientation.Horizontal)
    return found
