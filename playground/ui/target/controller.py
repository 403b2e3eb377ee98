"""What the remote offers to call: models, each one's targets with their status, example inputs,
and waking a deployment (through core's wake, with its timeout and terminal states)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.remote.catalogue import (
    COLD,
    TargetChoice,
    same_target_key,
    target_choices,
)
from playground.core.text import Failure
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.api.truss_ready import Readiness
    from playground.core.remote.remotes import Target
    from playground.core.request.spec import RequestSpec
    from playground.ui.host import ChatReports, RequestReports
    from playground.ui.target.bar import TargetBar

# Not serving yet: a request to it wakes it, and its status is worth following meanwhile.


class CatalogueController(TaskOwner):
    """Models, what each offers to call (with status), example inputs, and waking."""

    models_loaded = Signal(list)  # list[dict]
    models_failed = Signal(str)
    targets_loaded = Signal(str, list)  # model id, list[TargetChoice]
    targets_failed = Signal(str, str)  # model id, message
    example_loaded = Signal(str, object)  # model id, example input
    status_changed = Signal(str, str, str)  # model id, deployment id, status
    wake_failed = Signal(str)
    readiness_said = Signal(str, bool)  # a Truss server's readiness in its words, is it ready

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.wake_poll_seconds = 0.5
        self._choices: dict[str, list[TargetChoice]] = {}  # the statuses last said, by model
        self._sent: Target | None = None  # the target of the request under way
        self.status_changed.connect(self._remember_status)

    def load_models(self) -> None:
        self._start("models", self._load_models())

    async def _load_models(self) -> None:
        """Models, then chains (marked `is_chain`): both are called from the same bar."""
        if self.client.remote.kind == "truss":  # one model, no management API to list it
            from playground.ui.target.truss import truss_models

            self.models_loaded.emit(truss_models())
            return
        try:
            models = await self.client.management.models()
        except PlaygroundError as exc:
            self.models_failed.emit(Failure.of(exc).line())
            return
        try:
            chains = await self.client.management.chains()
        except PlaygroundError:
            chains = []  # a server without chains still lists its models
        self.models_loaded.emit(models + [{**chain, "is_chain": True} for chain in chains])

    def load_targets(self, model_id: str, *, is_chain: bool = False) -> None:
        self._start("targets", self._load_targets(model_id, is_chain))

    async def _load_targets(self, model_id: str, is_chain: bool = False) -> None:
        if self.client.remote.kind == "truss":
            await self._follow_truss(model_id)
            return
        mgmt = self.client.management
        reads = (
            (mgmt.chain, mgmt.chain_environments, mgmt.chain_deployments)
            if is_chain
            else (mgmt.model, mgmt.environments, mgmt.deployments)
        )
        try:
            # A task group, not gather: when one call fails the others are cancelled and awaited,
            # so nothing is left running on the loop.
            async with asyncio.TaskGroup() as group:
                model_task = group.create_task(reads[0](model_id))
                envs_task = group.create_task(reads[1](model_id))
                deps_task = group.create_task(reads[2](model_id))
        except ExceptionGroup as errors:
            first = errors.exceptions[0]
            if not isinstance(first, PlaygroundError):
                raise
            self.targets_failed.emit(model_id, Failure.of(first).line())
            return
        model, envs, deps = model_task.result(), envs_task.result(), deps_task.result()
        choices = target_choices(model, envs, deps)
        if is_chain:  # the same choices, called with run_remote on the chain- host
            choices = [replace(c, target=replace(c.target, is_chain=True)) for c in choices]
        self._choices[model_id] = choices
        self.targets_loaded.emit(model_id, choices)
        if is_chain:
            return  # a chain's deployments have no config with an example input
        production = next((c for c in choices if c.is_production and c.deployment_id), None)
        if production is not None:
            try:
                example = await mgmt.example_input(model_id, production.deployment_id)
            except PlaygroundError:
                return  # no example is fine
            if example is not None:
                self.example_loaded.emit(model_id, example)

    async def _follow_truss(self, model_id: str) -> None:
        """A Truss server's one target, its status its readiness, followed until ready or failed."""
        from playground.ui.target.truss import follow_readiness, truss_choice

        def said(readiness: Readiness) -> None:
            # The whole choice again, not only its status: the server's message changes too.
            choice = truss_choice(readiness)
            self._choices[model_id] = [choice]
            self.targets_loaded.emit(model_id, [choice])
            words = f"{self.client.remote.name}: {readiness.text}"
            self.readiness_said.emit(words, readiness.is_ready)

        await follow_readiness(self.client, said, poll_s=self.wake_poll_seconds)

    def wake(self, choice: TargetChoice) -> None:
        self._start("wake", self._wake(choice))

    async def _wake(self, choice: TargetChoice) -> None:
        """Core's wake: it follows the deployment until ACTIVE, and stops at a status that will
        never get there (FAILED, INACTIVE …) or after its timeout."""
        from playground.core.api.wake import WakeProgress, wake_all  # after the first paint

        target, last = choice.target, choice.status

        def progressed(progress: WakeProgress) -> None:
            nonlocal last
            if progress.status and progress.status != last:
                last = progress.status
                self.status_changed.emit(target.model_id, choice.deployment_id, last)

        report = await wake_all(
            self.client, [target], progressed, poll_seconds=self.wake_poll_seconds
        )
        if not report.is_ready:
            self.wake_failed.emit(report.problems())

    def watch(self, requests: RequestReports) -> None:
        """Keep the statuses true while requests go: a request to a sleeping deployment wakes
        it (its status is followed until it serves), and a 2xx from a deployment proves it is
        up, whatever the status said before."""
        requests.request_sent.connect(self._on_request_sent)
        requests.event_received.connect(self._on_request_event)
        for ended in (requests.request_finished, requests.request_failed):
            ended.connect(self._on_request_ended)
        requests.request_cancelled.connect(self._on_request_ended)

    def watch_chat(self, chat: ChatReports) -> None:
        """The same for the chat pane's requests: a chat can wake a deployment too."""
        chat.request_sent.connect(self._on_request_sent)
        chat.answer_started.connect(self._on_request_event)
        for ended in (chat.answer_finished, chat.answer_failed):
            ended.connect(self._on_request_ended)
        chat.answer_cancelled.connect(self._on_request_ended)

    def _choice(self, target: Target | None, deployment_id: str = "") -> TargetChoice | None:
        if target is None:
            return None
        for choice in self._choices.get(target.model_id, []):
            if deployment_id and choice.deployment_id == deployment_id:
                return choice
            if not deployment_id and same_target_key(choice.target) == same_target_key(target):
                return choice
        return None

    def _remember_status(self, model_id: str, deployment_id: str, status: str) -> None:
        self._choices[model_id] = [
            replace(c, status=status) if c.deployment_id == deployment_id else c
            for c in self._choices.get(model_id, [])
        ]

    def _on_request_sent(self, spec: RequestSpec) -> None:
        self._sent = spec.target
        choice = self._choice(spec.target)
        if choice is not None and choice.deployment_id and choice.status in COLD:
            self._start("follow", self._follow(choice))

    async def _follow(self, choice: TargetChoice) -> None:
        """While a request wakes the deployment: its status as it changes, until it serves."""
        from playground.core.api.wake import deployment_status  # after the first paint

        last = choice.status
        while last in COLD:
            await asyncio.sleep(self.wake_poll_seconds)
            try:
                status = await deployment_status(self.client, choice.target)
            except PlaygroundError:
                return  # the request says what happened; the status stays as last known
            if status and status != last:
                last = status
                self.status_changed.emit(choice.target.model_id, choice.deployment_id, status)

    def _on_request_event(self, event: object) -> None:
        from playground.core.events import ResponseStarted  # after the first paint

        if not isinstance(event, ResponseStarted) or not 200 <= event.status < 300:
            return
        # The deployment that answered, when the answer says; else the one the target meant.
        choice = self._choice(self._sent, event.deployment_id)
        if choice is not None and choice.status != "ACTIVE":
            self._cancel("follow")
            self.status_changed.emit(choice.target.model_id, choice.deployment_id, "ACTIVE")

    def _on_request_ended(self, *_: object) -> None:
        self._cancel("follow")
        self._sent = None

    def link(self, bar: TargetBar, status: Callable[[str], None] | None = None) -> None:
        """Keep `bar` in step: the targets of the model it picks, their status, its Wake button;
        with `status`, say what happens (models listed, a target's status, a failure) there.
        The models list is the caller's to hand out: one list may serve several bars."""
        bar.model_chosen.connect(
            lambda model: self.load_targets(model, is_chain=bar.is_chain(model))
        )
        bar.wake_requested.connect(self.wake)
        self.targets_loaded.connect(bar.set_choices)
        self.status_changed.connect(lambda _model, dep, state: bar.set_status(dep, state))
        if status is None:
            return
        self.models_loaded.connect(lambda models: status(listed_text(models)))
        self.models_failed.connect(
            lambda m: status(f"Could not list models ({m}). You can still type a model id.")
        )
        self.targets_failed.connect(
            lambda model, m: status(f"Could not read {model}'s targets: {m}")
        )
        self.status_changed.connect(lambda model, dep, s: status(f"{model} deployment {dep}: {s}"))
        self.wake_failed.connect(lambda message: status(f"Wake failed: {message}"))
        self.readiness_said.connect(lambda words, _ready: status(words))


def listed_text(models: list[dict[str, Any]]) -> str:
    """`12 models` or `12 models, 1 chain`, for the status bar."""
    chains = sum(1 for model in models if model.get("is_chain"))
    text = f"{len(models) - chains} models"
    return text + (f", {chains} chain{'s' if chains != 1 else ''}" if chains else "")
