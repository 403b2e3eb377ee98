"""The desktop bundle: packaging/build makes it and its tarball; it starts offscreen in demo mode
and paints the real window."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from playground.resources import APP_ID
from tests.packaging.helpers import PACKAGING, ROOT, project_version

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # the build takes 30-60 s


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the bundle's folder, the tarball), built once for this module."""
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST_DIR": str(out / "dist"),
        "BUILD_DIR": str(out / "build"),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [str(PACKAGING / "build")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"bundle built in {time.perf_counter() - started:.1f} s")
    tarball = Path(done.stdout.strip().splitlines()[-1])
    return out / "dist" / f"playground-{project_version()}", tarball


def _app_env(home: Path) -> dict[str, str]:
    """As a user would start it: nothing of the checkout on the path, a clean home."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def test_tarball_holds_the_bundle(built: tuple[Path, Path]) -> None:
    folder, tarball = built
    assert tarball.name == f"playground-{project_version()}-linux-x86_64.tar.gz"
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    top = folder.name
    for member in (
        "playground",
        "app/playground",
        "install-desktop-entry",
        f"share/applications/{APP_ID}.desktop",
        f"share/icons/hicolor/48x48/apps/{APP_ID}.png",
        "app/_internal/playground/_resources/style.qss",
    ):
        assert f"{top}/{member}" in names


def test_bundle_prints_its_version(built: tuple[Path, Path], tmp_path: Path) -> None:
    done = subprocess.run(
        [str(built[0] / "playground"), "--version"],
        cwd=tmp_path,
        env=_app_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == f"playground {project_version()}\n"


def test_bundle_paints_the_window_in_demo_mode(
    built: tuple[Path, Path], tmp_path: Path, qapp: QApplication
) -> None:
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [str(built[0] / "playground"), "--demo", "--screenshot", str(shot)],
        cwd=tmp_path,
        env=_app_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 760)  # MainWindow's default size
    colours = {
        image.pixel(x, y) for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
    }
    # A blank or black frame has a handful; the window with text and a stylesheet has hundreds.
    assert len(colours) > 100, f"only {len(colours)} colours: the window did not paint"
    assert QColor("#b3261e").rgb() in colours  # style.qss's production badge: resources found
