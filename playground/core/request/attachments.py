"""Files in a JSON body: a `FileRef` stands where a file's base64 (or data URL) goes, shown and
stored as a short token, and turned into the file's bytes only when the request is sent.

A `FileRef` is a `str` whose value is its token, e.g. `⟨audio.wav · 1.2 MB · base64⟩`: a body
holding one is still plain JSON for the editor, validation, history and `RequestSpec.to_dict`.
What reads the real data asks for it: `expand` (the client, before sending, off the event loop),
`FileRef.encoded`, code export (which reads the file at run time) and a preset's or a suite's
`files` table (`files_to_dict` / `files_from_dict`: paths relative to the file's folder; a
preset never keeps the bytes, a suite handed to its worker keeps pasted ones as base64).
"""

from __future__ import annotations

import base64
import contextlib
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from playground.core.errors import InvalidRequest
from playground.core.media import sniff
from playground.core.text import human_size

__all__ = [
    "ENCODINGS",
    "Encoding",
    "FileRef",
    "MissingFile",
    "bind",
    "expand",
    "expand_async",
    "file_refs",
    "files_from_dict",
    "files_to_dict",
    "has_files",
    "map_leaves",
    "mime_of",
]

Encoding = Literal["base64", "data-url"]
ENCODINGS: tuple[Encoding, ...] = get_args(Encoding)
SNIFF_BYTES = 4096  # enough of a file's head for core.media to know its kind


class MissingFile(InvalidRequest):
    """A file a body refers to cannot be read: the message names it and where it was looked for."""


def mime_of(name: str, data: bytes, size: int | None = None) -> str:
    """A file's type by its bytes (or its head, of a file of `size`) first (a name can lie),
    then by its name."""
    media = sniff(data[:SNIFF_BYTES], size=len(data) if size is None else size)
    if media is not None:
        return media.mime
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def encode(data: bytes, encoding: Encoding, mime: str) -> str:
    """`data` as base64, or as a `data:MIME;base64,…` URL."""
    text = base64.b64encode(data).decode("ascii")
    return f"data:{mime};base64,{text}" if encoding == "data-url" else text


def _check_encoding(encoding: str) -> Encoding:
    for known in ENCODINGS:
        if encoding == known:
            return known
    raise ValueError(f"unknown file encoding {encoding!r}; one of {', '.join(ENCODINGS)}")


