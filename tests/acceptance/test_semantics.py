"""The runner reports what behave itself would: run-time skips, rules, renames made by hooks, default_tags, and
colon tags that are not the framework's (`@author:john.doe`, `@jira:ABC-1`) pass through to behave and Allure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_skips_rules_and_renames_read_as_in_behave(make_project, jobs):
    project = make_project("semantics")
    run = project.behave("-f", "plain", "-j", jobs)
    assert run.returncode == 0, run.output
    report = json.loads((project.path / "reports" / "report.json").read_text())
    statuses = {r["scenario_name"]: (r["status"], r["skip_reason"]) for r in report["results"]}
    assert statuses == {
        "semantics: Skipped by a hook": ("skipped", "skipped by a hook"),
        "semantics: Original name": ("passed", None),
        "semantics: Inside a rule": ("passed", None),
    }
    assert "  Rule: Numbers add up" in run.output
    assert run.last_line == "acceptance: 2 passed, 0 failed, 1 skipped"
    junit = (project.path / "reports" / "junit" / "TESTS-semantics.xml").read_text()
    # What plain behave writes for this feature (show_skipped = false leaves the skipped scenario out).
    assert 'tests="2" errors="0" failures="0" skipped="0"' in junit
    assert 'name="Original name (renamed by a hook)" status="passed"' in junit
    ours = (project.path / "reports" / "junit.xml").read_text()
    assert "<skipped" in ours and ours.count("<testcase") == 3
    # Ours keeps the registered name, the scenario's identity (docs/runner.md, known differences).
    assert 'name="semantics: Original name"' in ours and '<testsuites name="acceptance"' in ours
    html = (project.path / "reports" / "report.html").read_text()
    assert "<title>Acceptance run" in html  # no title configured: not "PRS"
    assert html.count('class="badge b-skipped"') == 1 and html.count('class="badge b-passed"') == 2
    labels = set()
    for path in (project.path / "reports" / "allure-results").glob("*-result.json"):
        labels |= {label["value"] for label in json.loads(path.read_text())["labels"] if label["name"] == "tag"}
    assert {"author:john.doe", "jira:ABC-1"} <= labels, labels


def test_list_and_shards_honour_default_tags(make_project):
    project = make_project("basic")
    config = project.path / "behave.ini"
    config.write_text(config.read_text().replace("[behave]\n", "[behave]\ndefault_tags = not @other\n"))
    cli = [sys.executable, "-m", "support.cli"]
    listed = subprocess.run([*cli, "list"], cwd=project.path, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "5 scenarios" in listed.stdout and "other" not in listed.stdout.replace("other.feature", "")
    shards = subprocess.run([*cli, "shards", "2"], cwd=project.path, capture_output=True, text=True, timeout=60)
    assert shards.returncode == 0, shards.stderr
    assert "Independent adding" not in shards.stdout
