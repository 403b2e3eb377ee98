"""Copy as code and Import curl in the window, driven as a person would, against the local server."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMainWindow
from pytestqt.qtbot import QtBot

from playground.core.remote.remotes import Target
from playground.core.request.codegen import to_curl
from playground.core.request.curl_import import KEY_DROPPED
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM
from playground.ui.main_window import MainWindow
from playground.ui.request.code_export import CodeExportDialog, ImportCurlDialog
from tests.ui.helpers import Maker, choose, load, signalled, until

D = TypeVar("D", bound=QDialog)
SECRET = "abcd1234.Pasted5678Key"


def trigger(win: QMainWindow, text: str) -> None:
    action = next(a for a in win.actions() if a.text().replace("&", "") == text)
    action.trigger()


def dialog_of(win: MainWindow, kind: type[D]) -> D:
    found = win.findChildren(kind)
    assert len(found) == 1, found
    return found[0]


def type_body(win: MainWindow, text: str) -> None:
    """Typed, so that the model's example input does not replace it."""
    win.request.editor.body.selectAll()
    win.request.editor.body.insertPlainText(text)


def import_and_wait(
    win: MainWindow, dialog: ImportCurlDialog, loop: asyncio.AbstractEventLoop
) -> None:
    """Click Import, and wait for the imported model's targets in the same run of the loop."""

    async def go() -> None:
        targets = asyncio.ensure_future(signalled(win.catalogue.targets_loaded))
        dialog.import_button.click()
        await targets

    loop.run_until_complete(go())
    until(loop, lambda: win.target_bar.current_choice() is not None, within=5)


