"""The webhook inbox in the window: start and stop the receiver on a loopback port, the exact
`webhook_endpoint` to send (the tunnel's public URL when one is set), filling it in for async
sends, and the webhook secrets, kept in the keyring by name and never shown once entered."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.core.jobs.webhook_secrets import forget_secret, secret_names, store_secret
from playground.core.remote.keys import KeyringUnavailable
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import RequestSpec
from playground.ui.look import set_state

if TYPE_CHECKING:
    from playground.ui.host import WindowHost
    from playground.ui.jobs.controller import JobsController

WHY_A_TUNNEL = (
    "Baseten sends webhooks only to public HTTPS URLs and cannot reach a laptop. Run a tunnel "
    "or relay of your own that forwards a public HTTPS URL to this inbox (for example "
    "<code>cloudflared tunnel --url http://127.0.0.1:PORT</code> or <code>ngrok http PORT</code>) "
    "and give its URL below. With the local server no tunnel is needed: loopback works as is."
)


def use_inbox(host: WindowHost, endpoint: str) -> str:
    """Put `endpoint` in the window's async webhook field (switching to Async predict);
    returns what to tell the person."""
    spec = host.request_spec()
    if isinstance(spec, str):
        return f"Not filled in: {spec}"
    if spec.mode not in ("predict", "async") or spec.target is None:
        return "Not filled in: switch to Async predict with a model picked first."
    options = dataclasses.replace(spec.async_options or AsyncOptions(), webhook_endpoint=endpoint)
    async_spec = RequestSpec(
        "async", spec.target, spec.body, async_options=options, headers=spec.headers
    )
    host.load_request(async_spec)
    return f"Async sends now go to the inbox: {endpoint}"


class InboxDialog(QDialog):
    def __init__(self, controller: JobsController, host: WindowHost) -> None:
        super().__init__(host.widget())
        self.setObjectName("inboxDialog")
        self.setWindowTitle("Webhook inbox")
        self.controller = controller
        self.host = host
        self._build_ui()
        self._connect()
        self._update_state()
        self._update_secrets()

    def _build_ui(self) -> None:
        settings = self.controller.inbox_settings
        why = QLabel(WHY_A_TUNNEL.replace("PORT", str(settings.port)))
        why.setWordWrap(True)
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("inboxPort")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setValue(settings.port)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("startInboxButton")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopInboxButton")
        self.state_label = QLabel("")
        self.state_label.setObjectName("inboxDialogState")
        self.state_label.setWordWrap(True)
        self.public_edit = QLineEdit(settings.public_url)
        self.public_edit.setObjectName("publicUrlEdit")
        self.public_edit.setPlaceholderText("https://my-tunnel.example.dev (empty: loopback only)")
        self.public_problem = QLabel("")
        self.public_problem.setObjectName("publicUrlProblem")
        set_state(self.public_problem, "tone", "error")
        self.endpoint_edit = QLineEdit()
        self.endpoint_edit.setObjectName("endpointEdit")
        self.endpoint_edit.setReadOnly(True)
        self.copy_button = QPushButton("Copy")
        self.use_button = QPushButton("Use the inbox for async sends")
        self.use_button.setObjectName("useInboxButton")
        run_row = QHBoxLayout()
        for widget in (self.port_spin, self.start_button, self.stop_button):
            run_row.addWidget(widget)
        run_row.addStretch(1)
        endpoint_row = QHBoxLayout()
        endpoint_row.addWidget(self.endpoint_edit, 1)
        endpoint_row.addWidget(self.copy_button)
        form = QFormLayout()
        form.addRow("Port on 127.0.0.1", _widget(run_row))
        form.addRow("", self.state_label)
        form.addRow("Public URL", self.public_edit)
        form.addRow("", self.public_problem)
        form.addRow("webhook_endpoint", _widget(endpoint_row))
        form.addRow("", self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(why)
        layout.addLayout(form)
        layout.addWidget(self._build_secrets())
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)
        self.resize(620, 560)

    def _build_secrets(self) -> QGroupBox:
        box = QGroupBox("Webhook secrets (kept in the system keyring)")
        self.secret_list = QListWidget()
        self.secret_list.setObjectName("secretList")
        self.secret_list.setMaximumHeight(90)
        self.secret_name_edit = QLineEdit()
        self.secret_name_edit.setObjectName("secretNameEdit")
        self.secret_name_edit.setPlaceholderText("name, e.g. current")
        self.secret_edit = QLineEdit()
        self.secret_edit.setObjectName("secretEdit")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText("whsec_… from Baseten's Secrets tab")
        self.add_secret_button = QPushButton("Add")
        self.add_secret_button.setObjectName("addSecretButton")
        self.remove_secret_button = QPushButton("Remove")
        self.remove_secret_button.setObjectName("removeSecretButton")
        self.secret_message = QLabel(
            "During a rotation keep both secrets: either one verifies a delivery."
        )
        self.secret_message.setObjectName("secretMessage")
        self.secret_message.setWordWrap(True)
        add_row = QHBoxLayout()
        add_row.addWidget(self.secret_name_edit)
        add_row.addWidget(self.secret_edit, 1)
        add_row.addWidget(self.add_secret_button)
        add_row.addWidget(self.remove_secret_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.secret_list)
        layout.addLayout(add_row)
        layout.addWidget(self.secret_message)
        return box

    def _connect(self) -> None:
        c = self.controller
        self.start_button.clicked.connect(lambda: c.start_inbox(self.port_spin.value()))
        self.stop_button.clicked.connect(c.stop_inbox)
        c.inbox_started.connect(self._update_state)
        c.inbox_stopped.connect(self._update_state)
        c.inbox_failed.connect(self._on_controller_inbox_failed)
        self.public_edit.editingFinished.connect(self._on_public_edit_finished)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.endpoint_edit.text())
        )
        self.use_button.clicked.connect(self.use_inbox)
        self.add_secret_button.clicked.connect(self.add_secret)
        self.secret_edit.returnPressed.connect(self.add_secret)
        self.remove_secret_button.clicked.connect(self.remove_secret)

    # --- what a person does ----------------------------------------------------------------------

    def use_inbox(self) -> None:
        self.host.show_status(use_inbox(self.host, self.endpoint_edit.text()), 0)

    def add_secret(self) -> None:
        name, secret = self.secret_name_edit.text().strip(), self.secret_edit.text().strip()
        self.secret_edit.clear()  # never shown again, whatever happens
        if not name or not secret:
            self._say("A secret needs a name and its value.", "error")
            return
        try:
            store_secret(name, secret)
        except KeyringUnavailable as exc:
            self._say(str(exc), "error")
            return
        self.secret_name_edit.clear()
        self._say(f"Kept {name!r} in the system keyring.", "ok")
        self._update_secrets()

    def remove_secret(self) -> None:
        item = self.secret_list.currentItem()
        if item is None:
            self._say("Pick a secret to remove.", "error")
            return
        try:
            forget_secret(item.text())
        except KeyringUnavailable as exc:
            self._say(str(exc), "error")
            return
        self._say(f"Removed {item.text()!r}.", "ok")
        self._update_secrets()

    # --- views -----------------------------------------------------------------------------------

    def _say(self, text: str, tone: str) -> None:
        self.secret_message.setText(text)
        set_state(self.secret_message, "tone", tone)

    def _update_secrets(self) -> None:
        self.secret_list.clear()
        self.secret_list.addItems(secret_names())
        self.remove_secret_button.setEnabled(self.secret_list.count() > 0)

    def _update_state(self, *_: object) -> None:
        inbox = self.controller.inbox
        running = inbox is not None
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.port_spin.setEnabled(not running)
        self.endpoint_edit.setText(self.controller.inbox_endpoint)
        if inbox is not None:
            self.state_label.setText(f"Listening on {inbox.url}")
            set_state(self.state_label, "tone", "ok")
        else:
            self.state_label.setText("Not listening.")
            set_state(self.state_label, "tone", "muted")

    # --- slots -----------------------------------------------------------------------------------

    def _on_controller_inbox_failed(self, message: str) -> None:
        self._update_state()
        self.state_label.setText(message)
        set_state(self.state_label, "tone", "error")

    def _on_public_edit_finished(self) -> None:
        url = self.public_edit.text().strip()
        if url and not url.startswith("https://"):
            self.public_problem.setText("Baseten delivers only to https:// URLs.")
            return
        self.public_problem.setText("")
        self.controller.set_public_url(url)
        self._update_state()


def _widget(layout: QHBoxLayout) -> QWidget:
    layout.setContentsMargins(0, 0, 0, 0)
    widget = QWidget()
    widget.setLayout(layout)
    return widget
