"""File ▸ Remotes: which remote this window is on, another opened in a window of its own, and the
remotes added by hand added, edited or removed (Baseten and ~/.trussrc's are read-only)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from playground.core.remote.config import (
    BUILT_IN,
    RemoteConfigError,
    RemoteStore,
    remote_from_url,
    truss_remote,
    url_of,
)
from playground.core.remote.remotes import Remote
from playground.core.remote.truss import DEFAULT_URL as TRUSS_URL
from playground.ui.host import WindowHost


def launch_command(remote_name: str) -> tuple[str, list[str]]:
    """How to start Playground on `remote_name`: the bundle's own binary, or this Python."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--remote", remote_name]
    return sys.executable, ["-m", "playground", "--remote", remote_name]


KINDS = {  # what a remote's kind is called, in the menu and in the dialog
    "baseten": "Baseten, or a Baseten-compatible server",
    "truss": "A Truss server (its own routes; no key)",
}


def menu_text(remote: Remote) -> str:
    """A remote as File ▸ Remotes lists it: its name, where it is and, for a Truss server, so."""
    kind = " · Truss server" if remote.kind == "truss" else ""
    return f"{remote.name}  ({remote.label}{kind})"


class AddRemoteDialog(QDialog):
    """A kind, a name and a URL, to add a remote or change the added one `editing`; stays open
    to say why it cannot be saved."""

    remote_added = Signal(object)  # Remote, added or changed

    def __init__(self, store: RemoteStore, parent: QWidget, editing: Remote | None = None) -> None:
        super().__init__(parent)
        self.store, self.editing = store, editing
        self.setWindowTitle(f"Edit the remote {editing.name}" if editing else "Add a remote")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("remoteKindCombo")
        for kind, words in KINDS.items():
            self.kind_combo.addItem(words, kind)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("remoteNameEdit")
        self.name_edit.setPlaceholderText("staging")
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("remoteUrlEdit")
        self.url_edit.setPlaceholderText("https://app.staging.baseten.co, or http://127.0.0.1:8765")
        self.problem = QLabel("")
        self.problem.setObjectName("remoteProblem")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout(self)
        form.addRow("Kind", self.kind_combo)
        form.addRow("Name", self.name_edit)
        form.addRow("Dashboard or server URL", self.url_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        if editing is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(editing.kind))
            self.name_edit.setText(editing.name)
            self.url_edit.setText(url_of(editing))
        self.resize(480, self.sizeHint().height())

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def _on_kind_changed(self, _index: int) -> None:
        """A Truss server is most often where `truss run` and its image listen: offer that."""
        is_truss = self.kind() == "truss"
        self.url_edit.setPlaceholderText(
            TRUSS_URL if is_truss else "https://app.staging.baseten.co, or http://127.0.0.1:8765"
        )
        if is_truss and not self.url_edit.text().strip():
            self.url_edit.setText(TRUSS_URL)

    def _on_buttons_accepted(self) -> None:
        make = truss_remote if self.kind() == "truss" else remote_from_url
        try:
            remote = make(self.name_edit.text().strip(), self.url_edit.text().strip())
            if self.editing is not None:
                self.store.replace(self.editing.name, remote)
            else:
                self.store.add(remote)
        except (RemoteConfigError, OSError) as exc:
            self.problem.setText(str(exc))
            return
        self.remote_added.emit(remote)
        self.accept()


