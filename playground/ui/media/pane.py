"""Previews of the media in one answer, for the response view, a compare column and the history.

A binary body is known by its first bytes and Content-Type; a JSON body is searched for base64
media on a worker thread (never parsed on the GUI thread), where images are decoded and scaled
too. Images go to one ImageViewer (a strip when there are several); each piece of audio gets the
widget `media_card()` makes.

Feeding it: `clear()`; a binary body's pieces to `add_binary()` as they arrive, then
`finish_binary()` when it has ended; a JSON body's raw bytes to `show_json()`; a body kept whole
(the history's) to `show_body()`. `text_ready` then carries a JSON body's text with each media
string elided (the host shows it instead; its Copy and Save keep the real bytes), and
`media_ready` says the previews are on screen.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from dataclasses import replace
from typing import cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from playground.core.media import sniff
from playground.core.media_scan import MediaItem, elided_text, find_in_raw, might_hold_media
from playground.ui.media.cards import MediaCard, media_card
from playground.ui.media.image_view import ImageViewer, LoadedImage, load_image
from playground.ui.media.worker import run_off_thread
from playground.ui.widgets.response_body import PREVIEW_BYTES

__all__ = ["MediaPane"]

HEAD_BYTES = 64 * 1024  # of decoded media, read again for what the base64's head could not say
START_DELAY_MS = 40
SNIFF_BYTES = 2048  # a binary body's head, kept to know it by (two MP3 frames fit)


class MediaPane(QWidget):
    """Hidden until an answer holds media; then its previews."""

    text_ready = Signal(str, bool)  # a JSON body's text with its media elided; pretty-printed?
    media_ready = Signal()

    def __init__(self, parent: QWidget | None = None, *, preview: int = PREVIEW_BYTES) -> None:
        super().__init__(parent)
        self.setObjectName("mediaPane")
        self.preview = preview
        self.viewer = ImageViewer()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.viewer, 1)
        self._layout.addStretch(0)
        self._cards: list[QWidget] = []
        self._generation = 0
        self.clear()

    # --- public surface ------------------------------------------------------------------------

    @property
    def is_media(self) -> bool:
        """The answer holds media (known so far)."""
        return bool(self.items) or self._binary is not None

    @property
    def cards(self) -> list[QWidget]:
        return list(self._cards)

    def clear(self) -> None:
        self._generation += 1  # whatever a worker is doing for the last answer is dropped
        self.items: list[MediaItem] = []
        self._early: list[bytes] = []  # a binary body's pieces until it is known by its head
        self._early_size = 0
        self._content_type = ""
        self._is_sniffed = False
        self._binary: MediaItem | None = None
        self._streamed: MediaCard | None = None
        for card in self._cards:
            card.deleteLater()
        self._cards = []
        self.viewer.set_images([], [])
        self.viewer.hide()
        self.hide()

    def add_binary(self, data: bytes, content_type: str) -> None:
        """A piece of a binary body. Audio gets its card at once and follows the stream."""
        if self._streamed is not None:
            self._streamed.add_data(data)
        if self._is_sniffed:
            return
        self._content_type = content_type
        self._early.append(data)
        self._early_size += len(data)
        if self._early_size >= SNIFF_BYTES:
            self._sniff_binary()

    def finish_binary(self, whole: Callable[[], bytes], *, is_cut: bool = False) -> None:
        """The binary body has ended (`is_cut`: broken off); `whole()` is called off the GUI
        thread for its bytes."""
        if not self._early_size:
            return
        if not self._is_sniffed:
            self._sniff_binary()
        if self._binary is None:
            return
        item = replace(self._binary, is_cut=is_cut)
        generation = self._generation

        def work() -> tuple[MediaItem, LoadedImage | None]:
            data = whole()
            done = replace(item, data=data, cut_at=len(data) if is_cut else 0)
            return done, _image_of(done)

        run_off_thread(self, work, lambda result: self._on_binary_loaded(generation, *result))

    def show_json(
        self, raw: bytes, text: str | None = None, is_pretty: bool = False, *, cut_at: int = 0
    ) -> bool:
        """A JSON body's raw bytes (`cut_at`: kept only so far, as the history keeps it). True
        when its head looks like media: then `text_ready` comes with the text to show, elided,
        or `text` as given when it held no media after all (laying out a wall of base64 only to
        replace it held the window ~60 ms)."""
        generation, preview = self._generation, self.preview
        is_deferred = might_hold_media(raw[:preview])

        def work() -> tuple[str, bool, list[MediaItem], list[LoadedImage | None]] | None:
            items, found = [], []
            for hit in find_in_raw(raw):
                try:
                    data = hit.decode()
                except binascii.Error:  # base64 at its head only: text after all
                    continue
                # Its whole head now: a JPEG's size is past what the string's head held.
                hit = replace(hit, media=sniff(data[:HEAD_BYTES], size=len(data)) or hit.media)
                found.append(hit)
                items.append(MediaItem(hit.media, "", data, hit.encoding, hit.is_cut, cut_at))
            if not found:
                return (text, is_pretty, [], []) if is_deferred and text is not None else None
            elided, pretty, labels = elided_text(raw, found, preview)
            items = [replace(item, label=label) for item, label in zip(items, labels, strict=True)]
            return elided, pretty, items, [_image_of(item) for item in items]

        # Started after the events at hand (the body's arrival): a worker holding the GIL meanwhile
        # makes each of the GUI thread's Qt calls wait for it (benchmarks/media_response.py).
        QTimer.singleShot(
            0,
            self,
            lambda: run_off_thread(
                self, work, lambda found: self._on_json_scanned(generation, found)
            ),
        )
        return is_deferred

    def show_body(self, data: bytes, content_type: str, *, size: int) -> None:
        """A body kept whole, or cut at `len(data)` of `size` bytes (the history's copy)."""
        if "json" in content_type:
            self.show_json(data, cut_at=len(data) if size > len(data) else 0)
            return
        self.add_binary(data, content_type)
        self.finish_binary(lambda: data, is_cut=size > len(data))

    # --- internals -----------------------------------------------------------------------------

    def _sniff_binary(self) -> None:
        self._is_sniffed = True
        early = b"".join(self._early)
        self._early = []
        media = sniff(early, self._content_type, size=None)
        if media is None:
            return
        self._binary = MediaItem(media, "body")
        if media.kind == "audio":
            self._streamed = self._add_card(self._binary)
            self._streamed.add_data(early)  # the card follows the stream from its first byte
            self.show()

    def _add_card(self, item: MediaItem) -> MediaCard:
        card = media_card(MediaItem(item.media, item.label, b"", item.encoding), self)
        # Cards keep their height at the top; the viewer (when there are images) takes the rest.
        self._layout.insertWidget(self._layout.count() - 1, card)
        self._cards.append(card)
        return cast(MediaCard, card)

    def _on_binary_loaded(
        self, generation: int, item: MediaItem, image: LoadedImage | None
    ) -> None:
        if generation != self._generation:
            return
        self.items = [item]
        if self._streamed is not None:
            self._streamed.finish(item)
        else:
            self._show_images([item], [image])
        self.show()
        self.media_ready.emit()

    def _on_json_scanned(
        self,
        generation: int,
        result: tuple[str, bool, list[MediaItem], list[LoadedImage | None]] | None,
    ) -> None:
        if generation != self._generation or result is None:
            return
        text, is_pretty, items, images = result
        self.text_ready.emit(text, is_pretty)
        if not items:
            return
        self.items = items
        pictures = [(item, image) for item, image in zip(items, images, strict=True)]
        shown = [(item, image) for item, image in pictures if item.media.kind == "image"]
        if shown:
            self._show_images([item for item, _ in shown], [image for _, image in shown])
        for item in items:
            if item.media.kind == "audio":
                self._add_card(item).finish(item)
        self.show()
        self.media_ready.emit()

    def _show_images(self, items: list[MediaItem], images: list[LoadedImage | None]) -> None:
        self.viewer.set_images(items, images)
        self.viewer.show()


def _image_of(item: MediaItem) -> LoadedImage | None:
    """Decoded on the worker; a cut image is not decoded (its decoder would complain)."""
    if item.media.kind != "image" or item.is_cut or not item.data:
        return None
    return load_image(item.data)


def with_previews(text_view: QPlainTextEdit) -> tuple[QWidget, MediaPane]:
    """A page of previews over a body's text view, the text elided when the pane says so."""
    page = QWidget()
    pane = MediaPane(page)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(pane, 3)
    layout.addWidget(text_view, 1)
    pane.text_ready.connect(lambda text, _is_pretty: text_view.setPlainText(text))
    return page, pane
