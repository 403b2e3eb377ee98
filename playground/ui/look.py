"""The app's look: the icon and stylesheet from resources/, and states the stylesheet selects on."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from playground import resources


def apply_look(app: QApplication) -> None:
    """Set the app icon, the desktop entry it belongs to (Wayland shows that entry's icon) and the
    app-wide stylesheet, before the first window is built."""
    app.setWindowIcon(resources.icon())
    app.setDesktopFileName(resources.APP_ID)
    app.setStyleSheet(resources.stylesheet())


def set_state(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the stylesheet selects on (`QLabel#x[name="value"]`), restyled now."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
