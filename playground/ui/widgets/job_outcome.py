"""A job shown in a response view: the result its webhook delivered, its failure, or in words
what became of it and where its output went (never a bare "No response yet")."""

from __future__ import annotations

import json
from typing import Protocol

from playground.core.events import Finished, JsonBody, Notice, PredictEvent, ResponseStarted
from playground.core.jobs.model import Job
from playground.core.jobs.outcome import JobFailed, outcome
from playground.core.metrics import Metrics


class Sink(Protocol):
    """What `ui.host.ResponseSink` offers (this layer cannot import it)."""

    def clear(self) -> None: ...
    def feed(self, event: PredictEvent) -> None: ...
    def fail(self, error: JobFailed) -> None: ...


def show_job(sink: Sink, job: Job) -> None:
    said = outcome(job)
    sink.clear()
    if said.kind == "failed":
        sink.fail(JobFailed(said.text))
        return
    if said.kind != "result":
        sink.feed(Notice(said.text))
        return
    raw = json.dumps(job.result, ensure_ascii=False).encode()
    metrics = Metrics(
        status=200,
        request_id=job.request_id,
        deployment_id=job.deployment_id or None,
        bytes=len(raw),
    )
    headers = {"x-baseten-request-id": job.request_id, "content-type": "application/json"}
    sink.feed(ResponseStarted(200, headers, "application/json", metrics))
    # No notice for a delivered result: it is the answer (the Jobs dock says how it came).
    sink.feed(JsonBody(job.result, raw))
    sink.feed(Finished("json", metrics))
