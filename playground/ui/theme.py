"""Light and dark: every colour the app sets, once per theme, and View ▸ Theme to pick one."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu

__all__ = [
    "CHOICES",
    "PAIRS",
    "PALETTES",
    "ThemeNotifier",
    "apply_theme",
    "colour",
    "install_theme_menu",
    "notifier",
    "scheme",
    "styled",
]

# Light follows GitHub's Primer light colours, dark its "dark dimmed" ones: tested for contrast
# (PAIRS below, tests/ui/test_theme.py), so a colour added here needs a pair that uses it.
PALETTES: dict[str, dict[str, str]] = {
    "light": {
        # The Qt palette (Fusion draws with it).
        "window": "#f0f0f0",
        "base": "#ffffff",
        "alt_base": "#f6f8fa",
        "button": "#f6f8fa",
        "text": "#1f2328",
        "muted": "#59636e",
        "highlight": "#0969da",
        "highlighted_text": "#ffffff",
        "link": "#0550ae",
        "border": "#7d8590",
        # Words and marks in a state's colour, on the window or a text field.
        "error": "#a11d1d",
        "ok": "#116329",
        "info": "#0550ae",
        "warn": "#8a4600",
        # Badges, banners and chips: a text colour on its own background.
        "badge_text": "#ffffff",
        "badge_bg": "#b3261e",
        "error_bg": "#ffebe9",
        "error_border": "#cf222e",
        "cancel_bg": "#f6f8fa",
        "note_text": "#4d3800",
        "note_bg": "#fff8c5",
        "note_border": "#9a6700",
        "undo_bg": "#eef3fb",
        "undo_border": "#5a7fc0",
        "best_text": "#116329",
        "best_bg": "#dafbe1",
        "chip_text": "#ffffff",
        "chip_bg": "#0550ae",
        # Diffs, and the JSON editor's tokens and error line.
        "insert_text": "#116329",
        "insert_bg": "#dafbe1",
        "delete_text": "#a40e26",
        "delete_bg": "#ffebe9",
        "json_key": "#0451a5",
        "json_string": "#a31515",
        "json_number": "#096b48",
        "json_literal": "#0000ff",
        "json_punctuation": "#5f5f5f",
        "error_line_bg": "#ffe4e4",
        "error_underline": "#d00000",
        # The compare chart: one colour per column, on the base colour.
        "series_0": "#2f6fdf",
        "series_1": "#c55a00",
        "series_2": "#1f8a4c",
        "series_3": "#b8418f",
        "series_4": "#7a5bd6",
        "series_5": "#7a6c0f",
    },
    "dark": {
        "window": "#2a2f37",
        "base": "#1e2228",
        "alt_base": "#2d333b",
        "button": "#373e47",
        "text": "#e6edf3",
        "muted": "#9ea7b3",
        "highlight": "#1f6feb",
        "highlighted_text": "#ffffff",
        "link": "#6cb6ff",
        "border": "#768390",
        "error": "#ff938a",
        "ok": "#57ab5a",
        "info": "#6cb6ff",
        "warn": "#daaa3f",
        "badge_text": "#ffffff",
        "badge_bg": "#b3261e",
        "error_bg": "#4a2528",
        "error_border": "#e5534b",
        "cancel_bg": "#2d333b",
        "note_text": "#f0d58a",
        "note_bg": "#3d3418",
        "note_border": "#c69026",
        "undo_bg": "#1f3050",
        "undo_border": "#4184e4",
        "best_text": "#8ddb8c",
        "best_bg": "#1b3a26",
        "chip_text": "#ffffff",
        "chip_bg": "#1f6feb",
        "insert_text": "#8ddb8c",
        "insert_bg": "#1b3a26",
        "delete_text": "#ffb0a8",
        "delete_bg": "#4a2528",
        "json_key": "#9cdcfe",
        "json_string": "#ce9178",
        "json_number": "#b5cea8",
        "json_literal": "#62a8e8",
        "json_punctuation": "#adbac7",
        "error_line_bg": "#4a2528",
        "error_underline": "#ff6a69",
        "series_0": "#539bf5",
        "series_1": "#f69d50",
        "series_2": "#57ab5a",
        "series_3": "#e275ad",
        "series_4": "#b083f0",
        "series_5": "#c6a93b",
    },
}

TEXT, MARK = 4.5, 3.0  # WCAG AA: text on its background; other marks (lines, bars, borders)
_ON_FIELDS = ("window", "base")  # state words sit on the window, or in a text field / table
# Every foreground on every background it is drawn on, and the contrast it needs.
PAIRS: list[tuple[str, str, float]] = [
    *(
        (fg, bg, TEXT)
        for fg in ("text", "muted", "error", "ok", "info", "warn")
        for bg in _ON_FIELDS
    ),
    ("text", "alt_base", TEXT),
    ("text", "button", TEXT),
    ("muted", "alt_base", TEXT),
    ("link", "base", TEXT),
    ("link", "window", TEXT),
    ("highlighted_text", "highlight", TEXT),
    ("border", "window", MARK),
    ("border", "base", MARK),
    ("badge_text", "badge_bg", TEXT),
    ("text", "error_bg", TEXT),
    ("error", "error_bg", TEXT),
    ("error_border", "error_bg", MARK),
    ("text", "cancel_bg", TEXT),
    ("muted", "cancel_bg", TEXT),
    ("note_text", "note_bg", TEXT),
    ("note_border", "note_bg", MARK),
    ("text", "undo_bg", TEXT),
    ("undo_border", "undo_bg", MARK),
    ("best_text", "best_bg", TEXT),
    ("chip_text", "chip_bg", TEXT),
    ("insert_text", "insert_bg", TEXT),
    ("delete_text", "delete_bg", TEXT),
    *(
        (f"json_{t}", bg, TEXT)
        for t in ("key", "string", "number", "literal", "punctuation")
        for bg in ("base", "error_line_bg")
    ),
    ("error_underline", "error_line_bg", MARK),
    *((f"series_{i}", "base", MARK) for i in range(6)),
]

CHOICES = (("system", "&System"), ("light", "&Light"), ("dark", "&Dark"))
SETTING = "view/theme"


class ThemeNotifier(QObject):
    """Tells what paints with theme colours (highlighters, charts) that the theme changed."""

    changed = Signal(str)  # the scheme now shown: "light" or "dark"


_state: dict[str, object] = {"choice": "system", "scheme": "light", "notifier": None}


def notifier() -> ThemeNotifier:
    found = _state["notifier"]
    if not isinstance(found, ThemeNotifier):
        found = ThemeNotifier(QApplication.instance())
        _state["notifier"] = found
    return found


def scheme() -> str:
    """The scheme shown now: "light" or "dark"."""
    return str(_state["scheme"])


def choice() -> str:
    """What the person picked: "system", "light" or "dark"."""
    return str(_state["choice"])


def styled(template: str) -> str:
    """An inline style with `{name}` colours of the theme shown filled in."""
    return template.format_map(PALETTES[scheme()])


def colour(name: str) -> str:
    """A colour of the theme shown now, as #rrggbb."""
    return PALETTES[scheme()][name]


