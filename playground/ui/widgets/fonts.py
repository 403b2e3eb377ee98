"""The one monospace font every code, JSON and response view uses: letters that line up."""

from __future__ import annotations

import functools

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF

# Narrow and wide characters: in a font whose columns line up each takes the same advance.
SAMPLE = "iIl.:|MWm@0_ "


def is_evenly_spaced(font: QFont) -> bool:
    """Each of SAMPLE takes the same width in `font`, as drawn (fallback fonts included)."""
    metrics = QFontMetricsF(font)
    return len({metrics.horizontalAdvance(char) for char in SAMPLE}) == 1


def monospace_font() -> QFont:
    """The system's fixed font when its letters measure evenly spaced, else the first family
    that does (those Qt calls fixed pitch first), at the system fixed font's size.

    Qt's own word is not enough either way: fontconfig does not call Noto Sans Mono monospace
    (not every one of its glyphs has the one width), so Qt says it is not fixed pitch though its
    letters line up; and where `monospace` resolves to a proportional font, Qt still lists the
    alias `Monospace` as fixed pitch.
    """
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if not is_evenly_spaced(font):
        family = _evenly_spaced_family()
        if family is not None:  # none at all: the system's choice is as good as any
            font.setFamily(family)
    return font


@functools.cache  # the fonts a process sees do not change; measuring them all takes a while
def _evenly_spaced_family() -> str | None:
    system = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    latin = QFontDatabase.families(QFontDatabase.WritingSystem.Latin)
    for name in sorted(latin, key=lambda name: not QFontDatabase.isFixedPitch(name)):
        candidate = QFont(system)
        candidate.setFamily(name)
        if is_evenly_spaced(candidate):
            return name
    return None
