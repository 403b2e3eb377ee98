"""The window: on Baseten, on a named remote, or (`--demo`) on the local server started here, in
this process, for this session only. The window itself never imports the local server."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from playground.core.remote.remotes import Remote

if TYPE_CHECKING:
    from playground.core.remote.keys import FoundKey  # configparser: ~10 ms before the paint


def run(args: argparse.Namespace) -> int:
    if args.demo:
        from playground.core.remote.keys import FoundKey
        from playground.emulator import EmulatorServer

        server = EmulatorServer().start()
        try:
            return _run_app(
                args,
                Remote.local(server.base_url, name="local demo"),
                FoundKey(server.api_key, "this session"),  # never stored
            )
        finally:
            server.stop()
    if args.remote == "baseten":
        return _run_app(args, Remote.baseten())
    from playground.core.remote.config import RemoteConfigError, RemoteStore

    try:
        remote = RemoteStore.default().get(args.remote)
    except RemoteConfigError as exc:
        print(f"playground: {exc}", file=sys.stderr)
        return 2
    return _run_app(args, remote)


def _run_app(args: argparse.Namespace, remote: Remote, key: FoundKey | None = None) -> int:
    from playground.ui.app import run_app

    return run_app(
        remote,
        key=key,
        demo=args.demo,
        screenshot=args.screenshot,
        probe=args.startup_probe,
    )