def _palette_scheme(palette: QPalette) -> str:
    window, text = (
        palette.color(QPalette.ColorRole.Window),
        palette.color(QPalette.ColorRole.WindowText),
    )
    return "dark" if window.lightness() < text.lightness() else "light"


def _system_scheme(app: QApplication) -> str:
    """Dark when the desktop says so; when it says nothing, what its palette looks like."""
    said = app.styleHints().colorScheme()
    if said == Qt.ColorScheme.Dark:
        return "dark"
    if said == Qt.ColorScheme.Light:
        return "light"
    return _palette_scheme(app.style().standardPalette())


def _palette(name: str) -> QPalette:
    """A whole QPalette from the table (used with Fusion, which draws every widget with it)."""
    table, palette, role = PALETTES[name], QPalette(), QPalette.ColorRole
    for roles, key in (
        ((role.Window,), "window"),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText), "text"),
        ((role.Base, role.ToolTipBase), "base"),
        ((role.AlternateBase,), "alt_base"),
        ((role.Button,), "button"),
        ((role.PlaceholderText,), "muted"),
        ((role.Highlight,), "highlight"),
        ((role.HighlightedText,), "highlighted_text"),
        ((role.Link,), "link"),
        ((role.Mid, role.Dark), "border"),
        ((role.BrightText,), "badge_text"),
    ):
        for one in roles:
            palette.setColor(one, QColor(table[key]))
    palette.setColor(role.Light, QColor(table["alt_base"] if name == "dark" else "#ffffff"))
    disabled = QColor(table["muted"])
    for one in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, one, disabled)
    return palette


