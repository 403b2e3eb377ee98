"""Start `playground emulator` in a child process on a free loopback port, for benchmarks."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

KEY = "bench-key-0123456789"


@contextmanager
def emulator_process() -> Iterator[str]:
    """Yield the base URL of a local server running in its own process (so it has its own GIL)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playground",
            "emulator",
            "--port",
            "0",
            "--key",
            KEY,
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base = ""
        for _ in range(10):
            line = proc.stdout.readline()
            match = re.search(r"base URL:\s+(\S+)", line)
            if match:
                base = match.group(1)
                break
        if not base:
            raise RuntimeError("the local server did not start")
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
