"""`playground compare`: one request to several targets at once, printing each column's figures and
a summary (percentiles, best figures, the diff of the first two columns) as JSON lines."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playground.cli.flags import (
    UsageError,
    add_body_flags,
    add_chat_flags,
    add_remote_flags,
    chat_body,
    client_for,
    client_of,
    header_from,
    named_remote,
    read_json,
)
from playground.cli.output import (
    EXIT_API,
    EXIT_NETWORK,
    EXIT_STREAM,
    EXIT_USAGE,
    Exit,
    Printer,
    run_command,
)
from playground.core.api.client import BasetenClient
from playground.core.api.wake import WakeProgress
from playground.core.compare.report import save_report
from playground.core.compare.results import (
    FIGURES,
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnResult,
    Comparison,
)
from playground.core.compare.run import check_comparable, compare_targets
from playground.core.errors import InvalidRequest
from playground.core.remote.remotes import Target, TargetKind
from playground.core.remote.truss import MODEL_NAME as TRUSS_MODEL
from playground.core.request.spec import Column, RequestSpec

EXIT_BY_KIND = {
    "api": EXIT_API,
    "network": EXIT_NETWORK,
    "stream": EXIT_STREAM,
    "invalid": EXIT_USAGE,
}


class ColumnFlag(argparse.Action):
    """Records target flags in the order given: `--model A --env x --env y --model B`."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        order = list(getattr(namespace, "column_flags", None) or [])
        order.append((self.dest, values if self.nargs != 0 else True))
        namespace.column_flags = order


def columns_from(flags: Sequence[tuple[str, Any]]) -> list[Column]:
    """Each --env/--development/--deployment/--regional starts a column of the current --model
    (or --chain), each --model-api a column of its own; a --model with none of these is its
    production. Each --truss REMOTE is a column of its own: the one model of that Truss server."""
    columns: list[Column] = []
    owner: tuple[str, bool] | None = None  # id, is a chain
    used = True
    for flag, value in flags:
        if flag in ("model", "chain"):
            if owner is not None and not used:
                columns.append(Column(Target(owner[0], is_chain=owner[1])))
            owner, used = (str(value), flag == "chain"), False
            continue
        if flag == "model_api":
            columns.append(Column(None, model_api=str(value)))
            continue
        if flag == "truss":
            columns.append(Column(Target(TRUSS_MODEL), remote=str(value)))
            continue
        if owner is None:
            option = "--" + flag.replace("_", "-")
            raise UsageError(f"{option} needs a --model (or --chain) before it")
        used = True
        model_id, chain = owner
        if flag == "development":
            columns.append(Column(Target(model_id, "development", is_chain=chain)))
        elif flag == "env" and value == "production":
            columns.append(Column(Target(model_id, "production", is_chain=chain)))
        else:
            kinds: dict[str, TargetKind] = {"deployment": "deployment", "regional": "regional"}
            kind = kinds.get(flag, "environment")
            columns.append(Column(Target(model_id, kind, str(value), is_chain=chain)))
    if owner is not None and not used:
        columns.append(Column(Target(owner[0], is_chain=owner[1])))
    return columns


def _column_number(text: str, flag: str, count: int) -> tuple[int, str]:
    number, sep, rest = text.partition(":")
    if not sep or not number.strip().isdigit():
        raise UsageError(f"{flag} takes N:VALUE with N a column number, not {text!r}")
    index = int(number) - 1
    if not 0 <= index < count:
        raise UsageError(f"{flag} {text!r}: there is no column {number} (1 to {count})")
    return index, rest


def apply_column_options(columns: list[Column], args: argparse.Namespace) -> list[Column]:
    """--override N:JSON (merged into column N's body), --column-header N:NAME:VALUE and
    --column-remote N:REMOTE (column N sent to another remote, with its own key or none)."""
    remotes = {i: c.remote for i, c in enumerate(columns)}
    for text in args.column_remote or []:
        index, name = _column_number(text, "--column-remote", len(columns))
        if not name:
            raise UsageError(f"--column-remote {text!r} names no remote")
        remotes[index] = name
    overrides: dict[int, dict[str, Any]] = {}
    headers: dict[int, dict[str, str]] = {}
    for text in args.override or []:
        index, raw = _column_number(text, "--override", len(columns))
        value = read_json(raw, None, what=f"object for column {index + 1}", flag="--override")
        if not isinstance(value, dict):
            raise UsageError(f"--override for column {index + 1} must be a JSON object")
        overrides.setdefault(index, {}).update(value)
    for text in args.column_header or []:
        index, rest = _column_number(text, "--column-header", len(columns))
        name, value = header_from("--column-header", rest)
        headers.setdefault(index, {})[name] = value
    return [
        Column(
            c.target,
            c.model_api,
            {**c.overrides, **overrides.get(i, {})},
            headers.get(i, {}),
            remote=remotes[i],
        )
        for i, c in enumerate(columns)
    ]


