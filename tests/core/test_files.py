"""Atomic writes: the whole new file or the old one, never half, and no temporary left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.core.files import write_atomically


def test_writes_and_replaces_keeping_the_mode(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "out.json"
    write_atomically(path, b"first")
    path.chmod(0o600)
    write_atomically(path, b"second")
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["out.json"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "out.json"
    write_atomically(path, b"old")
    with pytest.raises(TypeError):  # the write itself fails, after the temporary file exists
        write_atomically(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == ["out.json"]
