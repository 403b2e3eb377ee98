"""Suites: a dataset through 1 to 6 targets with checks, the check before promoting a deployment.

The parts, for the window and `playground suite` alike:
- `suite.load_suite(path)` → `Suite` (YAML or JSON, versioned, never a key);
- `engine.SuiteRunner(suite, client, out, clients=…, resume=…, baseline=…, wake=…, prices=…,
  on_row=…)`: `await run()` → `SuiteSummary`, or `async for row in results()`; `progress`
  (done, total, failed, rows_per_s, eta_s), `stop()`;
- `report.build_report` / `save_report` (.json .md .html .xml), `sweep.run_sweep`,
  `locust.save_locust_file`, `cost.prices_from_catalog`, `changes.what_got_worse`.
"""
