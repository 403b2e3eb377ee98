"""The target bar as a person reads it: whole deployment ids, a status badge that does not move
the row, and no deployment shown while the chat talks to a Model API."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core.remote.catalogue import TargetChoice
from playground.core.remote.remotes import Target
from playground.emulator import EmulatorServer
from playground.ui.target.bar import TargetBar
from tests.ui.helpers import Maker, load

LONG = "deployment wq7d2xa (a-very-long-deployment-name-that-goes-on-and-on, production)"


def bar_with(qtbot: QtBot, *choices: TargetChoice) -> TargetBar:
    bar = TargetBar()
    qtbot.addWidget(bar)
    bar.finish_setup()
    bar.select_model("m1")
    bar.set_choices("m1", list(choices))
    bar.show()
    return bar


def test_a_long_target_keeps_its_id_and_shows_the_whole_in_a_tooltip(qtbot: QtBot) -> None:
    choice = TargetChoice(Target("m1", "deployment", "wq7d2xa"), LONG, "ACTIVE", "wq7d2xa", "x")
    bar = bar_with(qtbot, choice)
    combo = bar.target_combo
    # the list cuts the end (the name), never the middle (the id)
    assert combo.view().textElideMode() == Qt.TextElideMode.ElideRight
    assert combo.itemData(0, Qt.ItemDataRole.ToolTipRole) == LONG
    assert combo.toolTip() == LONG
    line = combo.lineEdit()
    assert line is not None
    assert line.cursorPosition() == 0  # the start, with the id, is what the field shows


def test_the_status_badge_keeps_its_width_as_the_status_changes(qtbot: QtBot) -> None:
    choice = TargetChoice(Target("m1", "production"), "production", "WAKING_UP", "d1", "v1")
    bar = bar_with(qtbot, choice)
    widths, lefts = set(), set()
    for status in ("WAKING_UP", "LOADING_MODEL", "ACTIVE", "SCALED_TO_ZERO", "BUILD_STOPPED"):
        bar.set_status("d1", status)
        qtbot.wait(1)
        assert bar.status_label.text() == status.replace("_", " ").lower()
        widths.add(bar.status_label.width())
        lefts.add(bar.wake_button.x())
    assert len(widths) == 1
    assert len(lefts) == 1  # what follows the badge stays put


def test_talking_to_a_model_api_hides_the_deployment_and_its_badge(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop)
    bar = win.target_bar
    assert bar.production_label.isVisible()

    async def switch() -> None:  # the chat lists the models of its source on the loop
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
        win.chat.params_bar.set_source("model_apis")
        await asyncio.sleep(0.05)

    loop.run_until_complete(switch())
    assert not bar.production_label.isVisible()
    assert not bar.target_combo.isVisible()
    assert not bar.model_combo.isVisible()
    assert not bar.status_label.isVisible()
    win.chat.params_bar.set_source("deployment")
    loop.run_until_complete(asyncio.sleep(0.05))
    assert bar.production_label.isVisible()
    assert bar.target_combo.isVisible()
    win.chat.params_bar.set_source("model_apis")
    loop.run_until_complete(asyncio.sleep(0.05))
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("predict"))  # calls the deployment
    assert bar.target_combo.isVisible()
