"""The request-body editor as a person uses it: typing, error markers, formatting and sending."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QKeySequence, QShortcut, QTextCursor, QTextFormat
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from playground.ui.widgets.json_editor import JsonEditor, JsonProblem
from playground.ui.widgets.json_highlighter import (
    MAX_HIGHLIGHT_CHARS,
    MAX_HIGHLIGHT_LINE_CHARS,
    TOKEN_COLORS,
    JsonHighlighter,
    attach_highlighter,
)


@pytest.fixture
def editor(qtbot: QtBot) -> JsonEditor:
    widget = JsonEditor()
    qtbot.addWidget(widget)
    return widget


def marker(editor: JsonEditor) -> tuple[int, str]:
    """The 1-based line that is tinted red and the character that has a wavy red underline."""
    selections = editor.extraSelections()
    assert len(selections) == 2
    line, mark = selections
    assert line.format.property(QTextFormat.Property.FullWidthSelection) is True
    assert mark.format.underlineStyle() == mark.format.UnderlineStyle.WaveUnderline
    assert line.cursor.blockNumber() == mark.cursor.blockNumber()
    return mark.cursor.blockNumber() + 1, mark.cursor.selectedText()


def formats_at(editor: JsonEditor, line: int, column: int) -> list[str]:
    """The foreground colours the highlighter gave the character at a 1-based line and column."""
    block = editor.document().findBlockByNumber(line - 1)
    offset = column - 1
    return [
        r.format.foreground().color().name()
        for r in block.layout().formats()
        if r.start <= offset < r.start + r.length
    ]


@pytest.mark.parametrize(
    ("text", "sentence", "marked_line", "marked_char"),
    [
        pytest.param(
            '{\n  "a": 1,\n}',
            "Invalid JSON at line 3, column 1: Expecting property name enclosed in double quotes",
            3,
            "}",
            id="trailing-comma-object",
        ),
        pytest.param(
            "[1, 2,]",
            "Invalid JSON at line 1, column 7: Expecting value",
            1,
            "]",
            id="trailing-comma",
        ),
        pytest.param(
            '{\n  "a": 1,\n  b": 2\n}',
            "Invalid JSON at line 3, column 3: Expecting property name enclosed in double quotes",
            3,
            "b",
            id="missing-opening-quote",
        ),
        pytest.param(
            '{"a": "abc}',
            "Invalid JSON at line 1, column 7: Unterminated string starting at",
            1,
            '"',
            id="missing-closing-quote",
        ),
        pytest.param(
            "hello", "Invalid JSON at line 1, column 1: Expecting value", 1, "h", id="garbage"
        ),
        pytest.param(
            '{"a": 1} x', "Invalid JSON at line 1, column 10: Extra data", 1, "x", id="extra-data"
        ),
    ],
)
def test_problem_sentence_and_marker_point_at_the_error(
    editor: JsonEditor, text: str, sentence: str, marked_line: int, marked_char: str
) -> None:
    editor.setPlainText(text)

    assert not editor.is_valid()
    problem = editor.problem()
    assert problem is not None
    assert problem.sentence == sentence
    assert marker(editor) == (marked_line, marked_char)


def test_unclosed_brace_at_end_marks_the_last_character_written(editor: JsonEditor) -> None:
    editor.setPlainText('{\n  "a": [1, 2]\n')

    assert editor.problem() == JsonProblem(3, 1, "Expecting ',' delimiter")
    # Line 3 is empty; the marker sits where something is missing: after the "]" on line 2.
    assert marker(editor) == (2, "]")


@pytest.mark.parametrize(
    ("text", "column", "marked_char"),
    [
        ('{"é日本🎉": 1 2}', 12, "2"),
        ('["é", "日本", "🎉" "x"]', 17, '"'),
        ('{\n  "emoji": "🎉🎉",\n  "k": tru\n}', 8, "t"),
    ],
    ids=["key", "array", "second-line"],
)
def test_columns_count_characters_not_bytes(
    editor: JsonEditor, text: str, column: int, marked_char: str
) -> None:
    editor.setPlainText(text)

    problem = editor.problem()
    assert problem is not None
    assert problem.column == column
    line, char = marker(editor)
    assert line == problem.line
    assert char == marked_char
    # The underline sits exactly at the reported column of the reported line.
    selections = editor.extraSelections()
    mark = selections[1].cursor
    block_text = mark.block().text()
    prefix_units = mark.selectionStart() - mark.block().position()
    assert len(block_text[: column - 1].encode("utf-16-le")) // 2 == prefix_units


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_is_no_body_and_valid(editor: JsonEditor, text: str) -> None:
    editor.setPlainText('{"a": ')
    assert not editor.is_valid()

    editor.setPlainText(text)

    assert editor.is_empty()
    assert editor.is_valid()
    assert editor.problem() is None
    assert editor.value() is None
    assert editor.extraSelections() == []


def test_value_parses_or_raises_with_the_sentence(editor: JsonEditor) -> None:
    editor.setPlainText('{"n": 1.5, "ok": true, "list": [null]}')
    assert editor.value() == {"n": 1.5, "ok": True, "list": [None]}

    editor.setPlainText('{"n": }')
    with pytest.raises(ValueError, match=r"^Invalid JSON at line 1, column 7: Expecting value$"):
        editor.value()


def test_typing_validates_after_a_pause_and_signals_only_on_change(
    editor: JsonEditor, qtbot: QtBot
) -> None:
    validity: list[bool] = []
    problems: list[str] = []
    editor.validity_changed.connect(validity.append)
    editor.problem_changed.connect(problems.append)

    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        qtbot.keyClicks(editor, '{"a"')
        assert validity == []  # debounced: nothing yet while typing
    assert blocker.args == [False]
    assert problems == ["Invalid JSON at line 1, column 5: Expecting ':' delimiter"]

    with qtbot.waitSignal(editor.problem_changed, timeout=2000):
        qtbot.keyClicks(editor, ": ")
    assert validity == [False]  # still invalid: no second validity signal
    assert problems[-1] == "Invalid JSON at line 1, column 7: Expecting value"

    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        qtbot.keyClicks(editor, "1}")
    assert blocker.args == [True]
    assert problems[-1] == ""
    assert editor.extraSelections() == []

    with qtbot.assertNotEmitted(editor.validity_changed, wait=400):
        qtbot.keyClicks(editor, " ")
    assert validity == [False, True]
    assert editor.value() == {"a": 1}


def test_set_json_is_pretty_keeps_unicode_and_is_one_undo_step(editor: JsonEditor) -> None:
    editor.setPlainText("old")

    editor.set_json({"b": [1, 2], "é": "日本 🎉"})

    assert editor.text() == '{\n  "b": [\n    1,\n    2\n  ],\n  "é": "日本 🎉"\n}'
    assert editor.is_valid()
    editor.undo()
    assert editor.text() == "old"


def test_set_json_none_clears_the_body(editor: JsonEditor) -> None:
    editor.set_json([1])
    editor.set_json(None)
    assert editor.text() == ""
    assert editor.value() is None


def test_format_and_minify_rewrite_exactly_and_undo(editor: JsonEditor) -> None:
    editor.setPlainText('{"messages":[{"role":"user","content":"héllo"}],"stream":true}')

    assert editor.format_json()
    assert editor.text() == (
        "{\n"
        '  "messages": [\n'
        "    {\n"
        '      "role": "user",\n'
        '      "content": "héllo"\n'
        "    }\n"
        "  ],\n"
        '  "stream": true\n'
        "}"
    )
    assert editor.minify_json()
    assert editor.text() == '{"messages":[{"role":"user","content":"héllo"}],"stream":true}'

    editor.undo()
    assert editor.text().startswith('{\n  "messages": [\n')
    editor.undo()
    assert editor.text() == '{"messages":[{"role":"user","content":"héllo"}],"stream":true}'


@pytest.mark.parametrize("action", ["format_json", "minify_json"])
def test_format_and_minify_refuse_invalid_json(editor: JsonEditor, action: str) -> None:
    editor.setPlainText('{"a": 1,}')

    assert getattr(editor, action)() is False
    assert editor.text() == '{"a": 1,}'
    assert marker(editor) == (1, "}")


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier),
        (
            Qt.Key.Key_Enter,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier,
        ),
    ],
    ids=["ctrl-return", "ctrl-enter"],
)
def test_ctrl_enter_asks_to_send_without_typing_a_newline(
    editor: JsonEditor, qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    editor.setPlainText("{}")

    with qtbot.waitSignal(editor.send_requested, timeout=1000):
        qtbot.keyClick(editor, key, modifiers)

    assert editor.text() == "{}"


def test_plain_return_types_a_newline(editor: JsonEditor, qtbot: QtBot) -> None:
    editor.setPlainText("{}")
    editor.moveCursor(QTextCursor.MoveOperation.End)

    with qtbot.assertNotEmitted(editor.send_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    assert editor.text() == "{}\n"


def test_ctrl_enter_goes_to_the_editor_not_a_window_shortcut(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    editor = JsonEditor()
    QVBoxLayout(window).addWidget(editor)
    shortcut_hits: list[bool] = []
    QShortcut(QKeySequence("Ctrl+Return"), window, lambda: shortcut_hits.append(True))
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    editor.setFocus()

    # Through the window, as the platform delivers keys, so that shortcuts get their chance.
    with qtbot.waitSignal(editor.send_requested, timeout=1000):
        qtbot.keyClick(
            window.windowHandle(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )

    assert shortcut_hits == []


def test_tab_inserts_two_spaces(editor: JsonEditor, qtbot: QtBot) -> None:
    editor.setPlainText("{\n}")
    cursor = editor.textCursor()
    cursor.setPosition(2)
    editor.setTextCursor(cursor)

    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.keyClicks(editor, '"a": 1')
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    assert editor.text() == '{\n  "a": 1\n}'
    assert editor.is_valid()


def test_font_is_monospace(editor: JsonEditor) -> None:
    """Narrow and wide letters take one width in the font the editor draws with, on any fonts
    (Qt's `fixedPitch` says no to some monospace fonts, Noto Sans Mono for one)."""
    metrics = QFontMetricsF(editor.font())
    widths = {char: metrics.horizontalAdvance(char) for char in "il.MW@"}
    assert len(set(widths.values())) == 1, widths


def test_highlighter_tells_keys_strings_numbers_and_literals_apart(editor: JsonEditor) -> None:
    editor.setPlainText('{"key": "value", "n": -1.5e3, "t": true, "z": null}')

    key = formats_at(editor, 1, 3)
    string = formats_at(editor, 1, 11)
    number = formats_at(editor, 1, 23)
    literal = formats_at(editor, 1, 36)
    brace = formats_at(editor, 1, 1)
    assert key[-1] == TOKEN_COLORS["key"]
    assert string[-1] == TOKEN_COLORS["string"]
    assert number[-1] == TOKEN_COLORS["number"]
    assert literal[-1] == TOKEN_COLORS["literal"]
    assert brace[-1] == TOKEN_COLORS["punctuation"]
    assert len(set(TOKEN_COLORS.values())) == len(TOKEN_COLORS)


@pytest.mark.parametrize(
    "text", ['{"a": "unterminated\n', '"\\', "}}]]::,,", '{"a\\"": tru fals nul -', "\t\n\n"]
)
def test_highlighter_survives_malformed_text(editor: JsonEditor, text: str) -> None:
    editor.setPlainText(text)
    assert editor.text() == text


def test_attach_highlighter_skips_huge_documents(qtbot: QtBot) -> None:
    small, huge = QPlainTextEdit("[1]"), QPlainTextEdit("[" + "1," * MAX_HIGHLIGHT_CHARS + "1]")
    qtbot.addWidget(small)
    qtbot.addWidget(huge)

    assert isinstance(attach_highlighter(small), JsonHighlighter)
    assert attach_highlighter(huge) is None
    assert isinstance(attach_highlighter(QTextEdit("{}")), JsonHighlighter)


def big_body() -> list[dict[str, object]]:
    rows = [{"id": i, "name": f"row é {i}", "tags": ["a", "b"], "ok": True} for i in range(20_000)]
    assert len(json.dumps(rows, indent=2)) > 2_000_000
    return rows


def test_two_megabyte_document_is_set_validated_and_typed_in_without_colours(
    editor: JsonEditor, qtbot: QtBot
) -> None:
    rows = big_body()

    editor.set_json(rows)
    assert editor.is_valid()
    assert not editor.is_highlighted()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, "x")
    problem = editor.problem()

    assert problem is not None
    assert problem.message == "Extra data"
    assert problem.line == editor.document().blockCount()
    assert marker(editor) == (problem.line, "x")


