"""Logs in the main window: the response view's Logs button and Request ▸ Logs for this request
(Ctrl+Shift+L) open the logs of the request last sent, on the target it was sent to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from playground.ui.logs.controller import LogsSubject
from playground.ui.logs.view import LogsDialog, open_logs

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from playground.core.request.spec import RequestSpec
    from playground.ui.host import WindowHost


class LastRequest(QObject):
    """The window's last request as its reports tell it: target, request id, deployment."""

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host.widget())
        self.host = host
        self.subject: LogsSubject | None = None
        requests = host.requests
        requests.request_sent.connect(self._on_request_sent)
        requests.event_received.connect(self._on_event_received)
        requests.request_failed.connect(self._on_request_failed)
        requests.async_submitted.connect(self._on_async_submitted)

    def open(self, request_id: str = "", deployment_id: str = "") -> LogsDialog:
        """The logs of the last request (`request_id` and `deployment_id` as the response view
        shows them win over what was heard)."""
        subject = self.subject or LogsSubject(self.host.target(), "")
        if request_id and request_id != subject.request_id:
            subject = LogsSubject(subject.target, request_id, deployment_id)
        return open_logs(self.host.widget(), self.host.client, subject)

    def _on_request_sent(self, spec: RequestSpec) -> None:
        # A chat with a Model API has no target: its subject says there are no logs.
        self.subject = LogsSubject(spec.target, "")

    def _heard(self, request_id: str, deployment_id: str = "") -> None:
        if self.subject is not None and request_id:
            self.subject = LogsSubject(
                self.subject.target, request_id, deployment_id or self.subject.deployment_id
            )

    def _on_event_received(self, event: object) -> None:
        from playground.core.events import ResponseStarted  # after the first paint

        if isinstance(event, ResponseStarted):
            self._heard(event.request_id, event.deployment_id)

    def _on_request_failed(self, error: object) -> None:
        self._heard(str(getattr(error, "request_id", "") or ""))

    def _on_async_submitted(self, request_id: str) -> None:
        self._heard(request_id)


def install(host: WindowHost, logs_requested: SignalInstance) -> LastRequest:
    """`logs_requested(request_id, deployment_id)` is the response view's Logs button."""
    last = LastRequest(host)
    logs_requested.connect(last.open)
    host.add_action("&Request", "Request &logs…", "Ctrl+Shift+L", lambda: last.open())
    return last
