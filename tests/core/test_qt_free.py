"""`playground.core` must import without Qt: checked in a clean interpreter, and by import-linter in CI."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_without_qt_or_qasync() -> None:
    code = (
        "import sys\n"
        "import playground.core, playground.core.api.client, playground.core.remote.remotes\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6')"
        " or m.startswith(('playground.ui', 'playground.emulator')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