def test_large_paste_turns_colours_off_and_clearing_turns_them_back_on(
    editor: JsonEditor, qtbot: QtBot
) -> None:
    assert editor.is_highlighted()
    QApplication.clipboard().setText(json.dumps(big_body()))

    editor.paste()
    assert editor.is_valid()
    assert not editor.is_highlighted()
    QApplication.clipboard().clear()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.waitUntil(editor.is_highlighted, timeout=2000)


def test_a_very_long_line_is_left_uncoloured(editor: JsonEditor) -> None:
    long_line = json.dumps(list(range(MAX_HIGHLIGHT_LINE_CHARS // 3)))
    assert len(long_line) > MAX_HIGHLIGHT_LINE_CHARS

    editor.setPlainText('{"short": 1}\n' + long_line)

    assert editor.is_highlighted()
    assert formats_at(editor, 1, 3) == [TOKEN_COLORS["key"]]
    assert editor.document().findBlockByNumber(1).layout().formats() == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[" * 100_000, "nested too deeply to read (more than 500 levels)"),
        ('{"n": ' + "7" * 5000 + "}", "a number with 5,000 digits (4,300 at most)"),
    ],
    ids=["deep", "long-number"],
)
def test_json_python_cannot_take_is_a_problem_not_a_crash(
    editor: JsonEditor, text: str, said: str
) -> None:
    editor.setPlainText(text)

    body, problem = editor.body_and_problem()
    assert body is None
    assert said in problem
    assert problem.startswith("Invalid JSON at line 1, column ")
    with pytest.raises(ValueError, match="Invalid JSON"):
        editor.value()
