"""First run: offer the keys found (BASETEN_API_KEY, ~/.trussrc), or take one and keep it in the keyring."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.remote.keys import FoundKey
from playground.core.secrets import mask


class KeyDialog(QDialog):
    """Open it with `open()`, never `exec()`; `key_chosen(FoundKey, remember)` says what was picked."""

    key_chosen = Signal(object, bool)

    def __init__(
        self,
        remote_name: str,
        found: list[FoundKey],
        *,
        keyring_usable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"API key for {remote_name}")
        self._found = found
        layout = QVBoxLayout(self)
        kept = (
            "A key you paste is kept in your system keyring, never in a file of ours."
            if keyring_usable
            else "This system has no usable keyring: a key you paste is kept for this session "
            "only. Set BASETEN_API_KEY to have it every time."
        )
        intro = QLabel(f"Playground needs an API key for <b>{remote_name}</b>. {kept}")
        intro.setObjectName("keyringNote")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._group = QButtonGroup(self)
        for index, key in enumerate(found):
            button = QRadioButton(f"Use the key from {key.source} ({mask(key.key)})")
            self._group.addButton(button, index)
            layout.addWidget(button)
        # With nothing found, pasting is the only choice: no lone radio button, just the field.
        self.paste_radio = QRadioButton("Paste a key:")
        self.paste_radio.setVisible(bool(found))
        self._group.addButton(self.paste_radio, len(found))
        layout.addWidget(self.paste_radio)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Your Baseten API key")
        layout.addWidget(self.key_edit)
        self.remember = QCheckBox("Remember it in the system keyring")
        self.remember.setChecked(keyring_usable)
        self.remember.setEnabled(keyring_usable)
        self.remember.setVisible(keyring_usable)  # no keyring, nothing to offer
        layout.addWidget(self.remember)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
        (self._group.button(0) or self.paste_radio).setChecked(True)
        self.key_edit.textEdited.connect(lambda _text: self.paste_radio.setChecked(True))
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)

    def _on_accepted(self) -> None:
        index = self._group.checkedId()
        if 0 <= index < len(self._found):
            key = self._found[index]
            remember = False  # a key we found stays where it lives
        else:
            text = self.key_edit.text().strip()
            if not text:
                self.key_edit.setFocus()
                return
            key = FoundKey(text, "pasted")
            remember = self.remember.isChecked()
        self.key_chosen.emit(key, remember)
        self.accept()
