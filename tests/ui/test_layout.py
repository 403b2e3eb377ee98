"""The window as a person lives in it: every mode fits a small screen with every dock open, and
the window shrinks back after a wide page was shown."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractScrollArea, QDockWidget, QWidget

from playground.core.request.spec import MODES
from playground.emulator import EmulatorServer
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, load


def settle(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0.05))


def in_scroll_area(widget: QWidget) -> bool:
    """Contents scrolled inside a view may be wider than it (that is what scrolling is for)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def overflowing(win: MainWindow) -> list[str]:
    """Visible widgets whose right edge lies beyond the window's."""
    found = []
    for child in win.findChildren(QWidget):
        if not child.isVisible() or child.isWindow() or in_scroll_area(child):
            continue
        right = child.mapTo(win, QPoint(child.width() - 1, 0)).x()
        if right >= win.width():
            found.append(f"{type(child).__name__}#{child.objectName()} ends at {right}")
    return found


def set_mode(win: MainWindow, mode: str) -> None:
    win.mode_combo.setCurrentIndex(win.mode_combo.findData(mode))


@pytest.mark.parametrize("size", [(1024, 700), (2560, 1440)])
def test_every_mode_fits_the_screen_with_every_dock_open(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    size: tuple[int, int],
) -> None:
    win = make_window(emulator)
    load(win, loop)
    docks = win.findChildren(QDockWidget)
    assert {d.objectName() for d in docks} >= {"presetsDock", "historyDock"}
    for dock in docks:
        dock.show()
    for mode, _label in MODES:
        set_mode(win, mode)
        settle(loop)  # the new page laid out, as before a person's next drag
        win.resize(*size)
        settle(loop)
        hint, minimum = win.minimumSizeHint(), win.minimumSize()
        assert (max(hint.width(), minimum.width()), mode) <= (1024, mode)
        assert (max(hint.height(), minimum.height()), mode) <= (700, mode)
        assert (win.width(), win.height()) == size, mode
        assert overflowing(win) == [], mode


def test_a_chat_preset_then_predict_lets_the_window_shrink_back(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop)
    preset_chat = win.chat  # what opening a chat preset shows
    preset_chat.params_bar.set_params(preset_chat.params())
    set_mode(win, "chat")
    win.resize(2000, 760)
    settle(loop)
    # Each page alone sets how narrow the window may be: a hidden page never holds it wide.
    assert win.stack.minimumSizeHint().width() == win.chat.minimumSizeHint().width()
    set_mode(win, "predict")
    settle(loop)
    win.resize(1024, 700)
    settle(loop)
    assert win.width() == 1024
    assert win.stack.minimumSizeHint().width() == win.request.minimumSizeHint().width()
    assert win.minimumSizeHint().width() <= 1024
