"""A job's state in words, for a person: what happened and where its output is (Baseten keeps
none: it goes to the webhook or nowhere). Each terminal state is told apart."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from playground.core.errors import PlaygroundError
from playground.core.jobs.model import NOT_SENT, SENDING, Job

Kind = Literal["pending", "result", "done", "failed", "stopped"]


class JobFailed(PlaygroundError):
    """A job that ended badly (FAILED, WEBHOOK_FAILED, not sent), for a failure banner."""


@dataclass(frozen=True)
class Outcome:
    """`text` is one or two sentences; `kind` says how to show it: still going, a result to
    show, done without one here, failed, or stopped before it ran (canceled, expired)."""

    text: str
    kind: Kind


def clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def errors_text(job: Job) -> str:
    if job.errors:
        return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in job.errors)
    return job.error


def outcome(job: Job) -> Outcome:
    hook = job.options.webhook_endpoint
    status = job.status
    if status == SENDING:
        return Outcome("Being sent…", "pending")
    if status == NOT_SENT:
        return Outcome(f"Not sent: {job.error or 'the request was refused'}.", "failed")
    if status == "QUEUED":
        return Outcome("Queued at Baseten; it can be canceled until it starts.", "pending")
    if status == "IN_PROGRESS":
        return Outcome("Running on the deployment.", "pending")
    if status == "SUCCEEDED":
        if job.has_result:
            return Outcome(
                f"Succeeded; the result came through the webhook at {clock(job.result_at or 0)}.",
                "result",
            )
        if not hook:
            return Outcome(
                "Succeeded, but no webhook was given: Baseten keeps no output, so this "
                "result is out of reach.",
                "done",
            )
        if job.webhook_status == "PENDING":
            return Outcome(f"Succeeded; its output is being delivered to {hook}.", "pending")
        return Outcome(
            f"Succeeded; its output went to the webhook {hook} (not back here; the webhook "
            f"says {job.webhook_status or 'nothing yet'}).",
            "done",
        )
    if status == "FAILED":
        why = errors_text(job) or "the model failed"
        return Outcome(f"Failed: {why}.", "failed")
    if status == "WEBHOOK_FAILED":
        return Outcome(
            f"Ran, but delivering its output to {hook or 'the webhook'} failed: the output "
            "is lost (Baseten keeps none).",
            "failed",
        )
    if status == "CANCELED":
        return Outcome("Canceled while queued: it never ran, and there is no output.", "stopped")
    if status == "EXPIRED":
        limit = job.options.max_time_in_queue_seconds or 600
        return Outcome(
            f"Expired: it waited in the queue longer than {limit} s and never ran.", "stopped"
        )
    return Outcome(status or "Unknown state.", "pending")


def timeline_text(job: Job) -> str:
    """`QUEUED 14:03:07 · IN_PROGRESS 14:03:08 · SUCCEEDED 14:03:09`."""
    return " · ".join(f"{status} {clock(at)}" for status, at in job.timeline)
