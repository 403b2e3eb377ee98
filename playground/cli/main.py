"""The `playground` command: the window by default, `--demo` on the local server, and headless subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import playground
from playground.cli import emulator, remotes

HEADLESS = ("call", "chat", "compare", "run", "ws", "jobs", "inbox", "logs", "suite")


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
    # For benchmarks/startup.py: time the first paint and the first key press handled, then quit.
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    emulator.add_parser(sub)
    remotes.add_parser(sub)
    if headless:
        from playground.cli import call, chat, compare, inbox, jobs, logs, run, suite, ws

        for command in (call, chat, compare, run, ws, jobs, inbox, logs, suite):
            command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_suite-worker"]:  # the window's suite engine (hidden; no parser to build)
        from playground.core.suites import worker

        return worker.main()
    wants_headless = any(a in HEADLESS or a in ("-h", "--help") for a in argv)
    args = _parser(headless=wants_headless).parse_args(argv)
    if args.command == "emulator":
        return emulator.run(args)
    if args.command == "remotes":
        return remotes.run(args)
    if args.command == "compare":
        from playground.cli import compare

        return compare.run(args)
    if args.command in HEADLESS:
        from playground.cli.output import run_command

        return run_command(args)
    from playground.cli import gui

    return gui.run(args)
