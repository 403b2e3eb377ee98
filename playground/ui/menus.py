"""The window's menus: made on first use by whichever feature adds to them, Help kept last, and
every shortcut listed for Help ▸ Keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

import playground


class Menus:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.shortcuts: list[tuple[str, str]] = []  # (entry, keys), as Help lists them
        self._menus: list[QMenu] = []

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
        `"Ctrl+Return | Ctrl+Enter"`."""
        action = QAction(text, self.window)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys.split(" | ")])
            self.shortcuts.append((text.replace("&", ""), keys.replace(" | ", " or ")))
        action.triggered.connect(slot)
        self.menu(menu_title).addAction(action)
        self.window.addAction(action)
        return action

    def add_help(self) -> None:
        self.add_action("&Help", "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self.add_action("&Help", "&About Playground", "", self.show_about)

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{name}</td><td><b>{keys}</b></td></tr>" for name, keys in self.shortcuts
        )
        box = QMessageBox(self.window)
        box.setWindowTitle("Keyboard shortcuts")
        box.setText(f"<table cellspacing=6>{rows}</table>")
        box.open()  # never exec(): a nested loop would break the qasync tasks

    def show_about(self) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle("About Playground")
        box.setIconPixmap(self.window.windowIcon().pixmap(64))  # the app icon, once look.py set it
        box.setText(
            f"<b>Playground {playground.__version__}</b><br>"
            "Call, stream and compare models deployed on Baseten."
        )
        box.open()
