"""The `playground` command as a user runs it: --version, the emulator subcommand, and --demo's window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from PySide6.QtGui import QImage

from playground import __version__


def _run(
    *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playground", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_version_comes_from_package_metadata() -> None:
    out = _run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"playground {__version__}"


def test_emulator_prints_its_url_and_key_and_serves() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playground",
            "emulator",
            "--port",
            "0",
            "--key",
            "k-123",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        text = "".join(lines)
        match = re.search(r"base URL:\s+(http://127\.0\.0\.1:(\d+))", text)
        assert match, text
        assert int(match.group(2)) > 0
        assert "API key:    k-123" in text
        base = match.group(1)
        response = httpx.post(
            f"{base}/model-q8mz3kvd/environments/production/predict",
            headers={"Authorization": "Api-Key k-123"},
            json={"text": "great"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["label"] == "positive"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_emulator_reports_a_port_in_use() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = _run("emulator", "--port", str(port))
    assert out.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr


def test_demo_paints_a_real_window(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = _run("--demo", "--screenshot", str(shot), env=env)
    assert out.returncode == 0, out.stderr
    image = QImage(str(shot))
    assert image.width() >= 800
    assert image.height() >= 500
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 10, "the screenshot is blank"


def test_without_a_display_the_window_says_so() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    out = _run(env=env)
    assert out.returncode == 2
    assert "no display found" in out.stderr