def clients_for(
    args: argparse.Namespace, columns: Sequence[Column]
) -> tuple[BasetenClient, dict[str, BasetenClient]]:
    """The comparison's own client (the remote flags'), and one per remote a column names, each
    with its own key (none for a Truss server). Without a column on the flags' remote, the
    first column's client stands in, so that no key is asked for a remote nobody calls."""
    # Nothing to close should one fail: a client opens its connections at its first call.
    clients = {
        name: client_of(named_remote(name), args)
        for name in dict.fromkeys(c.remote for c in columns if c.remote)
    }
    if all(c.remote for c in columns):
        return clients[columns[0].remote], clients
    return client_for(args), clients


def spec_from(args: argparse.Namespace, columns: list[Column]) -> RequestSpec:
    headers = {}
    for text in args.header or []:
        name, value = header_from("--header", text)
        headers[name] = value
    first = columns[0]
    where: dict[str, Any] = {"target": first.target, "model_api": first.model_api}
    if args.chat:
        if args.data is not None or args.file is not None:
            body = read_json(args.data, args.file)
            if not isinstance(body, dict):
                raise UsageError("a chat body (--data/--file) must be a JSON object")
        else:
            body = chat_body(argparse.Namespace(**{**vars(args), "model_api": None}))
        return RequestSpec("chat", body=body, headers=headers, **where)
    body = read_json(args.data, args.file)
    if args.route:
        method = (args.method or ("POST" if body is not None else "GET")).upper()
        return RequestSpec(
            "route", body=body, method=method, route=args.route, headers=headers, **where
        )
    return RequestSpec("predict", body=body, headers=headers, **where)


def result_record(result: ColumnResult, round_index: int, label: str) -> dict[str, Any]:
    """One column's answer as a JSON line: figures, request id, deployment, cold, body."""
    metrics = result.metrics
    record: dict[str, Any] = {
        "event": "column",
        "round": round_index + 1,
        "column": result.column + 1,
        "label": label,
        "outcome": result.outcome,
        "status": result.status,
    }
    for figure in FIGURES:
        record[figure if figure == "tokens_per_s" else figure + "_s"] = result.figure(figure)
    record.update(
        bytes=metrics.bytes,
        tokens=metrics.tokens,
        request_id=result.request_id,
        deployment_id=result.deployment_id,
        cold=result.cold,
    )
    if result.error:
        record["error"] = result.error
        if result.hint:
            record["hint"] = result.hint
    record["kind"] = result.kind
    record["body"] = result.body
    if result.details:
        record["details"] = dict(result.details)
    return record


def summary_record(comparison: Comparison) -> dict[str, Any]:
    labels = comparison.labels()
    columns = []
    for summary in comparison.summaries():
        data = summary.to_dict()
        data["column"] += 1
        columns.append({"label": labels[summary.column], **data})
    record: dict[str, Any] = {
        "event": "summary",
        "rounds": len(comparison.rounds),
        "columns": columns,
        "best": {f: [c + 1 for c in cols] for f, cols in comparison.best().items()},
    }
    try:
        diff = comparison.diff(0, 1).to_dict()
    except ValueError:
        diff = None  # one of the two was stopped before the last round
    if diff is not None:
        diff["columns"] = [n + 1 for n in diff["columns"]]
    record["diff"] = diff
    return record


def _wake_record(progress: WakeProgress) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event": "wake",
        "column": progress.index + 1,
        "label": progress.label,
        "status": progress.status or None,
        "done": progress.is_done,
        "elapsed_s": round(progress.elapsed_s, 3),
    }
    if progress.error:
        record["error"] = progress.error
    if progress.note:
        record["note"] = progress.note
    return record


