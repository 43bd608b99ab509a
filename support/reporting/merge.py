"""Combine shard reports into the report of one unsharded run.

Each scenario is taken once. A shard runs the dependencies its scenarios need, but only the
shard that owns a scenario counts it: the owner is named in the shard report's `shard.owned`
when the run wrote it (see `support.engine.sharding.ShardPlan.report_field`), otherwise it is
the shard where the scenario was not `pulled_in`. Allure result folders are concatenated with
the same rule, so Allure shows the same tests as an unsharded run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from support.engine.sharding import ShardingError, topological_order
from support.reporting.allure_results import copy_allure_results
from support.reporting.report_file import ReportError, load_report, number, status_of


@dataclass(frozen=True)
class MergeOutputs:
    report: dict[str, Any]
    json_path: Path
    html_path: Path
    junit_path: Path
    rerun_path: Path
    allure_results: int  # result files copied


def merge_reports(reports: Sequence[Mapping[str, Any]], where: Sequence[str] | None = None) -> dict[str, Any]:
    """One report from shard reports (in shard order). `where` names each report in error messages.

    Summary, performance analysis and recommendations are rebuilt by `json_report` from the chosen
    results, exactly as for an unsharded run; the run spans the earliest start to the latest end.
    """
    from support.reporting.json_report import build_report

    if not reports:
        raise ReportError("merge: no shard reports given")
    where = list(where or [f"shard report {i + 1}" for i in range(len(reports))])
    chosen = _choose(reports, where)
    results = _in_run_order([entry for entry, _ in chosen.values()])
    summaries = [r.get("summary") or {} for r in reports]
    starts = [_parse_time(s["start_time"]) for s in summaries if s.get("start_time")]
    ends = [_parse_time(s["end_time"]) for s in summaries if s.get("end_time")]
    now = datetime.now(UTC)
    merged = build_report(
        [result_from_dict(r) for r in results],
        start_time=min(starts, default=now), end_time=max(ends, default=now),
        interrupted=any(s.get("interrupted") for s in summaries),
        parallel=any(s.get("parallel") for s in summaries),
        workers=max((int(number(s.get("workers"), 1)) for s in summaries), default=1),
        tags=summaries[0].get("tags"),
    )
    merged["merged_from"] = [
        {"report": w, "shard": r.get("shard"), "scenarios": len(r.get("results") or []),
         "duration_seconds": number((r.get("summary") or {}).get("total_duration_seconds"))}
        for w, r in zip(where, reports, strict=True)
    ]
    return merged


def result_from_dict(data: Mapping[str, Any]) -> Any:
    """A report entry back into the engine's TestResult (the fields it knows; `success` is derived)."""
    from support.engine.scenario import Status, TestResult

    known = {f.name for f in fields(TestResult)} - {"outcome", "status"}
    values = {k: v for k, v in data.items() if k in known}
    if data.get("steps"):  # json_report writes the Gherkin steps from the outcome: keep them
        values["outcome"] = {"steps": data["steps"]}
    return TestResult(status=Status(status_of(data)), **values)


def excluded_per_report(reports: Sequence[Mapping[str, Any]], where: Sequence[str]) -> list[set[str]]:
    """For each shard report, the scenario names it ran but another shard reports."""
    chosen = _choose(reports, where)
    return [
        {str(r["scenario_name"]) for r in report.get("results") or []} - {n for n, (_, i) in chosen.items() if i == idx}
        for idx, report in enumerate(reports)
    ]


def merge_files(report_paths: Sequence[str | Path], out_dir: str | Path = "reports",
                allure_dirs: Sequence[str | Path] | None = None, record_history: bool = True) -> MergeOutputs:
    """Read shard reports, write report.json, report.html, junit.xml, rerun.txt and allure-results/."""
    from support.reporting.outputs import write_outputs

    paths = [Path(p) for p in report_paths]
    reports = [load_report(p) for p in paths]
    where = [str(p) for p in paths]
    merged = merge_reports(reports, where)
    out = Path(out_dir)
    written = write_outputs(merged, out, record_history=record_history)
    copied = 0
    if allure_dirs:
        if len(allure_dirs) != len(paths):
            raise ReportError(f"merge: {len(paths)} reports but {len(allure_dirs)} allure folders; give one per report")
        excluded = excluded_per_report(reports, where)
        copied = copy_allure_results(zip([Path(d) for d in allure_dirs], excluded, strict=True),
                                     out / "allure-results")
    return MergeOutputs(merged, written["json"], written["html"], written["junit"], written["rerun"], copied)


def _choose(reports: Sequence[Mapping[str, Any]], where: Sequence[str]) -> dict[str, tuple[dict, int]]:
    """scenario name -> (result, index of the report it is taken from)."""
    chosen: dict[str, tuple[dict, int]] = {}
    rank: dict[str, int] = {}
    for idx, report in enumerate(reports):
        owned = set((report.get("shard") or {}).get("owned") or [])
        for result in report.get("results") or []:
            name = str(result["scenario_name"])
            # 2: the shard says it owns it; 1: it was not pulled in here; 0: only pulled in.
            score = 2 if name in owned else (0 if result.get("pulled_in") else 1)
            if name in owned and rank.get(name) == 2:
                raise ReportError(f"merge: {name} is owned by both {where[chosen[name][1]]} and {where[idx]}")
            if name not in chosen or score > rank[name]:
                chosen[name], rank[name] = (dict(result), idx), score
    return chosen


def _in_run_order(results: list[dict]) -> list[dict]:
    by_name = {r["scenario_name"]: r for r in results}
    graph = {name: [d for d in r.get("dependencies") or [] if d in by_name] for name, r in by_name.items()}
    try:
        return [by_name[n] for n in topological_order(graph)]
    except ShardingError:
        return sorted(results, key=lambda r: r["scenario_name"])


def _parse_time(text: str | None) -> datetime:
    if not text:
        raise ValueError("no time")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