class FileRef(str):
    """A file in a body. Its string value is its token; `path` is absolute (None for bytes
    that were pasted, held in `data`), `encoding` says how it is sent, `mime` what it is."""

    path: Path | None
    encoding: Encoding
    mime: str
    size: int
    data: bytes | None

    def __new__(
        cls,
        token: str,
        *,
        path: Path | None = None,
        encoding: str = "base64",
        mime: str = "",
        size: int = 0,
        data: bytes | None = None,
    ) -> FileRef:
        if (path is None) == (data is None):
            raise ValueError("a file reference has a path or bytes, one of them")
        ref = super().__new__(cls, token)
        ref.path = Path(path).absolute() if path is not None else None
        ref.encoding = _check_encoding(encoding)
        ref.size = len(data) if data is not None else size
        ref.data = data
        ref.mime = mime or "application/octet-stream"
        return ref

    def __reduce__(self) -> tuple[Any, ...]:  # copy and deepcopy keep what a str would not
        return (_rebuild, (str(self), self.path, self.encoding, self.mime, self.size, self.data))

    @classmethod
    def from_path(
        cls, path: str | os.PathLike[str], encoding: str = "base64", *, taken: Iterable[str] = ()
    ) -> FileRef:
        """A reference to the file at `path` (its head is read for its type, the rest only when
        sent); MissingFile if it cannot be read. `taken`: tokens already in use."""
        where = Path(path).absolute()
        try:
            with where.open("rb") as file:
                head = file.read(SNIFF_BYTES)
                size = os.fstat(file.fileno()).st_size
        except OSError as exc:
            raise MissingFile(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None
        mime = mime_of(where.name, head, size)
        encoding = _check_encoding(encoding)
        token = make_token(where.name, size, encoding, taken)
        return cls(token, path=where, encoding=encoding, mime=mime, size=size)

    @classmethod
    def from_bytes(
        cls, data: bytes, name: str, encoding: str = "base64", *, taken: Iterable[str] = ()
    ) -> FileRef:
        """Bytes with no file behind them (an image pasted from the clipboard)."""
        encoding = _check_encoding(encoding)
        token = make_token(name, len(data), encoding, taken)
        return cls(token, data=data, encoding=encoding, mime=mime_of(name, data))

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else str(self)[1:].split(" · ")[0]

    def read(self) -> bytes:
        """The file's bytes as they are now; MissingFile naming it and where it was expected."""
        if self.data is not None:
            return self.data
        assert self.path is not None  # one of the two, checked in __new__
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise MissingFile(
                f"{self.path.name} is missing: it was expected at {self.path}"
            ) from None
        except OSError as exc:
            raise MissingFile(
                f"cannot read {self.path.name} at {self.path}: {exc.strerror or exc}"
            ) from None

    def encoded(self) -> str:
        """What is sent in its place: the file as base64 or as a data URL."""
        return encode(self.read(), self.encoding, self.mime)

    def problem(self) -> str:
        """Why it could not be sent now ("" when its file is there)."""
        if self.path is not None and not self.path.is_file():
            return f"{self.path.name} is missing: it was expected at {self.path}"
        return ""


def _rebuild(
    token: str, path: Path | None, encoding: str, mime: str, size: int, data: bytes | None
) -> FileRef:
    return FileRef(token, path=path, encoding=encoding, mime=mime, size=size, data=data)


def make_token(name: str, size: int, encoding: Encoding, taken: Iterable[str] = ()) -> str:
    """`⟨audio.wav · 1.2 MB · base64⟩`, with ` #2`, ` #3` … when that one is taken."""
    used = set(taken)
    name = " ".join(name.replace("⟩", ")").split()) or "file"
    base = f"⟨{name} · {human_size(size)} · {encoding}"
    token, number = base + "⟩", 1
    while token in used:
        number += 1
        token = f"{base} #{number}⟩"
    return token


# --- bodies --------------------------------------------------------------------------------------


# A token that is plain text, not a FileRef: its file is not known here (a body from history, or
# typed). Sending it as it is would send the token's text in place of the file.
_TOKEN = re.compile(r"⟨[^⟩]+ · [\d.]+ [KMGT]?B · (?:base64|data-url)(?: #\d+)?⟩")


def _walk(body: Any, *, orphans: bool = False) -> Iterator[str]:
    if isinstance(body, FileRef):
        yield body
    elif isinstance(body, str):
        if orphans and body[:1] == "⟨" and _TOKEN.fullmatch(body):
            yield body
    elif isinstance(body, dict):
        for value in body.values():
            yield from _walk(value, orphans=orphans)
    elif isinstance(body, list):
        for value in body:
            yield from _walk(value, orphans=orphans)


def _encoded(value: Any) -> Any:
    if isinstance(value, FileRef):
        return value.encoded()
    if isinstance(value, str) and value[:1] == "⟨" and _TOKEN.fullmatch(value):
        raise MissingFile(
            f"{value} stands for a file that is not known here (a body from history, or "
            "typed): insert the file again"
        )
    return value


def file_refs(body: Any) -> list[FileRef]:
    """Every file reference in `body`, in order."""
    return [ref for ref in _walk(body) if isinstance(ref, FileRef)]


def has_files(body: Any) -> bool:
    return next(_walk(body), None) is not None


def map_leaves(body: Any, leaf: Callable[[Any], Any]) -> Any:
    """`body` with every value that is not an object or a list passed through `leaf`."""
    if isinstance(body, dict):
        return {key: map_leaves(value, leaf) for key, value in body.items()}
    if isinstance(body, list):
        return [map_leaves(value, leaf) for value in body]
    return leaf(body)


def expand(body: Any) -> Any:
    """`body` with each file reference replaced by its data, as it is sent; MissingFile if a
    file is gone, or for a token whose file is not known. A body without one is returned as
    it is."""
    if next(_walk(body, orphans=True), None) is None:
        return body
    return map_leaves(body, _encoded)


async def expand_async(body: Any) -> Any:
    """`expand` in a worker thread when there are files to read: a big file never holds up the
    event loop (nor the window's)."""
    if next(_walk(body, orphans=True), None) is None:
        return body
    import asyncio  # here: the window imports this module before its first paint, asyncio after

    return await asyncio.to_thread(expand, body)


def bind(body: Any, refs: Mapping[str, FileRef]) -> Any:
    """`body` (parsed from text) with each string that is a known token made its `FileRef`."""
    if not refs:
        return body
    return map_leaves(
        body, lambda value: refs.get(value, value) if isinstance(value, str) else value
    )


# --- a preset's `files` table --------------------------------------------------------------------


def files_to_dict(
    body: Any, folder: Path | None, *, pasted: bool = False
) -> dict[str, dict[str, str]]:
    """`{token: {"path": …, "encoding": …}}` for each file in `body`: the path relative to
    `folder` (with `/`, so a project folder works in git on any system), never a file's bytes.
    Pasted bytes have no file to point at: with `pasted`, they are kept as `{"data": base64}`;
    else ValueError."""
    table: dict[str, dict[str, str]] = {}
    for ref in file_refs(body):
        if ref.path is not None:
            path = ref.path.as_posix()
            if folder is not None:
                # On another drive (Windows) there is no relative path: the full one is kept.
                with contextlib.suppress(ValueError):
                    path = Path(os.path.relpath(ref.path, Path(folder).absolute())).as_posix()
            entry = {"path": path}
        elif pasted:
            entry = {"data": base64.b64encode(ref.data or b"").decode("ascii")}
        else:
            raise ValueError(
                f"{ref} was pasted, not inserted from a file: a preset keeps files by path, so "
                "save it as a file and insert that"
            )
        if ref.encoding != "base64":
            entry["encoding"] = ref.encoding
        if ref.mime != "application/octet-stream":
            entry["type"] = ref.mime
        table[str(ref)] = entry
    return table


def files_from_dict(data: Any, folder: Path | None) -> dict[str, FileRef]:
    """The inverse of `files_to_dict`: each token's reference, a relative path read from
    `folder`. A missing file is not an error here (the preset still opens); sending says so,
    naming it and where it was expected. ValueError, in words, for a malformed table."""
    if not isinstance(data, Mapping):
        raise ValueError("files must be an object of token: {path, encoding}")
    refs: dict[str, FileRef] = {}
    for token, entry in data.items():
        if isinstance(entry, Mapping) and isinstance(entry.get("data"), str):  # pasted bytes
            refs[token] = FileRef(
                token,
                data=base64.b64decode(entry["data"], validate=True),  # binascii.Error: a ValueError
                encoding=str(entry.get("encoding", "base64")),
                mime=str(entry.get("type", "")),
            )
            continue
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            raise ValueError(f"files: {token!r} needs a path (a string) or pasted `data`")
        path = Path(entry["path"])
        if folder is not None and not path.is_absolute():
            path = Path(folder) / path
        mime = entry.get("type") or mimetypes.guess_type(path.name, strict=False)[0] or ""
        refs[token] = FileRef(
            token,
            path=Path(os.path.normpath(path.absolute())),
            encoding=str(entry.get("encoding", "base64")),
            mime=str(mime),
            size=path.stat().st_size if path.is_file() else 0,
        )
    return refs


MAX_IMAGE_BYTES = 20 * 1024 * 1024  # what OpenAI-compatible servers commonly take per image


def image_ref(path: str | os.PathLike[str], *, taken: Iterable[str] = ()) -> FileRef:
    """An image file (PNG, JPEG, GIF, WebP) for a chat message's `image_url`: a data-URL FileRef,
    read when sent. InvalidRequest for a file that is missing, too big or not an image."""
    ref = FileRef.from_path(path, "data-url", taken=taken)
    if ref.size > MAX_IMAGE_BYTES:
        raise InvalidRequest(f"The image {ref.name} is larger than 20 MB.")
    if not ref.mime.startswith("image/"):
        raise InvalidRequest(f"{ref.name} is not a PNG, JPEG, GIF or WebP image.")
    return ref