class RemotesMenu(QObject):
    """Keeps File ▸ Remotes in step with the remotes file; lives as long as its window."""

    def __init__(
        self,
        host: WindowHost,
        store: RemoteStore,
        launch: Callable[[str, list[str]], object] = QProcess.startDetached,
    ) -> None:
        super().__init__(host.widget())
        self.host, self.store, self._launch = host, store, launch
        self.menu = host.add_menu("&File", "&Remotes")
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()
        for problem in store.problems:  # the window starts all the same, on what needs no file
            host.show_status(problem)

    def refresh(self) -> None:
        self.menu.clear()
        remotes = self.store.all()
        for remote in remotes.values():
            action = self.menu.addAction(menu_text(remote))
            action.setCheckable(True)
            action.setChecked(remote.name == self.host.remote.name)
            action.triggered.connect(lambda _=False, a=action, r=remote: self._on_chosen(a, r))
        for problem in self.store.problems:
            warning = self.menu.addAction(f"{self.store.path.name} cannot be used: why?")
            warning.setObjectName("remotesProblem")
            warning.triggered.connect(lambda _=False, p=problem: self.host.show_status(p))
        self.menu.addSeparator()
        self.menu.addAction("&Add a remote…").triggered.connect(self.ask_to_add)
        self.edit_menu = self._changes_menu("&Edit a remote", remotes, self.ask_to_edit)
        self.remove_menu = self._changes_menu("Re&move a remote", remotes, self.ask_to_remove)

    def _changes_menu(
        self, title: str, remotes: dict[str, Remote], slot: Callable[[Remote], object]
    ) -> QMenu:
        """A submenu of every remote: the added ones to change, the others saying why not."""
        menu = self.menu.addMenu(title)
        added = set(self.store.added()) if not self.store.problems else set()
        for remote in remotes.values():
            if remote.name in added:
                action = menu.addAction(f"{remote.name}…")
                action.triggered.connect(lambda _=False, r=remote: slot(r))
            else:
                why = "built in" if remote.name == BUILT_IN else "from ~/.trussrc"
                menu.addAction(f"{remote.name}  ({why}, read-only)").setEnabled(False)
        return menu

    def open(self, remote: Remote) -> None:
        """A window on `remote`, in a process of its own (its own key, its own connections)."""
        if remote.name == self.host.remote.name:
            self.host.show_status(f"This window is on {remote.name}.", 5000)
            return
        program, arguments = launch_command(remote.name)
        self._launch(program, arguments)
        self.host.show_status(f"Opening a window on {remote.name}…", 5000)

    def _on_chosen(self, action: QAction, remote: Remote) -> None:
        action.setChecked(remote.name == self.host.remote.name)  # it toggled itself when clicked
        self.open(remote)

    def ask_to_add(self) -> AddRemoteDialog:
        dialog = AddRemoteDialog(self.store, self.host.widget())
        dialog.remote_added.connect(self._on_dialog_remote_added)
        dialog.open()
        return dialog

    def ask_to_edit(self, remote: Remote) -> AddRemoteDialog:
        dialog = AddRemoteDialog(self.store, self.host.widget(), editing=remote)
        dialog.remote_added.connect(self._on_dialog_remote_edited)
        dialog.open()
        return dialog

    def ask_to_remove(self, remote: Remote) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove a remote",
            f"Remove the remote {remote.name} ({remote.label}) from Playground?",
            QMessageBox.StandardButton.Cancel,
            self.host.widget(),
        )
        box.setInformativeText("Its API key, if one is kept in the system keyring, stays there.")
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        remove.clicked.connect(lambda: self.remove(remote))
        box.setObjectName("removeRemoteQuestion")
        box.open()  # never exec(): a nested loop would break the qasync tasks
        return box

    def remove(self, remote: Remote) -> None:
        try:
            self.store.remove(remote.name)
        except (RemoteConfigError, OSError) as exc:
            self.host.show_status(str(exc))
            return
        self.refresh()
        self.host.show_status(f"Removed {remote.name}.", 8000)

    def _on_dialog_remote_edited(self, remote: Remote) -> None:
        self.refresh()
        self.host.show_status(f"Saved {remote.name} ({remote.label}); new windows use it.", 8000)

    def _on_dialog_remote_added(self, remote: Remote) -> None:
        self.refresh()
        kind = ", a Truss server: no key needed" if remote.kind == "truss" else ""
        self.host.show_status(
            f"Added {remote.name} ({remote.label}{kind}); File ▸ Remotes opens a window on it.",
            8000,
        )


def install(host: WindowHost, path: Path | None = None) -> RemotesMenu:
    return RemotesMenu(host, RemoteStore(path) if path else RemoteStore.default())