def apply_theme(app: QApplication, picked: str | None = None) -> None:
    """Show `picked` ("system", "light", "dark"; None: the choice made before) on the whole app:
    the palette, the stylesheet's colours (when it is set) and whatever paints with theme colours.
    """
    if _state.get("applying"):
        return
    _state["applying"] = True
    try:
        _apply(app, picked or choice())
    finally:
        _state["applying"] = False
    notifier().changed.emit(scheme())


def _apply(app: QApplication, picked: str) -> None:
    _state["choice"], _state["applied"] = picked, True
    original = str(_state.setdefault("style", app.style().name()))
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+: the desktop's own look follows, where it can
        wanted = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
        hints.setColorScheme(wanted.get(picked, Qt.ColorScheme.Unknown))
    if picked == "system":
        if app.style().name() != original:
            app.setStyle(original)
        shown = _system_scheme(app)
        native = app.style().standardPalette()
        _state["scheme"] = shown
        if _palette_scheme(native) == shown:  # the desktop's style and colours, as they are
            app.setPalette(native)
            _restyle(app)
            return
    else:
        shown = picked
    # A scheme picked here, or one the desktop names but its palette does not draw (offscreen
    # and many desktops have no dark palette): Fusion draws any QPalette, so the app's own is used.
    _state["scheme"] = shown
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(_palette(shown))
    _restyle(app)


def _restyle(app: QApplication) -> None:
    if app.styleSheet():  # set after the first paint (look.py); until then there is nothing to fill
        from playground.ui.look import set_stylesheet  # look imports this module

        set_stylesheet(app)


def _on_system_changed(*_: object) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and choice() == "system":
        apply_theme(app, "system")


class _ThemeActions(QActionGroup):
    """View ▸ Theme's entries, kept checked as the theme changes (here, in another window, or on
    the desktop); a QObject so that its connection ends with its menu."""

    def __init__(self, menu: QMenu, settings: QSettings | None) -> None:
        super().__init__(menu)
        self.settings = settings
        for value, text in CHOICES:
            action = QAction(text, menu, checkable=True)
            action.setData(value)
            self.addAction(action)
            menu.addAction(action)
        self._on_theme_changed()
        self.triggered.connect(self._on_action_triggered)
        notifier().changed.connect(self._on_theme_changed)

    def _on_action_triggered(self, action: QAction) -> None:
        value = str(action.data())
        if self.settings is not None:
            self.settings.setValue(SETTING, value)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app, value)

    def _on_theme_changed(self, *_: object) -> None:
        for action in self.actions():
            action.setChecked(action.data() == choice())


def install_theme_menu(menu: QMenu, settings: QSettings | None) -> QActionGroup:
    """View ▸ Theme: System, Light, Dark; the choice is kept in `settings` and shown at once."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # A window without settings (screenshots) shows the theme as it is.
    saved = str(settings.value(SETTING, "system")) if settings is not None else choice()
    saved = saved if saved in dict(CHOICES) else "system"
    if not _state.get("applied") or saved != choice():  # the first window sets the theme
        apply_theme(app, saved)
    if not _state.get("watching"):
        app.styleHints().colorSchemeChanged.connect(_on_system_changed)
        _state["watching"] = True
    return _ThemeActions(menu, settings)
