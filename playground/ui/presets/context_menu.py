"""The presets list's context menu: open, rename, duplicate, delete and show the file of the preset
under the pointer, through the panel's own actions."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu

from playground.core.presets.store import StoredPreset
from playground.ui.presets.panel import PresetPanel


def install(panel: PresetPanel) -> None:
    """Right-click (or the menu key) on a preset offers what can be done with it."""
    view = panel.list_view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda point: show_menu(panel, point))


def show_menu(panel: PresetPanel, point: QPoint) -> QMenu | None:
    """The menu for the preset at `point` (in the list's viewport), selected first so that the
    panel's actions act on it; None where there is no preset."""
    view = panel.list_view
    index = view.indexAt(point)
    entry = panel.model.entry(index.row()) if index.isValid() else None
    if entry is None:
        return None
    view.setCurrentIndex(index)
    menu = QMenu(view)
    menu.setObjectName("presetContextMenu")
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.addAction("&Open", lambda: panel.open(entry))
    rename = menu.addAction("&Rename…", panel.rename_selected)
    menu.addAction("D&uplicate", panel.duplicate_selected)
    delete = menu.addAction("&Delete", panel.delete_selected)
    for action in (rename, delete):
        action.setEnabled(not entry.is_read_only)
        if entry.is_read_only:
            action.setToolTip("An example that ships with Playground: duplicate it to change it")
    menu.addSeparator()
    menu.addAction("Show the &file in its folder", lambda: reveal(panel, entry))
    menu.popup(view.viewport().mapToGlobal(point))
    return menu


def reveal(panel: PresetPanel, entry: StoredPreset) -> None:
    """Open the folder that holds the preset's file, in the system's file manager."""
    folder = entry.path.parent
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        panel.host.show_status(f"Could not open {folder}; the file is {entry.path.name}", 8000)
    else:
        panel.host.show_status(f"{entry.name} is {entry.path}", 8000)
