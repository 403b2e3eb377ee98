"""A POSIX shell command line split into words, as bash would: quotes, `\\`-newline continuations,
`$'…'` strings (browsers' "Copy as cURL"), comments; `$VARS` are left as written."""

from __future__ import annotations

ANSI_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "e": "\x1b",
    "E": "\x1b",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
OPERATORS = "|;&<>"
HEX = frozenset("0123456789abcdefABCDEF")


class ShellSyntaxError(ValueError):
    """An unclosed quote, in words."""


def _ansi_c(text: str, start: int) -> tuple[str, int]:
    """The string of a `$'…'` that opens at `start` (the `$`), and the index after it."""
    out: list[str] = []
    index = start + 2
    while index < len(text):
        char = text[index]
        if char == "'":
            return "".join(out), index + 1
        if char != "\\" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        code = text[index + 1]
        digits = {"x": 2, "u": 4, "U": 8}.get(code)
        if digits:
            hex_digits = ""
            for digit in text[index + 2 : index + 2 + digits]:
                if digit not in HEX:
                    break
                hex_digits += digit
            if hex_digits:
                out.append(chr(int(hex_digits, 16)))
                index += 2 + len(hex_digits)
                continue
        out.append(ANSI_ESCAPES.get(code, "\\" + code))
        index += 2
    raise ShellSyntaxError("a $'…' string is not closed")


def _double(text: str, start: int) -> tuple[str, int]:
    """The content of a `"…"` that opens at `start`, and the index after it."""
    out: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == '"':
            return "".join(out), index + 1
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '$`"\\\n':
            if text[index + 1] != "\n":  # backslash-newline is a continuation
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    raise ShellSyntaxError('a double quote (") is not closed')


def shell_words(text: str) -> tuple[list[str], str]:
    """The words of the first command in `text`, and what follows an unquoted `|`, `;`, `&`,
    `<` or `>` (a pipe into jq, a redirect …), which is not part of it."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    index = 0
    text = text.replace("\r\n", "\n")
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            if following != "\n":
                word.append(following)
                in_word = True
            index += 2
        elif char == "'":
            end = text.find("'", index + 1)
            if end < 0:
                raise ShellSyntaxError("a single quote (') is not closed")
            word.append(text[index + 1 : end])
            in_word, index = True, end + 1
        elif char == "$" and text[index + 1 : index + 2] == "'":
            part, index = _ansi_c(text, index)
            word.append(part)
            in_word = True
        elif char == '"':
            part, index = _double(text, index)
            word.append(part)
            in_word = True
        elif char in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            index += 1
        elif char == "#" and not in_word:
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        elif char in OPERATORS:
            break
        else:
            word.append(char)
            in_word = True
            index += 1
    if in_word:
        words.append("".join(word))
    return words, text[index:].strip()
