"""File ▸ Remotes: open another remote in a window of its own, or add one from a URL."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from playground.core.remote.config import RemoteConfigError, RemoteStore, remote_from_url
from playground.core.remote.remotes import Remote
from playground.ui.host import WindowHost


def launch_command(remote_name: str) -> tuple[str, list[str]]:
    """How to start Playground on `remote_name`: the bundle's own binary, or this Python."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--remote", remote_name]
    return sys.executable, ["-m", "playground", "--remote", remote_name]


class AddRemoteDialog(QDialog):
    """A name and a URL; stays open to say why a remote cannot be added."""

    remote_added = Signal(object)  # Remote

    def __init__(self, store: RemoteStore, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Add a remote")
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
        form.addRow("Name", self.name_edit)
        form.addRow("Dashboard or server URL", self.url_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.resize(480, self.sizeHint().height())

    def _on_buttons_accepted(self) -> None:
        try:
            remote = remote_from_url(self.name_edit.text().strip(), self.url_edit.text().strip())
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
        for remote in self.store.all().values():
            action = self.menu.addAction(f"{remote.name}  ({remote.label})")
            action.setEnabled(remote.name != self.host.remote.name)
            action.triggered.connect(lambda _=False, r=remote: self.open(r))
        for problem in self.store.problems:
            warning = self.menu.addAction(f"{self.store.path.name} cannot be used: why?")
            warning.setObjectName("remotesProblem")
            warning.triggered.connect(lambda _=False, p=problem: self.host.show_status(p))
        self.menu.addSeparator()
        self.menu.addAction("&Add a remote…").triggered.connect(self.ask_to_add)

    def open(self, remote: Remote) -> None:
        """A window on `remote`, in a process of its own (its own key, its own connections)."""
        program, arguments = launch_command(remote.name)
        self._launch(program, arguments)
        self.host.show_status(f"Opening a window on {remote.name}…", 5000)

    def ask_to_add(self) -> AddRemoteDialog:
        dialog = AddRemoteDialog(self.store, self.host.widget())
        dialog.remote_added.connect(self._on_dialog_remote_added)
        dialog.open()
        return dialog

    def _on_dialog_remote_added(self, remote: Remote) -> None:
        self.refresh()
        self.host.show_status(
            f"Added {remote.name} ({remote.label}); File ▸ Remotes opens a window on it.", 8000
        )


def install(host: WindowHost, path: Path | None = None) -> RemotesMenu:
    return RemotesMenu(host, RemoteStore(path) if path else RemoteStore.default())
