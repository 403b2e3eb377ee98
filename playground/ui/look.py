"""The app's look: the icon and stylesheet from resources/, and states the stylesheet selects on."""

from __future__ import annotations

from string import Template

from PySide6.QtWidgets import QApplication, QWidget

from playground import resources
from playground.ui import theme


def set_icon(app: QApplication) -> None:
    """The app icon, and the desktop entry the app belongs to (Wayland shows that entry's icon).
    Set before the first window is shown: the window manager reads it when the window maps."""
    app.setWindowIcon(resources.icon())
    app.setDesktopFileName(resources.APP_ID)


def set_stylesheet(app: QApplication) -> None:
    """The app-wide stylesheet. It re-styles every widget (about 6 ms for the main window), and
    nothing it paints is shown before models load, so the app sets it after the first paint."""
    app.setStyleSheet(themed_stylesheet())


def themed_stylesheet(scheme: str | None = None) -> str:
    """style.qss with the colours of `scheme` ("light", "dark"; None: the one shown) filled in."""
    return Template(resources.stylesheet()).substitute(theme.PALETTES[scheme or theme.scheme()])


def apply_look(app: QApplication) -> None:
    """Icon, theme and stylesheet at once (screenshots, tests)."""
    set_icon(app)
    theme.apply_theme(app)
    set_stylesheet(app)


def marker_html(name: str) -> str:
    """A marker icon of resources/markers/ (e.g. "tool") for rich text, as tall as a line: the app's
    own marks are drawn, never emoji, which a machine without an emoji font shows as boxes."""
    uri = resources.path(f"markers/{name}.png").as_uri()
    return f'<img src="{uri}" width="14" height="14" align="middle">'


def set_state(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the stylesheet selects on (`QLabel#x[name="value"]`), restyled now."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
