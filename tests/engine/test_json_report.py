"""The JSON report: counts, success rate, analysis and recommendations come from the results' figures."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.engine import Status, TestResult
from support.reporting import ReportError, build_report, load_report, write_report
from support.reporting.json_report import success_rate

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def result(name: str, status: Status, **fields) -> TestResult:
    perf = fields.pop("perf", {})
    metadata = {"performance_data": perf, "attempt_errors": fields.pop("attempt_errors", []),
                "budgets": fields.pop("budgets", {})}
    return TestResult(name, status, metadata=metadata, timeout_seconds=fields.pop("timeout_seconds", 300), **fields)


def test_success_rate_leaves_skipped_out_and_handles_nothing_counted() -> None:
    assert success_rate(passed=3, total=6, skipped=2) == 75.0
    assert success_rate(passed=0, total=2, skipped=2) == 0.0
    assert success_rate(passed=0, total=0, skipped=0) == 0.0


def test_summary_counts_every_status_and_flaky() -> None:
    results = [result("a", Status.PASSED, attempts=2, flaky=True), result("b", Status.FAILED, attempts=1),
               result("c", Status.ERROR, attempts=1), result("d", Status.BLOCKED, blocked_by="b"),
               result("e", Status.SKIPPED, attempts=1, skip_reason="off"), result("f", Status.TIMED_OUT, attempts=1)]
    report = build_report(results, start_time=START, end_time=START + timedelta(seconds=45.2))
    assert report["summary"] == {
        "total_scenarios": 6, "successful": 1, "failed": 1, "error": 1, "blocked": 1, "skipped": 1,
        "timed_out": 1, "flaky": 1, "success_rate": 20.0, "total_duration_seconds": 45.2,
        "start_time": "2026-01-15T10:00:00.000Z", "end_time": "2026-01-15T10:00:45.200Z",
        "interrupted": False, "parallel": False, "workers": 1, "tags": None,
    }
    assert [r["status"] for r in report["results"]] == ["passed", "failed", "error", "blocked", "skipped", "timed_out"]
    assert report["results"][0]["success"] is True and "outcome" not in report["results"][0]


def test_performance_analysis_adds_up_the_figures() -> None:
    results = [
        result("a", Status.PASSED, attempts=1, duration_seconds=2.0, perf={
            "memory_change_mb": 1.5, "peak_memory_mb": 80.0, "cpu_seconds": 1.0, "query_count": 10,
            "query_time_ms": 5.0, "database_changes": {"auth.group": {"added": 3, "removed": 1}}}),
        result("b", Status.PASSED, attempts=1, duration_seconds=5.0, perf={
            "memory_change_mb": 2.5, "peak_memory_mb": 90.0, "cpu_seconds": 0.5, "query_count": 4,
            "query_time_ms": 1.0, "database_changes": {"auth.group": {"added": 0, "removed": 2}}}),
    ]
    analysis = build_report(results, start_time=START, end_time=START)["performance_analysis"]
    assert analysis["total_memory_change_mb"] == 4.0
    assert analysis["peak_memory_mb"] == 90.0
    assert analysis["database_growth"] == {}  # +2 and -2 cancel out
    assert (analysis["total_queries"], analysis["total_query_time_ms"]) == (14, 6.0)
    assert [s["scenario_name"] for s in analysis["slowest"]] == ["b", "a"]


def test_recommendations_come_from_the_figures_only() -> None:
    org = 'SELECT "org"."id" FROM "org" WHERE "org"."id" = ? LIMIT ?'
    results = [
        result("n_plus_one", Status.FAILED, attempts=1, budgets={"max_queries": 10},
               perf={"query_count": 45, "repeated_calls": [
                   {"site": "prs/deals/services.py:40", "sql": org, "count": 40, "time_ms": 3.0},
                   {"site": "prs/common/request_context.py:21", "sql": "SELECT token", "count": 2, "time_ms": 0.1}]}),
        result("again", Status.PASSED, attempts=1,
               perf={"repeated_calls": [{"site": "prs/deals/services.py:40", "sql": org, "count": 12, "time_ms": 1.0},
                                        {"site": "prs/clients/views.py:9", "sql": "SELECT c", "count": 6,
                                         "time_ms": 9.0}]}),
        result("hungry", Status.PASSED, attempts=1, perf={"memory_change_mb": 64.0, "peak_memory_mb": 300.0}),
        result("slowish", Status.PASSED, attempts=1, timeout_seconds=10, perf={"wall_seconds": 8.0}),
        result("flaky", Status.PASSED, attempts=2, flaky=True, attempt_errors=["AssertionError: race"]),
        result("hangs", Status.TIMED_OUT, attempts=1, timeout_seconds=2),
        result("fine", Status.PASSED, attempts=1, perf={"query_count": 3, "memory_change_mb": 1.0,
                                                        "wall_seconds": 0.1}),
    ]
    lines = build_report(results, start_time=START, end_time=START)["recommendations"]
    assert lines == [
        # one line per call site and statement, across scenarios, the costliest first; below 5 a time: nothing
        'prs/deals/services.py:40: the same statement ran 52 times in 2 scenarios (4 ms; up to 40 in "n_plus_one")'
        ' — load it once (select_related/prefetch_related, or keep it for the request): SELECT … FROM "org" WHERE'
        ' "org"."id" = ? LIMIT ?',
        'prs/clients/views.py:9: the same statement ran 6 times in 1 scenario (9 ms; up to 6 in "again") — load it'
        " once (select_related/prefetch_related, or keep it for the request): SELECT c",
        "hungry: RSS grew by 64.0 MB (peak 300.0 MB) — look for data kept alive after the scenario",
        "slowish: took 8.00 s, 80% of its 10 s timeout — speed it up or raise the timeout",
        "flaky: flaky — passed on attempt 2 after: AssertionError: race",
        "hangs: stopped at its 2 s timeout — find the hang or raise the timeout",
    ]
    assert build_report(results[-1:], start_time=START, end_time=START)["recommendations"] == []


def test_write_and_load_round_trip_and_bad_files(tmp_path: Path) -> None:
    report = build_report([result("a", Status.PASSED, attempts=1)], start_time=START, end_time=START)
    path = write_report(report, tmp_path / "deep" / "report.json")
    assert load_report(path) == report
    (tmp_path / "not.json").write_text("{nope")
    with pytest.raises(ReportError, match="not JSON"):
        load_report(tmp_path / "not.json")
    (tmp_path / "other.json").write_text('{"summary": {}}')
    with pytest.raises(ReportError, match="missing key 'results'"):
        load_report(tmp_path / "other.json")
    with pytest.raises(ReportError, match="no such report file"):
        load_report(tmp_path / "absent.json")
