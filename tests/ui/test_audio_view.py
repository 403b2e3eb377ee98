"""The audio view as a person meets it: the waveform and figures, play/pause/seek to miniaudio's null
device, no device at all, Opus named, Save in the right format, and speech streamed from the
local server growing and playing as it arrives."""

from __future__ import annotations

import array
import asyncio
import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import miniaudio
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote, Target
from playground.core.events import BinaryChunk, ResponseStarted
from playground.core.media import Media, sniff
from playground.emulator import EmulatorServer, demo
from playground.emulator.media_models import speech, wav_header
from playground.ui.media.audio_view import AudioView

NULL = [miniaudio.Backend.NULL]
RATE = 24_000


def samples(seconds: float) -> array.array[int]:
    count = round(RATE * seconds)
    return array.array(
        "h", [round(12000 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(count)]
    )


def wav(seconds: float) -> bytes:
    data = samples(seconds)
    return wav_header(2 * len(data)) + struct.pack(f"<{len(data)}h", *data)


@pytest.fixture
def views(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> Iterator[list[AudioView]]:
    # The loop fixture collects cycles on this thread when the test ends: a view's timers must
    # never be destroyed by a collection that happens to run on a server's thread.
    made: list[AudioView] = []
    yield made
    for view in made:
        closing = view.release()
        if closing is not None:  # no device thread outlives its test
            closing.result(timeout=10)


def make(qtbot: QtBot, views: list[AudioView], view: AudioView) -> AudioView:
    qtbot.addWidget(view)
    view.resize(600, 120)
    view.show()
    views.append(view)
    return view


def test_a_wav_shows_its_waveform_and_figures(qtbot: QtBot, views: list[AudioView]) -> None:
    data = wav(1.0)
    view = make(qtbot, views, AudioView(data, sniff(data), backends=NULL))  # type: ignore[arg-type]
    assert view.info_label.text() == "WAV audio, 24000 Hz, mono, 16-bit, 1.00 s · 47 KB"
    assert view.time_label.text() == "0:00.0 / 0:01.0"
    assert view.play_button.isEnabled()
    assert view.save_button.isEnabled()
    columns = view.waveform.column_peaks()
    assert len(columns) == view.waveform.width()
    assert all(lo < -10000 and hi > 10000 for lo, hi in columns)  # a loud tone throughout
    assert view.status_label.text() == ""


def test_play_pause_seek_and_the_end_on_the_null_device(
    qtbot: QtBot, views: list[AudioView]
) -> None:
    data = wav(0.6)
    view = make(qtbot, views, AudioView(data, sniff(data), backends=NULL))  # type: ignore[arg-type]
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    assert view.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: view.position_s > 0.05)
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    assert view.play_button.text() == "Play"
    assert not view.is_playing
    paused_at = view.position_s
    qtbot.wait(150)
    assert view.position_s == paused_at  # paused: the device plays silence, the place stays
    # A click at the waveform's middle seeks there.
    middle = QPoint(view.waveform.width() // 2, view.waveform.height() // 2)
    qtbot.mouseClick(view.waveform, Qt.MouseButton.LeftButton, pos=middle)
    assert abs(view.position_s - 0.3) < 0.01
    assert view.time_label.text().startswith("0:00.3 / ")
    view.play()
    # It plays to the end and stops, and the button says so.
    qtbot.waitUntil(lambda: view.play_button.text() == "Play", timeout=5000)
    assert not view.is_playing
    assert view.position_s == pytest.approx(0.6)
    assert view.time_label.text() == "0:00.6 / 0:00.6"
    view.play()  # from the end: from the start again
    qtbot.waitUntil(lambda: 0 < view.position_s < 0.5)


def test_with_no_audio_device_it_says_so_and_still_saves(
    qtbot: QtBot, views: list[AudioView], tmp_path: Path
) -> None:
    data = wav(0.3)
    # miniaudio's custom backend with no callbacks never opens: a machine with no device.
    no_device = [miniaudio.Backend.CUSTOM]
    view = make(qtbot, views, AudioView(data, sniff(data), backends=no_device))  # type: ignore[arg-type]
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "No audio device" in view.status_label.text())
    assert view.status_label.text().endswith("Save… keeps the audio.")
    assert not view.play_button.isEnabled()
    assert view.save_button.isEnabled()
    view.save_to(tmp_path / "kept.wav")
    saved(qtbot, view, "kept.wav")
    assert (tmp_path / "kept.wav").read_bytes() == data


def saved(qtbot: QtBot, view: AudioView, name: str) -> None:
    """Wait until the view says `name` is on disk (saving happens on a worker)."""
    qtbot.waitUntil(
        lambda: view.status_label.text().startswith("Saved") and name in view.status_label.text()
    )


OPUS_HEAD = b"OggS\x00\x02" + bytes(20) + b"\x01\x13" + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00"


def test_opus_is_named_and_saved_as_opus(
    qtbot: QtBot, views: list[AudioView], tmp_path: Path
) -> None:
    data = OPUS_HEAD + bytes(200)
    view = make(qtbot, views, AudioView(data, sniff(data), backends=NULL))  # type: ignore[arg-type]
    assert view.status_label.text() == "Opus audio cannot be played here; Save… keeps it"
    assert not view.play_button.isEnabled()
    assert view.save_button.isEnabled()
    assert view.info_label.text().startswith("Opus audio, 48000 Hz, mono")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    dialog = view.findChild(QFileDialog, "saveAudioDialog")
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.selectedFiles()[0].endswith("audio.opus")
    dialog.selectFile(str(tmp_path / "speech.opus"))
    dialog.accept()
    qtbot.waitUntil(lambda: view.status_label.text().startswith("Saved"))  # written on a worker
    assert (tmp_path / "speech.opus").read_bytes() == data
    assert view.status_label.text() == "Saved 244 B to speech.opus"


def test_raw_pcm_saves_as_pcm_or_as_a_wav(
    qtbot: QtBot, views: list[AudioView], tmp_path: Path
) -> None:
    tone = samples(0.25)
    data = struct.pack(f">{len(tone)}h", *tone)
    media = sniff(data[:64], "audio/L16;rate=24000;channels=1", size=len(data))
    assert media is not None
    view = make(qtbot, views, AudioView(data, media, backends=NULL))
    assert view.info_label.text().startswith("PCM audio, 24000 Hz, mono, 16-bit, 0.25 s")
    view.save_to(tmp_path / "a.pcm")
    saved(qtbot, view, "a.pcm")
    assert (tmp_path / "a.pcm").read_bytes() == data  # byte for byte, as it came
    view.save_to(tmp_path / "a.wav")
    saved(qtbot, view, "a.wav")
    with wave.open(str(tmp_path / "a.wav"), "rb") as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            RATE,
            1,
            2,
        )
        frames = reader.readframes(reader.getnframes())
    assert array.array("h", frames) == tone  # little-endian, as a WAV's are


