"""resources/: found from the checkout, icons current at every size, the stylesheet applied, the
example presets valid and answered by the demo server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core.events import Finished
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.ui.look import apply_look, set_state
from tests.core.helpers import open_client
from tests.packaging.helpers import ROOT, script


def test_resources_come_from_the_checkout() -> None:
    assert resources.root() == ROOT / "resources"
    assert resources.path("icon.svg").is_file()
    assert "#errorBanner" in resources.stylesheet()


def test_a_missing_resource_is_named() -> None:
    with pytest.raises(resources.ResourcesMissing, match=r"nope\.txt"):
        resources.path("nope.txt")


def test_the_icon_has_every_size(qapp: QApplication) -> None:
    sizes = resources.icon().availableSizes()
    assert sizes == [QSize(n, n) for n in resources.ICON_SIZES]


@pytest.mark.parametrize("size", resources.ICON_SIZES)
def test_icon_png_is_rendered_from_the_current_svg(qapp: QApplication, size: int) -> None:
    committed = QImage(str(resources.icon_file(size))).convertToFormat(QImage.Format.Format_ARGB32)
    assert committed.size() == QSize(size, size)
    fresh = script("render_icons").render(resources.path("icon.svg"), size)
    worst = max(
        abs(a - b)
        for y in range(size)
        for x in range(size)
        for a, b in zip(
            QColor.fromRgba(committed.pixel(x, y)).getRgb(),
            QColor.fromRgba(fresh.pixel(x, y)).getRgb(),
            strict=True,
        )
    )
    # Antialiasing may move by a shade between Qt versions; an edited SVG moves far more.
    assert worst <= 8, f"run python packaging/render_icons.py (a pixel is off by {worst})"


@pytest.fixture
def looked(qapp: QApplication) -> Iterator[QApplication]:
    apply_look(qapp)
    try:
        yield qapp
    finally:
        qapp.setStyleSheet("")
        qapp.setWindowIcon(QIcon())


def test_the_stylesheet_paints_a_state(looked: QApplication, qtbot: QtBot) -> None:
    banner = QLabel("503 Service Unavailable")
    banner.setObjectName("errorBanner")
    qtbot.addWidget(banner)
    banner.resize(300, 60)
    banner.show()
    set_state(banner, "kind", "error")
    image = banner.grab().toImage()
    assert image.pixelColor(150, 4).name() == "#ffebe9"
    set_state(banner, "kind", "cancel")
    assert banner.grab().toImage().pixelColor(150, 4).name() == "#f6f8fa"
    assert banner.contentsMargins().left() >= 6  # the padding, from the plain rule
    assert not looked.windowIcon().isNull()


# --- example presets --------------------------------------------------------------------------


def _files() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in resources.example_presets()}


def test_example_presets_are_what_make_presets_writes() -> None:
    make = script("make_presets")
    wanted = {stem: make.render(name, spec) for stem, (name, spec) in make.examples().items()}
    assert _files() == wanted, "run python packaging/make_presets.py"


@pytest.mark.parametrize("stem", sorted(_files()))
def test_example_preset_loads_as_a_request(stem: str) -> None:
    text = _files()[stem]
    data = json.loads(text)
    assert list(data) == ["schema_version", "name", "remote", "request"]
    assert data["schema_version"] == 1
    assert data["remote"] == "local"
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    spec = RequestSpec.from_dict(data["request"])
    assert spec.to_dict() == data["request"]  # nothing that equals a default, nothing lost


async def _answer(server: EmulatorServer, spec: RequestSpec) -> Any:
    async with open_client(server) as client:
        if spec.mode == "async":
            assert spec.target is not None
            return await client.jobs.submit(spec.target, spec.body, spec.async_options)
        if spec.mode == "chat":
            events = client.chat(client.openai_base(spec.target), spec.wire_body())
        else:
            events = client.send(spec)
        return [event async for event in events][-1]


@pytest.mark.parametrize("stem", sorted(_files()))
def test_example_preset_is_answered_by_the_demo_server(emulator: EmulatorServer, stem: str) -> None:
    spec = RequestSpec.from_dict(json.loads(_files()[stem])["request"])
    last = asyncio.run(_answer(emulator, spec))
    if spec.mode == "async":
        assert isinstance(last, str)
        assert last  # the queued request's id
    elif spec.mode == "chat":
        assert last.result.content
    else:
        assert isinstance(last, Finished)
