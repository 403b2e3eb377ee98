"""Where presets live: the user's folder, a project folder (for a team's git) and read-only
example folders; saved atomically (a new file never over another process's), broken files set
aside, unreadable ones left be, deletes undone."""

from __future__ import annotations

import contextlib
import difflib
import itertools
import os
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playground.core.files import write_atomically, write_new
from playground.core.presets.preset import (
    NewerPreset,
    Preset,
    PresetError,
    UnreadablePreset,
    read_preset,
    slug,
)
from playground.core.request.spec import MODES

# --- where presets live ------------------------------------------------------------------------

Source = Literal["project", "user", "example"]
Where = Literal["user", "project"]
SOURCE_ORDER: dict[Source, int] = {"project": 0, "user": 1, "example": 2}
TRASH = ".trash"
STALE_PART_S = 600  # a temporary file this old is a save that was killed, not one under way
TRASH_KEPT_S = 30 * 24 * 3600


class NameTaken(PresetError):
    """Another preset already has this name."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(f"a preset named {name!r} already exists ({path.name}); pick another name")
        self.name = name
        self.path = path


@dataclass(frozen=True)
class StoredPreset:
    """A preset and the file it lives in."""

    preset: Preset
    path: Path
    source: Source

    @property
    def name(self) -> str:
        return self.preset.name

    @property
    def is_read_only(self) -> bool:
        return self.source == "example"


@dataclass(frozen=True)
class SetAside:
    """A file that was not loaded, why, and where it went (None: left where it was)."""

    path: Path
    reason: str
    moved_to: Path | None = None

    @property
    def message(self) -> str:
        if self.moved_to is not None:
            return f"{self.path.name} was set aside as {self.moved_to.name}: {self.reason}."
        return f"{self.path.name} was not loaded: {self.reason}."


@dataclass
class ImportResult:
    saved: list[StoredPreset] = field(default_factory=list)
    problems: list[SetAside] = field(default_factory=list)


class PresetStore:
    """Presets in the user's folder, an optional project folder and read-only example folders.

    Names are unique among the presets shown: saving a name that is taken raises NameTaken (or,
    asked to, takes `name 2`), also when another process saved it since `load`: a new file is
    created only where none is, in one step, so no save ever lands over another. Only an update
    of the preset itself (`replacing=`) writes over a file. Saving over an example writes the
    user's own copy, which is then shown instead. A file whose content is broken is renamed
    aside (`x.json.broken-<time>`) and the others load; one that cannot be read at all (no
    permission, a folder) or from a newer Playground is left untouched. Deleted files go to
    `.trash`, from where `undo` puts them back. Paths are injected: the app passes
    `paths.presets_dir()`, tests a `tmp_path`.
    """

    def __init__(
        self,
        user_dir: Path,
        project_dir: Path | None = None,
        example_dirs: Iterable[Path] = (),
        *,
        set_aside: bool = True,
    ) -> None:
        self.user_dir = Path(user_dir)
        self.project_dir = Path(project_dir) if project_dir is not None else None
        self.example_dirs = tuple(Path(folder) for folder in example_dirs)
        self.set_aside = set_aside  # False: report broken files but leave them be (the CLI)
        self.problems: list[SetAside] = []
        self._entries: list[StoredPreset] = []
        self._trash: list[tuple[StoredPreset, Path]] = []

    def folders(self) -> list[tuple[Path, Source]]:
        found: list[tuple[Path, Source]] = []
        if self.project_dir is not None:
            found.append((self.project_dir, "project"))
        found.append((self.user_dir, "user"))
        found.extend((folder, "example") for folder in self.example_dirs)
        return found

    def load(self) -> list[SetAside]:
        """Read every folder again; returns the files not loaded (also kept in `problems`)."""
        entries: list[StoredPreset] = []
        problems: list[SetAside] = []
        for folder, source in self.folders():
            if not folder.is_dir():
                continue
            if source != "example":
                _tidy(folder)
            for path in sorted(folder.glob("*.json")):
                if path.name.startswith("."):
                    continue
                try:
                    preset = read_preset(path)
                except (NewerPreset, UnreadablePreset) as exc:
                    problems.append(SetAside(path, str(exc)))
                except PresetError as exc:
                    problems.append(self._put_aside(path, str(exc), source))
                else:
                    entries.append(StoredPreset(preset, path, source))
        self._entries, self.problems = entries, problems
        return problems

    def set_project_dir(self, folder: Path | None) -> list[SetAside]:
        self.project_dir = Path(folder) if folder is not None else None
        return self.load()

    def presets(self) -> list[StoredPreset]:
        """The presets shown, by name; an example the user saved over shows as the user's copy."""
        own = {e.name.casefold() for e in self._entries if not e.is_read_only}
        shown = [e for e in self._entries if not (e.is_read_only and e.name.casefold() in own)]
        return sorted(shown, key=lambda e: (e.name.casefold(), SOURCE_ORDER[e.source]))

    def search(self, text: str) -> list[StoredPreset]:
        """Those whose name, target, mode, route or folder hold every word of `text`, any case."""
        words = text.casefold().split()
        return [e for e in self.presets() if all(word in _haystack(e) for word in words)]

    def get(self, name_or_path: str | Path) -> StoredPreset:
        """A preset by name (any case) or by its file; PresetError naming near names if none."""
        for entry in self._entries:
            if _same_file(entry.path, Path(name_or_path)):
                return entry
        wanted = str(name_or_path)
        for entry in self.presets():
            if entry.name.casefold() == wanted.casefold():
                return entry
        names = [entry.name for entry in self.presets()]
        near = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
        if near:
            hint = "; did you mean " + " or ".join(repr(n) for n in near) + "?"
        else:
            hint = f"; there are: {', '.join(names[:10])}" if names else "; there are none yet"
        raise PresetError(f"no preset named {wanted!r}{hint}")

    # --- changes -------------------------------------------------------------------------------

    def save(
        self,
        preset: Preset,
        *,
        where: Where = "user",
        replacing: StoredPreset | None = None,
        on_clash: Literal["fail", "suffix"] = "fail",
    ) -> StoredPreset:
        """Write `preset` atomically. `replacing` is the stored preset it updates (it stays in its
        folder, and only it is written over; an example is copied to `where` instead)."""
        old = replacing if replacing is not None and not replacing.is_read_only else None
        folder, source = (old.path.parent, old.source) if old else self._writable(where)
        clash = self._clash(preset.name, replacing)
        if clash is not None:
            if on_clash == "fail":
                raise NameTaken(preset.name, clash.path)
            preset = preset.renamed(self._free_name(preset.name))
        text = preset.to_text(folder)  # before any file is touched: it may refuse
        folder.mkdir(parents=True, exist_ok=True)
        if old is not None and slug(preset.name) == slug(old.name):
            path = old.path
            write_atomically(path, text.encode("utf-8"))
        else:
            preset, path = self._create(folder, preset, on_clash)
        if old is not None and old.path != path:
            with contextlib.suppress(FileNotFoundError):  # the new file is in place first
                old.path.unlink()
        gone = {path} | ({old.path} if old else set())
        stored = StoredPreset(preset, path, source)
        self._entries = [e for e in self._entries if e.path not in gone] + [stored]
        return stored

    def add(self, presets: Iterable[Preset], *, where: Where = "user") -> list[StoredPreset]:
        """Save new presets, each under a free name (`name 2` if `name` is taken)."""
        return [self.save(preset, where=where, on_clash="suffix") for preset in presets]

    def rename(self, entry: StoredPreset, name: str) -> StoredPreset:
        if entry.is_read_only:
            raise PresetError(f"{entry.name!r} is an example; duplicate it to make one of your own")
        if name.strip() == entry.name:
            return entry
        return self.save(entry.preset.renamed(name), replacing=entry)

    def duplicate(self, entry: StoredPreset, name: str | None = None) -> StoredPreset:
        where: Where = "project" if entry.source == "project" else "user"
        copy = entry.preset.renamed(name or f"{entry.name} copy")
        return self.save(copy, where=where, on_clash="suffix")

    def delete(self, entry: StoredPreset) -> None:
        """Move the file to its folder's `.trash`; `undo` brings it back."""
        if entry.is_read_only:
            raise PresetError(f"{entry.name!r} is an example that ships with Playground")
        trash = entry.path.parent / TRASH
        trash.mkdir(exist_ok=True)
        kept = trash / f"{entry.path.stem}-{time.time_ns()}.json"
        os.replace(entry.path, kept)
        self._trash.append((entry, kept))
        self._entries = [e for e in self._entries if e.path != entry.path]

    @property
    def can_undo(self) -> bool:
        return bool(self._trash)

    def undo(self) -> StoredPreset | None:
        """Put the last deleted preset back (as `name 2` if its name was taken meanwhile)."""
        if not self._trash:
            return None
        entry, kept = self._trash.pop()
        preset = entry.preset
        if self._clash(preset.name, None) is not None:
            preset = preset.renamed(self._free_name(preset.name))
        data = kept.read_bytes() if preset is entry.preset else None  # the file as it was
        preset, path = self._create(entry.path.parent, preset, "suffix", data, first=entry.path)
        kept.unlink()
        stored = StoredPreset(preset, path, entry.source)
        self._entries.append(stored)
        return stored

    def import_path(self, path: Path, *, where: Where = "user") -> ImportResult:
        """Copy a preset file, or each preset file in a folder, in (as `name 2` if taken);
        files that cannot be read are reported and left as they are."""
        result = ImportResult()
        if path.is_dir():
            files = sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
        else:
            files = [path]
        for file in files:
            try:
                preset = read_preset(file)
            except PresetError as exc:
                result.problems.append(SetAside(file, str(exc)))
                continue
            result.saved.append(self.save(preset, where=where, on_clash="suffix"))
        return result

    def export(self, entries: Sequence[StoredPreset], dest: Path) -> list[Path]:
        """One preset to `dest` itself when it names a .json file; else each into the folder
        `dest`, never over a file already there."""
        if len(entries) == 1 and dest.suffix.lower() == ".json":
            dest.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(dest, entries[0].preset.to_text(dest.parent).encode("utf-8"))
            return [dest]
        dest.mkdir(parents=True, exist_ok=True)
        return [
            _write_new(dest, slug(entry.name), entry.preset.to_text(dest).encode("utf-8"))
            for entry in entries
        ]

    # --- helpers -------------------------------------------------------------------------------

    def _writable(self, where: Where) -> tuple[Path, Source]:
        if where == "project":
            if self.project_dir is None:
                raise PresetError("no project folder is chosen")
            return self.project_dir, "project"
        return self.user_dir, "user"

    def _clash(self, name: str, replacing: StoredPreset | None) -> StoredPreset | None:
        skip = replacing.path if replacing is not None else None
        wanted = " ".join(name.split()).casefold()
        return next(
            (e for e in self.presets() if e.name.casefold() == wanted and e.path != skip), None
        )

    def _free_name(self, name: str, taken: Collection[str] = ()) -> str:
        number = 2
        while (
            self._clash(f"{name} {number}", None) is not None
            or f"{name} {number}".casefold() in taken
        ):
            number += 1
        return f"{name} {number}"

    def _create(
        self,
        folder: Path,
        preset: Preset,
        on_clash: Literal["fail", "suffix"],
        data: bytes | None = None,
        *,
        first: Path | None = None,
    ) -> tuple[Preset, Path]:
        """`preset` in a new file of `folder` (`first` if free, else the first free
        `slug.json`, `slug-2.json`, …). Another process may have saved the same name since
        `load`: that is a clash found on disk, handled as `on_clash` says."""
        name, tried = preset.name, set[str]()
        while True:
            if data is None or preset.name != name:
                data = preset.to_text(folder).encode("utf-8")
            try:
                return preset, _write_new(folder, slug(preset.name), data, preset.name, first)
            except NameTaken:
                if on_clash == "fail":
                    raise
            tried.add(preset.name.casefold())
            preset = preset.renamed(self._free_name(name, tried))

    def _put_aside(self, path: Path, reason: str, source: Source) -> SetAside:
        if source == "example" or not self.set_aside:
            return SetAside(path, reason)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.broken-{stamp}")
        number = 2
        while target.exists():
            target = path.with_name(f"{path.name}.broken-{stamp}-{number}")
            number += 1
        try:
            path.rename(target)
        except OSError as exc:
            return SetAside(path, f"{reason} (it could not be moved aside: {exc.strerror})")
        return SetAside(path, reason, target)


