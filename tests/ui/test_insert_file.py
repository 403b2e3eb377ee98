"""Files in the window's body, as a person puts them there: Insert file…, a drop, a paste; the
editor shows a token, the local server receives the file byte-exact, Copy body copies what is
sent, and a preset keeps the file by relative path."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core import paths
from playground.core.request.attachments import FileRef, file_refs
from playground.emulator import EmulatorServer
from playground.emulator.demo import CUSTOM
from playground.ui.main_window import MainWindow
from playground.ui.widgets.json_editor import JsonEditor
from tests.core.test_media import wav
from tests.ui.helpers import Maker, load, send, set_route
from tests.ui.test_preset_panel import answer, during, panel_of


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "samples" / "clip.wav"
    path.parent.mkdir()
    path.write_bytes(wav(16000, 1, 2, 100_000) + os.urandom(1001))  # ~200 KB, odd length
    return path


def echo_window(
    make_window: Maker, server: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> MainWindow:
    win = make_window(server)
    load(win, loop, CUSTOM)
    set_route(win, "POST", "/echo")
    return win


def put_cursor_in_empty_string(editor: JsonEditor, text: str) -> None:
    """The body `text`, with `""` (its first empty string) selected, as a person would."""
    editor.setPlainText(text)
    cursor = editor.textCursor()
    start = text.index('""')
    cursor.setPosition(start)
    cursor.setPosition(start + 2, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def received(win: MainWindow) -> dict[str, object]:
    body = json.loads(win.response.body_bytes())["body"]
    assert isinstance(body, dict)
    return body


def test_insert_file_shows_a_token_and_sends_the_file_byte_exact(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    clip: Path,
) -> None:
    win = echo_window(make_window, emulator, loop)
    editor = win.request.editor
    put_cursor_in_empty_string(editor.body, '{"audio": "", "language": "en"}')
    menu = editor.insert_button.menu()
    assert [a.text() for a in menu.actions()] == ["As &base64…", "As a &data URL…"]
    menu.actions()[0].trigger()
    dialog = editor.findChild(QFileDialog, "insertFileDialog")
    assert dialog is not None
    assert dialog.isVisible()  # open(), not exec()
    dialog.selectFile(str(clip))
    dialog.accept()
    text = editor.body.toPlainText()
    assert text == '{"audio": "⟨clip.wav · 196 KB · base64⟩", "language": "en"}'
    assert editor.body.is_valid()
    assert win.request.send_button.isEnabled()
    assert send(win, loop, qtbot) == "finished"
    got = received(win)
    assert base64.b64decode(str(got["audio"]), validate=True) == clip.read_bytes()
    assert got["language"] == "en"
    assert len(editor.body.toPlainText()) < 100  # the text never held the bytes

    qtbot.mouseClick(editor.copy_body_button, Qt.MouseButton.LeftButton)
    copied = json.loads(QGuiApplication.clipboard().text())
    assert copied == {"audio": base64.b64encode(clip.read_bytes()).decode(), "language": "en"}


def test_a_file_dropped_on_the_editor_goes_in_as_a_data_url(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    clip: Path,
) -> None:
    win = echo_window(make_window, emulator, loop)
    body = win.request.editor.body
    body.setPlainText('{"audio": }')
    body.file_encoding = "data-url"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip))])
    cursor = body.textCursor()
    cursor.setPosition(len('{"audio": '))
    where = body.cursorRect(cursor).center()
    viewport = body.viewport()
    action = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, action, mime, buttons, keys)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(where), action, mime, buttons, keys))
    assert body.toPlainText() == '{"audio": "⟨clip.wav · 196 KB · data-url⟩"}'
    assert send(win, loop, qtbot) == "finished"
    prefix = "data:audio/wav;base64,"
    url = str(received(win)["audio"])
    assert url.startswith(prefix)
    assert base64.b64decode(url.removeprefix(prefix)) == clip.read_bytes()


def test_a_pasted_file_and_a_pasted_image_go_in_as_tokens(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    clip: Path,
) -> None:
    win = echo_window(make_window, emulator, loop)
    body = win.request.editor.body
    put_cursor_in_empty_string(body, '{"audio": "", "image": 0}')
    copied = QMimeData()
    copied.setUrls([QUrl.fromLocalFile(str(clip))])
    copied.setText(str(clip))  # a file manager's copy carries the path as text too
    QGuiApplication.clipboard().setMimeData(copied)
    body.paste()
    image = QImage(6, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    QGuiApplication.clipboard().setImage(image)
    text = body.toPlainText()
    cursor = body.textCursor()
    cursor.setPosition(text.index("0}"))
    cursor.setPosition(text.index("0}") + 1, cursor.MoveMode.KeepAnchor)
    body.setTextCursor(cursor)
    body.paste()
    value = body.value()
    assert value["audio"] == "⟨clip.wav · 196 KB · base64⟩"
    assert value["image"].startswith("⟨pasted-image.png · ")
    assert len(body.toPlainText()) < 120
    assert send(win, loop, qtbot) == "finished"
    got = received(win)
    assert base64.b64decode(str(got["audio"])) == clip.read_bytes()
    pasted = QImage.fromData(base64.b64decode(str(got["image"])))
    assert (pasted.width(), pasted.height(), pasted.pixelColor(2, 2).name()) == (6, 4, "#ff0000")


def test_a_file_that_cannot_be_read_is_said_and_nothing_is_inserted(
    make_window: Maker, emulator: EmulatorServer, tmp_path: Path
) -> None:
    win = make_window(emulator)
    body = win.request.editor.body
    body.setPlainText("{}")
    assert body.insert_file(tmp_path / "gone.wav") is None
    assert body.toPlainText() == "{}"
    assert win.request.editor.body_problem.text().startswith("cannot read ")
    assert "gone.wav: No such file or directory" in win.request.editor.body_problem.text()


def test_a_preset_keeps_the_file_by_relative_path_and_opens_with_its_token(
    make_window: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    clip: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(resources, "example_presets_dirs", list)
    win = echo_window(make_window, emulator, loop)
    body = win.request.editor.body
    put_cursor_in_empty_string(body, '{"audio": ""}')
    ref = body.insert_file(clip)
    assert isinstance(ref, FileRef)
    panel = panel_of(win)
    panel.save_current()
    answer(panel, qtbot, "Transcribe the clip")
    saved = paths.presets_dir() / "transcribe-the-clip.json"
    data = json.loads(saved.read_text())
    relative = os.path.relpath(clip, paths.presets_dir())
    assert data["files"] == {str(ref): {"path": Path(relative).as_posix(), "type": "audio/wav"}}
    assert "UklGR" not in saved.read_text()  # never the bytes

    body.setPlainText("{}")
    during(loop, lambda: panel.open(panel.store.get("Transcribe the clip")))
    assert body.toPlainText() == '{\n  "audio": "⟨clip.wav · 196 KB · base64⟩"\n}'
    assert file_refs(body.value())[0].path == clip
    assert send(win, loop, qtbot) == "finished"
    assert base64.b64decode(str(received(win)["audio"])) == clip.read_bytes()

    clip.unlink()  # the sample is gone: opening says so, naming it; sending fails in words
    during(loop, lambda: panel.open(panel.store.get("Transcribe the clip")))
    problem = f"clip.wav is missing: it was expected at {clip}"
    assert win.request.editor.body_problem.text() == problem
    assert send(win, loop, qtbot) == "failed"
    assert problem in win.statusBar().currentMessage()
