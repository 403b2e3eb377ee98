"""The monospace font lines up whatever fonts the machine has: the JSON editor is opened in a
fresh process whose fontconfig offers only the fonts a test chooses, and its letters measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core
NOTO = Path("/usr/share/fonts/truetype/noto")  # fonts-noto-core, fonts-noto-mono
SAMPLE = "il.MW@"

PROBE = f"""
import json
from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetricsF
from PySide6.QtWidgets import QApplication
from playground.ui.widgets.json_editor import JsonEditor

app = QApplication([])
system = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
editor = JsonEditor()

def seen(font):
    metrics = QFontMetricsF(font)
    return {{
        "family": QFontInfo(font).family(),
        "fixed_pitch": QFontInfo(font).fixedPitch(),
        "widths": {{char: metrics.horizontalAdvance(char) for char in {SAMPLE!r}}},
    }}

print(json.dumps({{"system": seen(system), "editor": seen(editor.font())}}))
"""


def open_editor(tmp_path: Path, *font_dirs: Path) -> dict[str, Any]:
    """What a fresh process shows when fontconfig knows only the fonts in `font_dirs`."""
    config = tmp_path / "fonts.conf"
    dirs = "".join(f"<dir>{folder}</dir>" for folder in font_dirs)
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


def installed(folder: Path, *files: str, packages: str) -> Path:
    missing = [name for name in files if not (folder / name).is_file()]
    assert not missing, f"{missing} not in {folder}: install {packages} (bootstrap --test does)"
    return folder


def test_a_monospace_font_qt_calls_proportional_is_kept_as_its_letters_line_up(
    tmp_path: Path, isolated_home: Path
) -> None:
    """Only Noto fonts: `monospace` is Noto Sans Mono, which Qt calls not fixed pitch."""
    fonts = installed(NOTO, "NotoSansMono-Regular.ttf", packages="fonts-noto-core")
    seen = open_editor(tmp_path, fonts)
    assert seen["system"]["family"] == "Noto Sans Mono"
    assert not seen["system"]["fixed_pitch"]  # what Qt says, and why this test is here
    assert seen["editor"]["family"] == "Noto Sans Mono"
    widths = seen["editor"]["widths"]
    assert len(set(widths.values())) == 1, widths


def test_a_proportional_system_font_gives_way_to_one_whose_letters_line_up(
    tmp_path: Path, isolated_home: Path
) -> None:
    """Fonts with no aliases: `monospace` resolves to DejaVu Sans, a proportional font."""
    files = ("DejaVuSans.ttf", "DejaVuSansMono.ttf")
    installed(DEJAVU, *files, packages="fonts-dejavu-core")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for name in files:
        (fonts / name).symlink_to(DEJAVU / name)
    seen = open_editor(tmp_path, fonts)
    assert seen["system"]["family"] == "DejaVu Sans"
    assert len(set(seen["system"]["widths"].values())) > 1  # letters that would not line up
    assert seen["editor"]["family"] == "DejaVu Sans Mono"
    widths = seen["editor"]["widths"]
    assert len(set(widths.values())) == 1, widths
