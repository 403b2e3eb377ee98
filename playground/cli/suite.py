"""`playground suite FILE`: a dataset through 1 to 6 targets with checks, as JSON lines (one per
row, then a summary); exit code 5 when a check failed, so that CI stops a promotion. Reports
(.json, .md, .html, .xml), a sweep over concurrencies, a Locust export, resume and a baseline."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playground.cli.flags import UsageError, add_remote_flags, client_of, named_remote, remote_from
from playground.cli.output import Exit, Printer, run_command
from playground.core import paths
from playground.core.api.client import BasetenClient
from playground.core.compare.results import FIGURES
from playground.core.errors import PlaygroundError
from playground.core.presets.preset import slug
from playground.core.suites.cost import prices_from_catalog
from playground.core.suites.engine import SuiteRunner
from playground.core.suites.report import FORMATS, build_report, save_report
from playground.core.suites.results import RowResult
from playground.core.suites.suite import Suite, SuiteError, load_suite

EXIT_CHECKS = 5


class ChecksFailed(Exit):
    """A check failed on some row (the lines say which and why)."""


def row_record(row: RowResult, labels: list[str], *, body: bool) -> dict[str, Any]:
    cells = []
    for cell in row.cells:
        result = cell.result
        record: dict[str, Any] = {
            "target": cell.target + 1,
            "label": labels[cell.target],
            "passed": cell.passed,
            "status": result.status,
        }
        for figure in FIGURES:
            record[figure if figure == "tokens_per_s" else figure + "_s"] = result.figure(figure)
        if result.cold:
            record["cold"] = True
        if cell.cost is not None:
            record["cost_usd"] = cell.cost
        if cell.failures:
            record["failures"] = list(cell.failures)
        if body:
            record["body"] = result.body
        cells.append(record)
    return {
        "event": "row",
        "row": row.number,
        "id": row.id,
        "repeat": row.repeat,
        "passed": row.passed,
        "cells": cells,
    }


def pick_targets(suite: Suite, picks: list[str]) -> Suite:
    """--target N or a part of a target's label, repeatable: only those targets run."""
    if not picks:
        return suite
    chosen: list[int] = []
    for pick in picks:
        if pick.isdigit() and 1 <= int(pick) <= len(suite.targets):
            found = [int(pick) - 1]
        else:
            found = [i for i, c in enumerate(suite.targets) if pick.lower() in c.label.lower()]
        if not found:
            raise UsageError(
                f"--target {pick!r} is none of the suite's targets: {', '.join(suite.labels())}"
            )
        chosen += [i for i in found if i not in chosen]
    return suite.with_targets(chosen)


def clients_for(
    args: argparse.Namespace, suite: Suite
) -> tuple[BasetenClient, dict[str, BasetenClient]]:
    """The suite's own remote (or the flags'), and one client per remote a target names."""
    remote = remote_from(args) if args.remote or args.base_url else named_remote(suite.remote)
    client = client_of(remote, args)
    names = dict.fromkeys(c.remote for c in suite.targets if c.remote and c.remote != remote.name)
    return client, {name: client_of(named_remote(name), args) for name in names}


def run_file(args: argparse.Namespace, suite: Suite) -> Path:
    """--out, or a new file in the data folder (with --resume: that suite's newest one)."""
    if args.out:
        return Path(args.out)
    folder = paths.data_dir() / "suite-runs"
    if args.resume:
        earlier = sorted(folder.glob(f"{slug(suite.name)}-*.jsonl"))
        if earlier:
            return earlier[-1]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{slug(suite.name)}-{stamp}.jsonl"


def remember(path: Path, suite: Suite, summary: dict[str, Any], out: Printer) -> None:
    """Keep the run in the history and say what got worse since the suite's last run."""
    from playground.core.history.store import FILE_NAME, HistoryError, open_history
    from playground.core.history.suite_runs import record_suite_run, suite_runs
    from playground.core.suites.changes import what_got_worse

    try:
        history = open_history(paths.data_dir() / FILE_NAME)
    except (HistoryError, OSError) as exc:
        out({"event": "notice", "message": f"the run is not kept in the history: {exc}"})
        return
    try:
        before = [r for r in suite_runs(history, suite.name, 5) if r.run_file != path]
        if before and before[0].run_file.exists():
            worse = what_got_worse(
                before[0].run_file, path, suite.labels(), before[0].summary, summary
            )
            out(
                {
                    "event": "worse",
                    "since": datetime.fromtimestamp(before[0].at, UTC).isoformat(
                        timespec="seconds"
                    ),
                    "earlier_run": str(before[0].run_file),
                    "items": [w.describe() for w in worse],
                }
            )
        record_suite_run(history, suite.name, path, summary)
    finally:
        history.close()


