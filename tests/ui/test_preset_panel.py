"""The presets panel, driven as a person would: save the request, search, open, delete and undo."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core import paths
from playground.core.presets.preset import Preset, read_preset
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM
from playground.ui.main_window import MainWindow
from playground.ui.presets.list_model import SOURCE_ROLE
from playground.ui.presets.panel import PresetPanel
from playground.ui.widgets.name_dialog import NameDialog
from tests.ui.helpers import Maker, choose, load


@pytest.fixture(autouse=True)
def no_examples(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests here count presets: the app's own examples stay out unless a test wants them."""
    if "with_examples" not in request.keywords:
        monkeypatch.setattr(resources, "example_presets_dirs", list)


def panel_of(win: MainWindow) -> PresetPanel:
    panel = win.findChild(PresetPanel)
    assert isinstance(panel, PresetPanel)
    return panel


def names(panel: PresetPanel) -> list[str]:
    return [panel.model.data(panel.model.index(row)) for row in range(panel.model.rowCount())]  # type: ignore[misc]


def answer(panel: PresetPanel, qtbot: QtBot, name: str) -> NameDialog:
    dialog = panel.dialog
    assert isinstance(dialog, NameDialog)
    assert dialog.isVisible()
    dialog.name_edit.setText(name)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    return dialog


def during(loop: asyncio.AbstractEventLoop, action: Callable[[], object]) -> None:
    """Do `action` with the loop running (it starts tasks), and wait until they are all done."""

    async def go() -> None:
        action()
        me = asyncio.current_task()
        deadline = time.monotonic() + 10
        while any(not task.done() for task in asyncio.all_tasks() if task is not me):
            assert time.monotonic() < deadline, "tasks still running"
            await asyncio.sleep(0.01)

    loop.run_until_complete(go())


def seed(*presets: Preset) -> Path:
    """Preset files in the (isolated) user folder, before the window starts."""
    folder = paths.presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for preset in presets:
        (folder / f"{preset.name.lower()}.json").write_text(preset.to_text())
    return folder


def test_save_the_current_request_and_find_it_again(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    assert panel.empty_label.isVisible()
    load(win, loop, CLASSIFIER)
    choose(win, "staging")
    win.request.editor.body.setPlainText('{"text": "saved from the window"}')

    panel.save_current()
    answer(panel, qtbot, "Sentiment on staging")
    assert not panel.dialog.isVisible()  # type: ignore[union-attr]
    assert names(panel) == ["Sentiment on staging"]
    assert "Saved 'Sentiment on staging'" in win.statusBar().currentMessage()
    data = json.loads((paths.presets_dir() / "sentiment-on-staging.json").read_text())
    assert data == {
        "schema_version": 3,
        "name": "Sentiment on staging",
        "remote": "local demo",
        "request": {
            "mode": "predict",
            "target": {"model": CLASSIFIER, "environment": "staging"},
            "body": {"text": "saved from the window"},
        },
    }

    # The same name again is refused in the dialog, which stays open and says why.
    win.request.editor.body.setPlainText('{"text": "another"}')
    panel.current = None
    panel.save_current()
    dialog = answer(panel, qtbot, "sentiment on STAGING")
    assert dialog.isVisible()
    assert "already exists" in dialog.problem.text()
    answer(panel, qtbot, "Another")
    assert names(panel) == ["Another", "Sentiment on staging"]

    qtbot.keyClicks(panel.search_edit, "staging sent")
    assert names(panel) == ["Sentiment on staging"]
    panel.search_edit.setText("no such thing")
    assert names(panel) == []
    assert panel.empty_label.text() == "No preset matches."


def test_open_puts_the_preset_in_the_window(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    route = RequestSpec("route", Target(CUSTOM), {"x": 1}, "PUT", "/echo")
    chat_body = {"messages": [{"role": "user", "content": "Hello there"}], "temperature": 0.5}
    seed(
        Preset("Echo", route, "local demo"),
        Preset("Chat", RequestSpec("chat", Target(CHAT), chat_body), "elsewhere"),
    )
    win = make_window(emulator)
    load(win, loop)
    panel = panel_of(win)
    assert names(panel) == ["Chat", "Echo"]
    rect = panel.list_view.visualRect(panel.model.index(1))
    view = panel.list_view.viewport()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=rect.center())
    double_click = lambda: qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=rect.center())  # noqa: E731
    during(loop, double_click)  # the model's targets load
    assert win.mode() == "route"
    assert win.request.editor.route_edit.text() == "/echo"
    assert win.request.editor.method_combo.currentText() == "PUT"
    assert win.request.editor.body.value() == {"x": 1}
    assert win.target_bar.model_id() == CUSTOM
    sent = win.request_spec()
    assert isinstance(sent, RequestSpec)
    assert RequestSpec.from_dict(sent.to_dict()) == route  # the window names production by name

    panel.search_edit.setText("chat")
    enter = lambda: qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)  # noqa: E731
    during(loop, enter)  # the only match opens, and lists the served models
    assert win.mode() == "chat"
    assert win.chat.system_edit.toPlainText() == ""
    assert "Hello there" in json.dumps(win.chat.request_body())
    assert "saved for elsewhere" in win.statusBar().currentMessage()


