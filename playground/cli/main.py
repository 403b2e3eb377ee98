"""The `playground` command: the window by default, `--demo` on the local server, and headless subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import playground

HEADLESS = ("call", "chat", "compare", "run")


class VersionAction(argparse.Action):
    """`--version`, with the version read only when asked for (it costs start-up time)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        print(f"playground {playground.__version__}")
        parser.exit()


def _parser(*, headless: bool = True) -> argparse.ArgumentParser:
    """The command line; `headless=False` leaves out call/chat, whose imports (the HTTP stack)
    would otherwise delay the window's first paint."""
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Call, stream and compare models deployed on Baseten.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the local Baseten-compatible server in-process and open the window on it",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="save the first painted frame of the window as PNG and exit",
    )
    parser.add_argument(
        "--remote",
        default="baseten",
        metavar="NAME",
        help="open the window on this remote (see `playground remotes`; default: baseten)",
    )
    # For benchmarks/startup.py: quit once the window has painted for the first time.
    parser.add_argument("--exit-on-first-paint", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    emu = sub.add_parser(
        "emulator",
        help="run the local Baseten-compatible server alone",
        description="Run the local Baseten-compatible server and print its base URL and key.",
    )
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free one")
    emu.add_argument("--key", help="API key the server accepts (default: a new random key)")
    emu.add_argument(
        "--webhook-secret",
        action="append",
        default=[],
        metavar="S",
        help="sign async webhooks with this secret (repeat during a rotation)",
    )
    emu.add_argument(
        "--wake-seconds",
        type=float,
        default=2.0,
        help="seconds a scaled-to-zero deployment spends in WAKING_UP and in LOADING_MODEL",
    )
    emu.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    remotes = sub.add_parser(
        "remotes",
        help="list, add or remove remotes (where Baseten's APIs are)",
        description="Remotes name where the APIs live. Baseten is built in; ~/.trussrc's sections "
        "are read as they are; others are added here. A remote's key goes in the keyring.",
    )
    actions = remotes.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="add a remote from a dashboard or local server URL")
    add.add_argument("name", help="letters, digits, - and _ (the keyring entry's name)")
    add.add_argument(
        "url", help="https://app.staging.baseten.co (a dashboard), or http://127.0.0.1:8765"
    )
    remove = actions.add_parser("remove", help="remove an added remote")
    remove.add_argument("name")
    actions.add_parser("list", help="list the remotes (the default)")
    if headless:
        from playground.cli.compare import add_subcommand
        from playground.cli.headless import add_subcommands
        from playground.cli.run import add_run_subcommand

        add_subcommands(sub)
        add_subcommand(sub)
        add_run_subcommand(sub)
    return parser


def run_emulator(args: argparse.Namespace) -> int:
    from playground.emulator import EmulatorServer, EmulatorSettings

    settings = EmulatorSettings(
        webhook_secrets=list(args.webhook_secret),
        wake_seconds=args.wake_seconds,
        load_seconds=args.wake_seconds,
    )
    if args.key:
        settings.api_keys = [args.key]
    try:
        server = EmulatorServer(settings, host=args.host, port=args.port, log_level=args.log_level)
    except OSError as exc:
        print(
            f"playground emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    ends = server.endpoints
    print(f"Playground local Baseten-compatible server on {ends.base_url}", flush=True)
    print(f"  base URL:   {ends.base_url}")
    print(f"  inference:  {ends.inference}   (e.g. {ends.base_url}/model-<id>/production/predict)")
    print(f"  management: {ends.management}")
    print(f"  model APIs: {ends.model_apis}")
    print(f"  API key:    {server.api_key}")
    print("Press Ctrl+C to stop.", flush=True)
    server.serve_forever()
    return 0


def run_remotes(args: argparse.Namespace) -> int:
    from playground.core.remote.config import RemoteConfigError, RemoteStore, remote_from_url

    store = RemoteStore.default()
    try:
        if args.action == "add":
            remote = remote_from_url(args.name, args.url)
            store.add(remote)
            print(f"added {remote.name}: inference {remote.inference}, management {remote.label}")
        elif args.action == "remove":
            store.remove(args.name)
            print(f"removed {args.name}")
        else:
            for remote in store.all().values():
                print(f"{remote.name}\t{remote.label}\t{remote.inference}")
    except RemoteConfigError as exc:
        print(f"playground remotes: {exc}", file=sys.stderr)
        return 2
    for problem in store.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wants_headless = any(a in HEADLESS or a in ("-h", "--help") for a in argv)
    args = _parser(headless=wants_headless).parse_args(argv)
    if args.command == "emulator":
        return run_emulator(args)
    if args.command == "remotes":
        return run_remotes(args)
    if args.command == "compare":
        from playground.cli.compare import run as run_compare

        return run_compare(args)
    if args.command in HEADLESS:
        from playground.cli.headless import run as run_headless

        return run_headless(args)
    from playground.ui.app import run_app

    return run_app(
        demo=args.demo,
        screenshot=args.screenshot,
        exit_on_paint=args.exit_on_first_paint,
        remote_name=args.remote,
    )
