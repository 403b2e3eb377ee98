"""Compare columns on different remotes: a client per remote (its own key from the keyring, or
none for a Truss server; never another remote's), each column's picker fed from its remote, and
each column's header saying where it is."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.api.client import BasetenClient
from playground.core.remote.config import RemoteConfigError, RemoteStore
from playground.core.remote.keys import own_key
from playground.core.remote.remotes import Remote
from playground.ui.logs.controller import LogsSubject
from playground.ui.logs.view import open_logs
from playground.ui.target.controller import CatalogueController
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.remote.remotes import Target
    from playground.ui.compare.column import CompareColumnView
    from playground.ui.compare.view import CompareView
    from playground.ui.target.bar import TargetBar


class RemoteClients(TaskOwner):
    """One client per remote a column is on, made when first chosen (its key looked up in a
    thread: a keyring may take a while); the window's remote uses the window's client."""

    client_ready = Signal(str)  # remote name

    def __init__(
        self, client: BasetenClient, remotes: dict[str, Remote], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.own = client
        self.remotes = remotes
        self._made: dict[str, BasetenClient] = {}

    def get(self, name: str) -> BasetenClient | None:
        """The client for `name` when it is ready (the window's own is always)."""
        if not name or name == self.own.remote.name:
            return self.own
        return self._made.get(name)

    def prepare(self, name: str) -> None:
        """Make `name`'s client if need be; `client_ready(name)` says when it can be used."""
        if self.get(name) is not None:
            self.client_ready.emit(name)
        elif not self.is_running(name):
            self._start(name, self._make(name))

    async def _make(self, name: str) -> None:
        remote = self.remotes[name]
        found = await asyncio.to_thread(own_key, remote)
        self._made[name] = BasetenClient(remote, found.key if found else "")
        self.client_ready.emit(name)

    def clients(self) -> dict[str, BasetenClient]:
        """By remote name, as core's `compare_targets(clients=…)` takes them."""
        return dict(self._made)

    async def aclose(self) -> None:
        await super().aclose()
        for client in self._made.values():
            await client.aclose()
        self._made.clear()


class RemoteColumns(TaskOwner):
    """Keeps each column of `view` on its remote: the picker's choice of remote, the column's
    catalogue on that remote's client (its models, targets and status), its header."""

    def __init__(self, view: CompareView, store: RemoteStore | None = None) -> None:
        super().__init__(view)
        self.view = view
        self._store = store
        self.remotes: dict[str, Remote] = {}
        self.clients = RemoteClients(view.client, self.remotes, self)
        self.clients.client_ready.connect(self._on_clients_client_ready)
        self._read()

    def _read(self) -> None:
        """The remotes as the file says now (one added since is offered too)."""
        own = self.view.client.remote
        try:
            remotes = (self._store or RemoteStore.default()).all()
        except (RemoteConfigError, OSError):
            remotes = {}
        remotes[own.name] = own  # the window's remote, whatever the file says
        self.remotes.clear()
        self.remotes.update(remotes)  # the clients' dict too

    def refresh(self) -> None:
        """Read the remotes again and offer them in every column, each keeping its choice."""
        self._read()
        for column in self.view.columns:
            current = column.picker.remote_name()
            self._offer(column)
            column.picker.set_remote(current)

    def cancel_all(self) -> None:
        super().cancel_all()
        self.clients.cancel_all()

    async def aclose(self) -> None:
        """Its tasks, then the connections of every client it made (not the window's)."""
        await super().aclose()
        await self.clients.aclose()

    def attach(self, column: CompareColumnView) -> None:
        """A new column: offer every remote (the window's first), on the window's to begin."""
        self._offer(column)
        column.picker.remote_chosen.connect(lambda _name: self._on_picker_remote_chosen(column))
        self.retitle()

    def _offer(self, column: CompareColumnView) -> None:
        own = self.view.client.remote.name
        names = [own, *(n for n in self.remotes if n != own)]
        column.picker.set_remotes(names, own, {n: r.kind for n, r in self.remotes.items()})

    def on_own_remote(self) -> list[CompareColumnView]:
        """The columns on the window's remote (fed from the view's own list of models)."""
        own = self.view.client.remote.name
        return [c for c in self.view.columns if c.picker.remote_name() == own]

    def retitle(self) -> None:
        """Each header: its letter, then the remote it is on."""
        for column in self.view.columns:
            letter = column.title.text().split("</b>", 1)[0] + "</b>"
            column.title.setText(f"{letter} · {column.picker.remote_name()}")

    def open_logs(self, column: CompareColumnView, subject: LogsSubject) -> None:
        """The logs of `column`'s request, read with its own remote's client and key (never the
        window's key sent to another remote)."""
        client = self.clients.get(column.picker.remote_name())
        if client is None:
            column.picker.say(f"Column {column.letter}: its remote's client is not ready yet.")
            return
        open_logs(self.view, client, subject)

    def _on_picker_remote_chosen(self, column: CompareColumnView) -> None:
        self.retitle()
        name = column.picker.remote_name()
        if name not in self.remotes:
            self._read()  # added since the view opened?
        if name not in self.remotes:
            column.picker.say(f"Column {column.letter}: no remote named {name!r}.")
            return
        self.clients.prepare(name)

    def _on_clients_client_ready(self, name: str) -> None:
        client = self.clients.get(name)
        assert client is not None
        for index, column in enumerate(self.view.columns):
            if column.picker.remote_name() == name:
                self._use(index, column, client)

    def _use(self, index: int, column: CompareColumnView, client: BasetenClient) -> None:
        """Feed `column`'s picker from `client`'s remote (a catalogue of its own)."""
        catalogues = self.view.catalogues
        if catalogues[index].client is client:
            return
        catalogues[index].retire()
        catalogue = CatalogueController(client, self.view)
        catalogues[index] = catalogue
        bar, name = column.target_bar, client.remote.name
        wanted = column.picker.column()  # a saved column's target survives the move
        target = wanted.target if not isinstance(wanted, str) else None
        bar.clear_choices()
        catalogue.link(bar)
        catalogue.models_failed.connect(
            lambda m: column.picker.say(f"Column {column.letter}: no models from {name}: {m}")
        )
        # A Truss server's readiness under its remote while it is not ready (then the badge says)
        catalogue.readiness_said.connect(
            lambda words, ready: column.picker.say_status("" if ready else words)
        )
        if client is self.view.client:
            fill(bar, self.view.models, target)
        else:
            catalogue.models_loaded.connect(lambda models: fill(bar, models, target))
            catalogue.load_models()
        if not client.has_key:
            column.picker.say(
                f"Column {column.letter}: no key for {name} in the keyring; open a window on "
                f"it (File ▸ Remotes) and give it one."
            )


def fill(bar: TargetBar, models: list[dict[str, Any]], target: Target | None) -> None:
    """`models` of a column's new remote; `target` kept when its model is among them, else the
    first model (a Truss server's one)."""
    if target is None or target.model_id not in {str(m["id"]) for m in models}:
        bar.model_combo.setEditText("")
        target = None
    bar.set_models(models)
    if target is not None:
        bar.set_target(target)
