"""A plain-text editor that asks to send on Ctrl+Enter (Cmd+Enter on macOS)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit


def is_send_key(event: QKeyEvent) -> bool:
    from PySide6.QtCore import Qt  # not at import: the `Qt` namespace costs start-up time

    # Qt reports macOS's Command key as ControlModifier, so this is Cmd+Enter there.
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier
    )


class SendingTextEdit(QPlainTextEdit):
    """Emits `send_requested` on Ctrl+Enter instead of inserting a line break."""

    send_requested = Signal()

    def event(self, event: QEvent) -> bool:
        # Claim Ctrl+Enter before a window-wide QShortcut for the same keys can take it, so that
        # send_requested is the one path by which the editor asks for a send.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and is_send_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_send_key(event):
            event.accept()
            self.send_requested.emit()
            return
        super().keyPressEvent(event)
