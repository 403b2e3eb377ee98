"""Syntax colours for JSON text in a QTextDocument: keys, strings, numbers, literals, punctuation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from playground.ui import theme

__all__ = [
    "MAX_HIGHLIGHT_CHARS",
    "MAX_HIGHLIGHT_LINE_CHARS",
    "TOKEN_COLORS",
    "JsonHighlighter",
    "attach_highlighter",
]

# Above this many characters a document is shown without colours. Highlighting runs in Python
# once per line, and Qt re-highlights the whole document whenever all of it is replaced
# (setPlainText, paste over a selection of everything), so a multi-megabyte body would freeze the
# window for seconds. Half a megabyte highlights in well under a second and is far larger than
# any hand-written request body.
MAX_HIGHLIGHT_CHARS = 512 * 1024

# A line is re-highlighted on every keystroke in it, at about 1.6 ms per 1,000 characters; a
# longer line (a big minified body) is left uncoloured so that typing in it stays responsive.
MAX_HIGHLIGHT_LINE_CHARS = 16 * 1024


class _TokenColours(Mapping[str, str]):
    """Each token's colour in the theme shown now (VS Code's JSON colours: "Light+", "Dark+")."""

    _NAMES = ("key", "string", "number", "literal", "punctuation")

    def __getitem__(self, name: str) -> str:
        if name not in self._NAMES:
            raise KeyError(name)
        return theme.colour(f"json_{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._NAMES)

    def __len__(self) -> int:
        return len(self._NAMES)


TOKEN_COLORS: Mapping[str, str] = _TokenColours()

# One pass per line. A key is a complete string followed by a colon; an unterminated string runs
# to the end of the line (JSON strings cannot contain raw newlines, so no state crosses blocks).
# The alternatives inside the strings are disjoint, so a failed match backtracks in linear time.
_TOKEN = re.compile(
    r"""
    (?P<key>"(?:[^"\\]|\\.)*")(?=\s*:)
    | (?P<string>"(?:[^"\\]|\\.)*(?:"|\\)?)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<literal>\b(?:true|false|null)\b)
    """,
    re.VERBOSE,
)


def _char_format(color: str, *, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Colours one block (line) at a time; never raises on malformed or partial JSON."""

    def __init__(self, document: QTextDocument | None) -> None:
        super().__init__(document)  # type: ignore[arg-type]  # None is allowed: no document yet
        self._formats: dict[str, QTextCharFormat] = {}
        theme.notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self, _scheme: str) -> None:
        self._formats = {}  # made again, in the new colours, as the lines are coloured again
        if self.document() is not None:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if not text or len(text) > MAX_HIGHLIGHT_LINE_CHARS:
            return
        if not self._formats:  # made when first needed: Qt's first brush costs ~30 ms
            self._formats = {
                name: _char_format(color, bold=name == "literal")
                for name, color in TOKEN_COLORS.items()
            }
        formats = self._formats
        # One call colours the whole line as punctuation and the tokens are painted over it: about
        # half of a line's tokens are punctuation, and setFormat calls are the main cost. Stray
        # text that is no JSON token is thus grey too; the editor's error marker points at it.
        self.setFormat(0, len(text), formats["punctuation"])
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                start, end = match.span()
                self.setFormat(start, end - start, formats[kind])


def attach_highlighter(editor: QPlainTextEdit | QTextEdit) -> JsonHighlighter | None:
    """Highlight `editor`'s document, or return None when it is over MAX_HIGHLIGHT_CHARS.

    The size is checked once, now; a caller that later loads a larger text should detach the
    highlighter first (`highlighter.setDocument(None)`) so the replacement is not highlighted.
    """
    document = editor.document()
    if document.characterCount() > MAX_HIGHLIGHT_CHARS:
        return None
    return JsonHighlighter(document)