def test_copy_as_code_shows_the_windows_request_with_the_key_from_the_environment(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    choose(win, "staging")
    type_body(win, '{"text": "it\'s great"}')
    trigger(win, "Copy as code…")
    dialog = dialog_of(win, CodeExportDialog)
    spec = win.request_spec()
    assert spec == RequestSpec(
        "predict", Target(CLASSIFIER, "environment", "staging"), {"text": "it's great"}
    )
    curl = dialog.views["curl"].toPlainText()
    assert curl == to_curl(spec, win.remote)
    assert '-H "Authorization: Api-Key $BASETEN_API_KEY"' in curl
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "curl"
    for view in dialog.views.values():
        assert emulator.api_key not in view.toPlainText()
    tabs = {dialog.tabs.tabText(i): i for i in range(dialog.tabs.count())}
    assert not dialog.tabs.isTabEnabled(tabs["OpenAI SDK (Python)"])
    assert dialog.tabs.tabToolTip(tabs["OpenAI SDK (Python)"]).startswith(
        "The OpenAI SDK speaks OpenAI chat"
    )
    assert dialog.tabs.tabToolTip(tabs["truss predict"]).startswith(
        "truss predict finds models through Baseten's own API"
    )
    assert dialog.tabs.isTabEnabled(tabs["Python httpx (async)"])

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == curl
    dialog.tabs.setCurrentIndex(tabs["Python requests"])
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith("import os\n\nimport requests\n")
    assert ("Copy as code…", "Ctrl+Shift+E") in win.menus.shortcuts
    assert ("Import curl…", "Ctrl+Shift+I") in win.menus.shortcuts


def test_nothing_to_export_says_why(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    type_body(win, '{"text": oops}')
    until(loop, lambda: not win.request.send_button.isEnabled())
    trigger(win, "Copy as code…")
    assert win.findChildren(CodeExportDialog) == []
    assert win.statusBar().currentMessage().startswith("Nothing to export: Invalid JSON at line 1")


def test_import_puts_a_pasted_command_in_the_window(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop)
    command = (
        f"curl -X PUT {emulator.base_url}/model-{CUSTOM}/production/sync/items/1 \\\n"
        f"  -H 'Authorization: Api-Key {SECRET}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  -d \'{"name": "it\'"\'"\'s new"}\''
    )
    trigger(win, "Import curl…")
    dialog = dialog_of(win, ImportCurlDialog)
    assert not dialog.import_button.isEnabled()
    dialog.paste.setPlainText(command)
    assert dialog.what.text() == f"PUT /sync/items/1 on model {CUSTOM} · production (local demo)"
    assert dialog.notices.text() == KEY_DROPPED
    assert dialog.import_button.isEnabled()

    import_and_wait(win, dialog, loop)
    assert win.request_spec() == RequestSpec(
        "route",
        Target(CUSTOM, "environment", "production"),
        {"name": "it's new"},
        "PUT",
        "/items/1",
    )
    message = win.statusBar().currentMessage()
    assert message.startswith(f"Imported: PUT /sync/items/1 on model {CUSTOM}")
    assert SECRET not in message
    until(loop, lambda: not win.findChildren(ImportCurlDialog))  # gone, with the pasted key


def test_a_bad_command_shows_its_error_and_imports_nothing(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop, CLASSIFIER)
    before = win.request_spec()
    trigger(win, "Import curl…")
    dialog = dialog_of(win, ImportCurlDialog)
    dialog.paste.setPlainText(
        f"curl -d '{{\"text\": }}' {emulator.base_url}/model-{CLASSIFIER}/production/predict"
    )
    assert dialog.what.text() == "The body is not JSON: Expecting value at line 1, column 10."
    assert not dialog.import_button.isEnabled()
    dialog.paste.setPlainText(f"curl -H 'Authorization: Api-Key {SECRET}' https://example.com/x")
    assert dialog.what.text().startswith(
        "The URL https://example.com/x is on none of the known remotes"
    )
    assert SECRET not in dialog.what.text() + dialog.notices.text()
    dialog.buttons.accepted.emit()  # Enter on the dialog: nothing happens
    assert dialog.isVisible()
    assert win.request_spec() == before


def test_a_model_api_command_loads_into_the_chat_pane(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(emulator)
    trigger(win, "Import curl…")
    dialog = dialog_of(win, ImportCurlDialog)
    dialog.paste.setPlainText(
        f"curl {emulator.base_url}/inference/v1/chat/completions "
        '-d \'{"model": "playground/demo-chat", "messages": [{"role": "user", "content": "Hi"}]}\''
    )
    assert dialog.what.text() == "OpenAI chat on Model API playground/demo-chat (local demo)"
    assert dialog.import_button.isEnabled()

    async def go() -> None:
        listed = asyncio.ensure_future(signalled(win.chat_controller.models_listed))
        dialog.import_button.click()
        await listed

    loop.run_until_complete(go())
    assert win.mode() == "chat"
    assert win.chat.uses_model_api
    spec = win.request_spec()
    assert isinstance(spec, RequestSpec)
    assert spec.model_api == "playground/demo-chat"
    assert spec.body["messages"] == [{"role": "user", "content": "Hi"}]


def test_a_baseten_command_in_a_local_window_says_where_it_will_go(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop)
    trigger(win, "Import curl…")
    dialog = dialog_of(win, ImportCurlDialog)
    dialog.paste.setPlainText(
        f"curl https://model-{CHAT}.api.baseten.co/environments/staging/sync/v1/chat/completions "
        '-H "Authorization: Api-Key $BASETEN_API_KEY" -H "X-Trace: 1" '
        '-d \'{"model": "demo-llm", "messages": [{"role": "user", "content": "Hi"}]}\''
    )
    assert dialog.what.text() == f"OpenAI chat on model {CHAT} · environment staging (baseten)"
    assert dialog.notices.text() == (
        f"The command calls baseten; this window sends to local demo ({emulator.base_url})."
    )

    import_and_wait(win, dialog, loop)
    assert win.mode() == "chat"
    assert [v.turn.content for v in win.chat.messages()] == ["Hi"]


def test_a_curl_command_pasted_into_the_body_is_offered_for_import(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    load(win, loop)
    command = f'curl {emulator.base_url}/model-{CUSTOM}/development/predict -d \'{{"text": "hi"}}\''
    type_body(win, command)  # as a paste does
    until(loop, lambda: bool(win.findChildren(ImportCurlDialog)))
    dialog = dialog_of(win, ImportCurlDialog)
    assert dialog.paste.toPlainText() == command

    import_and_wait(win, dialog, loop)
    assert win.request_spec() == RequestSpec(
        "predict", Target(CUSTOM, "development"), {"text": "hi"}
    )
    assert win.request.editor.body.value() == {"text": "hi"}
    loop.run_until_complete(asyncio.sleep(0.1))
    assert not win.findChildren(ImportCurlDialog)  # the imported body is not offered again
