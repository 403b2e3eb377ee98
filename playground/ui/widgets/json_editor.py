"""The request-body editor: JSON with colours, live validation, an error marker and Ctrl+Enter to send;
files inserted (menu, drop, paste) show as short tokens and are core `FileRef`s in its value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from playground.core.errors import PlaygroundError
from playground.core.jsontext import InvalidJson, parse_json
from playground.core.request.attachments import Encoding, FileRef, bind, expand, file_refs
from playground.ui import theme
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.json_highlighter import MAX_HIGHLIGHT_CHARS, JsonHighlighter
from playground.ui.widgets.send_edit import SendingTextEdit

__all__ = ["LARGE_DOCUMENT_CHARS", "JsonEditor", "JsonProblem"]

# Validation waits for a pause in typing. Parsing is fast (json.loads reads 2 MB in ~25 ms), but
# copying the text out of the document and parsing it on every keystroke of a multi-megabyte body
# would still add up, so above this size the pause must be longer before we look.
LARGE_DOCUMENT_CHARS = 1024 * 1024
VALIDATE_DELAY_MS = 150
LARGE_VALIDATE_DELAY_MS = 1000

INDENT = "  "
_ERROR_LINE_BACKGROUND = "error_line_bg"  # colours of playground/ui/theme.py
_ERROR_UNDERLINE = "error_underline"


@dataclass(frozen=True)
class JsonProblem:
    """Where and why the text is not JSON; line and column are 1-based and count characters."""

    line: int
    column: int
    message: str

    @property
    def sentence(self) -> str:
        return f"Invalid JSON at line {self.line}, column {self.column}: {self.message}"


class JsonEditor(SendingTextEdit):
    """A plain-text editor for a JSON request body; empty (or all-whitespace) text means no body."""

    validity_changed = Signal(bool)
    problem_changed = Signal(str)
    file_inserted = Signal(object)  # the FileRef now in the text
    file_failed = Signal(str)  # a file that could not be inserted, in words

    def __init__(self, parent: QWidget | None = None, *, highlight: bool = True) -> None:
        """`highlight=False` starts without colours (`enable_colours` turns them on): the
        window's first paint need not wait for the ~30 ms that Qt's first brush costs."""
        super().__init__(parent)
        self._problem: JsonProblem | None = None
        self._files: dict[str, FileRef] = {}  # token -> file, for every token ever shown
        self.file_encoding: Encoding = "base64"  # how dropped and pasted files are inserted
        self._wants_colours = highlight
        self._highlighter = JsonHighlighter(self.document() if highlight else None)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._build_ui()
        self._connect()

    def _build_ui(self) -> None:
        font = monospace_font()
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(INDENT))

    def _connect(self) -> None:
        self._validate_timer.timeout.connect(self._validate)
        self.textChanged.connect(self._on_text_changed)

    # --- state -----------------------------------------------------------------------------------

    def text(self) -> str:
        return self.toPlainText()

    def is_empty(self) -> bool:
        """True when there is no body: the text is empty or only whitespace (valid, value None)."""
        return not self.toPlainText().strip()

    def is_valid(self) -> bool:
        """Whether the current text is JSON or empty; a pending validation is run first."""
        return self.problem() is None

    def problem(self) -> JsonProblem | None:
        self._flush_validation()
        return self._problem

    def body_and_problem(self) -> tuple[Any, str]:
        """(the parsed body, "") when valid, else (None, the problem with its line and column)."""
        problem = self.problem()
        return (None, problem.sentence) if problem is not None else (self.value(), "")

    def value(self) -> Any:
        """The parsed body: None when empty; raises ValueError with the problem sentence if invalid."""
        self._flush_validation()
        if self._problem is not None:
            raise ValueError(self._problem.sentence)
        text = self.toPlainText()
        return bind(parse_json(text), self._files) if text.strip() else None

    def payload_text(self) -> str:
        """The body as it is sent, files and all, pretty-printed ("" for no body); raises
        ValueError if invalid and core's MissingFile if a file is gone."""
        value = expand(self.value())
        return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)

    # --- editing ---------------------------------------------------------------------------------

    def set_json(self, value: Any) -> None:
        """Show `value` pretty-printed (2-space indent, non-ASCII kept); None clears the body.

        The replacement is one undo step, so Ctrl+Z brings the previous text back.
        """
        self._files.update((str(ref), ref) for ref in file_refs(value))  # a preset's files
        text = "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)
        self._replace_text(text)

    # --- files -----------------------------------------------------------------------------------

    def insert_file(self, path: str | Path, encoding: Encoding | None = None) -> FileRef | None:
        """Put the file at the cursor (over the selection) as its token, sent as base64 or a
        data URL; None, with `file_failed` said, if it cannot be read."""
        try:
            ref = FileRef.from_path(path, encoding or self.file_encoding, taken=self._files)
        except PlaygroundError as exc:
            self.file_failed.emit(str(exc))
            return None
        return self._insert_ref(ref)

    def insert_bytes(self, data: bytes, name: str, encoding: Encoding | None = None) -> FileRef:
        """Bytes with no file behind them (a pasted image), at the cursor as their token."""
        ref = FileRef.from_bytes(data, name, encoding or self.file_encoding, taken=self._files)
        return self._insert_ref(ref)

    def _insert_ref(self, ref: FileRef) -> FileRef:
        self._files[str(ref)] = ref
        self.insertPlainText(json.dumps(ref, ensure_ascii=False))
        self.file_inserted.emit(ref)
        return ref

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return (
            bool(_local_files(source)) or source.hasImage() or super().canInsertFromMimeData(source)
        )

    def format_json(self) -> bool:
        """Pretty-print the body in place (one undo step); False, changing nothing, if invalid."""
        return self._rewrite(indent=2, separators=(",", ": "))

    def minify_json(self) -> bool:
        """Rewrite the body on one line without spaces (one undo step); False if invalid."""
        return self._rewrite(indent=None, separators=(",", ":"))

    def _rewrite(self, *, indent: int | None, separators: tuple[str, str]) -> bool:
        if not self.is_valid():
            return False
        if self.is_empty():
            return True
        text = json.dumps(self.value(), indent=indent, separators=separators, ensure_ascii=False)
        if text != self.toPlainText():
            self._replace_text(text)
        return True

    def _replace_text(self, text: str) -> None:
        # A whole-document replacement is highlighted synchronously, line by line; a large text
        # is shown without colours instead (see MAX_HIGHLIGHT_CHARS).
        if len(text) > MAX_HIGHLIGHT_CHARS:
            self._set_highlighting(False)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self._validate()

    def enable_colours(self) -> None:
        self._wants_colours = True
        if self.document().characterCount() <= MAX_HIGHLIGHT_CHARS:
            self._set_highlighting(True)

    def _set_highlighting(self, enabled: bool) -> None:
        if enabled and self._wants_colours and self._highlighter.document() is None:
            self._highlighter.setDocument(self.document())
        elif not enabled and self._highlighter.document() is not None:
            self._highlighter.setDocument(None)

    def is_highlighted(self) -> bool:
        """Whether syntax colours are on; they are off while the text is over MAX_HIGHLIGHT_CHARS."""
        return self._highlighter.document() is not None

    def insertFromMimeData(self, source: QMimeData) -> None:
        # Files dropped or pasted (a file manager's copy carries their URLs) and pasted images
        # go in as tokens: the text never holds their bytes.
        if files := _local_files(source):
            for number, path in enumerate(files):
                if number:
                    self.insertPlainText(", ")
                self.insert_file(path)
            return
        if source.hasImage() and not source.hasText() and (png := _png_of(source.imageData())):
            self.insert_bytes(png, "pasted-image.png")
            return
        # A paste or drop is highlighted before any slot of ours runs, so decide beforehand.
        if self.document().characterCount() + len(source.text()) > MAX_HIGHLIGHT_CHARS:
            self._set_highlighting(False)
        super().insertFromMimeData(source)

    # --- keys ------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # not at import: the `Qt` namespace costs start-up

        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == Qt.Key.Key_Tab and plain == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.insertPlainText(INDENT)
            return
        super().keyPressEvent(event)

    # --- validation ------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        large = self.document().characterCount() > LARGE_DOCUMENT_CHARS
        self._validate_timer.start(LARGE_VALIDATE_DELAY_MS if large else VALIDATE_DELAY_MS)

    def _flush_validation(self) -> None:
        if self._validate_timer.isActive():
            self._validate()

    def _validate(self) -> None:
        self._validate_timer.stop()
        text = self.toPlainText()
        problem: JsonProblem | None = None
        position = 0
        if text.strip():
            try:
                parse_json(text)
            except InvalidJson as exc:  # nested too deeply to follow: no place to point at
                problem = JsonProblem(exc.line or 1, exc.column or 1, exc.reason)
                position = exc.pos
        if len(text) <= MAX_HIGHLIGHT_CHARS:
            self._set_highlighting(True)
        self._update_marker(text, problem, position)
        old, self._problem = self._problem, problem
        if (old is None) != (problem is None):
            self.validity_changed.emit(problem is None)
        if old != problem:
            self.problem_changed.emit("" if problem is None else problem.sentence)

    def _update_marker(self, text: str, problem: JsonProblem | None, position: int) -> None:
        if problem is None:
            self.setExtraSelections([])
            return
        if position >= len(text):
            # At the end of the text there is no character to underline: mark the last one that
            # is not whitespace, after which something is missing.
            position = len(text.rstrip()) - 1
        # json counts code points; the document counts UTF-16 units (an emoji is two).
        start = position if text.isascii() else len(text[:position].encode("utf-16-le")) // 2
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        background = QTextCharFormat()
        background.setBackground(QColor(theme.colour(_ERROR_LINE_BACKGROUND)))
        background.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line = QTextEdit.ExtraSelection()
        line.cursor = cursor
        line.format = background
        mark = QTextEdit.ExtraSelection()
        mark_cursor = QTextCursor(cursor)
        mark_cursor.movePosition(
            QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor
        )
        mark.cursor = mark_cursor
        underline = QTextCharFormat()
        underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        underline.setUnderlineColor(QColor(theme.colour(_ERROR_UNDERLINE)))
        mark.format = underline
        self.setExtraSelections([line, mark])


def _local_files(source: QMimeData) -> list[Path]:
    """The files (not folders) a drop or paste carries, if it carries only local files."""
    if not source.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in source.urls() if url.isLocalFile()]
    if len(paths) != len(source.urls()) or not all(path.is_file() for path in paths):
        return []
    return paths


def _png_of(image: object) -> bytes:
    """A pasted image as PNG bytes (b"" for none)."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QImage, QPixmap

    if isinstance(image, QPixmap):
        image = image.toImage()
    if not isinstance(image, QImage) or image.isNull():
        return b""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 wants str
    return bytes(buffer.data().data())