def test_delete_and_undo(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    folder = seed(
        Preset("One", RequestSpec("predict", Target(CLASSIFIER), {"a": 1})),
        Preset("Two", RequestSpec("predict", Target(CLASSIFIER), {"b": 2})),
    )
    win = make_window(emulator)
    panel = panel_of(win)
    panel.list_view.setCurrentIndex(panel.model.index(0))
    assert not panel.undo_bar.isVisible()
    panel.delete_action.trigger()
    assert names(panel) == ["Two"]
    assert not (folder / "one.json").exists()
    assert panel.undo_bar.isVisible()
    assert panel.undo_label.text() == "Deleted 'One'."
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert names(panel) == ["One", "Two"]
    assert (folder / "one.json").exists()
    assert not panel.undo_bar.isVisible()
    assert "Restored 'One'" in win.statusBar().currentMessage()


def test_a_corrupted_file_is_reported_and_the_others_list(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    folder = seed(Preset("Fine", RequestSpec("predict", Target(CLASSIFIER), {"a": 1})))
    (folder / "corrupt.json").write_text('{"name": "corrupt", "request": {\n')
    win = make_window(emulator)
    panel = panel_of(win)
    assert names(panel) == ["Fine"]
    assert panel.problems_label.isVisible()
    text = panel.problems_label.text()
    assert "1 preset file could not be read" in text
    assert "corrupt.json was set aside as corrupt.json.broken-" in text
    assert "not valid JSON" in text
    assert "line 2, column 1" in text
    assert not (folder / "corrupt.json").exists()
    assert [p.name for p in folder.glob("corrupt.json.broken-*")]
    panel.problems_label.linkActivated.emit("#dismiss")
    assert not panel.problems_label.isVisible()


def test_rename_duplicate_import_export_and_a_truss(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    seed(Preset("One", RequestSpec("predict", Target(CLASSIFIER), {"a": 1})))
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    panel = panel_of(win)
    panel.list_view.setCurrentIndex(panel.model.index(0))
    panel.rename_selected()
    answer(panel, qtbot, "Uno")
    panel.duplicate_selected()
    assert names(panel) == ["Uno", "Uno copy"]

    out = tmp_path / "out"
    panel.export_to(panel.store.presets(), out)
    assert sorted(p.name for p in out.iterdir()) == ["uno-copy.json", "uno.json"]
    panel.import_paths([out / "uno.json"])
    assert names(panel) == ["Uno", "Uno 2", "Uno copy"]

    truss = tmp_path / "truss"
    truss.mkdir()
    (truss / "config.yaml").write_text(
        "model_name: Classifier\nmodel_metadata:\n  example_model_input: {text: hi}\n"
    )
    panel.import_truss_from(truss)
    assert "Classifier: example input" in names(panel)
    imported = panel.store.get("Classifier: example input").preset
    assert imported.request.target is not None
    assert imported.request.target.model_id == CLASSIFIER
    assert imported.remote == "local demo"
    (truss / "config.yaml").write_text("model_name: [\n")
    panel.import_truss_from(truss)
    assert "not valid YAML" in win.statusBar().currentMessage()
    assert "line 2, column 1" in win.statusBar().currentMessage()


def test_shortcuts_are_listed(make_window: Maker, emulator: EmulatorServer) -> None:
    win = make_window(emulator)
    assert ("Save as preset…", "Ctrl+S") in win.menus.shortcuts
    assert ("Find preset", "Ctrl+P") in win.menus.shortcuts


def test_nothing_to_save_says_why(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    win.request.editor.body.setPlainText('{"text": ')
    panel = panel_of(win)
    panel.save_current()
    assert panel.dialog is None
    assert win.statusBar().currentMessage().startswith("Nothing to save: ")


def test_a_project_folder_is_offered_and_remembered(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    project = tmp_path / "repo" / "presets"
    project.mkdir(parents=True)
    win = make_window(emulator, settings=settings)
    load(win, loop, CLASSIFIER)
    panel = panel_of(win)
    panel.set_project_dir(project)
    assert f"Project: {project}" in panel.folder_label.text()
    panel.save_current()
    dialog = panel.dialog
    assert isinstance(dialog, NameDialog)
    dialog.where_combo.setCurrentIndex(dialog.where_combo.findData("project"))
    answer(panel, qtbot, "Shared")
    assert (project / "shared.json").exists()
    assert "Saved 'Shared' in the project folder" in win.statusBar().currentMessage()
    win.save_state()

    again = make_window(emulator, settings=settings)
    assert names(panel_of(again)) == ["Shared"]
    assert panel_of(again).model.data(panel_of(again).model.index(0), SOURCE_ROLE) == "project"


@pytest.mark.with_examples
def test_the_examples_that_ship_with_the_app_are_listed(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    panel = panel_of(win)
    names = [panel.model.index(i).data() for i in range(panel.model.rowCount())]
    assert len(names) >= 5
    assert any("staging" in name.lower() for name in names)


def test_files_json_or_the_disk_cannot_give_never_stop_the_window(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    folder = seed(Preset("Fine", RequestSpec("predict", Target(CLASSIFIER), {"a": 1})))
    (folder / "deep.json").write_text("[" * 100_000)
    (folder / "long.json").write_text('{"n": ' + "1" * 5000 + "}")
    (folder / "folder.json").mkdir()
    win = make_window(emulator)
    panel = panel_of(win)
    assert names(panel) == ["Fine"]
    text = panel.problems_label.text()
    assert "3 preset files could not be read" in text
    assert "deep.json was set aside as deep.json.broken-" in text
    assert "arrays or objects are nested too deeply to read (more than 500 levels)" in text
    assert "a number with 5,000 digits (4,300 at most) at line 1, column 7" in text
    assert "folder.json was not loaded: it is a folder, not a file." in text
    assert (folder / "folder.json").is_dir()  # not broken: left where it is


def test_saving_under_an_examples_name_asks_first(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    shipped = Preset("Demo", RequestSpec("predict", Target(CLASSIFIER), {"text": "shipped"}))
    (examples / "demo.json").write_text(shipped.to_text())
    monkeypatch.setattr(resources, "example_presets_dirs", lambda: [examples])
    win = make_window(emulator)
    panel = panel_of(win)
    load(win, loop, CLASSIFIER)
    panel.open(panel.store.get("Demo"))
    win.request.editor.body.setPlainText('{"text": "mine"}')

    panel.save_current()  # the example is open: its name is offered
    dialog = answer(panel, qtbot, "Demo")
    box = panel.question
    assert box is not None
    assert box.isVisible()
    assert box.text() == "'Demo' is an example that ships with Playground."
    assert "Save your own copy under this name?" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.isVisible()
    assert dialog.problem.text() == "Pick another name, or save over the example."
    assert not paths.presets_dir().exists() or not list(paths.presets_dir().iterdir())

    answer(panel, qtbot, "  demo ")  # however it is typed
    box = panel.question
    assert box is not None
    assert box.isVisible()
    mine = box.findChild(QPushButton, "saveOverExampleButton")
    assert mine.text() == "Save my copy"
    mine.click()
    assert not dialog.isVisible()
    assert "Saved 'demo'" in win.statusBar().currentMessage()
    assert names(panel) == ["demo"]
    assert panel.model.data(panel.model.index(0), SOURCE_ROLE) == ""  # no "example" tag: mine
    assert read_preset(paths.presets_dir() / "demo.json").request.body == {"text": "mine"}
    assert read_preset(examples / "demo.json") == shipped  # the example stays as it is
