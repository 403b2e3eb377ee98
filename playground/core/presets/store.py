"""Where presets live: the user's folder, a project folder (for a team's git) and read-only
example folders; saved atomically, broken files set aside, deletes undone."""

from __future__ import annotations

import contextlib
import difflib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playground.core.files import write_atomically
from playground.core.presets.preset import NewerPreset, Preset, PresetError, read_preset, slug
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
    asked to, takes `name 2`). Saving over an example writes the user's own copy, which is then
    shown instead. A file that cannot be read is renamed aside (`x.json.broken-<time>`) and the
    others load; one from a newer Playground is left untouched. Deleted files go to `.trash`,
    from where `undo` puts them back. Paths are injected: the app passes
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
                if path.name.startswith(".") or not path.is_file():
                    continue
                try:
                    preset = read_preset(path)
                except NewerPreset as exc:
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
        folder; an example is copied to `where` instead)."""
        old = replacing if replacing is not None and not replacing.is_read_only else None
        folder, source = (old.path.parent, old.source) if old else self._writable(where)
        clash = self._clash(preset.name, replacing)
        if clash is not None:
            if on_clash == "fail":
                raise NameTaken(preset.name, clash.path)
            preset = preset.renamed(self._free_name(preset.name))
        text = preset.to_text()  # before any file is touched: it may refuse
        same_file = old is not None and slug(preset.name) == slug(old.name)
        path = old.path if old is not None and same_file else _free_path(folder, slug(preset.name))
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
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
        folder = entry.path.parent
        path = entry.path if not entry.path.exists() else _free_path(folder, slug(preset.name))
        if preset is entry.preset:
            os.replace(kept, path)
        else:
            write_atomically(path, preset.to_text().encode("utf-8"))
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
            write_atomically(dest, entries[0].preset.to_text().encode("utf-8"))
            return [dest]
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for entry in entries:
            path = _free_path(dest, slug(entry.name))
            write_atomically(path, entry.preset.to_text().encode("utf-8"))
            written.append(path)
        return written

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

    def _free_name(self, name: str) -> str:
        number = 2
        while self._clash(f"{name} {number}", None) is not None:
            number += 1
        return f"{name} {number}"

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


def _free_path(folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.json"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.json"
        number += 1
    return path


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
