"""File ▸ Remotes: every remote listed, one added from a URL, another opened in its own window."""

from __future__ import annotations

import sys

from playground.core.paths import remotes_file
from playground.core.remote.config import RemoteStore
from playground.emulator import EmulatorServer
from playground.ui.remotes.menu import AddRemoteDialog, RemotesMenu, launch_command
from tests.ui.helpers import Maker


def menu_of(win: object) -> RemotesMenu:
    found = win.findChild(RemotesMenu)  # type: ignore[attr-defined]
    assert isinstance(found, RemotesMenu)
    return found


def texts(menu: RemotesMenu) -> list[str]:
    return [a.text() for a in menu.menu.actions() if not a.isSeparator()]


def test_add_a_remote_and_open_another_window_on_it(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    win = make_window(emulator)
    menus = menu_of(win)
    assert texts(menus) == ["baseten  (https://api.baseten.co)", "&Add a remote…"]
    assert win.menuBar().actions()[0].menu().actions()[0].menu() is menus.menu  # File ▸ Remotes

    dialog = menus.ask_to_add()
    dialog.name_edit.setText("my staging")
    dialog.url_edit.setText("https://app.staging.baseten.co")
    dialog.buttons.accepted.emit()
    assert "letters, digits" in dialog.problem.text()
    assert dialog.isVisible()  # stays open with the reason
    dialog.name_edit.setText("staging")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert RemoteStore(remotes_file()).get("staging").management == "https://api.staging.baseten.co"
    assert "staging  (https://api.staging.baseten.co)" in texts(menus)
    assert "Added staging" in win.statusBar().currentMessage()

    launched: list[tuple[str, list[str]]] = []
    recording = RemotesMenu(
        win, RemoteStore(remotes_file()), launch=lambda p, a: launched.append((p, a))
    )
    staging = next(a for a in recording.menu.actions() if a.text().startswith("staging"))
    staging.trigger()
    assert launched == [(sys.executable, ["-m", "playground", "--remote", "staging"])]
    assert launch_command("staging") == launched[0]


def test_the_dialog_refuses_baseten_by_name(make_window: Maker, emulator: EmulatorServer) -> None:
    win = make_window(emulator)
    dialog = menu_of(win).ask_to_add()
    assert isinstance(dialog, AddRemoteDialog)
    dialog.name_edit.setText("baseten")
    dialog.url_edit.setText("https://app.baseten.co")
    dialog.buttons.accepted.emit()
    assert "built in" in dialog.problem.text()
