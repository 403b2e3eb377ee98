"""Two answers' diff as HTML, for the compare view's diff and a suite row's: the verdict, the
words that changed (struck through or inserted), then the JSON paths added, removed, changed."""

from __future__ import annotations

from html import escape

from playground.core.compare.diff import TextOp
from playground.core.compare.results import BodyDiff
from playground.ui import theme

ADDED, REMOVED, CHANGED = "ok", "error", "warn"  # colours of playground/ui/theme.py
INSERT_STYLE = "background:{insert_bg}; color:{insert_text};"
DELETE_STYLE = "background:{delete_bg}; color:{delete_text}; text-decoration:line-through;"
KIND_COLOURS = {"added": ADDED, "removed": REMOVED, "changed": CHANGED}
KIND_MARKS = {"added": "+", "removed": "−", "changed": "~"}


def words_html(ops: list[TextOp] | tuple[TextOp, ...]) -> str:
    """The word diff as HTML: deleted words struck through in red, inserted ones in green."""
    parts = []
    for op in ops:
        if op.kind == "equal":
            parts.append(escape(op.old))
            continue
        if op.old:
            parts.append(f"<span style='{theme.styled(DELETE_STYLE)}'>{escape(op.old)}</span>")
        if op.old and op.new:
            parts.append(" ")  # a replaced word and its replacement, read apart
        if op.new:
            parts.append(f"<span style='{theme.styled(INSERT_STYLE)}'>{escape(op.new)}</span>")
    return "<p style='white-space:pre-wrap; line-height:140%'>" + "".join(parts) + "</p>"


def diff_html(diff: BodyDiff, left: str, right: str) -> str:
    """The whole page: the verdict (identical, said plainly), then words, then paths."""
    head = f"<p><b>{escape(left)}</b> → <b>{escape(right)}</b>: "
    if diff.note:
        head += f"<span style='color:{theme.colour(REMOVED)}'>{escape(diff.note)}</span>; "
    if diff.is_identical:
        verdict = f"<b style='color:{theme.colour(ADDED)}; font-size:13pt'>Identical.</b> The two answers are the same."
        return head + "</p>" + f"<p>{verdict}</p>"
    page = [head + escape(diff.summary) + "</p>"]
    if diff.text_ops is not None:
        page.append("<h4>Text, word by word</h4>")
        page.append(words_html(diff.text_ops))
    page.append("<h4>JSON paths</h4><table cellspacing=2 cellpadding=2>")
    for change in diff.changes:
        colour = theme.colour(KIND_COLOURS[change.kind])
        mark = KIND_MARKS[change.kind]
        page.append(
            f"<tr><td style='color:{colour}; font-weight:bold'>{mark}</td>"
            f"<td style='color:{colour}'><code>{escape(change.describe())}</code></td></tr>"
        )
    page.append("</table>")
    return "".join(page)
