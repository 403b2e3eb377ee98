"""A suite exported as a Locust file, for more load than one machine can make: Locust's own
workers replay the suite's requests (every row to every target, filled as a run fills them) with
the same per-answer checks. The key is read from the environment when Locust runs, never written.

Checks a load test cannot make are left out and named in the file: agreement between targets
and the earlier run (they compare answers, not one answer), TTFT and tokens/s (a chat is
replayed unstreamed, one JSON body)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from playground.core.api.client import BasetenClient
from playground.core.compare.clients import Clients, column_client
from playground.core.remote.keys import ENV_VAR
from playground.core.suites.dataset import rows
from playground.core.suites.engine import fill_request
from playground.core.suites.suite import Suite
from playground.core.suites.variables import MissingVariable, fill

EXPORTED_KINDS = ("status", "path", "schema", "answer", "limit")

TEMPLATE = '''"""Locust load test exported by Playground from the suite {name}.

Run it (the key comes from the environment; a Truss server takes none):
    {env}=… locust -f {file} --headless --users 64 --spawn-rate 8 --run-time 5m
Left out (they compare answers, or need a stream): {left_out}.
"""

import json
import os
import re
import time
from itertools import count

from locust import HttpUser, constant, task

try:
    import jmespath
except ImportError:  # path checks then fail with this message
    jmespath = None
try:
    import jsonschema
except ImportError:
    jsonschema = None

KEY = os.environ.get({env!r}, "")
REQUESTS = json.loads({requests!r})
_next = count()


def _answer(body):
    if isinstance(body, dict) and body.get("choices"):
        return (body["choices"][0].get("message") or {{}}).get("content") or ""
    return body if isinstance(body, str) else None


def problems(checks, status, body, total_s):
    out = []
    for check in checks:
        if "status" in check:
            wanted = check["status"] if isinstance(check["status"], list) else [check["status"]]
            if status not in wanted:
                out.append(f"status {{status}}, not {{wanted}}")
        elif status >= 400:
            continue
        elif "path" in check:
            if jmespath is None:
                out.append("install jmespath beside locust for path checks")
                continue
            value = jmespath.search(check["path"], body)
            if "equals" in check and value != check["equals"]:
                out.append(f"{{check['path']}} is {{json.dumps(value)}}, not {{json.dumps(check['equals'])}}")
            if "contains" in check and not (isinstance(value, (str, list, dict)) and check["contains"] in value):
                out.append(f"{{check['path']}} does not contain {{check['contains']!r}}")
            if "matches" in check and not (isinstance(value, str) and re.search(check["matches"], value)):
                out.append(f"{{check['path']}} does not match {{check['matches']}}")
        elif "schema" in check:
            if jsonschema is None:
                out.append("install jsonschema beside locust for schema checks")
            elif (error := jsonschema.exceptions.best_match(jsonschema.validators.validator_for(check["schema"])(check["schema"]).iter_errors(body))) is not None:
                out.append(f"the body does not match the schema: {{error.message}}")
        elif any(k.startswith("answer_") for k in check):
            text = _answer(body)
            if text is None:
                out.append("there is no text answer to check")
                continue
            if "answer_contains" in check and check["answer_contains"] not in text:
                out.append(f"the answer does not contain {{check['answer_contains']!r}}")
            if "answer_matches" in check and not re.search(check["answer_matches"], text):
                out.append(f"the answer does not match {{check['answer_matches']}}")
            if check.get("answer_is_json"):
                try:
                    json.loads(text)
                except ValueError:
                    out.append("the answer is not valid JSON")
        for key in ("max_total_s", "max_ttfb_s"):
            if key in check and total_s > float(check[key]):
                out.append(f"{{key[4:-2]}} {{total_s:.3f}} s is over {{check[key]}} s")
    return out


class SuiteUser(HttpUser):
    wait_time = constant(0)
    host = {host!r}

    @task
    def replay(self):
        item = REQUESTS[next(_next) % len(REQUESTS)]
        headers = dict(item["headers"])
        if item["auth"] and KEY:
            headers["Authorization"] = f"{{item['auth']}} {{KEY}}"
        start = time.perf_counter()
        with self.client.request(
            item["method"], item["url"], headers=headers, json=item["body"],
            name=item["name"], catch_response=True,
        ) as response:
            total_s = time.perf_counter() - start
            try:
                body = response.json()
            except ValueError:
                body = response.text
            found = problems(item["checks"], response.status_code, body, total_s)
            if found:
                response.failure("; ".join(found))
            else:
                response.success()
'''


def _checks(suite: Suite, values: Any) -> list[dict[str, Any]]:
    out = []
    for check in suite.checks:
        if check.kind not in EXPORTED_KINDS:
            continue
        spec = fill(dict(check.spec), values, suite.folder)
        if check.kind == "limit":
            spec = {k: v for k, v in spec.items() if k in ("max_total_s", "max_ttfb_s")}
            if not spec:
                continue
        out.append(spec)
    return out


def replayed_requests(
    suite: Suite, client: BasetenClient, clients: Clients | None = None
) -> list[dict[str, Any]]:
    """Every row to every target, filled, with its checks, as the Locust file replays them."""
    requests = []
    for row in rows(suite):
        try:
            spec = fill_request(suite.request, row, suite.folder)
            checks = _checks(suite, row.values)
        except MissingVariable:
            continue  # a row that cannot be sent is a suite run's failure, not load
        for i, column in enumerate(suite.targets):
            owner = column_client(client, clients or {}, column)
            applied = column.apply(spec)
            body = applied.wire_body()
            if applied.mode == "chat" and isinstance(body, dict):
                body = {**body, "stream": False}
            requests.append(
                {
                    "name": f"{i + 1}. {column.label}",
                    "method": applied.http_method,
                    "url": applied.url(owner.remote),
                    "headers": dict(applied.headers),
                    "auth": owner.auth_scheme if owner.remote.needs_key else "",
                    "body": body,
                    "checks": checks,
                }
            )
    return requests


def locust_file(
    suite: Suite,
    client: BasetenClient,
    clients: Clients | None = None,
    *,
    file_name: str = "locustfile.py",
) -> str:
    """The Locust file's text."""
    requests = replayed_requests(suite, client, clients)
    url = httpx.URL(requests[0]["url"]) if requests else httpx.URL("http://127.0.0.1")
    left = [c.name for c in suite.checks if c.kind not in EXPORTED_KINDS]
    left += [
        c.name
        for c in suite.checks
        if c.kind == "limit" and any(k in c.spec for k in ("max_ttft_s", "min_tokens_per_s"))
    ]
    return TEMPLATE.format(
        name=suite.name,
        env=ENV_VAR,
        file=file_name,
        left_out=", ".join(left) or "nothing",
        requests=json.dumps(requests, ensure_ascii=False),
        host=f"{url.scheme}://{url.netloc.decode()}",
    )


def save_locust_file(
    suite: Suite, client: BasetenClient, path: Path, clients: Clients | None = None
) -> int:
    """Write the Locust file; how many requests it replays in turn."""
    path.write_text(locust_file(suite, client, clients, file_name=path.name), encoding="utf-8")
    return len(replayed_requests(suite, client, clients))
