"""Allure results of real behave runs (the suite's formatter in the workers, the parent for the rest):
one test per scenario and outline row, the same labels whoever wrote the result, the steps of a timed-out
scenario, retries only where @retry re-ran."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.acceptance.conftest import FIXTURES, FixtureProject

OUTLINE = """@scenario:rows @allure.label.epic:Numbers @core
Feature: Rows
  @critical @rule:PAY-01
  Scenario Outline: Adding to a number
    Given a number <start>
    When I add <step>
    Then the number is <total>

    Examples:
      | start | step | total |
      | 1     | 1    | 2     |
      | 2     | 3    | 5     |
"""


def _project(tmp_path: Path, case: str, extra: dict[str, str] | None = None) -> FixtureProject:
    basic = FIXTURES / "basic"
    for name in ("environment.py",):
        (tmp_path / name).write_text((basic / name).read_text())
    ini = (basic / "behave.ini").read_text().replace(
        "allure_behave.formatter:AllureFormatter", "support.reporting.allure_formatter:AllureFormatter")
    (tmp_path / "behave.ini").write_text(ini)
    (tmp_path / "steps").mkdir()
    for step_file in (basic / "steps").iterdir():
        (tmp_path / "steps" / step_file.name).write_text(step_file.read_text())
    features = tmp_path / "features"
    features.mkdir()
    for feature in (FIXTURES / case).glob("*.feature"):
        (features / feature.name).write_text(feature.read_text())
    for name, text in (extra or {}).items():
        (features / name).write_text(text)
    return FixtureProject(tmp_path)


def _results(project: FixtureProject) -> list[dict]:
    folder = project.path / "reports" / "allure-results"
    return [json.loads(p.read_text()) for p in folder.glob("*-result.json")]


def _labels(result: dict) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for label in result["labels"]:
        labels.setdefault(label["name"], []).append(label["value"])
    return labels


@pytest.mark.slow
def test_outline_rows_are_tests_of_their_own_and_framework_tags_are_labels(tmp_path: Path) -> None:
    project = _project(tmp_path, "blocked", {"rows.feature": OUTLINE})
    run = project.behave()
    assert "acceptance:" in run.last_line, run.output[-2000:]
    results = _results(project)
    rows = [r for r in results if r["fullName"] == "Rows: Adding to a number"]
    assert sorted(tuple((p["name"], p["value"]) for p in r["parameters"]) for r in rows) == [
        (("start", "1"), ("step", "1"), ("total", "2")), (("start", "2"), ("step", "3"), ("total", "5"))]
    assert len({r["historyId"] for r in rows}) == 2  # not one test with a fake retry
    labels = _labels(rows[0])
    assert labels["feature"] == ["Rows"] and labels["story"] == ["Adding to a number"]
    assert labels["epic"] == ["Numbers"] and labels["severity"] == ["critical"] and labels["tag"] == ["core"]
    assert labels["rule"] == ["PAY-01"] and labels["scenario"] == ["rows"]
    # The parent wrote the blocked scenario's result: the same kinds of labels as a worker's.
    (blocked,) = [r for r in results if r["name"] == "Never runs"]
    assert blocked["status"] == "skipped" and blocked["statusDetails"]["message"].startswith("blocked by")
    blocked_labels = _labels(blocked)
    assert blocked_labels["depends_on"] == ["base"] and blocked_labels["scenario"] == ["dependent"]
    assert blocked_labels["feature"] == ["Dependent"] and blocked_labels["story"] == ["Never runs"]
    (worker,) = [r for r in results if r["name"] == "Wrong sum"]
    assert set(_labels(worker)) - {"scenario", "severity"} <= set(blocked_labels)
    assert blocked["fullName"] == "Dependent: Never runs" and blocked["titlePath"] == ["features", "Dependent"]
    assert not any(v.startswith(("scenario:", "depends_on:")) for r in results for v in _labels(r).get("tag", []))


@pytest.mark.slow
def test_a_timed_out_scenario_shows_the_steps_it_ran_and_the_one_it_hung_in(tmp_path: Path) -> None:
    project = _project(tmp_path, "timeout")
    project.behave(timeout=180)
    results = _results(project)
    (hung,) = [r for r in results if r["name"] == "A step that hangs"]
    assert hung["status"] == "broken"
    assert "stopped in step: When I wait 60 seconds" in hung["statusDetails"]["message"]
    assert [(s["name"], s["status"]) for s in hung["steps"]] == [("Given a number 1", "passed"),
                                                                 ("When I wait 60 seconds", "broken")]
    assert _labels(hung)["timeout"] == ["2"] and _labels(hung)["feature"] == ["Hanging"]
    assert not list((project.path / "reports" / ".allure-results-progress").glob("worker-*.json"))


@pytest.mark.slow
def test_retries_only_where_retry_re_ran(tmp_path: Path) -> None:
    project = _project(tmp_path, "flaky", {"rows.feature": OUTLINE})
    project.behave()
    by_history = Counter(r["historyId"] for r in _results(project))
    (flaky,) = [r for r in _results(project) if r["name"] == "Passes on the second attempt" and r["status"] == "passed"]
    assert by_history[flaky["historyId"]] == 2  # the failed first attempt and the pass: a real retry
    assert sorted(by_history.values()) == [1, 1, 2]
