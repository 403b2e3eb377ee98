"""Temporary folders for a session whose history cannot be opened where it lives: each named by
the process that made it, removed when that session closes its history, and, when a session
died before it could, removed by a later one once nothing has touched it for a day."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "playground-history-"
STALE_S = 24 * 3600  # untouched this long, and its process gone: a session that died
OLD_FORM_S = 7 * 24 * 3600  # folders named by no process (older versions) wait longer
_NAME = re.compile(re.escape(PREFIX) + r"(?:(\d+)-)?[a-z0-9_]+")


def make_folder() -> Path:
    """A new, empty folder of this process's, in the system's temporary folder."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def remove_stale(root: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Remove the folders of sessions that died (their process gone, nothing in them written
    for a day) from `root` (the system's temporary folder); returns those removed."""
    root = Path(root or tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = []
    for folder in root.glob(f"{PREFIX}*"):
        match = _NAME.fullmatch(folder.name)
        if match is None or folder.is_symlink() or not folder.is_dir() or not _is_mine(folder):
            continue
        try:
            touched = max(p.stat().st_mtime for p in (folder, *folder.iterdir()))
        except OSError:
            continue  # going away as we look, or not ours to read
        pid = int(match.group(1)) if match.group(1) else None
        if pid is None or os.name == "nt":  # no process to ask about (or no safe way to ask)
            stale = now - touched > OLD_FORM_S
        else:
            stale = now - touched > STALE_S and not _is_running(pid)
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_mine(folder: Path) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or folder.stat().st_uid == getuid()


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal is sent: only whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and is someone else's
        return True
    return True
