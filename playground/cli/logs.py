"""`playground logs REQUEST_ID --model ID [--deployment ID]`: one request's log lines."""

from __future__ import annotations

import argparse

from playground.cli.flags import add_remote_flags, client_for
from playground.cli.output import Printer
from playground.core.jobs.logs import request_logs


async def run_logs(args: argparse.Namespace, out: Printer) -> None:
    client = client_for(args)
    try:
        lines = await request_logs(
            client,
            args.model,
            args.request_id,
            deployment_id=args.deployment,
            environment=args.env,
            min_level=args.min_level,
        )
    finally:
        await client.aclose()
    for line in lines:
        out({"event": "log", **line.to_json()})
    if not lines:
        out({"event": "notice", "message": f"No log lines carry request id {args.request_id}."})


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    logs = sub.add_parser(
        "logs",
        help="the logs of one request id",
        description="A deployment's log lines for one request id (management API), with their "
        "times and levels, as JSON lines.",
    )
    logs.add_argument("request_id", help="X-Baseten-Request-Id of a response, or a job's id")
    logs.add_argument("--model", required=True, help="model id")
    where = logs.add_mutually_exclusive_group()
    where.add_argument("--deployment", metavar="ID", help="the deployment that served it")
    where.add_argument("--env", default="production", help="else this environment's logs")
    logs.add_argument("--min-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    add_remote_flags(logs)
    logs.set_defaults(runner=run_logs)
