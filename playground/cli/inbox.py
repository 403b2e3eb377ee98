"""`playground inbox [--port N]`: the webhook receiver headless, printing each verified payload
as a JSON line once it is stored."""

from __future__ import annotations

import argparse
import sys

from playground.cli.flags import UsageError
from playground.cli.output import Printer
from playground.core.jobs.inbox import InboxServer, InboxSettings, Received, create_app
from playground.core.jobs.store import JobStore
from playground.core.jobs.webhook_secrets import forget_secret, secret_names, store_secret


async def run_inbox(args: argparse.Namespace, out: Printer) -> None:
    settings = InboxSettings.load()
    if args.add_secret:
        secret = sys.stdin.readline().strip()  # never from the command line: `ps` shows it
        if not secret:
            raise UsageError("give the secret on standard input, e.g. from a password manager")
        store_secret(args.add_secret, secret)
        out({"event": "secret_kept", "name": args.add_secret, "names": secret_names()})
        return
    if args.forget_secret:
        forget_secret(args.forget_secret)
        out({"event": "secret_forgotten", "name": args.forget_secret, "names": secret_names()})
        return
    if args.public_url is not None:
        if args.public_url and not args.public_url.startswith("https://"):
            raise UsageError("Baseten sends webhooks only to https:// URLs: give the tunnel's")
        settings.public_url = args.public_url
        settings.save()
    if not secret_names():
        raise UsageError(
            "no webhook secret is kept: add Baseten's (Secrets tab, whsec_…) with "
            "`playground inbox --add-secret NAME` and the secret on standard input"
        )
    store = JobStore()

    def received(item: Received) -> None:
        out(
            {
                "event": "webhook",
                "request_id": item.request_id,
                "job": item.job.id if item.job else None,
                "verified_by": item.verification.secret_name,
                "payload": item.payload,
            }
        )

    port = settings.port if args.port is None else args.port
    server = InboxServer(create_app(store, on_received=received), port)
    try:
        await server.start()
        out(
            {
                "event": "listening",
                "url": server.url,
                "webhook_endpoint": settings.webhook_endpoint(server.port),
                "secrets": secret_names(),
            }
        )
        await server.serve()
    finally:
        await server.stop()
        store.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inbox = sub.add_parser(
        "inbox",
        help="receive signed webhooks on this machine",
        description="Receive Baseten's webhooks on 127.0.0.1: verify each signature with the "
        "secrets kept in the keyring, store the payload, then answer 200. Baseten reaches it "
        "through a tunnel of yours (--public-url).",
    )
    inbox.add_argument("--port", type=int, help="the loopback port (default 8788; 0: any free)")
    inbox.add_argument("--public-url", help="the tunnel's https:// URL that forwards here")
    inbox.add_argument("--add-secret", metavar="NAME", help="keep a secret read from stdin")
    inbox.add_argument("--forget-secret", metavar="NAME", help="forget a kept secret")
    inbox.set_defaults(runner=run_inbox)
