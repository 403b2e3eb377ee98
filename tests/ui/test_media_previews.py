"""Images and audio in answers, over real sockets: previews in the response view, a strip for
several, Save as with the right extension, Copy image, elided base64, no false positives."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from playground.core.api.client import BasetenClient
from playground.core.events import Finished
from playground.core.remote.remotes import Remote, Target
from playground.core.text import human_size
from playground.emulator import EmulatorServer
from playground.emulator.demo import CUSTOM, IMAGE, IMAGE_GEN, SPEECH
from playground.ui.response.view import ResponseView
from tests.core.raw_server import RawServer, head, sends
from tests.ui.helpers import until
from tests.ui.media_files import MIMES, b64, image_file

FORMATS = ("png", "jpeg", "webp", "gif")


@pytest.fixture
def view(qtbot: QtBot) -> ResponseView:
    widget = ResponseView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def shown(view: ResponseView, name: str) -> str:
    label = view.findChild(QLabel, name)
    assert label is not None, name
    return label.text() if label.isVisible() else "<hidden>"


def click(view: ResponseView, name: str) -> None:
    button = view.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isEnabled(), name
    button.click()


def call(
    view: ResponseView,
    loop: asyncio.AbstractEventLoop,
    base_url: str,
    key: str,
    target: str | Target,
    body: object,
) -> None:
    client = BasetenClient(Remote.local(base_url), key)
    target = target if isinstance(target, Target) else Target(target)

    async def run() -> None:
        async for event in client.predict(target, body):
            view.feed(event)
        await client.aclose()

    loop.run_until_complete(run())


def body_text(view: ResponseView) -> str:
    return view.body_text.toPlainText()


@pytest.fixture
def raw_image(request: pytest.FixtureRequest) -> Iterator[tuple[RawServer, bytes, str]]:
    fmt = request.param
    data = image_file(fmt, 40, 30)
    response = head(Content_Type=MIMES[fmt], Content_Length=str(len(data))) + data
    with RawServer(sends(response)) as server:
        yield server, data, fmt


@pytest.mark.parametrize("raw_image", FORMATS, indirect=True)
def test_each_image_format_is_previewed_from_a_binary_body(
    view: ResponseView,
    loop: asyncio.AbstractEventLoop,
    raw_image: tuple[RawServer, bytes, str],
    tmp_path: Path,
) -> None:
    server, data, fmt = raw_image
    call(view, loop, server.base_url, "key", "abcd1234", {"prompt": "x"})
    until(loop, lambda: shown(view, "imageInfo") != "<hidden>")
    assert shown(view, "imageInfo").startswith(f"{fmt.upper()} image, 40×30 · ")
    assert shown(view, "binarySummary") == "<hidden>"
    assert view.media.viewer.canvas.image is not None
    assert view.media.viewer.canvas.image.full.size().toTuple() == (40, 30)
    # Save as suggests the format's extension and writes the bytes as they came.
    click(view, "saveImageButton")
    dialog = view.findChild(QFileDialog, "saveMediaDialog")
    assert dialog is not None
    extension = {"jpeg": "jpg"}.get(fmt, fmt)
    assert [Path(name).name for name in dialog.selectedFiles()] == [f"image.{extension}"]
    dialog.selectFile(str(tmp_path / f"out.{extension}"))
    dialog.accept()
    until(loop, lambda: shown(view, "imageAction").startswith("Saved"))
    assert (tmp_path / f"out.{extension}").read_bytes() == data


def test_a_generated_image_in_json_is_previewed_and_its_base64_elided(
    view: ResponseView,
    loop: asyncio.AbstractEventLoop,
    emulator: EmulatorServer,
    tmp_path: Path,
) -> None:
    prompt = {"prompt": "a lighthouse at dusk", "width": 96, "height": 64}
    call(view, loop, emulator.base_url, emulator.api_key, IMAGE_GEN, prompt)
    until(loop, lambda: shown(view, "imageInfo") != "<hidden>")
    raw = view.body_bytes()
    png = base64.b64decode(json.loads(raw)["data"])
    assert shown(view, "imageInfo").startswith("PNG image, 96×64 · ")
    assert shown(view, "imageInfo").endswith(" · $.data")
    text = body_text(view)
    assert re.fullmatch(r"⟨PNG image, 96×64 · [\d.]+ KB base64⟩", json.loads(text)["data"])
    assert json.loads(raw)["data"][:100] not in text
    # Copy body keeps the real bytes; Save as writes the decoded image.
    click(view, "copyBodyButton")
    assert QGuiApplication.clipboard().text().encode() == raw
    click(view, "saveImageButton")
    dialog = view.findChild(QFileDialog, "saveMediaDialog")
    assert dialog is not None
    assert Path(dialog.selectedFiles()[0]).name == "image.png"
    dialog.selectFile(str(tmp_path / "gen.png"))
    dialog.accept()
    until(loop, lambda: shown(view, "imageAction").startswith("Saved"))
    assert (tmp_path / "gen.png").read_bytes() == png


def test_each_image_format_is_found_in_json_and_several_make_a_strip(
    view: ResponseView, loop: asyncio.AbstractEventLoop, emulator: EmulatorServer
) -> None:
    files = {fmt: image_file(fmt, 20 + 10 * i, 16) for i, fmt in enumerate(FORMATS)}
    body = {
        "images": [b64(files["png"]), b64(files["jpeg"])],
        "webp": f"data:image/webp;base64,{b64(files['webp'])}",
        "gif": base64.urlsafe_b64encode(files["gif"]).decode().rstrip("="),
    }
    call(view, loop, emulator.base_url, emulator.api_key, CUSTOM, body)
    until(loop, lambda: shown(view, "imageInfo") != "<hidden>")
    strip = view.findChild(QListWidget, "imageStrip")
    assert strip is not None
    assert strip.isVisible()
    labels = [strip.item(i).text() for i in range(strip.count())]
    assert labels == ["$.echo.images[0]", "$.echo.images[1]", "$.echo.webp", "$.echo.gif"]
    seen = []
    for row in range(strip.count()):
        strip.setCurrentRow(row)
        seen.append(shown(view, "imageInfo").split(" · ")[0])
        assert view.media.viewer.canvas.image is not None
    assert seen == [
        "PNG image, 20×16",
        "JPEG image, 30×16",
        "WEBP image, 40×16",
        "GIF image, 50×16",
    ]
    assert [item.data for item in view.media.items] == list(files.values())
    text = body_text(view)
    for number in range(1, 5):
        assert f'"⟨#{number} ' in text
    assert "data URL⟩" in text  # the WebP came as a data URL


def test_copy_image_and_zoom(
    view: ResponseView,
    loop: asyncio.AbstractEventLoop,
    emulator: EmulatorServer,
    qtbot: QtBot,
) -> None:
    view.resize(600, 500)
    call(view, loop, emulator.base_url, emulator.api_key, IMAGE, {"prompt": "zoom", "size": 512})
    until(loop, lambda: shown(view, "imageInfo") != "<hidden>")
    click(view, "copyImageButton")
    assert QGuiApplication.clipboard().image().size().toTuple() == (512, 512)
    assert shown(view, "imageAction") == "Copied a 512×512 image"
    canvas = view.media.viewer.canvas
    assert canvas.target_rect().width() < 512  # fit to a view smaller than the image
    qtbot.mouseClick(view.media.viewer.actual_button, Qt.MouseButton.LeftButton)
    assert canvas.size().toTuple() == (512, 512)
    assert canvas.target_rect().size().toTuple() == (512, 512)
    qtbot.mouseClick(view.media.viewer.fit_button, Qt.MouseButton.LeftButton)
    assert canvas.target_rect().width() < 512


def test_a_long_base64_looking_string_stays_text(
    view: ResponseView, loop: asyncio.AbstractEventLoop, emulator: EmulatorServer
) -> None:
    # Base64 of text, and a long token: the right alphabet and length, no media's magic bytes.
    ordinary = base64.b64encode(b"just some words, not a picture at all " * 20).decode()
    token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 4
    call(view, loop, emulator.base_url, emulator.api_key, CUSTOM, {"a": ordinary, "b": token})
    until(loop, lambda: ordinary in body_text(view))
    loop.run_until_complete(asyncio.sleep(0.3))  # the search has had its time
    assert not view.media.isVisible()
    assert view.media.items == []
    assert token in body_text(view)


@pytest.mark.parametrize(
    ("environment", "described", "name"),
    [
        ("production", "WAV audio, 24000 Hz, mono, 16-bit", "audio.wav"),  # a streamed WAV
        ("staging", "PCM audio, 24000 Hz, mono, 16-bit", "audio.pcm"),  # audio/L16 declared
    ],
)
def test_streamed_audio_gets_a_card_with_save_as_its_format(
    view: ResponseView,
    loop: asyncio.AbstractEventLoop,
    emulator: EmulatorServer,
    tmp_path: Path,
    environment: str,
    described: str,
    name: str,
) -> None:
    target = Target(SPEECH, "environment", environment)
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
    followed: list[int] = []

    async def run() -> None:
        async for event in client.predict(target, {"text": "hi there, how are you"}):
            if isinstance(event, Finished):  # before the end: what the card followed as it came
                followed.append(view.media.cards[0].received)
            view.feed(event)
        await client.aclose()

    loop.run_until_complete(run())
    until(loop, lambda: view.media.items != [])
    assert followed == [len(view.body_bytes())]
    card = view.media.cards[0]
    info = card.findChild(QLabel, "audioInfo")
    assert info is not None
    body = view.body_bytes()
    assert info.text().startswith(described)
    assert f" · {human_size(len(body))}" in info.text()
    assert shown(view, "binarySummary") == "<hidden>"
    button = card.findChild(QPushButton, "audioSaveButton")
    assert button is not None
    button.click()
    dialog = card.findChild(QFileDialog, "saveAudioDialog")
    assert dialog is not None
    assert Path(dialog.selectedFiles()[0]).name == name
    dialog.selectFile(str(tmp_path / name))
    dialog.accept()
    action = card.findChild(QLabel, "audioStatus")
    assert action is not None
    until(loop, lambda: action.text().startswith("Saved"))
    assert (tmp_path / name).read_bytes() == body


def test_raw_pcm_in_json_is_heard_when_its_format_fields_declare_it(
    view: ResponseView, loop: asyncio.AbstractEventLoop, emulator: EmulatorServer
) -> None:
    """No magic bytes in raw PCM: `sample_rate` and `encoding` beside it say what it is; the
    same string without them stays text."""
    pcm = b"".join(
        (i * 300 % 20000 - 10000).to_bytes(2, "little", signed=True) for i in range(24000)
    )
    body = {"audio": b64(pcm), "sample_rate": 24000, "encoding": "pcm_s16le"}
    call(view, loop, emulator.base_url, emulator.api_key, CUSTOM, body)
    until(loop, lambda: view.media.cards != [])
    card = view.media.cards[0]
    info = card.findChild(QLabel, "audioInfo")
    assert info is not None
    until(loop, lambda: info.text().startswith("PCM audio, 24000 Hz, mono, 16-bit, 1.00 s"))
    assert [item.data for item in view.media.items] == [pcm]
    view.clear()
    call(view, loop, emulator.base_url, emulator.api_key, CUSTOM, {"audio": b64(pcm)})
    loop.run_until_complete(asyncio.sleep(0.3))  # the search has had its time
    assert view.media.items == []
    assert b64(pcm)[:100] in body_text(view)