async def run_compare(args: argparse.Namespace, out: Printer) -> None:
    columns = columns_from(args.column_flags or [])
    if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
        raise UsageError(
            f"compare takes {MIN_COLUMNS} to {MAX_COLUMNS} columns; got {len(columns)} "
            "(e.g. --model ID --env production --env staging)"
        )
    if args.repeat < 1:
        raise UsageError(f"--repeat is at least 1, not {args.repeat}")
    if args.report and not Path(args.report).parent.is_dir():
        raise UsageError(f"cannot write the report to {args.report}: no such folder")
    columns = apply_column_options(columns, args)
    spec = spec_from(args, columns)
    try:
        check_comparable(spec, columns)
    except InvalidRequest as exc:
        raise UsageError(str(exc)) from None
    client, clients = clients_for(args, columns)
    try:
        labels = [f"{i + 1}. {c.label}" for i, c in enumerate(columns)]
        rounds_seen: dict[int, int] = {}

        def on_result(result: ColumnResult) -> None:
            n = rounds_seen.get(result.column, 0)
            rounds_seen[result.column] = n + 1
            record = result_record(result, n, labels[result.column])
            if args.no_body:
                record.pop("body", None)
            out(record)

        comparison = await compare_targets(
            client,
            spec,
            columns,
            wake=args.wake,
            on_wake=lambda p: out(_wake_record(p)),
            repeat=args.repeat,
            on_result=on_result,
            clients=clients,
        )
    finally:
        for each in {id(c): c for c in [client, *clients.values()]}.values():
            await each.aclose()
    out(summary_record(comparison))
    if args.report:
        try:
            save_report(comparison, Path(args.report))
        except OSError as exc:
            raise UsageError(f"cannot write the report to {args.report}: {exc.strerror}") from exc
    failed = [r for r in comparison.rounds[-1] if not r.is_ok]
    if failed:
        raise ColumnsFailed(EXIT_BY_KIND.get(failed[0].error_kind, EXIT_API))


class ColumnsFailed(Exit):
    """Some column failed: the exit code says how (the lines already say why)."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compare = sub.add_parser(
        "compare",
        help="send one request to several targets at once and compare them",
        description=(
            "Send one request to 2 to 6 targets at once; print each column's figures and a "
            "summary (p50/p95, best figures, the diff of the first two) as JSON lines. "
            "Each --env/--development/--deployment/--regional starts a column of the --model "
            "before it; each --model-api is a column; a bare --model is its production."
        ),
    )
    group = compare.add_argument_group("columns (in order)")
    group.add_argument("--model", action=ColumnFlag, metavar="ID", help="a model id")
    group.add_argument("--chain", action=ColumnFlag, metavar="ID", help="a chain id")
    group.add_argument("--env", action=ColumnFlag, metavar="NAME", help="an environment")
    group.add_argument(
        "--development", action=ColumnFlag, nargs=0, help="the development deployment"
    )
    group.add_argument("--deployment", action=ColumnFlag, metavar="ID", help="a deployment")
    group.add_argument("--regional", action=ColumnFlag, metavar="ENV", help="a regional env")
    group.add_argument("--model-api", action=ColumnFlag, metavar="SLUG", help="a Model API")
    group.add_argument(
        "--truss",
        action=ColumnFlag,
        metavar="REMOTE",
        help="the model of the Truss server added as REMOTE (`remotes add NAME --truss URL`)",
    )
    group.add_argument(
        "--column-remote",
        action="append",
        metavar="N:REMOTE",
        help="send column N to another remote, with that remote's own key",
    )
    group.add_argument(
        "--override", action="append", metavar="N:JSON", help="merge JSON into column N's body"
    )
    group.add_argument(
        "--column-header", action="append", metavar="N:NAME:VALUE", help="a header for column N"
    )
    add_body_flags(compare)
    compare.add_argument("-H", "--header", action="append", metavar="NAME:VALUE")
    compare.add_argument("--route", help="a custom route through sync/, e.g. /health")
    compare.add_argument("--method", help="HTTP method for --route (POST with a body, else GET)")
    chat = compare.add_argument_group("chat")
    chat.add_argument("--chat", action="store_true", help="OpenAI chat instead of predict")
    add_chat_flags(chat)
    runs = compare.add_argument_group("runs")
    runs.add_argument("--repeat", type=int, default=1, metavar="N", help="rounds (p50/p95)")
    runs.add_argument("--wake", action="store_true", help="wake every target first")
    runs.add_argument("--report", metavar="PATH", help="save the report (.json or .md)")
    runs.add_argument("--no-body", action="store_true", help="leave bodies out of the lines")
    add_remote_flags(compare)
    compare.set_defaults(runner=run_compare, column_flags=[])


def run(args: argparse.Namespace) -> int:
    """Like `playground call`'s exit codes; when a column failed, the first failure's."""
    return run_command(args)
