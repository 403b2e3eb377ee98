"""The same image previews in the compare columns and the history, against the local server."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from playground.emulator import EmulatorServer
from playground.emulator.demo import IMAGE, IMAGE_GEN
from playground.ui.history.panel import HistoryPanel
from playground.ui.main_window import MainWindow
from tests.ui.helpers import Maker, load, send, until
from tests.ui.test_compare_view import compare, send_all


def history_of(win: MainWindow) -> HistoryPanel:
    panel = win.findChild(HistoryPanel)
    assert panel is not None
    return panel


def test_compare_columns_preview_each_environments_image(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, IMAGE_GEN)
    view = compare(win)
    view.request_editor.editor.set_json({"prompt": "a harbour", "width": 64, "height": 48})
    assert send_all(view, loop, qtbot) == "finished"
    columns = view.columns
    until(loop, lambda: all(column.media.items for column in columns))
    for column in columns:
        assert not column.media.isHidden()
        assert column.media.viewer.info_label.text().startswith("PNG image, 64×48 · ")
        assert '"⟨PNG image, 64×48 · ' in column.output.text()
        assert column.media.viewer.canvas.image is not None
    production, staging = (column.media.items[0].data for column in columns)
    assert production != staging  # each environment draws in its own style


def test_the_history_previews_a_kept_image_and_says_when_one_was_cut(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = history_of(win)
    load(win, loop, IMAGE_GEN)
    win.request.editor.body.set_json({"prompt": "kept", "width": 40, "height": 32})
    assert send(win, loop, qtbot) == "finished"
    # The tiny model's 512 × 512 PNG (357 KB) is past the history's cap of 256 KB.
    load(win, loop, IMAGE)
    win.request.editor.body.set_json({"prompt": "big", "size": 512})
    assert send(win, loop, qtbot) == "finished"
    until(loop, lambda: panel.model.rowCount() == 2)

    panel.table.selectRow(1)  # the older one, the generator's, kept whole
    until(loop, lambda: bool(panel.media.items))
    info = panel.media.viewer.info_label.text()
    assert info.startswith("PNG image, 40×32 · ")
    assert info.endswith(" · $.data")
    assert panel.media.viewer.canvas.image is not None
    assert '"⟨PNG image, 40×32 · ' in panel.response_text.toPlainText()

    panel.table.selectRow(0)  # the newest, cut at the cap: said, never drawn broken
    until(loop, lambda: bool(panel.media.items))
    info = panel.media.viewer.info_label.text()
    assert info.startswith("PNG image, 512×512 · 256 KB · cut at 256 KB")
    assert info.endswith("cut: not shown")
    assert panel.media.viewer.canvas.image is None
    assert not panel.media.viewer.copy_button.isEnabled()
