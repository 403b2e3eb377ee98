"""What each answer must pass, per row and target, and each failure in words.

One check per list item (its values may hold `{{name}}`, filled from the row):

    {status: 200}                         (or a list of statuses)
    {path: label, equals: positive}       (JMESPath into a JSON body; also contains, matches
    {path: scores, type: object}           (a regular expression) and type: string, number,
                                            integer, boolean, array, object, null)
    {schema: {…}}                         (the body valid against a JSON Schema)
    {answer_contains: Paris}              (a chat answer or a text body)
    {answer_matches: "^\\d+$"}
    {answer_is_json: true}
    {max_ttfb_s: 0.5}  {max_ttft_s: 1}  {max_total_s: 2}  {min_tokens_per_s: 20}
    {agree: true}                         (every target's body JSON-equal to the first one's;
    {agree: {ignore: [model_version]}}     optionally ignoring some paths, or by words:
    {agree: {similarity: 0.8}}             word similarity ≥ the threshold)
    {baseline: true}                      (the same row of a saved earlier run: the same body
    {baseline: {ignore: […], max_slower: 1.5}}  (or similar words), passing then and now,
                                            not more than `max_slower` times slower)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath
import jmespath.exceptions
import jsonschema

from playground.core.compare.diff import json_diff, similarity, text_diff
from playground.core.compare.results import ColumnResult
from playground.core.suites.variables import MissingVariable, fill

CELL_KINDS = ("status", "path", "schema", "answer", "limit")
ROW_KINDS = ("agree", "baseline")
LIMITS = {
    "max_ttfb_s": ("ttfb", "TTFB"),
    "max_ttft_s": ("ttft", "TTFT"),
    "max_total_s": ("total", "total"),
    "min_tokens_per_s": ("tokens_per_s", "tokens/s"),
}
_PATH_TESTS = ("equals", "contains", "matches", "type")
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


@dataclass(frozen=True)
class Check:
    """One check as written (`spec`), its kind, and the name reports show it under."""

    kind: str
    spec: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""

    @property
    def is_row_check(self) -> bool:
        return self.kind in ROW_KINDS


def _kind(spec: Mapping[str, Any]) -> str:
    if "status" in spec:
        return "status"
    if "path" in spec:
        return "path"
    if "schema" in spec:
        return "schema"
    if any(k.startswith("answer_") for k in spec):
        return "answer"
    if any(k in LIMITS for k in spec):
        return "limit"
    for kind in ROW_KINDS:
        if kind in spec:
            return kind
    raise ValueError(f"a check of no known kind: {json.dumps(dict(spec), ensure_ascii=False)}")


def parse_checks(items: Any) -> list[Check]:
    """The suite's `checks` list; ValueError in words for one that cannot be run."""
    if not isinstance(items, list):
        raise ValueError("`checks` is a list")
    checks = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"check {i} is an object, e.g. {{status: 200}}")
        spec = {k: v for k, v in item.items() if k != "name"}
        kind = _kind(spec)
        if kind == "path":
            tests = [t for t in _PATH_TESTS if t in spec]
            if len(tests) != 1:
                raise ValueError(f"check {i} takes one of {', '.join(_PATH_TESTS)} with its path")
            try:
                jmespath.compile(str(spec["path"]))
            except jmespath.exceptions.JMESPathError as exc:
                raise ValueError(
                    f"check {i}: the path {spec['path']!r} is not JMESPath: {exc}"
                ) from None
            if tests[0] == "type" and spec["type"] not in _TYPES:
                raise ValueError(f"check {i}: type is one of {', '.join(_TYPES)}")
        if kind == "schema" and isinstance(spec["schema"], Mapping):
            try:
                jsonschema.validators.validator_for(spec["schema"]).check_schema(spec["schema"])
            except jsonschema.SchemaError as exc:
                raise ValueError(f"check {i}: not a JSON Schema: {exc.message}") from None
        name = str(
            item.get("name") or json.dumps(spec, ensure_ascii=False, separators=(", ", ": "))
        )
        checks.append(Check(kind, spec, name))
    return checks


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def _answer(result: ColumnResult) -> str | None:
    return result.text


def _path_failure(spec: Mapping[str, Any], body: Any) -> str | None:
    path = str(spec["path"])
    try:
        value = jmespath.search(path, body)
    except jmespath.exceptions.JMESPathError as exc:
        return f"{path}: {exc}"
    if "equals" in spec:
        want = spec["equals"]
        if value != want or isinstance(value, bool) != isinstance(want, bool):
            return f"{path} is {_short(value)}, not {_short(want)}"
    elif "contains" in spec:
        want = spec["contains"]
        if (isinstance(value, str) and isinstance(want, str)) or isinstance(value, list | dict):
            ok = want in value
        else:
            ok = False
        if not ok:
            return f"{path} ({_short(value)}) does not contain {_short(want)}"
    elif "matches" in spec:
        if not isinstance(value, str) or not re.search(str(spec["matches"]), value):
            return f"{path} ({_short(value)}) does not match /{spec['matches']}/"
    else:
        kinds = _TYPES[str(spec["type"])]
        is_bool = isinstance(value, bool)
        if not isinstance(value, kinds) or (is_bool and spec["type"] != "boolean"):
            return f"{path} is {_short(value)}, not of type {spec['type']}"
    return None


