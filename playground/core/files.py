"""Our files: written all or nothing (never half a file, a new one never over another's, never a
key), and read back with every way a file can fail said in words, never raised as Python's own
error."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from playground.core.jsontext import DEEP, InvalidJson, too_deep
from playground.core.jsontext import parse_json as parse
from playground.core.secrets import REDACTOR

PIECE = 1024 * 1024  # masked a piece at a time: a big body never holds the GIL for long
# Bigger than any preset or settings file a person makes (a body with a few images inlined is a
# few MB); a file this big is a mistake, and reading it would only fill the memory.
MAX_READ_BYTES = 64 * 1024 * 1024


class FileProblem(ValueError):
    """A file whose content cannot be used; the message says why, in words (with the line and
    column where there is one)."""


class UnreadableFile(FileProblem):
    """A file that cannot be read at all (no permission, a folder, a pipe): nothing is known to be
    wrong with what it holds, so it is left where it is, as it is."""


class MissingFile(UnreadableFile):
    """There is no file there (or it went away while being read)."""


def write_atomically(path: Path, data: bytes) -> None:
    """A temporary file in the same folder, synced, then renamed over `path`: all or nothing.
    A key in use is masked, whoever put it in `data` (a body typed with it, a server's echo)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            _write_masked(file, data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Write `path` only where no file is: FileExistsError if one is. The check and the creation
    are one step (a hard link to the finished temporary file), so of two processes writing the
    same new name exactly one gets it, and no reader ever sees half a file. Keys are masked."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            _write_masked(file, data)
        os.chmod(temp, 0o644)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (FAT, some network shares)
            _create_exclusively(path, data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _create_exclusively(path: Path, data: bytes) -> None:
    """`O_CREAT | O_EXCL`: still one process per name; a kill mid-write leaves a new file half
    written (never an old one), which the next read reports."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as file:
            _write_masked(file, data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _write_masked(file: BinaryIO, data: bytes) -> None:
    """`data` with every key in use masked, a piece at a time, then synced to the disk."""
    masked = REDACTOR.data_stream()
    for start in range(0, len(data), PIECE):
        file.write(masked.feed(data[start : start + PIECE]))
    file.write(masked.end())
    file.flush()
    os.fsync(file.fileno())


def read_text(path: Path, *, max_bytes: int = MAX_READ_BYTES) -> str:
    """The UTF-8 text of the regular file `path`; UnreadableFile when it cannot be read (never
    blocking on a pipe), FileProblem when what it holds is too big or not UTF-8."""
    # O_NONBLOCK: opening a named pipe would otherwise wait for a writer, for ever.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise MissingFile(_cannot_read(exc)) from None
    except OSError as exc:
        raise UnreadableFile(_cannot_read(exc)) from None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise UnreadableFile("it is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableFile("it is not a regular file (a pipe or a device)")
            if info.st_size > max_bytes:
                raise FileProblem(_too_big(info.st_size, max_bytes))
            raw = file.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(_cannot_read(exc)) from None
    except MemoryError:
        raise FileProblem("it is too big to read into memory") from None
    if len(raw) > max_bytes:  # it grew since the size was taken
        raise FileProblem(_too_big(len(raw), max_bytes))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        byte = raw[exc.start]
        raise FileProblem(
            f"it is not UTF-8 text: byte 0x{byte:02x} at line {line}, column {column}"
        ) from None


def parse_json(text: str) -> Any:
    """`text` as JSON; FileProblem in words (with the line and column) for whatever cannot be
    read: bad syntax, lists nested more than DEEP levels, numbers too long (jsontext.py)."""
    try:
        # Files of ours never go near DEEP levels: one limit for every file, whatever the stack.
        if problem := too_deep(text, DEEP):
            raise problem
        return parse(text)
    except InvalidJson as exc:
        raise FileProblem(f"it is not valid JSON: {exc}") from None
    except MemoryError:
        raise FileProblem("it is too big to read into memory") from None


def read_json(path: Path, *, max_bytes: int = MAX_READ_BYTES) -> Any:
    """`read_text` then `parse_json`: every way the file can fail is a FileProblem, in words."""
    return parse_json(read_text(path, max_bytes=max_bytes))


def _cannot_read(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    return f"it cannot be read ({exc.strerror or exc})"


def _too_big(size: int, limit: int) -> str:
    return f"it is {size / 2**20:.0f} MB, and Playground reads files of up to {limit // 2**20} MB"


def _position(data: bytes, index: int) -> tuple[int, int]:
    """The line and column (both from 1) of `index`, as json says them."""
    return data.count(b"\n", 0, index) + 1, index - data.rfind(b"\n", 0, index)
