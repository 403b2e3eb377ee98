"""An audio answer: its waveform, duration, sample rate and channels, play/pause/seek, and Save
as its own format (raw PCM as .pcm or .wav); streamed audio grows and plays as it arrives."""

from __future__ import annotations

import array
import os
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import miniaudio
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from playground.core.audio import (
    Pcm,
    StreamDecoder,
    Unplayable,
    decode,
    pcm_format,
    samples_of,
    wav_bytes,
)
from playground.core.media import Media
from playground.core.text import human_size
from playground.ui.media.player import Player
from playground.ui.media.saving import save_off_thread
from playground.ui.media.waveform import WaveformWidget

TICK_MS = 40  # the playhead's pace while playing
REDRAW_MS = 100  # a streamed waveform is redrawn at most this often


def default_backends() -> list[miniaudio.Backend] | None:
    """The devices to try: the system's, unless PLAYGROUND_AUDIO_BACKEND=null says the null
    device (headless runs and screenshots)."""
    if os.environ.get("PLAYGROUND_AUDIO_BACKEND", "").lower() == "null":
        return [miniaudio.Backend.NULL]
    return None


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}:{rest:04.1f}"


class AudioView(QWidget):
    """`AudioView(data, media)` for a whole body; `AudioView.streaming(media)`, then `feed` each
    chunk and `finish`, for one that is still arriving."""

    def __init__(
        self,
        data: bytes,
        media: Media,
        parent: QWidget | None = None,
        *,
        backends: Sequence[miniaudio.Backend] | None = None,
        is_streaming: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("audioView")
        self.media = media
        self._data = bytearray(data)
        self._backends = default_backends() if backends is None else list(backends)
        self._samples = array.array("h")
        self._rate, self._channels = media.sample_rate or 0, media.channels or 1
        self._player: Player | None = None
        self._decoder = StreamDecoder(media) if is_streaming else None
        self._problem = ""
        self._build_ui()
        self._connect()
        if self._decoder is None:
            self._take(decode(data, media))
        else:
            self.status_label.setText("Receiving…")
        self._update()

    @classmethod
    def streaming(
        cls,
        media: Media,
        parent: QWidget | None = None,
        *,
        backends: Sequence[miniaudio.Backend] | None = None,
    ) -> AudioView:
        """A view for audio still arriving: `feed` it the body's chunks (the first included)."""
        return cls(b"", media, parent, backends=backends, is_streaming=True)

    def _build_ui(self) -> None:
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("audioPlayButton")
        self.waveform = WaveformWidget()
        self.time_label = QLabel()
        self.time_label.setObjectName("audioTime")
        self.info_label = QLabel()
        self.info_label.setObjectName("audioInfo")
        self.status_label = QLabel()
        self.status_label.setObjectName("audioStatus")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton("Save…")
        self.save_button.setObjectName("audioSaveButton")
        self.save_button.setToolTip(f"Save the audio ({self.media.extension})")
        top = QHBoxLayout()
        top.addWidget(self.play_button)
        top.addWidget(self.waveform, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.time_label)
        bottom.addWidget(self.info_label, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.status_label)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)

    def _connect(self) -> None:
        self.play_button.clicked.connect(self._on_play_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.waveform.seek_requested.connect(self.seek)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._redraw.timeout.connect(self._update)

    # --- the public surface -----------------------------------------------------------------

    @property
    def duration_s(self) -> float:
        return len(self._samples) / self._channels / self._rate if self._rate else 0.0

    @property
    def position_s(self) -> float:
        return self._player.position / self._rate if self._player and self._rate else 0.0

    @property
    def is_playing(self) -> bool:
        return self._player is not None and self._player.is_playing

    @property
    def is_streaming(self) -> bool:
        return self._decoder is not None

    def body(self) -> bytes:
        return bytes(self._data)

    def feed(self, chunk: bytes) -> None:
        """The next chunk of a streamed body: decoded at once, played and drawn as it comes."""
        if self._decoder is None:
            raise RuntimeError("feed() is for a view made by AudioView.streaming()")
        self._data += chunk
        out = self._decoder.feed(chunk)
        if out:
            self._add(samples_of(out), self._decoder.rate or 0, self._decoder.channels)
        if not self._redraw.isActive():
            self._redraw.start()

    def finish(self) -> None:
        """The streamed body has ended: what could only be decoded whole is decoded now."""
        if self._decoder is None:
            return
        decoder, self._decoder = self._decoder, None
        rest = decoder.finish()
        if rest is not None:
            self._take(rest)
        elif self._player is not None:
            self._player.complete()
        if not self._samples and not self._problem:
            self._problem = "No audio arrived"
        self._redraw.stop()
        self._update()

    def play(self) -> None:
        if self._player is None or self._problem:
            return
        self._player.play()
        self._tick.start()
        self._update()

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()
        self._update()

    def seek(self, frame: int) -> None:
        """Play from `frame` (a frame of the samples: seconds × rate)."""
        if self._player is not None:
            self._player.seek(frame)
        self._update()

    def save_to(self, path: Path) -> None:
        """The body as it came; as a WAV when raw PCM is saved to a `.wav` name. Written on a
        worker; the status says "Saved …" (or why not) once it is on disk."""
        save_off_thread(self, path, self._saved_bytes(path), self.status_label.setText)

    def _saved_bytes(self, path: Path) -> bytes:
        if self.media.format == "pcm" and path.suffix.lower() == ".wav" and self._rate:
            return wav_bytes(Pcm(self._samples, self._rate, self._channels))
        return bytes(self._data)

    def release(self) -> Future[None] | None:
        """Let the audio device go (it is let go too when the view is destroyed); the future is
        done once it has gone (None: there was none)."""
        if shiboken6.isValid(self):
            self._tick.stop()
        player, self._player = self._player, None
        return player.close() if player is not None else None

    # --- inside -----------------------------------------------------------------------------

    def _take(self, result: Pcm | Unplayable) -> None:
        if isinstance(result, Unplayable):
            self._problem = result.reason
            if self._player is not None:
                self._player.complete()
            return
        self._add(result.samples, result.rate, result.channels, complete=True)

    def _add(
        self, samples: array.array[int], rate: int, channels: int, *, complete: bool = False
    ) -> None:
        if self._player is None:
            self._rate, self._channels = rate, max(channels, 1)
            self._player = Player(rate, self._channels, backends=self._backends)
            self.destroyed.connect(self._player.close)
            self.waveform.set_samples(self._samples, self._channels)
        self._samples.extend(samples)
        self._player.append(samples, complete=complete)

    def _on_play_button_clicked(self) -> None:
        if self.is_playing:
            self.pause()
        else:
            self.play()

    def _on_tick_timeout(self) -> None:
        player = self._player
        if player is None or (not player.is_playing and player.state != "opening"):
            self._tick.stop()
        self._update()

    def _update(self) -> None:
        player = self._player
        if player is not None and player.state == "failed":
            self._problem = player.error
        self.waveform.samples_changed()
        self.waveform.set_position(player.position if player else 0)
        self.play_button.setText("Pause" if self.is_playing and not self._problem else "Play")
        self.play_button.setEnabled(player is not None and not self._problem)
        self.time_label.setText(f"{clock_text(self.position_s)} / {clock_text(self.duration_s)}")
        self.info_label.setText(self._info())
        if self._problem:
            keeps = "" if "Save…" in self._problem else ". Save… keeps the audio."
            self.status_label.setText(self._problem + keeps)
        elif self._decoder is not None:
            self.status_label.setText(f"Receiving… {self.duration_s:.1f} s so far")
        elif not self.status_label.text().startswith(("Saved", "Saving", "Could not save")):
            self.status_label.clear()

    def _info(self) -> str:
        media = self.media
        if self._rate and self._samples:
            fmt = pcm_format(media)
            bits = 16 if media.format in ("mp3", "ogg") else (fmt.bits if fmt else media.bits)
            media = replace(
                media,
                sample_rate=self._rate,
                channels=self._channels,
                bits=bits,
                duration_s=self.duration_s,
            )
        return f"{media.describe()} · {human_size(len(self._data))}"

    def _on_save_button_clicked(self) -> None:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Save audio")
        dialog.setObjectName("saveAudioDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        filters = [f"{self.media.format.upper()} audio (*{self.media.extension})"]
        if self.media.format == "pcm":
            filters = ["Raw PCM (*.pcm)", "WAV, with a header (*.wav)"]
        dialog.setNameFilters(filters)
        dialog.selectFile("audio" + self.media.extension)
        dialog.fileSelected.connect(self._on_save_dialog_file_selected)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_save_dialog_file_selected(self, name: str) -> None:
        self.save_to(Path(name))
