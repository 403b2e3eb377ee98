"""Chains in the window, beside models: listed from the management API, picked, run with
run_remote and async_run_remote, compared, saved as a preset and reopened, kept in the history,
exported as code, and their chainlets' logs read."""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core import paths
from playground.core.remote.remotes import Target
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAIN, CLASSIFIER
from playground.ui.history.panel import HistoryPanel
from playground.ui.main_window import MainWindow
from playground.ui.presets.panel import PresetPanel
from playground.ui.request.code_export import show_code_export
from tests.ui.helpers import Maker, load, send, until
from tests.ui.test_compare_view import send_all
from tests.ui.test_compare_window import opened
from tests.ui.test_logs_view import dialog_of, read
from tests.ui.test_preset_panel import answer

QUESTION = '{"question": "How do I rotate my API key?"}'
CHAIN_ITEM = f"chain · rag-chain  ({CHAIN})"


def pick_chain(win: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    load(win, loop, CHAIN)
    win.request.editor.body.setPlainText(QUESTION)
    win.request.editor.body.document().setModified(True)


def test_chains_are_listed_beside_models_and_run_with_run_remote(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop)
    combo = win.target_bar.model_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert CHAIN_ITEM in items
    assert any(f"({CLASSIFIER})" in item and "chain" not in item for item in items)
    assert "chain" in win.statusBar().currentMessage()  # "N models, 1 chain"
    pick_chain(win, loop)
    assert combo.currentText() == CHAIN_ITEM
    targets = win.target_bar.target_combo
    labels = [targets.itemText(i) for i in range(targets.count())]
    assert labels[0] == "production"
    assert "deployment ch7a1pa" in labels
    assert win.target() == Target(CHAIN, "environment", "production", is_chain=True)
    assert win.request.url_line.url().endswith(f"/chain-{CHAIN}/environments/production/run_remote")
    assert send(win, loop, qtbot) == "finished"
    assert "answered in section 2" in win.response.body_text.toPlainText()

    # its chainlets' logs, from the response
    qtbot.mouseClick(win.response.logs_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(win)
    assert f"chain {CHAIN}" in dialog.where_label.text()
    rows = read(dialog, loop)
    assert any("/run_remote" in row[3] for row in rows), rows
    assert {row[2].split(" · ")[0] for row in rows} == {"Entrypoint"}  # the chainlet
    dialog.close()

    # on a deployment by id too
    targets.setCurrentIndex(labels.index("deployment ch7a1pa"))
    assert win.target() == Target(CHAIN, "deployment", "ch7a1pa", is_chain=True)
    assert send(win, loop, qtbot) == "finished"
    assert win.response.deployment_label.text() == "Deployment: ch7a1pa"


def test_a_chain_runs_async_with_async_run_remote(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    pick_chain(win, loop)
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
    assert win.request.url_line.url().endswith(
        f"/chain-{CHAIN}/environments/production/async_run_remote"
    )
    submitted: list[str] = []
    win.requests.async_submitted.connect(submitted.append)
    assert send(win, loop, qtbot) == "finished"
    assert submitted
    assert submitted[0]
    dialog = show_code_export(win)
    assert dialog is not None
    code = dialog.views["curl"].toPlainText()
    assert f"/chain-{CHAIN}/environments/production/async_run_remote" in code
    assert "model_input" not in code  # a chain takes its arguments as they are
    dialog.close()


def test_a_chain_request_is_kept_in_history_and_in_a_preset_and_reopened(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    history = win.findChild(HistoryPanel)
    presets = win.findChild(PresetPanel)
    assert history is not None
    assert presets is not None
    pick_chain(win, loop)
    assert send(win, loop, qtbot) == "finished"
    until(loop, lambda: history.model.rowCount() == 1)
    entry = history.history.get(history.model.row_at(0).id)  # type: ignore[union-attr]
    assert entry is not None
    assert entry.request["target"] == {"chain": CHAIN, "environment": "production"}
    assert entry.url.endswith(f"/chain-{CHAIN}/environments/production/run_remote")

    presets.save_current()
    answer(presets, qtbot, "Ask the chain")
    saved = json.loads((paths.presets_dir() / "ask-the-chain.json").read_text())
    assert saved["request"]["target"] == {"chain": CHAIN, "environment": "production"}

    # elsewhere, then back: the preset and the history entry each bring the chain back
    load(win, loop, CLASSIFIER)
    assert not win.target().is_chain  # type: ignore[union-attr]
    presets.select(presets.store.get("Ask the chain"))
    presets.open_selected()
    chosen = win.target_bar.current_choice
    until(loop, lambda: (c := chosen()) is not None and c.target.model_id == CHAIN)
    assert win.target() == Target(CHAIN, "environment", "production", is_chain=True)
    assert win.target_bar.model_combo.currentText() == CHAIN_ITEM
    load(win, loop, CLASSIFIER)
    history.table.selectRow(0)
    assert history.reopen()
    assert win.target().is_chain  # type: ignore[union-attr]
    assert send(win, loop, qtbot) == "finished"
    assert "answered in section 2" in win.response.body_text.toPlainText()


def test_chains_in_a_comparison(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    pick_chain(win, loop)
    view = opened(win, loop)
    for column in view.columns:
        assert column.target_bar.target() is not None
        assert column.target_bar.target().is_chain  # type: ignore[union-attr]
    assert send_all(view, loop, qtbot) == "finished"
    for column in view.columns:
        assert column.result is not None
        assert column.result.status == 200
        assert "answered in section 2" in column.text()
