"""`pip install .` into a fresh virtualenv gives a working `playground` with its resources."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from playground.resources import APP_ID
from tests.packaging.helpers import ROOT, project_version

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_pip_install_gives_a_working_command(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            tmp_path,
            env,
        ).strip()
    )
    # The dependencies (Qt and the rest) come from this interpreter's site-packages, found after
    # the new venv's own, so that only Playground itself is built and installed here.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    started = time.perf_counter()
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(ROOT),
        ],
        tmp_path,
        env,
    )
    took = time.perf_counter() - started
    assert took < 120, f"pip install . took {took:.0f} s"

    assert _run([str(venv / "bin" / "playground"), "--version"], tmp_path, env) == (
        f"playground {project_version()}\n"
    )
    found = _run(
        [
            str(python),
            "-c",
            "import playground.resources as r; "
            "print(r.root()); print(r.icon_file(512)); print(len(r.stylesheet()))",
        ],
        tmp_path,
        env,
    ).splitlines()
    assert found[0] == str(site / "playground" / "_resources")
    assert Path(found[1]).is_file()
    assert int(found[2]) > 0
    # A desktop entry and icons land under the prefix (~/.local with `pip install --user`).
    assert (venv / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert (venv / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
