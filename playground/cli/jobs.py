"""`playground jobs [list|watch ID|cancel ID]`: the async jobs kept in the history."""

from __future__ import annotations

import argparse

from playground.cli.flags import UsageError, add_remote_flags, client_for
from playground.cli.output import Exit, Printer
from playground.core.jobs.jobs import Jobs
from playground.core.jobs.model import Job
from playground.core.jobs.store import JobStore


def _find(store: JobStore, ref: str) -> Job:
    job = store.find(ref)
    if job is None:
        raise UsageError(f"no job {ref!r}: give a request id or a number from `playground jobs`")
    return job


async def run_jobs(args: argparse.Namespace, out: Printer) -> None:
    store = JobStore()
    try:
        if args.action == "list":
            for job in store.list(args.limit):
                out({"event": "job", **job.to_json(), "summary": job.describe()})
            return
        if not args.job:
            raise UsageError(f"`playground jobs {args.action}` needs a job: a request id or number")
        job = _find(store, args.job)
        client = client_for(args)
        try:
            jobs = Jobs(client, store)
            if args.action == "cancel":
                result = await jobs.cancel(job)
                out(
                    {
                        "event": "cancel",
                        "request_id": job.request_id,
                        "canceled": result.canceled,
                        "message": result.message,
                        "status": result.job.status,
                    }
                )
                if not result.canceled:
                    raise Exit(1)
                return
            jobs.watcher.listeners.append(
                lambda j: out({"event": "status", **j.to_json(), "summary": j.describe()})
            )
            out({"event": "watching", "request_id": job.request_id, "status": job.status})
            jobs.watcher.watch(job)
            await jobs.watcher.run(until_idle=True)
        finally:
            await client.aclose()
    finally:
        store.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = sub.add_parser(
        "jobs",
        help="list, watch or cancel async jobs",
        description="The async jobs kept in the history, as JSON lines: list them, watch one "
        "until it ends (polling within Baseten's status limit), or cancel one still QUEUED.",
    )
    jobs.add_argument("action", nargs="?", default="list", choices=("list", "watch", "cancel"))
    jobs.add_argument("job", nargs="?", help="a request id, or a job's number")
    jobs.add_argument("--limit", type=int, default=50, help="how many to list (newest first)")
    add_remote_flags(jobs)
    jobs.set_defaults(runner=run_jobs)
