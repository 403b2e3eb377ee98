"""Request ▸ Timeouts and retries…: a remote's timeouts, retries and size limit, kept per remote
in the window's settings, and each retry said on the status line as it is about to wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from playground.core.api.policy import CallSettings
from playground.core.events import Retrying
from playground.core.text import retry_text

if TYPE_CHECKING:
    from playground.ui.host import WindowHost

NO_LIMIT = "no limit"
# (field, label, most, suffix, tip)
FIELDS = (
    ("connect_timeout", "Connect timeout", 3600, " s", "To open a connection to the server."),
    (
        "read_timeout",
        "Read timeout",
        86400,
        " s",
        "The longest silence between bytes, before the first one too: a cold start or a long "
        "job is silent until it answers.",
    ),
    (
        "pool_timeout",
        "Pool timeout",
        86400,
        " s",
        "How long a request waits for a free connection while many others are in flight.",
    ),
    (
        "timeout",
        "Whole request",
        86400,
        " s",
        "A deadline for the whole request, retries included.",
    ),
    (
        "max_response_mb",
        "Largest response",
        1_000_000,
        " MB",
        "Reading stops past this size (decompressed); what arrived is kept.",
    ),
)


def _key(remote: str, name: str) -> str:
    return f"calls/{remote.replace('/', '_')}/{name}"


def load(settings: QSettings | None, remote: str) -> CallSettings:
    """The settings kept for `remote` (the defaults for what was never set)."""
    if settings is None:
        return CallSettings()
    values = {}
    for name in CallSettings().to_values():
        value = settings.value(_key(remote, name))
        if value is not None:
            values[name] = value
    return CallSettings.from_values(values)


def save(settings: QSettings | None, remote: str, chosen: CallSettings) -> None:
    """Keep what differs from the defaults; forget what is back to its default."""
    if settings is None:
        return
    defaults = CallSettings().to_values()
    for name, value in chosen.to_values().items():
        if value == defaults[name]:
            settings.remove(_key(remote, name))
        else:
            settings.setValue(_key(remote, name), value)
    settings.sync()


class CallSettingsDialog(QDialog):
    """A spin box per setting (0 shows as "no limit"); OK says what was chosen."""

    settings_chosen = Signal(object)  # CallSettings

    def __init__(self, current: CallSettings, remote: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callSettingsDialog")
        self.setWindowTitle(f"Timeouts and retries — {remote}")
        values = current.to_values()
        form = QFormLayout(self)
        self.boxes: dict[str, QDoubleSpinBox | QSpinBox] = {}
        for name, label, most, suffix, tip in FIELDS:
            box = QDoubleSpinBox()
            box.setDecimals(1)
            box.setRange(0, most)
            box.setSuffix(suffix)
            box.setSpecialValueText(NO_LIMIT)
            box.setValue(float(values[name]))
            self._add(form, name, label, tip, box)
        retries = QSpinBox()
        retries.setRange(0, 10)
        retries.setSpecialValueText("none")
        retries.setValue(int(values["retries"]))
        tip = "Retries after 429, and after 502/503 when the request cannot have run twice."
        self._add(form, "retries", "Retries", tip, retries)
        note = QLabel("For this remote, from the next request on.")
        note.setWordWrap(True)
        form.addRow(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self._on_restore_clicked)

    def _add(
        self, form: QFormLayout, name: str, label: str, tip: str, box: QDoubleSpinBox | QSpinBox
    ) -> None:
        box.setObjectName(name)
        box.setToolTip(tip)
        self.boxes[name] = box
        form.addRow(label, box)

    def chosen(self) -> CallSettings:
        return CallSettings.from_values({name: box.value() for name, box in self.boxes.items()})

    def _on_restore_clicked(self) -> None:
        for name, value in CallSettings().to_values().items():
            self.boxes[name].setValue(value)

    def _on_buttons_accepted(self) -> None:
        self.settings_chosen.emit(self.chosen())
        self.accept()


class CallSettingsFeature(QObject):
    """Applies the remote's kept settings to the window's client, offers the dialog, and puts
    each retry on the status line."""

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host.widget())
        self.host = host
        self.transport = host.client.transport
        self.transport.apply(load(host.settings, host.remote.name))
        self.action = host.add_action("&Request", "Timeouts and &retries…", "", self.ask)
        self.transport.retry_listeners.append(self._on_transport_retrying)
        host.closed.connect(self._on_host_closed)

    def ask(self) -> CallSettingsDialog:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = CallSettingsDialog(
            self.transport.settings, self.host.remote.name, self.host.widget()
        )
        dialog.settings_chosen.connect(self._on_dialog_settings_chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _on_dialog_settings_chosen(self, chosen: CallSettings) -> None:
        self.transport.apply(chosen)
        save(self.host.settings, self.host.remote.name, chosen)
        self.host.show_status("Timeouts and retries apply from the next request on.", 5000)

    def _on_transport_retrying(self, retrying: Retrying) -> None:
        if shiboken6.isValid(self):
            self.host.show_status(retry_text(retrying), 0)

    def _on_host_closed(self) -> None:
        if self._on_transport_retrying in self.transport.retry_listeners:
            self.transport.retry_listeners.remove(self._on_transport_retrying)


def install(host: WindowHost) -> CallSettingsFeature:
    return CallSettingsFeature(host)