async def run_suite(args: argparse.Namespace, out: Printer) -> None:
    try:
        suite = load_suite(Path(args.file))
        suite = pick_targets(suite, args.target or [])
        if args.concurrency is not None:
            if args.concurrency < 1:
                raise UsageError(f"--concurrency is at least 1, not {args.concurrency}")
            suite = suite.with_concurrency(args.concurrency)
        levels = None
        if args.sweep:
            from playground.core.suites.sweep import parse_levels

            levels = parse_levels(args.sweep)
    except SuiteError as exc:
        raise UsageError(str(exc)) from None
    for report in args.report or []:
        if Path(report).suffix.lower() not in FORMATS:
            raise UsageError(f"--report {report}: a report is {', '.join(FORMATS)}")
        if not Path(report).parent.is_dir():
            raise UsageError(f"cannot write the report to {report}: no such folder")
    client, clients = clients_for(args, suite)
    try:
        if args.locust:
            from playground.core.suites.locust import save_locust_file

            count = save_locust_file(suite, client, Path(args.locust), clients)
            out({"event": "locust", "file": args.locust, "requests": count})
            return
        prices: dict[str, Any] = {}
        if any(c.target is None for c in suite.targets):
            try:
                prices = prices_from_catalog(await client.model_apis_catalog())
            except PlaygroundError as exc:
                out({"event": "notice", "message": f"no prices, so no cost: {exc}"})
        labels = suite.labels()

        def on_row(row: RowResult) -> None:
            out(row_record(row, labels, body=args.body))

        path = run_file(args, suite)
        sweep: list[dict[str, Any]] = []
        if levels:
            from playground.core.suites.sweep import run_sweep

            sweep, summary = await run_sweep(
                suite,
                client,
                levels,
                path.with_suffix(""),
                clients=clients,
                prices=prices,
                wake=args.wake,
                on_step=lambda step: out({"event": "step", **step}),
            )
            assert summary is not None
            from playground.core.suites.sweep import step_path

            path = step_path(path.with_suffix(""), levels[len(sweep) - 1])
        else:
            runner = SuiteRunner(
                suite,
                client,
                path,
                clients=clients,
                resume=args.resume,
                baseline=Path(args.baseline) if args.baseline else None,
                wake=args.wake,
                prices=prices,
                on_row=on_row,
            )
            summary = await runner.run()
    except SuiteError as exc:
        raise UsageError(str(exc)) from None
    finally:
        for each in {id(c): c for c in [client, *clients.values()]}.values():
            await each.aclose()
    if not levels:
        remember(path, suite, summary.to_dict(), out)
    out({"event": "summary", "run": str(path), **summary.to_dict()})
    for report in args.report or []:
        try:
            save_report(build_report(path, summary, sweep), Path(report))
        except OSError as exc:
            raise UsageError(f"cannot write the report to {report}: {exc.strerror}") from exc
    if not levels and not summary.passed:
        raise ChecksFailed(EXIT_CHECKS)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "suite",
        help="run a suite: a dataset through several targets, with checks",
        description=(
            "Send every row of a suite's dataset to each of its targets and check the answers; "
            "print one JSON line per row and a summary. Exit code 5 when a check failed "
            "(1 to 4 as for call; 2 for a suite that cannot be read)."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the suite (.yaml, .yml or .json)")
    parser.add_argument(
        "--target", action="append", metavar="N|TEXT", help="run only this target (repeatable)"
    )
    parser.add_argument("--concurrency", type=int, metavar="N", help="requests in flight overall")
    parser.add_argument(
        "--report",
        action="append",
        metavar="PATH",
        help="save a report: .json, .md, .html or .xml (JUnit)",
    )
    parser.add_argument(
        "--out", metavar="RUN.jsonl", help="the run file (default: in the data folder)"
    )
    parser.add_argument("--resume", action="store_true", help="skip the rows the run file has")
    parser.add_argument(
        "--baseline", metavar="RUN.jsonl", help="an earlier run, for `baseline` checks"
    )
    parser.add_argument("--sweep", metavar="1,2,4,8", help="run at each concurrency in turn")
    parser.add_argument(
        "--locust", metavar="FILE.py", help="export a Locust file instead of running"
    )
    parser.add_argument("--wake", action="store_true", help="wake every target first")
    parser.add_argument("--body", action="store_true", help="put each answer's body in its line")
    add_remote_flags(parser, default=None)
    parser.set_defaults(runner=run_suite)


def run(args: argparse.Namespace) -> int:
    return run_command(args)
