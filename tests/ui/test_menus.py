"""The window's menus as a person uses them: Quit last in File, Edit acting on the focused text,
a preset's context menu, the call modes from the keyboard, and Help's shortcuts by menu."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core.presets.preset import Preset
from playground.core.remote.remotes import Target
from playground.core.request.spec import MODES, RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui.main_window import MainWindow
from playground.ui.presets.panel import PresetPanel
from playground.ui.widgets.name_dialog import NameDialog
from tests.ui.helpers import Maker, until
from tests.ui.test_preset_panel import during


@pytest.fixture(autouse=True)
def no_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "example_presets_dirs", list)


def menu_named(win: MainWindow, title: str) -> QMenu:
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == title)
    assert isinstance(menu, QMenu)
    return menu


def entries(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def active(win: MainWindow, loop: asyncio.AbstractEventLoop) -> MainWindow:
    win.activateWindow()
    until(loop, win.isActiveWindow)
    return win


def press(win: MainWindow, qtbot: QtBot, key: Qt.Key, ctrl: bool = True) -> None:
    """A key as the platform delivers it, through the window, so shortcuts get their chance."""
    modifiers = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(win.windowHandle(), key, modifiers)


def test_quit_is_the_last_entry_of_file(make_window: Maker, emulator: EmulatorServer) -> None:
    win = make_window(emulator)
    file = menu_named(win, "&File")
    assert entries(file)[-1] == "&Quit"
    assert "API &key…" in entries(file)  # added by the session after the window was built
    assert file.actions()[-2].isSeparator()
    assert file.actions()[0].menu() is not None  # File ▸ Remotes still first


def choose_edit(win: MainWindow, text: str) -> None:
    """Open Edit (its entries say what they can do now) and pick `text`."""
    edit = menu_named(win, "&Edit")
    edit.aboutToShow.emit()
    action = next(a for a in edit.actions() if a.text() == text)
    assert action.isEnabled(), f"{text} is greyed out"
    action.trigger()


def test_edit_acts_on_the_focused_text(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = active(make_window(emulator), loop)
    assert entries(menu_named(win, "&Edit"))[:6] == [
        "&Undo",
        "&Redo",
        "Cu&t",
        "&Copy",
        "&Paste",
        "Select &all",
    ]
    body = win.request.editor.body
    body.setFocus()
    body.setPlainText('{"a": 1}')
    choose_edit(win, "Select &all")
    assert body.textCursor().selectedText() == '{"a": 1}'
    choose_edit(win, "Cu&t")
    assert body.toPlainText() == ""
    assert QGuiApplication.clipboard().text() == '{"a": 1}'
    choose_edit(win, "&Undo")
    assert body.toPlainText() == '{"a": 1}'
    choose_edit(win, "&Redo")
    assert body.toPlainText() == ""
    choose_edit(win, "&Paste")
    assert body.toPlainText() == '{"a": 1}'

    search = win.findChild(PresetPanel).search_edit  # type: ignore[union-attr]
    search.setFocus()
    until(loop, search.hasFocus)
    choose_edit(win, "&Paste")
    assert search.text() == '{"a": 1}'
    assert body.toPlainText() == '{"a": 1}'  # the focused text only
    choose_edit(win, "Select &all")
    choose_edit(win, "&Copy")
    assert QGuiApplication.clipboard().text() == '{"a": 1}'


def test_edit_entries_are_greyed_out_where_they_would_do_nothing(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = active(make_window(emulator), loop)
    win.mode_combo.setFocus()  # not text
    until(loop, win.mode_combo.hasFocus)
    edit = menu_named(win, "&Edit")
    edit.aboutToShow.emit()
    state = {a.text(): a.isEnabled() for a in edit.actions() if not a.isSeparator()}
    for text in ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Select &all"):
        assert state[text] is False, text
    assert state["&Format JSON"]  # what acts on the body still can


def test_ctrl_z_still_undoes_a_deleted_preset_in_the_list(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    """Edit's Undo must not take Ctrl+Z window-wide: the presets list has its own."""
    win = active(make_window(emulator), loop)
    panel = win.findChild(PresetPanel)
    assert isinstance(panel, PresetPanel)
    panel.store.save(Preset("One", RequestSpec("predict", Target(CLASSIFIER), {"a": 1})))
    panel.refresh()
    panel.list_view.setFocus()
    panel.list_view.setCurrentIndex(panel.model.index(0))
    panel.delete_selected()
    assert panel.model.rowCount() == 0
    press(win, qtbot, Qt.Key.Key_Z)
    assert panel.model.rowCount() == 1


