"""Three shards merged give the same scenarios, statuses and counts as one unsharded run."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from support.engine.sharding import durations_from_report, plan_shards
from support.reporting.allure_results import allure_result_names, write_allure_result
from support.reporting.merge import merge_files, merge_reports
from support.reporting.report_file import ReportError

COUNTS = ("total_scenarios", "successful", "failed", "error", "blocked", "skipped", "timed_out", "flaky",
          "success_rate")
STATUSES = {"api_integration": "failed", "security_audit_trail": "timed_out",
            "cross_service_integration": "blocked", "performance_under_load": "skipped"}


def shard_reports(full: dict[str, Any], total: int, with_shard_field: bool = True) -> list[dict[str, Any]]:
    """What each shard's run reports: its whole run set, pulled-in dependencies flagged."""
    graph = {r["scenario_name"]: r["dependencies"] for r in full["results"]}
    by_name = {r["scenario_name"]: r for r in full["results"]}
    reports = []
    for plan in plan_shards(graph, total, durations_from_report(full)):
        results = []
        for name in plan.run:
            result = copy.deepcopy(by_name[name])
            result["pulled_in"] = name in plan.pulled_in
            if name in plan.pulled_in:  # a dependency re-run elsewhere may end differently; owner wins
                result.update(status="passed", success=True, flaky=False, attempts=1)
            results.append(result)
        report = {**copy.deepcopy(full), "results": results}
        report["summary"] = {**full["summary"], "start_time": f"2026-11-23T10:0{plan.index}:00.000Z",
                             "end_time": f"2026-11-23T10:0{plan.index}:30.000Z"}
        if with_shard_field:
            report["shard"] = plan.report_field()
        reports.append(report)
    return reports


def unsharded(report_factory) -> dict[str, Any]:
    """The full run, its summary rebuilt by json_report like any run's."""
    return merge_reports([report_factory(STATUSES)])


def as_table(report: dict[str, Any]) -> dict[str, tuple]:
    return {r["scenario_name"]: (r["status"], r["attempts"], r["flaky"]) for r in report["results"]}


@pytest.mark.parametrize("with_shard_field", [True, False])
def test_three_shards_merge_to_the_unsharded_run(report_factory, with_shard_field: bool) -> None:
    full = unsharded(report_factory)
    shards = shard_reports(full, 3, with_shard_field)
    assert sum(len(s["results"]) for s in shards) > len(full["results"]), "some dependency must be pulled in"
    merged = merge_reports(shards)
    assert as_table(merged) == as_table(full)
    assert {k: merged["summary"][k] for k in COUNTS} == {k: full["summary"][k] for k in COUNTS}
    assert merged["summary"]["start_time"] == "2026-11-23T10:01:00.000Z"
    assert merged["summary"]["end_time"] == "2026-11-23T10:03:30.000Z"
    names = [r["scenario_name"] for r in merged["results"]]
    assert names.index("complete_sales_workflow") < names.index("api_integration")
    assert len(merged["merged_from"]) == 3


def test_a_scenario_claimed_by_two_shards_is_an_error(report_factory) -> None:
    shards = shard_reports(unsharded(report_factory), 2)
    shards[1]["shard"]["owned"].append(shards[0]["shard"]["owned"][0])
    shards[1]["results"].append(copy.deepcopy(shards[0]["results"][0]))
    with pytest.raises(ReportError, match="owned by both"):
        merge_reports(shards, ["a.json", "b.json"])


def test_merge_files_writes_everything_and_allure_counts_each_scenario_once(report_factory, tmp_path: Path) -> None:
    full = unsharded(report_factory)
    shards = shard_reports(full, 3)
    paths, allure_dirs = [], []
    for plan_report in shards:
        index = plan_report["shard"]["index"]
        path = tmp_path / f"shard{index}" / "report.json"
        path.parent.mkdir()
        path.write_text(json.dumps(plan_report))
        paths.append(path)
        allure_dir = path.parent / "allure-results"
        for result in plan_report["results"]:
            write_allure_result(allure_dir, result)
        allure_dirs.append(allure_dir)

    out = merge_files(paths, tmp_path / "merged", allure_dirs)
    assert as_table(json.loads(out.json_path.read_text())) == as_table(full)
    assert out.html_path.is_file() and out.junit_path.is_file() and out.rerun_path.is_file()
    results = [json.loads(p.read_text()) for p in (tmp_path / "merged" / "allure-results").glob("*-result.json")]
    names = sorted(n for r in results for n in allure_result_names(r) if n in as_table(full))
    assert names == sorted(as_table(full)) and out.allure_results == len(full["results"])


def test_merge_needs_reports_and_matching_allure_folders(tmp_path: Path, report_factory) -> None:
    with pytest.raises(ReportError, match="no shard reports"):
        merge_reports([])
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report_factory()))
    with pytest.raises(ReportError, match="1 reports but 2 allure folders"):
        merge_files([path], tmp_path / "out", [tmp_path / "a", tmp_path / "b"])
