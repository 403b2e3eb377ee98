"""The remotes a person has: Baseten built in, the ones they added (one versioned JSON file), and
those `~/.trussrc` names (read only). A remote is URLs and a name; its key lives in the keyring."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playground.core.files import FileProblem, MissingFile, read_json, write_atomically
from playground.core.paths import remotes_file
from playground.core.remote.keys import trussrc_keys
from playground.core.remote.remotes import Remote

# Version 2 added each remote's `kind` ("baseten", or "truss" for a Truss server). A version 1
# file is read as it is (every remote in it is of kind "baseten") and written as version 2 at the
# next change; a newer version than this one knows is never written over.
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
BUILT_IN = "baseten"
_FIELDS = ("inference", "management", "model_apis")
_KINDS = ("baseten", "truss")


class RemoteConfigError(ValueError):
    """A remote that cannot be added or found, said in words."""


class RemoteFileError(RemoteConfigError):
    """The remotes file cannot be used (unreadable, broken, from a newer Playground); the message
    names it and says why. It is left as it is, never moved or written over."""


def remote_from_url(name: str, url: str) -> Remote:
    """A remote from what a person has at hand: a dashboard URL (`https://app.baseten.co`,
    `app.staging.baseten.co`) or the base URL of a local Baseten-compatible server."""
    _check_name(name)
    host = _checked_host(url)
    if host in ("127.0.0.1", "localhost", "::1") or url.startswith("http://"):
        return Remote.local(url, name=name)
    try:
        return Remote.for_app_url(url, name)
    except ValueError as exc:
        raise RemoteConfigError(str(exc)) from None


def truss_remote(name: str, url: str) -> Remote:
    """A remote of kind "truss": the Truss server at `url` (`http://localhost:8080` is where
    `truss run` and the Truss server's Docker image listen)."""
    _check_name(name)
    _checked_host(url)
    return Remote.truss(url if "://" in url else "http://" + url, name)


def _check_name(name: str) -> None:
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise RemoteConfigError(
            f"A remote's name is letters, digits, - and _ (it names the key), not {name!r}"
        )


def url_of(remote: Remote) -> str:
    """The URL `remote_from_url` (or `truss_remote`) makes `remote` from: a local server's base,
    a Truss server's, or the dashboard."""
    if remote.kind == "truss":
        return remote.inference
    if remote.management.endswith("/api"):
        return remote.label
    host = urlsplit(remote.management).hostname or ""
    return "https://app." + host.removeprefix("api.")


def _checked_host(url: str) -> str:
    """The host of `url`, a URL Playground can call; RemoteConfigError says what is wrong."""
    if not url:
        raise RemoteConfigError("not a URL: the URL is empty")
    if any(c in string.whitespace for c in url):
        raise RemoteConfigError(f"not a URL: {url!r} has spaces in it")
    parts = urlsplit(url if "://" in url else "https://" + url)
    if parts.scheme not in ("http", "https"):
        raise RemoteConfigError(
            f"not a URL Playground can call: {url!r} is not http:// or https://"
        )
    try:
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        raise RemoteConfigError(f"not a URL: the port in {url!r} is not a number") from None
    if not host:
        raise RemoteConfigError(f"not a URL: {url!r} names no host")
    if parts.scheme == "https" and "." not in host and host != "localhost":
        raise RemoteConfigError(
            f"not a URL: {host!r} is not a host name (such as app.staging.baseten.co)"
        )
    return host


@dataclass
class RemoteStore:
    """`path` is the JSON file of added remotes.

    A file that cannot be used is never moved or written over: what needs it (`added`, `get` of
    a name not built in, `add`, `remove`) raises RemoteFileError saying why, and `all` gives the
    remotes that do not need it, with the reason in `problems`.
    """

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
            data = read_json(self.path)
        except MissingFile:
            return {}
        except FileProblem as exc:
            raise self._error(str(exc)) from None
        if not isinstance(data, dict):
            raise self._error("it must hold a JSON object")
        version = data.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            raise RemoteFileError(
                f"{self.path} was written by a newer Playground (schema_version {version}; this "
                f"one reads up to {SCHEMA_VERSION}). It is left as it is: change your remotes "
                "with that Playground."
            )
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            raise self._error(f"schema_version {version!r} is not a version Playground knows")
        items = data.get("remotes")
        if not isinstance(items, list):
            raise self._error('"remotes" must be a list')
        remotes: dict[str, Remote] = {}
        for number, item in enumerate(items, 1):
            problem = _item_problem(item, needs_kind=version >= 2)
            if problem:
                raise self._error(f"remote {number} {problem}")
            kind = item.get("kind", "baseten") if version == 1 else item["kind"]
            inference, management, model_apis = (item[f] for f in _FIELDS)
            remotes[item["name"]] = Remote(item["name"], inference, management, model_apis, kind)
        return remotes

    def all(self) -> dict[str, Remote]:
        """Baseten, then what `~/.trussrc` names, then the added ones (they win on a name); when
        the file cannot be used, the others, with the reason in `problems`."""
        remotes = {BUILT_IN: Remote.baseten()}
        for entry in trussrc_keys(self.trussrc):
            try:
                remotes.setdefault(
                    entry.section, Remote.for_app_url(entry.remote_url, entry.section)
                )
            except ValueError:
                continue
        try:
            remotes.update(self.added())
        except RemoteFileError as exc:
            self.problems = [str(exc)]
        else:
            self.problems = []
        return remotes

    def get(self, name: str) -> Remote:
        if name == BUILT_IN:  # needs no file, so none can stand in its way
            return Remote.baseten()
        remotes = self.all()
        if self.problems:  # the file may be where `name` is: say so rather than guess
            raise RemoteFileError(self.problems[0])
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

    def replace(self, name: str, remote: Remote) -> None:
        """Change the added remote `name` (its URL, its name) in place, keeping its position."""
        remotes = self.added()
        if name not in remotes:
            raise RemoteConfigError(f"No added remote named {name!r}")
        if remote.name == BUILT_IN:
            raise RemoteConfigError("'baseten' is built in; pick another name")
        if remote.name != name and remote.name in remotes:
            raise RemoteConfigError(f"There is already a remote named {remote.name!r}")
        changed = (remote if n == name else r for n, r in remotes.items())
        self._write({r.name: r for r in changed})

    def is_added(self, name: str) -> bool:
        """Whether `name` is one of the remotes added by hand (the others cannot be changed)."""
        try:
            return name in self.added()
        except RemoteFileError:
            return False

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
                {"name": r.name, "kind": r.kind, **{f: getattr(r, f) for f in _FIELDS}}
                for r in remotes.values()
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, (json.dumps(data, indent=2) + "\n").encode())

    def _error(self, reason: str) -> RemoteFileError:
        return RemoteFileError(
            f"{self.path} cannot be used: {reason}. It is left as it is: fix it, or move it "
            "away to start again without the remotes it holds."
        )


def _item_problem(item: object, *, needs_kind: bool) -> str:
    """What is wrong with one entry of the file, in words ("" if nothing)."""
    if not isinstance(item, dict):
        return "must be a JSON object"
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return "needs a name (a string)"
    if name == BUILT_IN:
        return "is named 'baseten', which is built in"
    for key in _FIELDS:
        if not isinstance(item.get(key), str):
            return f"({name!r}) needs {key} (a URL, as a string)"
    kind = item.get("kind", None if needs_kind else "baseten")
    if kind not in _KINDS:
        return f"({name!r}) needs a kind, one of {', '.join(_KINDS)}, not {kind!r}"
    return ""