# a popup menu, offscreen: the plugin cannot raise it or grab the keyboard for it
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_preset_has_a_context_menu(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    panel = win.findChild(PresetPanel)
    assert isinstance(panel, PresetPanel)
    stored = panel.store.save(Preset("One", RequestSpec("predict", Target(CLASSIFIER), {"a": 7})))
    panel.refresh()
    view = panel.list_view
    point = view.visualRect(panel.model.index(0)).center()

    def context_menu() -> QMenu:
        view.customContextMenuRequested.emit(point)
        menus = [m for m in view.findChildren(QMenu, "presetContextMenu") if m.isVisible()]
        assert len(menus) == 1
        return menus[0]

    def pick(text: str) -> None:
        menu = context_menu()
        next(a for a in menu.actions() if a.text() == text).trigger()
        menu.close()

    view.customContextMenuRequested.emit(QPoint(5, view.viewport().height() - 5))
    assert [m for m in view.findChildren(QMenu, "presetContextMenu") if m.isVisible()] == []

    menu = context_menu()
    assert entries(menu) == [
        "&Open",
        "&Rename…",
        "D&uplicate",
        "&Delete",
        "Show the &file in its folder",
    ]
    menu.close()
    during(loop, lambda: pick("&Open"))  # loading its target starts a task
    assert '"a": 7' in win.request.editor.body.toPlainText()
    pick("D&uplicate")
    assert sorted(e.name for e in panel.store.presets()) == ["One", "One copy"]

    opened: list[QUrl] = []

    class Files(QObject):
        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            opened.append(url)

    files = Files()
    QDesktopServices.setUrlHandler("file", files, "open")
    try:
        pick("Show the &file in its folder")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened == [QUrl.fromLocalFile(str(stored.path.parent))]
    assert str(stored.path) in win.statusBar().currentMessage()

    point = view.visualRect(panel.model.index(panel.model.row_of(stored))).center()
    pick("&Rename…")
    dialog = panel.dialog
    assert isinstance(dialog, NameDialog)
    dialog.name_edit.setText("Renamed")
    dialog.buttons.accepted.emit()
    assert sorted(e.name for e in panel.store.presets()) == ["One copy", "Renamed"]

    point = view.visualRect(panel.model.index(0)).center()
    pick("&Delete")
    assert len(panel.store.presets()) == 1


def test_each_call_mode_has_a_shortcut(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = active(make_window(emulator), loop)
    win.request.editor.body.setFocus()
    modes = menu_named(win, "&Request").actions()[0].menu()
    assert isinstance(modes, QMenu)
    assert [a.text() for a in modes.actions()] == [label for _, label in MODES]
    assert [a.shortcut().toString() for a in modes.actions()] == [
        f"Ctrl+{n}" for n in range(1, len(MODES) + 1)
    ]
    for number, (mode, _label) in reversed(list(enumerate(MODES, 1))):
        press(win, qtbot, getattr(Qt.Key, f"Key_{number}"))
        assert win.mode() == mode
        assert [a.isChecked() for a in modes.actions()] == [m == mode for m, _ in MODES]
    win.mode_combo.setCurrentIndex(2)  # the menu follows the combo, however it changed
    assert modes.actions()[2].isChecked()
    listed = dict(win.menus.shortcuts)
    assert [listed[f"Mode: {label}"] for _, label in MODES] == [
        f"Ctrl+{n}" for n in range(1, len(MODES) + 1)
    ]


def test_help_lists_shortcuts_by_menu_and_sorted(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    win = make_window(emulator)
    table = win.menus.shortcut_table()
    groups = [group for group, _ in table]
    bar = [a.text().replace("&", "") for a in win.menuBar().actions()]
    assert groups == [m for m in bar if m in groups]  # in the menu bar's order
    assert groups[:3] == ["File", "Edit", "Request"]
    assert groups[-1] == "Help"
    for group, rows in table:
        names = [name for name, _ in rows]
        assert names == sorted(names, key=str.casefold), group
    by_group = dict(table)
    assert ("Quit", "Ctrl+Q") in by_group["File"]
    assert ("Undo", "Ctrl+Z") in by_group["Edit"]
    assert ("Send", "Ctrl+Return or Ctrl+Enter") in by_group["Request"]

    F1 = next(a for a in menu_named(win, "&Help").actions() if a.text() == "&Keyboard shortcuts")
    F1.trigger()
    box = win.findChild(QMessageBox, "shortcutsBox")
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    text = box.text()
    positions = [text.index(f"<b>{group}</b>") for group in groups]
    assert positions == sorted(positions)
    assert text.index(">Quit<") < text.index("<b>Edit</b>") < text.index(">Undo<")


def test_edit_opened_from_the_keyboard_acts_on_the_text_that_had_the_focus(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = active(make_window(emulator), loop)
    body = win.request.editor.body
    body.setPlainText("[1, 2]")
    body.setFocus()
    until(loop, body.hasFocus)
    win.menuBar().setFocus()  # as Alt+E does, before Edit opens
    until(loop, win.menuBar().hasFocus)
    choose_edit(win, "Select &all")
    choose_edit(win, "&Copy")
    assert QGuiApplication.clipboard().text() == "[1, 2]"
