"""The WebSocket mode's page: Connect / Disconnect with the connection's state always in sight,
the composer, the live frame log with its filter and details, and the session's figures."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.request.form import NO_TARGET
from playground.core.request.spec import RequestSpec
from playground.core.ws.frames import Closed
from playground.core.ws.plan import OutFrame, WsPlan
from playground.ui import theme
from playground.ui.websocket.audio import received_audio, save_audio
from playground.ui.websocket.composer import FrameComposer
from playground.ui.websocket.controller import WsController
from playground.ui.websocket.frame_log import details, size_text
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.labels import make_plain

if TYPE_CHECKING:
    from playground.ui.host import WindowHost

STATE_COLOURS = {
    "open": "ok",
    "connecting": "info",
    "waking": "warn",
    "closing": "info",
    "failed": "error",
}
FIGURES_S = 0.25  # the figures and buttons follow a fast stream four times a second
DIRECTIONS = (("Both ways", ""), ("Sent", "sent"), ("Received", "received"))


class WsPage(QWidget):
    """A page of the window's stack (its `ModePage` for mode "websocket")."""

    def __init__(self, host: WindowHost, controller: WsController) -> None:
        super().__init__()
        self.host = host
        self.controller = controller
        self.script: tuple[OutFrame, ...] = ()  # sent on Connect: a preset's or the history's
        self._follow = True
        self._figures_at = 0.0
        self._figures_timer = QTimer(self)
        self._figures_timer.setSingleShot(True)
        self._figures_timer.setInterval(int(FIGURES_S * 1000))
        self._figures_timer.timeout.connect(self._update_figures)
        self._build_ui()
        self._connect()
        self._update_buttons()

    def _build_ui(self) -> None:
        self.state_label = QLabel("Not connected.")
        self.state_label.setObjectName("wsState")
        self.state_label.setWordWrap(True)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("wsConnectButton")
        self.disconnect_button = QPushButton("Disconnect")
        self.disconnect_button.setObjectName("wsDisconnectButton")
        top = QHBoxLayout()
        top.addWidget(self.state_label, 1)
        top.addWidget(self.connect_button)
        top.addWidget(self.disconnect_button)

        self.composer = FrameComposer()
        self.send_button = QPushButton("Send frame")
        self.send_button.setObjectName("wsSendButton")
        self.script_label = QLabel("")
        self.script_label.setObjectName("wsScript")
        self.script_label.setWordWrap(True)
        self.clear_script_button = QPushButton("Clear")
        self.clear_script_button.setObjectName("wsClearScriptButton")
        send_row = QHBoxLayout()
        send_row.addWidget(self.script_label, 1)
        send_row.addWidget(self.clear_script_button)
        send_row.addWidget(self.send_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.composer, 1)
        left_layout.addLayout(send_row)

        self.direction_combo = QComboBox()
        self.direction_combo.setObjectName("wsDirection")
        for label, value in DIRECTIONS:
            self.direction_combo.addItem(label, value)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("wsFilter")
        self.filter_edit.setPlaceholderText("Filter frames…")
        self.filter_edit.setClearButtonEnabled(True)
        self.save_audio_button = QPushButton("Save audio…")
        self.save_audio_button.setObjectName("wsSaveAudioButton")
        self.save_audio_button.setToolTip(
            "The binary frames received, in order, as one file: .wav (with a header in the "
            "format the model announced, else 16 kHz 16-bit mono) or raw .pcm"
        )
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.direction_combo)
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.save_audio_button)
        self.table = QTableView()
        self.table.setObjectName("wsFrameLog")
        self.table.setModel(self.controller.log)
        self._setup_table()
        self.details = QPlainTextEdit()
        self.details.setObjectName("wsFrameDetails")
        self.details.setReadOnly(True)
        self.details.setFont(monospace_font())
        self.details.setPlaceholderText("Pick a frame to see all of it.")
        log_split = QSplitter(Qt.Orientation.Vertical)
        log_split.addWidget(self.table)
        log_split.addWidget(self.details)
        log_split.setStretchFactor(0, 3)
        log_split.setStretchFactor(1, 2)
        self.metrics_label = QLabel("")
        self.metrics_label.setObjectName("wsMetrics")
        self.metrics_label.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(filter_row)
        right_layout.addWidget(log_split, 1)
        right_layout.addWidget(self.metrics_label)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        make_plain([self.state_label, self.script_label, self.metrics_label])

    def _setup_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setFont(monospace_font())
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no row measured, ever
        rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
        columns = table.horizontalHeader()
        columns.setStretchLastSection(True)
        for column, sample in enumerate(("↓ received ", "+0000.000 s ", "000.0 KB ")):
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(column, table.fontMetrics().horizontalAdvance(sample) + 12)

    def _connect(self) -> None:
        controller = self.controller
        self.connect_button.clicked.connect(self.connect_session)
        self.disconnect_button.clicked.connect(self.disconnect_session)
        self.send_button.clicked.connect(self.send_frame)
        self.composer.send_requested.connect(self.send)
        self.composer.changed.connect(self._update_buttons)
        self.clear_script_button.clicked.connect(lambda: self.set_script(()))
        self.save_audio_button.clicked.connect(self.ask_save_audio)
        self.filter_edit.textChanged.connect(self._update_filter)
        self.direction_combo.currentIndexChanged.connect(self._update_filter)
        controller.state_changed.connect(self._on_controller_state_changed)
        controller.session_failed.connect(self._on_controller_session_failed)
        controller.session_finished.connect(self._on_controller_session_finished)
        controller.log.rowsAboutToBeInserted.connect(self._on_log_rows_about_to_be_inserted)
        controller.log.rowsInserted.connect(self._on_log_rows_inserted)
        controller.log.modelReset.connect(self._update_metrics)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)

    # --- ModePage (ui/host.py): what the window asks of its mode's page ---------------------

    def request_spec(self) -> RequestSpec | str:
        """The session as a preset keeps it: the target and the frames to send (the script,
        else those sent in the last session, else the composer's frame)."""
        target = self.host.target()
        if target is None:
            return NO_TARGET
        frames = self.script or self.sent_frames()
        if not frames:
            composed = self.composer.frame()
            if isinstance(composed, str):
                return composed
            frames = (composed,)
        return WsPlan(target, tuple(frames)).to_spec()

    def load_spec(self, spec: RequestSpec) -> None:
        try:
            self.set_script(WsPlan.from_spec(spec).frames)
        except ValueError as exc:
            self.host.show_status(f"Cannot load this session: {exc}")

    def send(self) -> None:
        """The window's Send: Connect, or send the composed frame once connected."""
        if self.controller.is_live:
            self.send_frame()
        else:
            self.connect_session()

    def stop(self) -> None:
        self.disconnect_session()

    # --- actions ---------------------------------------------------------------------------

    def connect_session(self) -> None:
        target = self.host.target()
        if target is None:
            self.host.show_status(NO_TARGET, 5000)
            return
        self.details.clear()
        self.controller.connect_to(WsPlan(target, self.script))

    def disconnect_session(self) -> None:
        self.controller.close_session()

    def send_frame(self) -> None:
        frame = self.composer.frame()
        if isinstance(frame, str):
            self.host.show_status(frame, 5000)
        elif not self.controller.send(frame):
            self.host.show_status("Connect first: no session is open.", 5000)

    def set_script(self, frames: tuple[OutFrame, ...]) -> None:
        self.script = tuple(frames)
        self._update_buttons()

    def sent_frames(self) -> tuple[OutFrame, ...]:
        """The frames the last session sent (as far as the log keeps them)."""
        return tuple(
            OutFrame.of_text(f.data) if isinstance(f.data, str) else OutFrame.of_bytes(f.data)
            for f in self.controller.log.frames
            if f.direction == "sent"
        )

    def ask_save_audio(self) -> None:
        dialog = QFileDialog(self, "Save the received audio")
        dialog.setObjectName("wsSaveAudioDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["WAV audio (*.wav)", "Raw PCM (*.pcm)"])
        dialog.setDefaultSuffix("wav")
        dialog.selectFile("session.wav")
        dialog.fileSelected.connect(lambda name: self.save_audio_to(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # never exec(): a nested loop would break the qasync tasks

    def save_audio_to(self, path: Path) -> bool:
        self.controller.log.flush()
        data, pcm = received_audio(self.controller.log.frames)
        if not data:
            self.host.show_status("No binary frame was received: there is no audio to save.")
            return False
        try:
            save_audio(path, data, pcm)
        except OSError as exc:
            self.host.show_status(f"Could not save {path.name}: {exc.strerror or exc}")
            return False
        self.host.show_status(f"Saved {size_text(len(data))} of audio ({pcm.words}) to {path}")
        return True

    # --- view refreshers and controller events -----------------------------------------------

    def _update_buttons(self) -> None:
        busy = self.controller.is_live
        self.connect_button.setEnabled(not busy)
        self.disconnect_button.setEnabled(busy)
        self.send_button.setEnabled(busy and not isinstance(self.composer.frame(), str))
        count = len(self.script)
        self.script_label.setText(
            f"{count} frame(s) to send on Connect." if count else "Frames you send are logged."
        )
        self.clear_script_button.setVisible(bool(count))
        has_audio = any(
            isinstance(f.data, bytes) and f.direction == "received"
            for f in self.controller.log.frames[-50:]
        )
        self.save_audio_button.setEnabled(has_audio)

    def _update_filter(self, *_: object) -> None:
        self.controller.log.set_filter(self.filter_edit.text(), self.direction_combo.currentData())
        self.details.clear()

    def _update_metrics(self, *_: object) -> None:
        session = self.controller.session
        if session is None:
            self.metrics_label.setText("")
            return
        m = session.metrics
        parts = [
            f"{m.frames_sent:,} sent ({size_text(m.bytes_sent)})",
            f"{m.frames_received:,} received ({size_text(m.bytes_received)})",
        ]
        if m.first_frame_s is not None:
            parts.append(f"first frame after {m.first_frame_s * 1000:.0f} ms")
        if m.frames_per_s:
            parts.append(f"{m.frames_per_s:,.0f} frames/s")
        if m.bytes_per_s:
            parts.append(f"{size_text(int(m.bytes_per_s))}/s")
        self.metrics_label.setText(" · ".join(parts))

    def _on_controller_state_changed(self, state: str, words: str) -> None:
        colour = STATE_COLOURS.get(state, "muted")
        closed = self.controller.session.closed if self.controller.session else None
        if state == "closed" and closed is not None and not closed.is_normal:
            colour = "error"
        self.state_label.setStyleSheet(theme.styled(f"color: {{{colour}}};"))
        self.state_label.setText(words[:1].upper() + words[1:] if words else state.capitalize())
        self._update_buttons()
        self._update_metrics()

    def _on_controller_session_failed(self, error: PlaygroundError) -> None:
        hint = f" {error.hint}" if getattr(error, "hint", "") else ""
        self.host.show_status(f"WebSocket: {error}{hint}")

    def _on_controller_session_finished(self, closed: Closed) -> None:
        error = closed.error()
        if error is not None and error.hint:
            self.host.show_status(f"WebSocket {closed.words}. {error.hint}")

    def _on_log_rows_about_to_be_inserted(self, *_: object) -> None:
        bar = self.table.verticalScrollBar()
        self._follow = bar.value() >= bar.maximum() - 2  # at the end: follow it

    def _on_log_rows_inserted(self, *_: object) -> None:
        if self._follow:  # unless scrolled up to read
            self.table.scrollToBottom()
        # At most FIGURES_S apart (a wrapped label lays the page out again), the last one late.
        if time.monotonic() - self._figures_at >= FIGURES_S:
            self._update_figures()
        elif not self._figures_timer.isActive():
            self._figures_timer.start()

    def _update_figures(self) -> None:
        self._figures_at = time.monotonic()
        self._update_buttons()
        self._update_metrics()

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        frame = self.controller.log.frame_at(current.row())
        self.details.setPlainText(details(frame) if frame is not None else "")

    def hideEvent(self, event: QHideEvent) -> None:
        """Another mode was chosen (or the window closed): the session ends with it."""
        if not event.spontaneous():
            self.controller.cancel()
        super().hideEvent(event)
