"""The suite's performance table, every figure measured in this one run.

    .venv/bin/python bench/bench_suite.py [--repeat 1] [--tags EXPR]

Rows: suite wall time sequential vs `behave -j 2`; framework overhead vs plain behave on the same
features on behave's own runner with the framework's monitoring off
(`--runner behave.runner:Runner -D monitoring=off`: rollback isolation only); contract validation time; queries
per scenario and peak memory (from the sequential run's report). A row whose piece of the project
does not exist yet says so instead of printing a number.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BEHAVE = [sys.executable, "-m", "behave", "--no-capture", "-f", "progress"]


def run_behave(extra: list[str], tags: str | None) -> tuple[float, int, dict[str, Any] | None]:
    """Wall seconds, exit status and the JSON report the run left (copied before the next run)."""
    report = REPO / "reports" / "report.json"
    report.unlink(missing_ok=True)
    args = [*BEHAVE, *extra, *(["--tags", tags] if tags else [])]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        print(f"  ! behave {' '.join(extra)} exited {done.returncode}: {' | '.join(tail)}", file=sys.stderr)
    data = json.loads(report.read_text()) if report.is_file() else None
    return seconds, done.returncode, data


def median_run(extra: list[str], tags: str | None, repeat: int) -> tuple[float, dict[str, Any] | None]:
    runs = [run_behave(extra, tags) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), runs[-1][2]


def contract_validation() -> tuple[float, str] | str:
    try:
        contracts = importlib.import_module("support.prs.contracts")
    except ModuleNotFoundError:
        return "missing: support.prs.contracts"
    compare = getattr(contracts, "compare_contracts", None)
    export = getattr(contracts, "export_contracts", None)
    if not (compare and export):
        return "missing: support.prs.contracts.export_contracts/compare_contracts"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contracts.json"
        export(path)
        started = time.perf_counter()
        status = compare(path)
        return time.perf_counter() - started, f"compare against a fresh export (exit {status})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration (median taken)")
    parser.add_argument("--tags", default=None)
    args = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    missing = [p for p in ("environment.py", "features", "behave.ini") if not (REPO / p).exists()]
    saved = REPO / "reports" / "report.json"
    backup = saved.with_suffix(".json.bench-backup")
    if saved.is_file():
        shutil.copy2(saved, backup)
    try:
        if missing:
            rows.append(("suite wall time", "missing: " + ", ".join(missing), ""))
        else:
            sequential, report = median_run([], args.tags, args.repeat)
            parallel, _ = median_run(["-j", "2"], args.tags, args.repeat)
            plain, _ = median_run(["--runner", "behave.runner:Runner", "-D", "monitoring=off"], args.tags, args.repeat)
            rows.append(("suite wall time, sequential", f"{sequential:.2f} s", ""))
            rows.append(("suite wall time, -j 2", f"{parallel:.2f} s", f"{sequential / parallel:.2f}x faster"))
            rows.append(("plain behave, framework hooks off", f"{plain:.2f} s",
                         f"framework overhead {100 * (sequential - plain) / plain:+.1f} %"))
            rows.extend(report_rows(report))
        outcome = contract_validation()
        if isinstance(outcome, str):
            rows.append(("contract validation", outcome, ""))
        else:
            rows.append(("contract validation", f"{outcome[0] * 1000:.1f} ms", outcome[1]))
    finally:
        if backup.is_file():
            shutil.move(backup, saved)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':{width}}  {'value':>14}  ratio / note")
    for name, value, note in rows:
        print(f"{name:{width}}  {value:>14}  {note}")
    return 0


def report_rows(report: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    if not report:
        return [("queries / peak memory", "missing: the run wrote no reports/report.json", "")]
    perf = [((r.get("metadata") or {}).get("performance_data") or {}) for r in report.get("results", [])]
    queries = [p.get("query_count", 0) for p in perf if p]
    peaks = [p.get("peak_memory_mb", 0.0) for p in perf if p]
    if not queries:
        return [("queries / peak memory", "missing: no performance_data in the report", "")]
    return [
        ("queries per scenario (median)", f"{statistics.median(queries):.0f}",
         f"max {max(queries)}, total {sum(queries)} over {len(queries)} scenarios"),
        ("peak memory (RSS)", f"{max(peaks):.1f} MB", f"median scenario peak {statistics.median(peaks):.1f} MB"),
    ]


if __name__ == "__main__":
    sys.exit(main())