def _schema_failure(schema: Any, body: Any, folder: Path) -> str | None:
    if isinstance(schema, str):
        schema = json.loads((folder / schema).read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(
        jsonschema.validators.validator_for(schema)(schema).iter_errors(body)
    )
    if error is None:
        return None
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"the body does not match the schema at {where}: {error.message}"


def _answer_failures(spec: Mapping[str, Any], result: ColumnResult) -> list[str]:
    text = _answer(result)
    if text is None:
        return ["there is no text answer to check"]
    out = []
    if "answer_contains" in spec and str(spec["answer_contains"]) not in text:
        out.append(f"the answer does not contain {_short(spec['answer_contains'])}")
    if "answer_matches" in spec and not re.search(str(spec["answer_matches"]), text):
        out.append(f"the answer does not match /{spec['answer_matches']}/")
    if spec.get("answer_is_json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            out.append(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})")
    return out


def _limit_failures(spec: Mapping[str, Any], result: ColumnResult) -> list[str]:
    out = []
    for key, (figure, label) in LIMITS.items():
        if key not in spec:
            continue
        limit = float(spec[key])
        value = result.figure(figure)  # type: ignore[arg-type]
        if value is None:
            out.append(f"no {label} was measured (limit {limit:g})")
        elif key.startswith("max_") and value > limit:
            out.append(f"{label} {value:.3f} s is over {limit:g} s")
        elif key.startswith("min_") and value < limit:
            out.append(f"{label} {value:.1f} is under {limit:g}")
    return out


def cell_failures(
    checks: Sequence[Check], result: ColumnResult, row: Mapping[str, Any], folder: Path
) -> list[str]:
    """Every per-answer check `result` fails, in words (a failed call fails them all at once)."""
    if not result.is_ok:
        want = [c for c in checks if c.kind == "status"]
        if not want:
            return [f"the call failed: {result.error}"]
    out: list[str] = []
    for check in checks:
        if check.is_row_check:
            continue
        try:
            spec = fill(dict(check.spec), row, folder)
        except MissingVariable as exc:
            out.append(f"{check.name}: {exc}")
            continue
        if check.kind == "status":
            wanted = spec["status"] if isinstance(spec["status"], list) else [spec["status"]]
            if result.status not in [int(s) for s in wanted]:
                got = f"{result.status}: {result.error}" if result.error else str(result.status)
                out.append(f"status {got}, not {' or '.join(str(s) for s in wanted)}")
        elif not result.is_ok:
            continue  # the status said it
        elif check.kind == "path":
            if (failure := _path_failure(spec, result.body)) is not None:
                out.append(failure)
        elif check.kind == "schema":
            if (failure := _schema_failure(spec["schema"], result.body, folder)) is not None:
                out.append(failure)
        elif check.kind == "answer":
            out.extend(_answer_failures(spec, result))
        elif check.kind == "limit":
            out.extend(_limit_failures(spec, result))
    return out


def _ignored(path: str, ignore: Sequence[str]) -> bool:
    for item in ignore:
        prefix = item if item.startswith("$") else "$." + item
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return True
    return False


def disagreement(a: ColumnResult, b: ColumnResult, options: Mapping[str, Any]) -> str | None:
    """How `b`'s answer differs from `a`'s, in words, or None when they agree."""
    if "similarity" in options:
        threshold = float(options["similarity"])
        left = a.text if a.text is not None else json.dumps(a.body, ensure_ascii=False)
        right = b.text if b.text is not None else json.dumps(b.body, ensure_ascii=False)
        score = similarity(text_diff(left, right))
        if score < threshold:
            return f"word similarity {score:.2f} is under {threshold:g}"
        return None
    ignore = [str(p) for p in options.get("ignore") or ()]
    changes = [c for c in json_diff(a.body, b.body) if not _ignored(c.path, ignore)]
    if not changes:
        return None
    more = f" (and {len(changes) - 1} more)" if len(changes) > 1 else ""
    return changes[0].describe() + more


def _options(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def row_failures(
    checks: Sequence[Check],
    results: Sequence[ColumnResult | None],
    labels: Sequence[str],
    baseline: Sequence[Mapping[str, Any] | None] = (),
) -> list[list[str]]:
    """The row checks' failures per target: `agree` against the first target, `baseline`
    against each target's cell in the earlier run (`baseline[i]`: that cell's saved record)."""
    out: list[list[str]] = [[] for _ in results]
    for check in checks:
        options = _options(check.spec.get(check.kind))
        if check.kind == "agree":
            first = results[0]
            for i, result in enumerate(results[1:], start=1):
                if first is None or result is None or not (first.is_ok and result.is_ok):
                    continue  # a failed call is said by its own checks
                if (why := disagreement(first, result, options)) is not None:
                    out[i].append(f"disagrees with {labels[0]}: {why}")
        elif check.kind == "baseline":
            for i, result in enumerate(results):
                before = baseline[i] if i < len(baseline) else None
                if result is None or before is None:
                    continue
                out[i].extend(_regressions(result, before, options))
    return out


def _regressions(
    result: ColumnResult, before: Mapping[str, Any], options: Mapping[str, Any]
) -> list[str]:
    from playground.core.compare.results import ColumnResult as Result

    earlier = Result.from_dict(before["result"])
    out = []
    if not before.get("failures") and before.get("passed", True) and not result.is_ok:
        out.append(f"passed in the earlier run, now: {result.error}")
    if earlier.is_ok and result.is_ok and (why := disagreement(earlier, result, options)):
        out.append(f"changed since the earlier run: {why}")
    slower = options.get("max_slower")
    then, now = earlier.figure("total"), result.figure("total")
    if slower is not None and then and now and now > then * float(slower):
        out.append(f"total {now:.3f} s is over {float(slower):g}× the earlier {then:.3f} s")
    return out
