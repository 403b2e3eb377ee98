"""Light and dark: every colour the app sets is readable in both, and View ▸ Theme switches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from playground import resources
from playground.emulator import EmulatorServer
from playground.ui import look, theme
from playground.ui.main_window import MainWindow
from playground.ui.widgets.json_editor import JsonEditor
from tests.ui.helpers import Maker

UI = Path(__file__).resolve().parents[2] / "playground" / "ui"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\b(?:white|black)\b(?=[;'\"])")


def luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def restored(qapp: QApplication) -> Iterator[QApplication]:
    """The theme and stylesheet as they were, for the tests that follow."""
    sheet = qapp.styleSheet()
    yield qapp
    theme.apply_theme(qapp, "system")
    qapp.setStyleSheet(sheet)


def theme_actions(win: MainWindow) -> dict[str, QAction]:
    view = win.menus.menu("&View")
    sub = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    assert isinstance(sub, QMenu)
    return {a.text().replace("&", ""): a for a in sub.actions()}


def test_the_contrast_formula_matches_wcag_examples() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_pair_of_colours_is_readable(scheme: str) -> None:
    table = theme.PALETTES[scheme]
    too_low = [
        f"{fg} {table[fg]} on {bg} {table[bg]}: {contrast(table[fg], table[bg]):.2f} < {least}"
        for fg, bg, least in theme.PAIRS
        if contrast(table[fg], table[bg]) < least
    ]
    assert not too_low, "\n".join(too_low)


def test_both_themes_name_the_same_colours_and_every_one_is_checked() -> None:
    assert theme.PALETTES["light"].keys() == theme.PALETTES["dark"].keys()
    checked = {name for fg, bg, _ in theme.PAIRS for name in (fg, bg)}
    assert checked == set(theme.PALETTES["light"])


def test_no_ui_module_or_stylesheet_sets_a_colour_of_its_own() -> None:
    """Every colour comes from the theme's table, so every one is in both themes and checked."""
    found = [
        f"{path.relative_to(UI)}:{number}: {line.strip()}"
        for path in sorted(UI.rglob("*.py"))
        if path.name != "theme.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HEX.search(line.split("  #")[0])
    ]
    found += [f"style.qss: {m}" for m in HEX.findall(resources.stylesheet())]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_stylesheet_is_filled_from_the_theme(scheme: str) -> None:
    sheet = look.themed_stylesheet(scheme)
    assert "$" not in sheet
    assert theme.PALETTES[scheme]["error_bg"] in sheet


def test_view_theme_switches_remembers_and_opens_the_next_window_in_it(
    make_window: Maker, emulator: EmulatorServer, tmp_path: Path, restored: QApplication
) -> None:
    app = restored
    look.set_stylesheet(app)
    path = str(tmp_path / "window.ini")
    win = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    actions = theme_actions(win)
    assert list(actions) == ["System", "Light", "Dark"]
    assert actions["System"].isChecked()  # offscreen names no scheme: light
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128

    actions["Dark"].trigger()

    window_colour = app.palette().color(QPalette.ColorRole.Window).name()
    assert window_colour == theme.PALETTES["dark"]["window"]
    text_colour = app.palette().color(QPalette.ColorRole.WindowText).name()
    assert contrast(text_colour, window_colour) >= theme.TEXT
    assert theme.PALETTES["dark"]["error_bg"] in app.styleSheet()
    assert theme.PALETTES["light"]["error_bg"] not in app.styleSheet()
    assert actions["Dark"].isChecked()
    assert not actions["System"].isChecked()
    win.close()

    again = make_window(emulator, settings=QSettings(path, QSettings.Format.IniFormat))
    again_actions = theme_actions(again)
    assert again_actions["Dark"].isChecked()
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.PALETTES["dark"]["window"]

    again_actions["Light"].trigger()
    assert (
        app.palette().color(QPalette.ColorRole.Window).name() == theme.PALETTES["light"]["window"]
    )
    assert theme.PALETTES["light"]["error_bg"] in app.styleSheet()
    assert QSettings(path, QSettings.Format.IniFormat).value(theme.SETTING) == "light"


def test_json_colours_follow_the_theme(qtbot: QtBot, restored: QApplication) -> None:
    editor = JsonEditor()
    qtbot.addWidget(editor)
    editor.enable_colours()
    editor.setPlainText('{"key": 1}')

    def key_colour() -> str:
        block = editor.document().firstBlock()
        return next(
            r.format.foreground().color().name() for r in block.layout().formats() if r.start == 1
        )

    assert key_colour() == theme.PALETTES["light"]["json_key"]
    theme.apply_theme(restored, "dark")
    assert key_colour() == theme.PALETTES["dark"]["json_key"]
