"""`playground call`: predict, async predict, a custom route or a wake, from a terminal."""

from __future__ import annotations

import argparse
import time
from typing import Any

from playground.cli.files import add_file_flags, data_file_from, with_files
from playground.cli.flags import (
    UsageError,
    add_body_flags,
    add_remote_flags,
    add_target_flags,
    client_for,
    read_json,
    target_from,
)
from playground.cli.output import Printer, print_events
from playground.core.api.asyncjobs import AsyncOptions
from playground.core.api.client import BasetenClient, Call
from playground.core.remote.remotes import Target


async def run_call(args: argparse.Namespace, out: Printer) -> None:
    client = client_for(args)
    try:
        target = target_from(args, client.remote)
        assert target is not None
        raw = data_file_from(args)
        if args.as_data_url and not args.file_field:
            raise UsageError("--as-data-url goes with --file-field")
        body = with_files(
            read_json(args.data, args.file), args.file_field, as_data_url=args.as_data_url
        )
        if raw is not None and args.is_async:
            raise UsageError("an async request's body is JSON: use -d, -f or --file-field")
        if args.wake:
            metrics = await client.wake(target)
            out({"event": "woken", "status": metrics.status, "request_id": metrics.request_id})
            return
        if args.is_async:
            options = AsyncOptions(
                webhook_endpoint=args.webhook,
                priority=args.priority,
                max_time_in_queue_seconds=args.max_time_in_queue,
                max_attempts=args.max_attempts,
                initial_delay_ms=args.initial_delay_ms,
                max_delay_ms=args.max_delay_ms,
            )
            await submit_async(client, target, body, options, wait=args.wait, out=out)
            return
        if raw is not None and args.route:
            url = target.url(client.remote, "sync/" + args.route.lstrip("/"))
            events = client.stream(Call(args.method.upper(), url, raw=raw[0], content_type=raw[1]))
        elif raw is not None:
            events = client.predict(target, raw=raw[0], content_type=raw[1])
        elif args.route:
            events = client.route(target, args.route, args.method, body)
        else:
            events = client.predict(target, body)
        await print_events(events, out)
    finally:
        await client.aclose()


async def submit_async(
    client: BasetenClient,
    target: Target,
    body: Any,
    options: AsyncOptions | None,
    *,
    wait: bool,
    out: Printer,
) -> None:
    """Queue an async request, kept as a job (`playground jobs`); with `wait`, print its
    status until it is terminal."""
    from playground.core.jobs.jobs import Jobs
    from playground.core.jobs.store import JobStore

    store = JobStore()
    try:
        job = await Jobs(client, store).submit(target, body, options)
        out({"event": "submitted", "request_id": job.request_id, "job": job.id})
        if wait:
            async for status in client.jobs.watch(target, job.request_id):
                out({"event": "status", **status.raw})
                job.set_status(status.status, time.time())
                job.webhook_status = status.webhook_status
                job.deployment_id = status.deployment_id
                job.errors = list(status.errors)
                store.save(job)
    finally:
        store.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    call = sub.add_parser(
        "call",
        help="call a model (predict, async, custom route, wake)",
        description="Call a model and print events and metrics as JSON lines.",
    )
    add_target_flags(call, model_api=False)
    add_body_flags(call)
    add_file_flags(call)
    add_remote_flags(call)
    call.add_argument("--route", help="a custom route through sync/, e.g. /health")
    call.add_argument("--method", default="GET", help="HTTP method for --route (default GET)")
    call.add_argument("--wake", action="store_true", help="wake the deployment (202) and exit")
    asyn = call.add_argument_group("async")
    asyn.add_argument("--async", dest="is_async", action="store_true", help="async predict")
    asyn.add_argument("--wait", action="store_true", help="poll the status until it is terminal")
    asyn.add_argument("--webhook", help="https:// URL that receives the result")
    asyn.add_argument("--priority", type=int, help="0 (first) to 2")
    asyn.add_argument("--max-time-in-queue", type=int, metavar="S", help="10 to 259200 seconds")
    asyn.add_argument("--max-attempts", type=int, help="1 to 10")
    asyn.add_argument("--initial-delay-ms", type=int, help="0 to 10000")
    asyn.add_argument("--max-delay-ms", type=int, help="0 to 60000")
    call.set_defaults(runner=run_call)
