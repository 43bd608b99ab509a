"""The JSON run report: build it from `TestResult`s, write it, load it.

Shape (the seed's, extended; `schema_version` bumps on incompatible changes):

    {"schema_version": 1,
     "summary": {total_scenarios, successful, failed, error, blocked, skipped, timed_out, flaky,
                 success_rate, total_duration_seconds, start_time, end_time, interrupted, parallel,
                 workers, tags},
     "results": [TestResult.to_dict() + "steps", ...], # plan order; see support.engine.scenario
     "performance_analysis": {total_memory_change_mb, peak_memory_mb, total_cpu_seconds, database_growth,
                              total_queries, total_query_time_ms, slowest, most_queries},
     "recommendations": ["...", ...]}                 # derived from the figures above, never canned

`successful` counts `passed` results (flaky ones included; `flaky` counts them again).
Times are ISO 8601 UTC with a trailing "Z".
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from support.engine.scenario import Status, TestResult

SCHEMA_VERSION = 1

# Recommendation thresholds: a figure at or past one of these earns a line in `recommendations`.
REPEATED_SQL_MIN = 5  # one statement from one application call site this often in one scenario: N+1 smell
REPEATED_SQL_LINES = 5  # at most this many repeated-statement lines, the costliest first
MEMORY_GROWTH_MB = 20.0  # RSS growth of one scenario
SLOW_FRACTION_OF_TIMEOUT = 0.5  # last attempt took this share of its timeout
TOP_N = 5


def success_rate(passed: int, total: int, skipped: int) -> float:
    """success_rate = passed / (total - skipped) * 100, rounded to 2 places.

    Skipped scenarios are left out of the denominator (they were not meant to run); blocked ones stay in
    (they were meant to run and could not). When nothing remains (empty run, or every scenario skipped)
    the rate is 0.0: nothing was shown to work.
    """
    counted = total - skipped
    return round(passed / counted * 100, 2) if counted > 0 else 0.0


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_report(
    results: Sequence[TestResult],
    *,
    start_time: datetime,
    end_time: datetime,
    interrupted: bool = False,
    parallel: bool = False,
    workers: int = 1,
    tags: Sequence[str] | None = None,
) -> dict[str, Any]:
    counts = {status: sum(1 for r in results if r.status == status) for status in Status}
    summary = {
        "total_scenarios": len(results),
        "successful": counts[Status.PASSED],
        "failed": counts[Status.FAILED],
        "error": counts[Status.ERROR],
        "blocked": counts[Status.BLOCKED],
        "skipped": counts[Status.SKIPPED],
        "timed_out": counts[Status.TIMED_OUT],
        "flaky": sum(1 for r in results if r.flaky),
        "success_rate": success_rate(counts[Status.PASSED], len(results), counts[Status.SKIPPED]),
        "total_duration_seconds": round((end_time - start_time).total_seconds(), 3),
        "start_time": iso_utc(start_time),
        "end_time": iso_utc(end_time),
        "interrupted": interrupted,
        "parallel": parallel,
        "workers": workers,
        "tags": list(tags) if tags else None,
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "summary": summary,
        "results": [result_entry(r) for r in results],
        "performance_analysis": performance_analysis(results),
        "recommendations": recommendations(results),
    }


STEP_KEYS = ("keyword", "name", "line", "status", "duration", "error_message")


def result_entry(result: TestResult) -> dict[str, Any]:
    """One entry of `results`: the engine's fields, plus the Gherkin steps (status, duration, error) when the
    scenario ran in behave, so reports can show where a scenario failed."""
    entry = result.to_dict()
    outcome = result.outcome if isinstance(result.outcome, dict) else {}
    steps = outcome.get("steps")
    if isinstance(steps, list) and steps:
        entry["steps"] = [{k: step.get(k) for k in STEP_KEYS} for step in steps if isinstance(step, dict)]
    return entry


def _perf(result: TestResult) -> dict[str, Any]:
    return result.metadata.get("performance_data") or {}


def performance_analysis(results: Sequence[TestResult]) -> dict[str, Any]:
    measured = [(r, _perf(r)) for r in results if _perf(r)]
    growth: dict[str, int] = {}
    for _, perf in measured:
        for label, change in (perf.get("database_changes") or {}).items():
            growth[label] = growth.get(label, 0) + change["added"] - change["removed"]
    ran = [r for r in results if r.attempts]
    return {
        "total_memory_change_mb": round(sum(p.get("memory_change_mb", 0.0) for _, p in measured), 2),
        "peak_memory_mb": round(max((p.get("peak_memory_mb", 0.0) for _, p in measured), default=0.0), 2),
        "total_cpu_seconds": round(sum(p.get("cpu_seconds", 0.0) for _, p in measured), 3),
        "database_growth": {label: n for label, n in sorted(growth.items()) if n},
        "total_queries": sum(p.get("query_count", 0) for _, p in measured),
        "total_query_time_ms": round(sum(p.get("query_time_ms", 0.0) for _, p in measured), 2),
        "slowest": [
            {"scenario_name": r.scenario_name, "duration_seconds": r.duration_seconds,
             "timeout_seconds": r.timeout_seconds, "status": str(r.status)}
            for r in sorted(ran, key=lambda r: r.duration_seconds, reverse=True)[:TOP_N]
        ],
        "most_queries": [
            {"scenario_name": r.scenario_name, "query_count": p.get("query_count", 0)}
            for r, p in sorted(measured, key=lambda rp: rp[1].get("query_count", 0), reverse=True)[:TOP_N]
            if p.get("query_count")
        ],
    }


def recommendations(results: Sequence[TestResult]) -> list[str]:
    """Repeated statements by application call site (a handful, costliest first), then per-scenario notes."""
    lines = repeated_statement_lines(results)
    for r in results:
        perf = _perf(r)
        growth = perf.get("memory_change_mb", 0.0)
        if growth >= MEMORY_GROWTH_MB:
            lines.append(f"{r.scenario_name}: RSS grew by {growth:.1f} MB (peak {perf.get('peak_memory_mb', 0):.1f} MB)"
                         " — look for data kept alive after the scenario")
        last = perf.get("wall_seconds")
        if (r.status == Status.PASSED and last is not None and r.timeout_seconds
                and last >= SLOW_FRACTION_OF_TIMEOUT * r.timeout_seconds):
            lines.append(f"{r.scenario_name}: took {last:.2f} s, {last / r.timeout_seconds:.0%} of its "
                         f"{r.timeout_seconds:g} s timeout — speed it up or raise the timeout")
        if r.status == Status.TIMED_OUT:
            lines.append(f"{r.scenario_name}: stopped at its {r.timeout_seconds:g} s timeout — "
                         "find the hang or raise the timeout")
        if r.flaky:
            first = (r.metadata.get("attempt_errors") or ["?"])[0]
            lines.append(f"{r.scenario_name}: flaky — passed on attempt {r.attempts} after: {first}")
    return lines


def repeated_statement_lines(results: Sequence[TestResult], top: int = REPEATED_SQL_LINES) -> list[str]:
    """The application's repeated statements (`performance_data.repeated_calls`: When/Then steps only, by call
    site), merged across scenarios. Cost = the executions beyond the first, summed over the scenarios where the
    statement ran at least REPEATED_SQL_MIN times from that site."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:
        for call in _perf(r).get("repeated_calls") or []:
            if call.get("count", 0) < REPEATED_SQL_MIN:
                continue
            entry = merged.setdefault((call["site"], call["sql"]), {"extra": 0, "count": 0, "ms": 0.0,
                                                                    "scenarios": 0, "most": (0, "")})
            entry["extra"] += call["count"] - 1
            entry["count"] += call["count"]
            entry["ms"] += call.get("time_ms", 0.0)
            entry["scenarios"] += 1
            entry["most"] = max(entry["most"], (call["count"], r.scenario_name))
    ranked = sorted(merged.items(), key=lambda item: (-item[1]["extra"], -item[1]["ms"], item[0]))[:top]
    return [
        f"{site}: the same statement ran {e['count']:,} times in {e['scenarios']} scenario"
        f"{'s' if e['scenarios'] != 1 else ''} ({e['ms']:.0f} ms; up to {e['most'][0]} in \"{e['most'][1]}\") — "
        f"{_advice(sql)}: {_short_sql(sql)}"
        for (site, sql), e in ranked
    ]


def _advice(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper() if sql.strip() else ""
    if verb == "INSERT":
        return "write the rows in one go (bulk_create)"
    if verb in ("UPDATE", "DELETE"):
        return "change the rows in one statement (queryset.update/delete, bulk_update)"
    return "load it once (select_related/prefetch_related, or keep it for the request)"


def _short_sql(sql: str, limit: int = 160) -> str:
    """SELECT lists are long and say little: keep the table and the condition."""
    if sql.upper().startswith("SELECT ") and " FROM " in sql:
        sql = "SELECT … FROM " + sql.split(" FROM ", 1)[1]
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


def write_report(report: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write atomically (temp file + rename) so a reader never sees half a report."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(dumps_report(report))
    os.replace(tmp, target)
    return target


def dumps_report(report: Mapping[str, Any]) -> str:
    """Indented JSON, except one line per result: json's C encoder only runs without indent, and the indenting
    Python encoder spent ~0.2 ms per scenario (a third of a trivial scenario's cost)."""
    parts = []
    for key, value in report.items():
        if key == "results" and isinstance(value, list) and value:
            text = "[\n" + ",\n".join("    " + json.dumps(r, default=str) for r in value) + "\n  ]"
        else:
            text = json.dumps(value, indent=2, default=str).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
