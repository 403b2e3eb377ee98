"""The presets feature in a window: the user's store (with the examples and the project folder
last used), the panel docked on the left, and its menu entries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playground import resources
from playground.core import paths
from playground.core.presets.store import PresetStore
from playground.ui import docks
from playground.ui.presets import context_menu
from playground.ui.presets.panel import PROJECT_KEY, PresetPanel

if TYPE_CHECKING:
    from playground.ui.host import WindowHost


def default_store(host: WindowHost) -> PresetStore:
    """The user's presets, the examples that ship with the app, and the project folder last used."""
    project = host.settings.value(PROJECT_KEY, "") if host.settings is not None else ""
    folder = Path(str(project)) if project and Path(str(project)).is_dir() else None
    store = PresetStore(paths.presets_dir(), folder, resources.example_presets_dirs())
    store.load()
    return store


def install(host: WindowHost, store: PresetStore | None = None) -> PresetPanel:
    """Dock the panel on the window's left and add its menu entries and shortcuts."""
    panel = PresetPanel(store or default_store(host), host)
    panel.setObjectName("presetPanel")
    context_menu.install(panel)
    dock = docks.fill(host.widget(), docks.PRESETS, "Presets", panel)
    menu = "&Presets"
    host.add_action(menu, "&Save as preset…", "Ctrl+S", panel.save_current)
    host.add_action(menu, "&Find preset", "Ctrl+P", panel.focus_search)
    host.add_action(menu, "&Import presets…", "", panel.import_files)
    host.add_action(menu, "Import from a &Truss…", "", panel.import_truss)
    host.add_action(menu, "&Export all presets…", "", panel.export_all)
    host.add_action(menu, "Use a &project folder…", "", panel.choose_project_dir)
    host.add_action(menu, "Show presets &panel", "", dock.toggleViewAction().trigger)
    return panel
