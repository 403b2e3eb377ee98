"""The remotes a person has: Baseten built in, the ones they added (one versioned JSON file), and
those `~/.trussrc` names (read only). A remote is URLs and a name; its key lives in the keyring."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.files import write_atomically
from playground.core.paths import remotes_file
from playground.core.remote.keys import trussrc_keys
from playground.core.remote.remotes import Remote

SCHEMA_VERSION = 1
BUILT_IN = "baseten"
_FIELDS = ("inference", "management", "model_apis")


class RemoteConfigError(ValueError):
    """A remote that cannot be added or found, said in words."""


def remote_from_url(name: str, url: str) -> Remote:
    """A remote from what a person has at hand: a dashboard URL (`https://app.baseten.co`,
    `app.staging.baseten.co`) or the base URL of a local Baseten-compatible server."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise RemoteConfigError(
            f"A remote's name is letters, digits, - and _ (it names the key), not {name!r}"
        )
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    if host in ("127.0.0.1", "localhost", "::1") or url.startswith("http://"):
        return Remote.local(url, name=name)
    try:
        return Remote.for_app_url(url, name)
    except ValueError as exc:
        raise RemoteConfigError(str(exc)) from None


@dataclass
class RemoteStore:
    """`path` is the JSON file of added remotes; a broken one is set aside, never fatal."""

    path: Path
    trussrc: Path | None = None  # None: the user's ~/.trussrc
    problems: list[str] = field(default_factory=list)

    @classmethod
    def default(cls) -> RemoteStore:
        """The user's remotes file, in the config folder."""
        return cls(remotes_file())

    def added(self) -> dict[str, Remote]:
        """The remotes added by hand, in the order they were added."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            if data.get("schema_version") != SCHEMA_VERSION:
                raise ValueError(f"unknown schema_version {data.get('schema_version')!r}")
            return {
                item["name"]: Remote(item["name"], *(item[f] for f in _FIELDS))
                for item in data["remotes"]
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._set_aside(exc)
            return {}

    def all(self) -> dict[str, Remote]:
        """Baseten, then what `~/.trussrc` names, then the added ones (they win on a name)."""
        remotes = {BUILT_IN: Remote.baseten()}
        for entry in trussrc_keys(self.trussrc):
            try:
                remotes.setdefault(
                    entry.section, Remote.for_app_url(entry.remote_url, entry.section)
                )
            except ValueError:
                continue
        remotes.update(self.added())
        return remotes

    def get(self, name: str) -> Remote:
        remotes = self.all()
        if name not in remotes:
            known = ", ".join(remotes)
            raise RemoteConfigError(f"No remote named {name!r}; known: {known}")
        return remotes[name]

    def add(self, remote: Remote) -> None:
        if remote.name == BUILT_IN:
            raise RemoteConfigError("'baseten' is built in; pick another name")
        remotes = self.added()
        remotes[remote.name] = remote
        self._write(remotes)

    def remove(self, name: str) -> None:
        remotes = self.added()
        if name not in remotes:
            raise RemoteConfigError(f"No added remote named {name!r}")
        del remotes[name]
        self._write(remotes)

    def _write(self, remotes: dict[str, Remote]) -> None:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "remotes": [
                {"name": r.name, **{f: getattr(r, f) for f in _FIELDS}} for r in remotes.values()
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, (json.dumps(data, indent=2) + "\n").encode())

    def _set_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        self.path.replace(aside)
        self.problems.append(
            f"{self.path.name} could not be read ({exc}); it was moved to {aside.name} and the "
            "added remotes start empty."
        )
