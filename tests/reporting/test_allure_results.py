"""Allure results the parent writes: the JSON allure-behave writes, labels, links, same historyId."""

from __future__ import annotations

import json
from pathlib import Path

from allure_commons.utils import md5

from support.reporting.allure_results import allure_result_names, write_allure_result


def test_timed_out_result_is_a_broken_attempt_of_the_gherkin_test(result_factory, tmp_path: Path) -> None:
    result = result_factory("base_flow: pays", "timed_out",
                            tags=["critical", "allure.epic:Sales", "allure.issue:https://example.org/PRS-1"])
    path = write_allure_result(tmp_path, result, feature_name="Base", title="pays")
    data = json.loads(path.read_text())
    assert data["status"] == "broken" and data["statusDetails"]["message"] == "timed out after 30 s"
    assert data["historyId"] == md5("Base", "pays")  # what allure-behave computes for that scenario
    labels = {(label["name"], label["value"]) for label in data["labels"]}
    assert {("severity", "critical"), ("epic", "Sales"), ("feature", "Base"),
            ("scenario_name", "base_flow: pays")} <= labels
    assert data["links"] == [{"type": "issue", "url": "https://example.org/PRS-1", "name": "https://example.org/PRS-1"}]
    (attachment,) = data["attachments"]
    assert json.loads((tmp_path / attachment["source"]).read_text())["status"] == "timed_out"
    assert "base_flow: pays" in allure_result_names(data)


def test_blocked_and_skipped_are_skipped_with_the_reason(result_factory, tmp_path: Path) -> None:
    blocked_result = result_factory("x", "blocked", dependencies=["base"])
    blocked = json.loads(write_allure_result(tmp_path, blocked_result).read_text())
    assert blocked["status"] == "skipped" and blocked["statusDetails"]["message"] == "blocked by base"
    error = json.loads(write_allure_result(tmp_path, result_factory("y", "error")).read_text())
    assert error["status"] == "broken"


def test_allure_behave_result_names_include_the_seed_name() -> None:
    data = {"name": "pays", "labels": [{"name": "tag", "value": "scenario:base_flow"}]}
    assert allure_result_names(data) == {"pays", "base_flow", "base_flow: pays"}


def test_outline_rows_match_their_scenario_despite_behaves_trailing_blank() -> None:
    from support.reporting.allure_results import allure_result_names

    data = {"name": "A deal is never overpaid -- @1.2 ",
            "labels": [{"name": "tag", "value": "scenario:financial_calculations_accuracy"}]}
    assert "financial_calculations_accuracy: A deal is never overpaid -- @1.2" in allure_result_names(data)
