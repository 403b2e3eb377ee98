"""Render resources/icon.svg to the PNG sizes desktops use (resources/icons/playground-N.png).

    python packaging/render_icons.py

Run it after editing the SVG and commit the PNGs; a test checks they are current.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent square of `size` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def icon_file(size: int) -> Path:
    return RESOURCES / "icons" / f"playground-{size}.png"


def main() -> None:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in SIZES:
        path = icon_file(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(RESOURCES / "icon.svg", size).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        print(path.relative_to(RESOURCES.parent))


if __name__ == "__main__":
    main()
