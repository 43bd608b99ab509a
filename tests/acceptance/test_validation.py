"""Everything knowable before a scenario runs is reported before any scenario runs, with file and line."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from support.behave.options import RunnerOptions
from tests.acceptance.leftovers import drop_leftover_databases, leftover_databases

NOTHING_RAN = "acceptance: not run"


def test_malformed_feature_names_file_and_line(make_project):
    run = make_project("malformed").behave()
    assert run.returncode == 1
    assert "ParserError" in run.output
    assert "broken.feature" in run.output and "line 4" in run.output
    assert "passed" not in run.output


def test_undefined_step_stops_before_any_scenario(make_project):
    run = make_project("undefined").behave()
    assert run.returncode == 1
    assert "features/undefined.feature:4: undefined step: When I juggle 3 flaming torches" in run.output
    assert run.last_line.startswith(NOTHING_RAN)
    assert "1 undefined step" in run.last_line


def test_unknown_dependency_names_tag_location_and_known_names(make_project):
    run = make_project("unknown_dependency").behave()
    assert run.returncode == 1
    assert "features/a.feature:3: unknown dependency @depends_on:nowhere (known seed names: a)" in run.output
    assert run.last_line.startswith(NOTHING_RAN)


def test_cycle_names_both_features_and_their_tags(make_project):
    run = make_project("cycle").behave()
    assert run.returncode == 1
    assert "dependency cycle: a (features/a.feature:1) -> b (features/b.feature:3) -> a" in run.output
    assert run.last_line.startswith(NOTHING_RAN)


@pytest.mark.parametrize(("tag", "message"), [
    ("timeout:soon", "expected a positive number, got 'soon'"),
    ("timeout:9999999", "expected a positive number at most 86400 seconds, got '9999999'"),  # was OverflowError
    ("timout:30", "did you mean @timeout:30?"),
    ("depends-on:x", "did you mean @depends_on:x?"),
])
def test_bad_framework_tag_names_location(make_project, tag, message):
    project = make_project("bad_tag")
    feature = project.path / "features" / "a.feature"
    feature.write_text(feature.read_text().replace("@timeout:soon", f"@{tag}"))
    run = project.behave()
    assert run.returncode == 1
    assert f"features/a.feature:3: invalid tag @{tag}: {message}" in run.output
    assert "Traceback" not in run.output
    assert run.last_line.startswith(NOTHING_RAN)
    assert not (project.path / "reports" / "report.json").exists()


def test_invalid_tag_expression_is_a_clear_error(make_project):
    run = make_project("basic").behave("--tags=@core and or @other")
    assert run.returncode == 1
    assert "TagExpressionError" in run.output
    assert "Expected operand after and" in run.output


def test_an_unreachable_database_is_named_and_the_last_reports_stay(make_project):
    project = make_project("basic")
    assert project.behave("-f", "progress").returncode == 0
    reports = project.path / "reports"
    before = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    assert any(p.name.endswith("-result.json") for p in before)  # Allure results of the last run too

    run = project.behave(env={"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"})
    assert run.returncode == 1
    assert "cannot reach the postgresql database 127.0.0.1:9/nowhere (DATABASE_URL)" in run.output
    assert "acceptance: not run — database unreachable" in run.output.splitlines()
    assert {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()} == before


def test_a_database_url_that_does_not_parse_is_named(make_project):
    run = make_project("basic").behave(env={"DATABASE_URL": "garbage"})
    assert run.returncode == 1
    assert "DATABASE_URL does not parse as a database URL" in run.output
    assert "Traceback" not in run.output
    assert run.last_line == "acceptance: not run — environment.py failed"


def test_an_unknown_userdata_key_is_named(make_project):
    run = make_project("basic").behave("-D", "report=reports/s1")
    assert run.returncode == 1
    assert "unknown userdata key 'report'" in run.output and "reports" in run.output
    assert run.last_line == "acceptance: not run — bad framework setting"


def test_a_suites_own_userdata_keys_are_declared_and_the_reports_take_the_configured_title(make_project):
    project = make_project("basic")
    run = project.behave("-f", "progress", "-D", "browser=firefox", "-D", "suite_userdata=browser",
                         "-D", "title=Shop checkout run", "-D", "product=Shop")
    assert run.returncode == 0, run.output
    assert "<title>Shop checkout run" in (project.path / "reports" / "report.html").read_text()
    assert '<testsuites name="Shop"' in (project.path / "reports" / "junit.xml").read_text()



def test_two_runs_on_one_database_url_without_a_suffix_never_clash(make_project):
    """Nobody sets PRS_TEST_DB_SUFFIX: each run's test database (and its workers' copies) carries the run's pid,
    so two runs at once on one PostgreSQL server (or SQLite folder) neither refuse nor drop each other's."""
    projects = [make_project("basic", folder) for folder in ("first", "second")]
    runs = [project.start("-f", "plain", "-j", "2", env={"PRS_TEST_DB_SUFFIX": ""}) for project in projects]
    try:
        outputs = [run.communicate(timeout=180)[0] for run in runs]
        for run, output in zip(runs, outputs, strict=True):
            assert run.returncode == 0, output
            assert output.rstrip().splitlines()[-1] == "acceptance: 6 passed, 0 failed", output
            assert leftover_databases(run.pid, f"run{run.pid}") == []
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.communicate()
            drop_leftover_databases(run.pid, f"run{run.pid}")


def test_reports_are_titled_generically_unless_configured_and_prs_says_prs():
    parser = configparser.ConfigParser()
    parser.read(Path(__file__).resolve().parents[2] / "behave.ini")
    prs = RunnerOptions.from_userdata(dict(parser["behave.userdata"]))
    assert (prs.title, prs.product) == ("PRS acceptance run", "PRS")
    assert (RunnerOptions().title, RunnerOptions().product) == ("Acceptance run", "acceptance")


def test_a_tag_expression_that_matches_nothing_is_a_clear_error_and_the_last_reports_stay(make_project):
    project = make_project("basic")
    assert project.behave("-f", "progress").returncode == 0
    report = (project.path / "reports" / "report.json").read_bytes()
    run = project.behave("--tags=@securty")  # a typo
    assert run.returncode == 1
    assert "NoScenarioSelected: --tags='@securty' matches none of the" in run.output
    assert run.last_line.startswith(NOTHING_RAN)
    assert "Traceback" not in run.output
    assert (project.path / "reports" / "report.json").read_bytes() == report


def test_a_version_1_tag_expression_with_a_rule_id_is_a_clear_error_not_behaves_traceback(make_project):
    parser = configparser.ConfigParser()
    parser.read(Path(__file__).resolve().parents[2] / "behave.ini")
    protocol = parser["behave"]["tag_expression_protocol"]  # the suite's own setting, tried below
    assert protocol == "v2"
    project = make_project("basic")
    ini = project.path / "behave.ini"
    ini.write_text(ini.read_text().replace("[behave]\n", f"[behave]\ntag_expression_protocol = {protocol}\n", 1))
    run = project.behave("--tags=@rule:PAY-07,@rule:SEC-03")  # v1's "or", read by v1 as "@tag:limit"
    assert run.returncode == 1
    assert "NoScenarioSelected: --tags='@rule:PAY-07,@rule:SEC-03' matches none of the" in run.output
    assert 'tag expressions use and/or/not: --tags="@a or @b"' in run.output
    assert "Traceback" not in run.output
