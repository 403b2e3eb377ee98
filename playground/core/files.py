"""Files written the way every file of ours is: all or nothing, never half a file, never a key."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from playground.core.secrets import REDACTOR

PIECE = 1024 * 1024  # masked a piece at a time: a big body never holds the GIL for long


def write_atomically(path: Path, data: bytes) -> None:
    """A temporary file in the same folder, synced, then renamed over `path`: all or nothing.
    A key in use is masked, whoever put it in `data` (a body typed with it, a server's echo)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            masked = REDACTOR.data_stream()
            for start in range(0, len(data), PIECE):
                file.write(masked.feed(data[start : start + PIECE]))
            file.write(masked.end())
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
