"""Save as… for one piece of media: a file dialog with the right extension, written off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from playground.core.files import write_atomically
from playground.core.media_scan import MediaItem
from playground.core.text import human_size
from playground.ui.media.worker import run_off_thread


def save_media(parent: QWidget, item: MediaItem, said: Callable[[str], None]) -> QFileDialog:
    """Ask where to save `item` (its bytes, decoded from base64 if it came so), suggesting a name
    with its format's extension; `said` gets "Saving…", then "Saved …" or why not."""
    # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
    dialog = QFileDialog(parent, "Save media")
    dialog.setObjectName("saveMediaDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile(item.suggested_name)
    dialog.fileSelected.connect(lambda name: save_off_thread(parent, Path(name), item.data, said))

    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def save_off_thread(owner: QWidget, path: Path, data: bytes, said: Callable[[str], None]) -> None:
    """Write `data` to `path` atomically on a worker; `said` gets "Saving…", then "Saved …" or
    why not (on the GUI thread)."""
    said(f"Saving {human_size(len(data))} to {path.name}…")
    run_off_thread(owner, lambda: _write(path, data), said)


def _write(path: Path, data: bytes) -> str:
    try:
        write_atomically(path, data)
    except OSError as error:
        return f"Could not save {path.name}: {error.strerror or error}"
    return f"Saved {human_size(len(data))} to {path.name}"
