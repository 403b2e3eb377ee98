"""File ▸ Remotes: every remote listed, one added from a URL, another opened in its own window."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from playground.core.paths import remotes_file
from playground.core.remote.config import RemoteStore, remote_from_url
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
    assert texts(menus)[:2] == ["baseten  (https://api.baseten.co)", "&Add a remote…"]
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


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "has spaces in it"),
        ("ftp://files.example.com", "not http:// or https://"),
        ("https://", "names no host"),
        ("https://nohost", "is not a host name"),
        ("http://127.0.0.1:port", "port"),
    ],
)
def test_the_dialog_refuses_what_is_not_a_url(
    make_window: Maker, emulator: EmulatorServer, url: str, words: str
) -> None:
    win = make_window(emulator)
    dialog = menu_of(win).ask_to_add()
    dialog.name_edit.setText("broken")
    dialog.url_edit.setText(url)
    dialog.buttons.accepted.emit()
    assert words in dialog.problem.text()
    assert dialog.isVisible()  # stays open with the reason
    assert "broken" not in RemoteStore(remotes_file()).all()


def recording_menu(win: object, store: RemoteStore) -> tuple[RemotesMenu, list[list[str]]]:
    launched: list[list[str]] = []
    return RemotesMenu(win, store, launch=lambda _p, a: launched.append(a)), launched  # type: ignore[arg-type]


def entry(menu: object, starts: str) -> object:
    return next(a for a in menu.actions() if a.text().startswith(starts))  # type: ignore[attr-defined]


def test_the_menu_shows_which_remote_this_window_is_on(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    win = make_window(emulator)
    store = RemoteStore(remotes_file())
    store.add(win.remote)  # the window's own remote, as if it had been added
    store.add(remote_from_url("staging", "https://app.staging.baseten.co"))
    menus, launched = recording_menu(win, store)
    remotes = [a for a in menus.menu.actions() if a.isCheckable()]
    assert [(a.text().split()[0], a.isChecked()) for a in remotes] == [
        ("baseten", False),
        ("local", True),  # "local demo"
        ("staging", False),
    ]
    entry(menus.menu, "local demo").trigger()  # the current one: nothing to open
    assert launched == []
    assert entry(menus.menu, "local demo").isChecked()
    assert "This window is on local demo" in win.statusBar().currentMessage()
    entry(menus.menu, "staging").trigger()
    assert launched == [["-m", "playground", "--remote", "staging"]]
    assert not entry(menus.menu, "staging").isChecked()  # it opened elsewhere; this one stays


def test_an_added_remote_is_edited_in_place(
    make_window: Maker, emulator: EmulatorServer, isolated_home: Path
) -> None:
    (isolated_home / ".trussrc").write_text(
        "[work]\nremote_provider = baseten\nremote_url = https://app.work.example.com\n"
        "api_key = abcdefghijklmnop\n"
    )
    win = make_window(emulator)
    store = RemoteStore(remotes_file())
    store.add(remote_from_url("staging", "https://app.staging.baseten.co"))
    store.add(remote_from_url("laptop", "http://127.0.0.1:8765"))
    menus, _ = recording_menu(win, store)
    edits = [(a.text(), a.isEnabled()) for a in menus.edit_menu.actions()]
    assert edits == [
        ("baseten  (built in, read-only)", False),
        ("work  (from ~/.trussrc, read-only)", False),
        ("staging…", True),
        ("laptop…", True),
    ]

    entry(menus.edit_menu, "staging").trigger()
    dialog = win.findChildren(AddRemoteDialog)[-1]
    assert dialog.isVisible()
    assert (dialog.name_edit.text(), dialog.url_edit.text()) == (
        "staging",
        "https://app.staging.baseten.co",
    )
    dialog.url_edit.setText("https://app.nope here.com")
    dialog.buttons.accepted.emit()
    assert "spaces" in dialog.problem.text()
    dialog.name_edit.setText("laptop")
    dialog.url_edit.setText("https://app.preprod.baseten.co")
    dialog.buttons.accepted.emit()
    assert "already a remote named 'laptop'" in dialog.problem.text()
    dialog.name_edit.setText("preprod")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    added = RemoteStore(remotes_file()).added()
    assert list(added) == ["preprod", "laptop"]  # renamed where it was
    assert added["preprod"].management == "https://api.preprod.baseten.co"
    assert "preprod…" in [a.text() for a in menus.edit_menu.actions()]
    assert "Saved preprod" in win.statusBar().currentMessage()


def test_removing_a_remote_asks_first(make_window: Maker, emulator: EmulatorServer) -> None:
    win = make_window(emulator)
    store = RemoteStore(remotes_file())
    store.add(remote_from_url("staging", "https://app.staging.baseten.co"))
    menus, _ = recording_menu(win, store)
    removes = [(a.text(), a.isEnabled()) for a in menus.remove_menu.actions()]
    assert removes == [("baseten  (built in, read-only)", False), ("staging…", True)]

    entry(menus.remove_menu, "staging").trigger()
    question = win.findChildren(QMessageBox, "removeRemoteQuestion")[-1]
    assert question.isVisible()
    assert "Remove the remote staging" in question.text()
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert "staging" in RemoteStore(remotes_file()).added()

    entry(menus.remove_menu, "staging").trigger()
    question = win.findChildren(QMessageBox, "removeRemoteQuestion")[-1]
    next(b for b in question.buttons() if b.text() == "Remove").click()
    assert RemoteStore(remotes_file()).added() == {}
    assert not any(a.text().startswith("staging") for a in menus.menu.actions())
    assert "Removed staging" in win.statusBar().currentMessage()


def test_a_truss_server_is_added_with_its_kind_opened_and_edited_as_one(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    win = make_window(emulator)
    launched: list[tuple[str, list[str]]] = []
    menus = RemotesMenu(
        win, RemoteStore(remotes_file()), launch=lambda p, a: launched.append((p, a))
    )
    dialog = menus.ask_to_add()
    assert dialog.url_edit.text() == ""
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("truss"))
    assert dialog.url_edit.text() == "http://localhost:8080"  # where `truss run` listens
    dialog.name_edit.setText("my-truss")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible(), dialog.problem.text()
    added = RemoteStore(remotes_file()).get("my-truss")
    assert (added.kind, added.inference, added.needs_key) == (
        "truss",
        "http://localhost:8080",
        False,
    )
    assert "no key needed" in win.statusBar().currentMessage()
    entry = next(a for a in menus.menu.actions() if a.text().startswith("my-truss"))
    assert entry.text() == "my-truss  (http://localhost:8080 · Truss server)"
    entry.trigger()  # its window, in a process of its own, as any remote's
    assert launched == [launch_command("my-truss")]
    editing = menus.ask_to_edit(added)
    assert editing.kind_combo.currentData() == "truss"
    editing.url_edit.setText("http://127.0.0.1:9090")
    editing.buttons.accepted.emit()
    assert RemoteStore(remotes_file()).get("my-truss").inference == "http://127.0.0.1:9090"
    assert RemoteStore(remotes_file()).get("my-truss").kind == "truss"
