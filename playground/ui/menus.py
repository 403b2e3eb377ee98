"""The window's menus: made on first use by whichever feature adds to them, Help kept last, Quit
last in File, Edit acting on the focused text, the call modes, and every shortcut listed, by menu,
for Help ▸ Keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

import playground

# Edit ▸ …: (entry, keys, the editor's method); None is a separator.
EDITING: tuple[tuple[str, str, str] | None, ...] = (
    ("&Undo", "Ctrl+Z", "undo"),
    ("&Redo", "Ctrl+Shift+Z | Ctrl+Y", "redo"),
    None,
    ("Cu&t", "Ctrl+X", "cut"),
    ("&Copy", "Ctrl+C", "copy"),
    ("&Paste", "Ctrl+V", "paste"),
    None,
    ("Select &all", "Ctrl+A", "selectAll"),
)
TextEditor = QLineEdit | QPlainTextEdit | QTextEdit


@runtime_checkable
class TextView(Protocol):
    """A read-only text view that copies (the response's StreamingText)."""

    def copy(self) -> None: ...
    def select_all(self) -> None: ...
    def has_selection(self) -> bool: ...


class FocusMemory(QObject):
    """The widget of `window` that had the focus before its menu bar took it (Alt+E)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._widget: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    @property
    def widget(self) -> QWidget | None:
        widget = self._widget
        return widget if widget is not None and shiboken6.isValid(widget) else None

    def _on_app_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if (
            new is not None
            and not isinstance(new, QMenuBar | QMenu)
            and new.window() is self.window
        ):
            self._widget = new


def focused_editor(before_menus: QWidget | None = None) -> QWidget | None:
    """The text the Edit menu acts on: a focused line or text edit, or a read-only text view
    that can copy (the response); None when the focus is elsewhere. While the menu bar has the
    focus (opened from the keyboard), the widget that had it before (`before_menus`)."""
    widget = QApplication.focusWidget()
    if widget is None or isinstance(widget, QMenuBar | QMenu):
        widget = before_menus
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget = widget.lineEdit()
    if isinstance(widget, TextEditor):
        return widget
    return widget if isinstance(widget, TextView) else None


def editing_state(editor: QWidget | None) -> dict[str, bool]:
    """Which of the Edit entries (by method) would do something in `editor` now."""
    if isinstance(editor, QLineEdit):
        writable, selected = not editor.isReadOnly(), editor.hasSelectedText()
        undo, redo, text = editor.isUndoAvailable(), editor.isRedoAvailable(), bool(editor.text())
    elif isinstance(editor, QPlainTextEdit | QTextEdit):
        document = editor.document()
        writable, selected = not editor.isReadOnly(), editor.textCursor().hasSelection()
        undo, redo = document.isUndoAvailable(), document.isRedoAvailable()
        text = not document.isEmpty()
    elif isinstance(editor, TextView):  # read-only: copy and select all
        writable, undo, redo, text = False, False, False, True
        selected = editor.has_selection()
    else:
        return dict.fromkeys(("undo", "redo", "cut", "copy", "paste", "selectAll"), False)
    return {
        "undo": writable and undo,
        "redo": writable and redo,
        "cut": writable and selected,
        "copy": selected,
        "paste": writable,
        "selectAll": text,
    }


def _chooser(combo: QComboBox, index: int) -> Callable[[], None]:
    return lambda: combo.setCurrentIndex(index)


class Menus:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.shortcuts: list[tuple[str, str]] = []  # (entry, keys), as Help lists them
        self.groups: dict[str, list[tuple[str, str]]] = {}  # the same, by menu ("Edit")
        self.editing: dict[str, QAction] = {}  # Edit's entries, by the editor's method
        self.modes: list[QAction] = []  # Request ▸ Mode, in the order of the mode list
        self._menus: list[QMenu] = []
        self._bottom: dict[QMenu, QAction] = {}  # the separator above what stays last (Quit)

    def menu(self, title: str) -> QMenu:
        menu = next((m for m in self._menus if m.title() == title), None)
        if menu is None:
            menu = QMenu(title, self.window)
            help_menu = next((m for m in self._menus if m.title() == "&Help"), None)
            if help_menu is not None:  # Help stays last, whatever is added later
                self.window.menuBar().insertMenu(help_menu.menuAction(), menu)
            else:
                self.window.menuBar().addMenu(menu)
            self._menus.append(menu)
        return menu

    def reserve(self, *titles: str) -> None:
        """Menus in their place from the first frame, before the features that fill them."""
        for title in titles:
            self.menu(title)

    def add_menu(self, menu_title: str, text: str) -> QMenu:
        """A submenu at the top of `menu_title` (e.g. File ▸ Remotes)."""
        parent = self.menu(menu_title)
        sub = QMenu(text, self.window)
        first = parent.actions()[0] if parent.actions() else None
        if first is not None:
            parent.insertMenu(first, sub)
        else:
            parent.addMenu(sub)
        return sub

    def add_action(
        self, menu_title: str, text: str, keys: str, slot: Callable[[], object]
    ) -> QAction:
        """A menu entry whose shortcuts Help lists; `keys` may give several, as
        `"Ctrl+Return | Ctrl+Enter"`. It goes above what stays last in its menu (Quit)."""
        action = self._action(menu_title, text, keys, slot)
        menu = self.menu(menu_title)
        bottom = self._bottom.get(menu)
        if bottom is not None:
            menu.insertAction(bottom, action)
        else:
            menu.addAction(action)
        self.window.addAction(action)
        return action

    def _action(
        self, group: str, text: str, keys: str, slot: Callable[[], object], listed: str = ""
    ) -> QAction:
        action = QAction(text, self.window)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys.split(" | ")])
            self._list(group, listed or text, keys)
        action.triggered.connect(slot)
        return action

    def _list(self, group: str, text: str, keys: str) -> None:
        entry = (text.replace("&", ""), keys.replace(" | ", " or "))
        self.shortcuts.append(entry)
        self.groups.setdefault(group.replace("&", ""), []).append(entry)

    def add_quit(self, slot: Callable[[], object]) -> QAction:
        """File ▸ Quit, below everything added to File before or after it."""
        menu = self.menu("&File")
        self._bottom[menu] = menu.addSeparator()
        action = self._action("&File", "&Quit", "Ctrl+Q", slot)
        action.setMenuRole(QAction.MenuRole.QuitRole)
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def add_editing(self) -> None:
        """Undo … Select all at the top of Edit, acting on the focused text. The text widgets
        take these keys themselves, so the entries' own shortcuts are set for the open menu only:
        window-wide ones would make Ctrl+Z ambiguous where a panel has its own (presets' undo)."""
        menu = self.menu("&Edit")
        first = menu.actions()[0] if menu.actions() else None
        for item in (*EDITING, None):
            if item is None:
                action = QAction(self.window)
                action.setSeparator(True)
            else:
                text, keys, method = item
                action = QAction(text, self.window)
                action.triggered.connect(lambda _=False, m=method: self.edit(m))
                self._list("&Edit", text, keys)
                self.editing[method] = action
            if first is not None:
                menu.insertAction(first, action)
            else:
                menu.addAction(action)
        menu.aboutToShow.connect(self._update_editing)
        self._focus = FocusMemory(self.window)

    def edit(self, method: str) -> None:
        """Undo, cut, copy… in the focused text (`method` as EDITING names it)."""
        editor = focused_editor(self._focus.widget)
        if editor is not None and editing_state(editor)[method]:
            name = (
                "select_all"
                if method == "selectAll" and not isinstance(editor, TextEditor)
                else method
            )
            getattr(editor, name)()

    def _update_editing(self) -> None:
        if not self.editing["undo"].shortcuts():
            from PySide6.QtCore import Qt  # not before the first paint: the namespace costs ~13 ms

            for item in EDITING:
                if item is not None:
                    action = self.editing[item[2]]
                    action.setShortcuts([QKeySequence(k) for k in item[1].split(" | ")])
                    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        state = editing_state(focused_editor(self._focus.widget))
        for method, action in self.editing.items():
            action.setEnabled(state[method])

    def add_modes(self, combo: QComboBox) -> QMenu:
        """Request ▸ Mode: one checkable entry per item of `combo` (the call modes, in order),
        Ctrl+1, Ctrl+2, …, kept in step with it."""
        menu = self.add_menu("&Request", "&Mode")
        group = QActionGroup(menu)
        for index in range(combo.count()):
            label, keys = combo.itemText(index), f"Ctrl+{index + 1}"
            action = self._action(
                "&Request",
                label,
                keys,
                _chooser(combo, index),
                f"Mode: {label}",
            )
            action.setCheckable(True)
            group.addAction(action)
            menu.addAction(action)
            self.window.addAction(action)
            self.modes.append(action)
        request = self.menu("&Request").actions()
        if len(request) > 1:  # a line between the modes and what follows (Send…)
            self.menu("&Request").insertSeparator(request[1])

        def update(index: int) -> None:
            if 0 <= index < len(self.modes):
                self.modes[index].setChecked(True)

        combo.currentIndexChanged.connect(update)
        update(combo.currentIndex())
        return menu

    def add_help(self) -> None:
        self.add_action("&Help", "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self.add_action("&Help", "&About Playground", "", self.show_about)

    def shortcut_table(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The shortcuts by menu, in the menu bar's order, each menu's sorted by name."""
        order = [a.text().replace("&", "") for a in self.window.menuBar().actions()]
        names = sorted(self.groups, key=lambda g: order.index(g) if g in order else len(order))
        return [(g, sorted(self.groups[g], key=lambda e: e[0].casefold())) for g in names]

    def show_shortcuts(self) -> QMessageBox:
        rows = "".join(
            f"<tr><td colspan=2><b>{group}</b></td></tr>"
            + "".join(f"<tr><td>{name}</td><td><b>{keys}</b></td></tr>" for name, keys in entries)
            for group, entries in self.shortcut_table()
        )
        box = QMessageBox(self.window)
        box.setObjectName("shortcutsBox")
        box.setWindowTitle("Keyboard shortcuts")
        box.setText(f"<table cellspacing=6>{rows}</table>")
        box.open()  # never exec(): a nested loop would break the qasync tasks
        return box

    def show_about(self) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle("About Playground")
        box.setIconPixmap(self.window.windowIcon().pixmap(64))  # the app icon, once look.py set it
        box.setText(
            f"<b>Playground {playground.__version__}</b><br>"
            "Call, stream and compare models deployed on Baseten."
        )
        box.open()