def _write_new(
    folder: Path, stem: str, data: bytes, name: str | None = None, first: Path | None = None
) -> Path:
    """`data` in the first of `first`, `stem.json`, `stem-2.json`, … where no file is, taken in
    one step (two processes never get the same one). With `name`: NameTaken when a file on the
    way holds a preset of that name (another process saved it since this one looked)."""
    paths = (
        folder / f"{stem}-{n}.json" if n > 1 else folder / f"{stem}.json"
        for n in itertools.count(1)
    )
    for path in itertools.chain([first] if first is not None else [], paths):
        try:
            write_new(path, data)
        except FileExistsError:
            if name is not None and _holds(path, name):
                raise NameTaken(name, path) from None
            continue
        return path
    raise AssertionError("unreachable: the names never run out")


def _holds(path: Path, name: str) -> bool:
    try:
        held = read_preset(path).name
    except PresetError:
        return False
    return held.casefold() == " ".join(name.split()).casefold()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return b.is_file() and a.samefile(b)
    except OSError:
        return False


def _haystack(entry: StoredPreset) -> str:
    request = entry.preset.request
    parts = (entry.name, request.where, dict(MODES)[request.mode], request.route, entry.source)
    return " ".join((*parts, entry.preset.remote)).casefold()


def _tidy(folder: Path) -> None:
    """Remove what killed saves left behind, and deleted presets older than a month."""
    now = time.time()
    olds = [(p, STALE_PART_S) for p in folder.glob(".*.part")]
    olds += [(p, TRASH_KEPT_S) for p in (folder / TRASH).glob("*.json")]
    for path, age in olds:
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > age:
                path.unlink()
