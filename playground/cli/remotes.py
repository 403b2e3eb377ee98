"""`playground remotes`: list, add and remove the remotes (where Baseten's APIs are)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "url",
        nargs="?",
        help="https://app.staging.baseten.co (a dashboard), or http://127.0.0.1:8765",
    )
    add.add_argument(
        "--truss",
        nargs="?",
        const="http://localhost:8080",
        metavar="URL",
        help="a Truss server's URL instead (its own routes, no key; default http://localhost:8080)",
    )
    remove = actions.add_parser("remove", help="remove an added remote")
    remove.add_argument("name")
    actions.add_parser("list", help="list the remotes (the default)")


def run(args: argparse.Namespace) -> int:
    from playground.core.remote.config import (
        RemoteConfigError,
        RemoteFileError,
        RemoteStore,
        remote_from_url,
        truss_remote,
    )

    store = RemoteStore.default()
    try:
        if args.action == "add":
            if (args.url is None) == (args.truss is None):
                raise RemoteConfigError("give the remote's URL, or --truss URL (not both)")
            if args.truss is not None:
                remote = truss_remote(args.name, args.truss)
                store.add(remote)
                print(f"added {remote.name}: a Truss server at {remote.inference} (no key)")
            else:
                remote = remote_from_url(args.name, args.url)
                store.add(remote)
                print(
                    f"added {remote.name}: inference {remote.inference}, management {remote.label}"
                )
        elif args.action == "remove":
            store.remove(args.name)
            print(f"removed {args.name}")
        else:
            remotes = store.all()
            if store.problems:  # a list without the added remotes would mislead a script
                raise RemoteFileError(store.problems[0])
            for remote in remotes.values():
                print(f"{remote.name}\t{remote.label}\t{remote.inference}\t{remote.kind}")
    except RemoteConfigError as exc:
        print(f"playground remotes: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the config folder is not writable, the disk is full
        problem = exc.strerror or exc
        print(f"playground remotes: {store.path} could not be written: {problem}", file=sys.stderr)
        return 2
    return 0
