"""JUnit XML in the schema CI systems read, and the rerun file behave reads."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from behave.runner_util import FeatureListParser

from support.reporting.junit_report import write_junit_report
from support.reporting.rerun import write_rerun_file

STATUSES = {"api_integration": "failed", "security_audit_trail": "timed_out", "multi_user_concurrent": "error",
            "cross_service_integration": "blocked", "performance_under_load": "skipped"}
CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err", "properties"}


def test_junit_structure_and_counts(report_factory, tmp_path: Path) -> None:
    report = report_factory(STATUSES)
    report["results"].append({**report["results"][0], "scenario_name": "python_check", "source": None,
                              "tags": ["engine"], "status": "failed", "error": "boom"})
    root = ET.parse(write_junit_report(report, tmp_path / "junit.xml")).getroot()
    assert root.tag == "testsuites"
    cases = []
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        members = list(suite)
        assert all(m.tag == "testcase" for m in members)
        assert int(suite.get("tests")) == len(members)
        for key, child in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(key)) == sum(1 for m in members if m.find(child) is not None)
        assert abs(float(suite.get("time")) - sum(float(m.get("time")) for m in members)) < 0.01
        for case in members:
            assert case.get("classname") and case.get("name") and float(case.get("time")) >= 0
            assert {c.tag for c in case} <= CASE_CHILDREN
        cases += members
    assert int(root.get("tests")) == len(report["results"]) == len(cases)
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("2", "2", "2")
    by_name = {c.get("name"): c for c in cases}
    assert by_name["security_audit_trail"].find("error").get("type") == "Timeout"
    assert "blocked by complete_sales_workflow" in by_name["cross_service_integration"].find("skipped").get("message")
    assert by_name["api_integration"].get("classname") == "features.api_integration"
    assert by_name["python_check"].get("classname") == "python.engine"
    assert "attempts: 2" in by_name["multi_user_concurrent"].find("system-out").text


def test_rerun_file_lists_what_did_not_pass_as_behave_reads_it(report_factory, tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = report_factory(STATUSES)
    report["results"].append({**report["results"][0], "scenario_name": "py", "source": None, "status": "failed"})
    path = write_rerun_file(report, Path("reports/rerun.txt"))
    text = path.read_text()
    assert "../features/api_integration.feature:4\n" in text
    assert "# py (failed, a Python scenario)" in text
    locations = FeatureListParser.parse_file("@reports/rerun.txt")  # what `behave @reports/rerun.txt` runs
    assert sorted(f"{loc.filename}:{loc.line}" for loc in locations) == sorted(
        r["source"] for r in report["results"]
        if r["status"] in ("failed", "error", "timed_out", "blocked") and r["source"]
    )
    all_passed = write_rerun_file(report_factory(), Path("reports/rerun.txt")).read_text()
    assert [line for line in all_passed.splitlines() if not line.startswith("#")] == []


def test_junit_messages_properties_flaky_and_rules(report_factory, tmp_path: Path) -> None:
    report = report_factory({"api_integration": "failed"})
    failed = next(r for r in report["results"] if r["scenario_name"] == "api_integration")
    failed["error"] = ("GherkinStepFailed: step failed: Then the deal is fully paid (features/api.feature:12)\n"
                       "ASSERT FAILED: expected 'paid', got 'partial' (/work/x/support/behave/session.py:236)")
    failed["tags"] = ["core", "rule:PAY-01", "rule:PAY-03"]
    root = ET.parse(write_junit_report(report, tmp_path / "junit.xml")).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["api_integration"].find("failure")
    expected = "Then the deal is fully paid (features/api.feature:12): expected 'paid', got 'partial'"
    assert failure.get("message") == expected
    assert "ASSERT FAILED" not in failure.text and "/work/" not in failure.text and "session.py" not in failure.text
    properties = [(p.get("name"), p.get("value")) for p in cases["api_integration"].iter("property")]
    assert ("rule", "PAY-01") in properties and ("rule", "PAY-03") in properties
    flaky = [(p.get("name"), p.get("value")) for p in cases["multi_user_concurrent"].iter("property")]
    assert ("flaky", "true") in flaky and ("attempts", "2") in flaky
    assert list(cases["api_integration"])[0].tag == "properties"  # first child, as the schema orders it
