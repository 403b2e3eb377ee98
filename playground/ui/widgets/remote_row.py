"""Which remote a window talks to, and with which key (masked): the line above the target."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from playground.core.remote.remotes import Remote
from playground.ui.widgets.labels import ElidedLabel, make_plain


class RemoteRow(QWidget):
    def __init__(self, remote: Remote, key_label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.remote = remote
        self.name_label = QLabel(remote.name)
        self.name_label.setObjectName("remoteName")
        bold = self.name_label.font()
        bold.setBold(True)
        self.name_label.setFont(bold)
        # Plain text: Qt's rich-text engine is ~4 ms before the paint. A long URL is cut in the
        # middle when the row is tight; the key's mask never is.
        self.remote_label = ElidedLabel(f"· {remote.label}")
        self.remote_label.setObjectName("remoteLabel")
        self.key_label = QLabel()
        self.key_label.setObjectName("keyLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.name_label)
        layout.addWidget(self.remote_label)
        layout.addWidget(self.key_label)
        layout.addStretch(1)
        self.set_key_label(key_label)

    def finish_setup(self) -> None:
        """After the first paint: what uses Qt's enums (~30 ms the first time)."""
        make_plain([self.name_label, self.remote_label, self.key_label])

    def set_key_label(self, key_label: str) -> None:
        self.key_label.setText(f"· key {key_label}" if key_label else "")
