"""The presets panel: search, open, save the current request, rename, duplicate, delete with undo,
import and export, and a Truss's examples; docked on the left of the main window."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.presets.preset import Preset, PresetError
from playground.core.presets.store import PresetStore, StoredPreset, Where
from playground.core.presets.truss_import import presets_from_truss
from playground.ui.presets.ask import ask_over_example
from playground.ui.presets.list_model import PresetItemDelegate, PresetListModel
from playground.ui.widgets.name_dialog import NameDialog

if TYPE_CHECKING:
    from playground.ui.host import WindowHost

PROJECT_KEY = "presets/project_dir"


class PresetPanel(QWidget):
    preset_opened = Signal(object)  # Preset
    preset_saved = Signal(object)  # StoredPreset
    preset_deleted = Signal(object)  # StoredPreset

    def __init__(self, store: PresetStore, host: WindowHost) -> None:
        super().__init__()
        self.store = store
        self.host = host
        self.current: StoredPreset | None = None  # the one last opened or saved
        self.dialog: QDialog | None = None
        self.question: QMessageBox | None = None  # the last one asked ("save over an example?")
        self.model = PresetListModel(self)
        self._build_ui()
        self._connect()
        self.refresh()

    # --- layout --------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("presetSearch")
        self.search_edit.setPlaceholderText("Search presets (name, model, mode…)")
        self.search_edit.setClearButtonEnabled(True)
        self.list_view = QListView()
        self.list_view.setObjectName("presetList")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(PresetItemDelegate(self.list_view))
        self.list_view.setUniformItemSizes(True)
        self.list_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.empty_label = QLabel("No presets yet. Save the current request with Ctrl+S.")
        self.empty_label.setObjectName("presetEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 8px;")

        self.save_button = QPushButton("Save current…")
        self.save_button.setToolTip("Save the request in the window as a preset (Ctrl+S)")
        self.open_button = QPushButton("Open")
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_menu = QMenu(self.more_button)
        self.rename_action = self.more_menu.addAction("Rename…", self.rename_selected)
        self.duplicate_action = self.more_menu.addAction("Duplicate", self.duplicate_selected)
        self.delete_action = self.more_menu.addAction("Delete", self.delete_selected)
        self.more_menu.addSeparator()
        self.more_menu.addAction("Import preset files…", self.import_files)
        self.more_menu.addAction("Import from a Truss folder…", self.import_truss)
        self.export_action = self.more_menu.addAction("Export selected…", self.export_selected)
        self.more_menu.addAction("Export all to a folder…", self.export_all)
        self.more_menu.addSeparator()
        self.more_menu.addAction("Use a project folder…", self.choose_project_dir)
        self.stop_project_action = self.more_menu.addAction(
            "Stop using the project folder", lambda: self.set_project_dir(None)
        )
        self.more_menu.addAction("Reload from disk", self.reload)
        self.more_button.setMenu(self.more_menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.more_button)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("presetProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_label = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("presetUndo")
        self.undo_bar = QWidget()
        self.undo_bar.setObjectName("presetUndoBar")
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(8, 2, 2, 2)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("presetFolders")
        self.folder_label.setWordWrap(True)
        self.folder_label.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.undo_bar)
        layout.addLayout(buttons)
        layout.addWidget(self.folder_label)
        self.problems_label.hide()
        self.undo_bar.hide()

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._update_list)
        self.search_edit.returnPressed.connect(self.open_selected)
        self.list_view.activated.connect(self._on_list_activated)
        self.list_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.save_button.clicked.connect(self.save_current)
        self.open_button.clicked.connect(self.open_selected)
        self.undo_button.clicked.connect(self.undo)
        self.problems_label.linkActivated.connect(lambda _link: self.problems_label.hide())
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.Delete, self.delete_selected),
            (QKeySequence(Qt.Key.Key_F2), self.rename_selected),
            (QKeySequence.StandardKey.Undo, self.undo),
        ):
            shortcut = QShortcut(keys, self.list_view)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # --- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show what the store holds (call after the store changed behind the panel's back)."""
        self._update_list()
        self._update_problems()
        self._update_folders()

    def reload(self) -> None:
        self.store.load()
        self.refresh()
        self._say(f"{len(self.store.presets())} presets")

    def selected(self) -> StoredPreset | None:
        rows = self.list_view.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def select(self, entry: StoredPreset) -> None:
        row = self.model.row_of(entry)
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))

    def focus_search(self) -> None:
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # --- actions -------------------------------------------------------------------------------

    def open_selected(self) -> None:
        entry = self.selected()
        if entry is None and self.model.rowCount() == 1:
            entry = self.model.entry(0)  # Enter in the search box opens the only match
        if entry is not None:
            self.open(entry)

    def open(self, entry: StoredPreset) -> None:
        preset = entry.preset
        self.host.load_request(preset.request)
        self.current = entry
        note = ""
        if preset.remote != self.host.remote.name:
            note = f" (saved for {preset.remote}; it will go to {self.host.remote.name})"
        if preset.is_comparison:
            note += f" (a comparison of {len(preset.columns)} columns: its first request is shown)"
        self._say(f"Opened {preset.name!r}{note}.")
        self.preset_opened.emit(preset)

    def save_current(self) -> None:
        """Ask a name (the open preset's, to update it) and save what Send would send."""
        spec = self.host.request_spec()
        if isinstance(spec, str):
            self._say(f"Nothing to save: {spec}")
            return
        name = self.current.name if self.current is not None else spec.description
        dialog = self._ask_name("Save as preset", name, self.store.project_dir)

        def chosen(name: str, where: Where) -> None:
            same = self.current is not None and self.current.name.casefold() == name.casefold()
            current = self.current if same else None

            def save(replacing: StoredPreset | None) -> StoredPreset:
                preset = Preset(name, spec, self.host.remote.name)  # may refuse the name
                return self.store.save(preset, where=where, replacing=replacing)

            example = self._example_named(name)
            if example is None:
                self._try(dialog, lambda: save(current))
                return
            # Saving over an example shows the user's copy instead: the person says so first.
            self.question = ask_over_example(
                dialog,
                example.name,
                lambda: self._try(dialog, lambda: save(example)),
                lambda: dialog.show_problem("Pick another name, or save over the example."),
            )

        dialog.name_chosen.connect(chosen)

    def rename_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        dialog = self._ask_name("Rename preset", entry.name, None)
        dialog.name_chosen.connect(
            lambda name, _where: self._try(dialog, lambda: self.store.rename(entry, name))
        )

    def duplicate_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._done(self.store.duplicate(entry), "Duplicated as")

    def delete_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        try:
            self.store.delete(entry)
        except (PresetError, OSError) as exc:
            self._say(f"Could not delete {entry.name!r}: {exc}")
            return
        if self.current is not None and self.current.path == entry.path:
            self.current = None
        self.undo_label.setText(f"Deleted {entry.name!r}.")
        self.undo_bar.show()
        self._update_list()
        self._say(f"Deleted {entry.name!r} (Undo brings it back).")
        self.preset_deleted.emit(entry)

    def undo(self) -> None:
        try:
            entry = self.store.undo()
        except (PresetError, OSError) as exc:
            self._say(f"Could not undo: {exc}")
            return
        self.undo_bar.setVisible(self.store.can_undo)
        if entry is not None:
            self._done(entry, "Restored")

    # --- files ---------------------------------------------------------------------------------

    def import_files(self) -> None:
        dialog = self._file_dialog("Import presets", QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("Presets (*.json)")
        dialog.filesSelected.connect(lambda files: self.import_paths([Path(f) for f in files]))

    def import_paths(self, files: list[Path]) -> None:
        saved, problems = [], []
        for file in files:
            result = self.store.import_path(file)
            saved += result.saved
            problems += result.problems
        self._update_list()
        if saved:
            self.select(saved[-1])
        words = [f"Imported {len(saved)} preset{'s' * (len(saved) != 1)}."]
        words += [problem.message for problem in problems]
        self._say(" ".join(words))

    def import_truss(self) -> None:
        dialog = self._file_dialog("Import from a Truss folder", QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda folder: self.import_truss_from(Path(folder)))

    def import_truss_from(self, folder: Path) -> None:
        target = self.host.target()
        if target is None:
            self._say("Pick the model this Truss was pushed as, then import its examples.")
            return
        try:
            presets = presets_from_truss(folder, target, remote=self.host.remote.name)
            saved = self.store.add(presets)
        except (PresetError, OSError) as exc:
            self._say(f"Could not import the Truss: {exc}")
            return
        self._update_list()
        self.select(saved[-1])
        self._say(f"Imported {len(saved)} example inputs from {folder.name} for {target.model_id}.")

    def export_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        dialog = self._file_dialog("Export preset", QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.selectFile(entry.path.name)
        dialog.fileSelected.connect(lambda file: self.export_to([entry], Path(file)))

    def export_all(self) -> None:
        dialog = self._file_dialog("Export all presets to a folder", QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(
            lambda folder: self.export_to(self.store.presets(), Path(folder))
        )

    def export_to(self, entries: list[StoredPreset], dest: Path) -> None:
        try:
            written = self.store.export(entries, dest)
        except (PresetError, OSError) as exc:
            self._say(f"Could not export: {exc}")
            return
        where = written[0] if len(written) == 1 else dest
        self._say(f"Exported {len(written)} preset{'s' * (len(written) != 1)} to {where}.")

    def choose_project_dir(self) -> None:
        dialog = self._file_dialog(
            "Use a project folder for presets", QFileDialog.FileMode.Directory
        )
        dialog.fileSelected.connect(lambda folder: self.set_project_dir(Path(folder)))

    def set_project_dir(self, folder: Path | None) -> None:
        """Presets also from `folder` (kept in git by a team, say); remembered for next time."""
        self.store.set_project_dir(folder)
        if self.host.settings is not None:
            self.host.settings.setValue(PROJECT_KEY, str(folder) if folder else "")
        self.refresh()
        self._say(f"Project presets from {folder}." if folder else "No project folder.")

    # --- helpers -------------------------------------------------------------------------------

    def _ask_name(self, title: str, name: str, project: Path | None) -> NameDialog:
        dialog = NameDialog(title, name, project=project, parent=self)
        self.dialog = dialog
        dialog.open()  # never exec(): a nested loop would break the qasync tasks
        return dialog

    def _file_dialog(self, title: str, mode: QFileDialog.FileMode) -> QFileDialog:
        dialog = QFileDialog(self, title, str(Path.home()))
        dialog.setFileMode(mode)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _example_named(self, name: str) -> StoredPreset | None:
        wanted = " ".join(name.split()).casefold()
        shown = self.store.presets()
        return next((e for e in shown if e.is_read_only and e.name.casefold() == wanted), None)

    def _try(self, dialog: NameDialog, change: Callable[[], StoredPreset]) -> None:
        """Run `change`, a store call; a problem keeps the dialog open and says why."""
        try:
            entry = change()
        except (PresetError, OSError) as exc:
            dialog.show_problem(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        dialog.accept()
        self._done(entry, "Saved")

    def _done(self, entry: StoredPreset, verb: str) -> None:
        self.current = entry
        self._update_list()
        if self.model.row_of(entry) < 0:  # the search hides it: show it
            self.search_edit.clear()
        self.select(entry)
        where = " in the project folder" if entry.source == "project" else ""
        self._say(f"{verb} {entry.name!r}{where}.")
        self.preset_saved.emit(entry)

    def _say(self, text: str) -> None:
        self.host.show_status(text, 8000)

    # --- view refreshers -----------------------------------------------------------------------

    def _update_list(self, *_: object) -> None:
        selected = self.selected()
        self.model.set_entries(self.store.search(self.search_edit.text()))
        if selected is not None:
            self.select(selected)
        searching = bool(self.search_edit.text().strip())
        self.empty_label.setText(
            "No preset matches."
            if searching
            else "No presets yet. Save the current request with Ctrl+S."
        )
        self.empty_label.setVisible(self.model.rowCount() == 0)

    def _update_buttons(self, *_: object) -> None:
        entry = self.selected()
        self.open_button.setEnabled(entry is not None)
        for action in (self.duplicate_action, self.export_action):
            action.setEnabled(entry is not None)
        for action in (self.rename_action, self.delete_action):
            action.setEnabled(entry is not None and not entry.is_read_only)

    def _update_problems(self) -> None:
        problems = self.store.problems
        if not problems:
            self.problems_label.hide()
            return
        lines = "".join(f"<li>{html.escape(p.message, quote=False)}</li>" for p in problems)
        self.problems_label.setText(
            f"<b>{len(problems)} preset file{'s' * (len(problems) != 1)} could not be read</b>"
            f"<ul style='margin: 2px 0 2px -20px'>{lines}</ul>"
            "The other presets are fine. <a href='#dismiss'>Dismiss</a>"
        )
        self.problems_label.show()

    def _update_folders(self) -> None:
        project = self.store.project_dir
        text = f"Mine: {self.store.user_dir}"
        if project is not None:
            text += f"<br>Project: {project}"
        self.folder_label.setText(text)
        self.stop_project_action.setEnabled(project is not None)

    def _on_list_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row())
        if entry is not None:
            self.open(entry)