async def stream_into(server: EmulatorServer, target: Target, views: list[AudioView]) -> int:
    """Feed the speech model's stream into a streaming view; how many chunks it took."""
    client = BasetenClient(Remote.local(server.base_url), server.api_key)
    chunks = 0
    try:
        async for event in client.predict(target, {"text": "hello you"}):
            if isinstance(event, ResponseStarted):
                content_type = event.content_type
            elif isinstance(event, BinaryChunk):
                if not views:
                    media = sniff(event.data, content_type)
                    assert media is not None
                    views.append(AudioView.streaming(media, backends=NULL))
                views[0].feed(event.data)
                chunks += 1
                if chunks == 3:
                    views[0].play()  # while bytes still arrive
                    assert views[0].is_streaming
                    assert views[0].is_playing
    finally:
        await client.aclose()
    return chunks


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_streamed_speech_grows_and_plays_as_it_arrives(
    qtbot: QtBot,
    views: list[AudioView],
    loop: asyncio.AbstractEventLoop,
    emulator: EmulatorServer,
    environment: str,
) -> None:
    target = Target(demo.SPEECH, "environment", environment)
    chunks = loop.run_until_complete(stream_into(emulator, target, views))
    view = views[0]
    qtbot.addWidget(view)
    assert chunks > 3
    assert view.status_label.text().startswith("Receiving… ")
    expected = [sample for piece in speech("hello you") for sample in piece]
    view.finish()
    assert view.duration_s == len(expected) / RATE
    assert view.time_label.text().endswith(
        f" / {view.duration_s // 60:.0f}:{view.duration_s:04.1f}"
    )
    assert view.status_label.text() == ""
    qtbot.waitUntil(lambda: view.position_s > 0)  # playing since the third chunk
    fmt = "WAV" if environment == "production" else "PCM"
    assert view.info_label.text().startswith(f"{fmt} audio, 24000 Hz, mono, 16-bit, ")


def test_a_stream_that_brings_no_audio_says_so(qtbot: QtBot, views: list[AudioView]) -> None:
    media = Media("audio", "wav", "audio/wav", ".wav")
    view = make(qtbot, views, AudioView.streaming(media, backends=NULL))
    view.feed(b"RIFF\xff\xff\xff\xffWAVE")
    assert view.status_label.text() == "Receiving… 0.0 s so far"
    view.finish()
    assert view.status_label.text() == "No audio arrived. Save… keeps the audio."
    assert not view.play_button.isEnabled()
