"""`prs-acceptance` list / shards / report / merge and the delegated commands' failure messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import main

REPO = Path(__file__).resolve().parents[2]
FEATURES = """@scenario:base_flow @core
Feature: Base
  @max_queries:40 @timeout:20
  Scenario: creates things
    Given a thing

@scenario:later_flow @depends_on:base_flow @allure.label.epic:Later
Feature: Later
  @retry:2 @skip_if:NO_LATER
  Scenario: uses things
    Given a thing
"""


@pytest.fixture
def feature_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    folder.mkdir()
    first, second = FEATURES.split("\n\n")
    (folder / "base.feature").write_text(first + "\n")
    (folder / "later.feature").write_text(second)
    return folder


def test_list_shows_tags_dependencies_budgets_and_graph(feature_dir: Path, capsys) -> None:
    assert main(["list", str(feature_dir), "--graph"]) == 0
    out = capsys.readouterr().out
    assert "base_flow: creates things" in out and "later_flow: uses things" in out
    assert "queries≤40" in out and "20.0 / -" in out and "skip_if:NO_LATER" in out
    graph = out[out.index("dependency graph"):]
    assert graph.index("base_flow") < graph.index("later_flow")


def test_list_with_tags_marks_pulled_in_dependencies(feature_dir: Path, capsys) -> None:
    assert main(["list", str(feature_dir), "--tags", "@allure.label.epic:Later"]) == 0
    out = capsys.readouterr().out
    assert "2 scenarios" in out and "(pulled in)" in out


def test_list_names_a_missing_path_and_a_bad_tag(tmp_path: Path, feature_dir: Path, capsys) -> None:
    assert main(["list", str(tmp_path / "nowhere")]) == 2
    assert "no such feature path" in capsys.readouterr().err
    bad = "@scenario:bad @depends_on:ghost\nFeature: Bad\n  Scenario: x\n    Given y\n"
    (feature_dir / "bad.feature").write_text(bad)
    assert main(["list", str(feature_dir)]) == 2
    assert "ghost" in capsys.readouterr().err


def test_shards_prints_a_plan(feature_dir: Path, capsys) -> None:
    assert main(["shards", "2", str(feature_dir), "--report", "/nonexistent.json"]) == 0
    out = capsys.readouterr().out
    assert "1/2" in out and "2/2" in out


def test_report_rebuilds_html_junit_rerun(report_factory, tmp_path: Path) -> None:
    source = tmp_path / "report.json"
    source.write_text(json.dumps(report_factory({"api_integration": "failed"})))
    out = tmp_path / "out"
    assert main(["report", "--json", str(source), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {"report.html", "junit.xml", "rerun.txt", "history"}
    assert "api_integration" in (out / "report.html").read_text()


def test_report_names_a_broken_report(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "report.json"
    bad.write_text(json.dumps({"summary": {}, "results": [{"scenario_name": "x", "status": "exploded"}]}))
    assert main(["report", "--json", str(bad)]) == 2
    assert "status 'exploded'" in capsys.readouterr().err
    bad.write_text("{not json")
    assert main(["report", "--json", str(bad)]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_merge_through_the_console_entry_point(report_factory, tmp_path: Path) -> None:
    paths = []
    for index, names in enumerate((["complete_sales_workflow", "api_integration"], ["multi_user_concurrent"])):
        report = report_factory()
        report["results"] = [r for r in report["results"] if r["scenario_name"] in names]
        paths.append(tmp_path / f"shard{index}.json")
        paths[-1].write_text(json.dumps(report))
    run = subprocess.run([sys.executable, "-m", "support.cli", "merge", *map(str, paths), "--out", str(tmp_path / "m")],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "3 scenarios, 3 passed" in run.stdout
    merged = json.loads((tmp_path / "m" / "report.json").read_text())
    assert merged["summary"]["total_scenarios"] == 3


def test_delegated_commands_fail_clearly_when_their_module_is_missing(monkeypatch, capsys) -> None:
    import support.cli as cli

    def missing(name: str):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(cli.importlib, "import_module", missing)
    assert main(["seed", "--size", "10"]) == 2
    assert "support.prs.seeding does not exist yet" in capsys.readouterr().err
    assert main(["contracts", "export", "x.json"]) == 2
    assert "support.prs.contracts does not exist yet" in capsys.readouterr().err


def _cli(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "support.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_seed_creates_demo_data_in_a_migrated_database_and_only_tops_up(tmp_path: Path) -> None:
    """A real run on its own SQLite file: Django set up before PRS's models are imported."""
    import os

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'seed.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "support.prs.settings"}
    env.pop("PRS_TEST_DB_SUFFIX", None)
    unmigrated = _cli("seed", env=env)
    assert unmigrated.returncode == 2 and "manage.py migrate" in unmigrated.stderr, unmigrated.stderr
    assert "Traceback" not in unmigrated.stderr
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    first = _cli("seed", "--size", "small", "--deals", "2", env=env)
    assert first.returncode == 0, first.stderr
    assert "Seeded 1 organizations (created 4 users, 3 clients, 2 deals, 3 payments)" in first.stdout
    again = _cli("seed", "--size", "small", "--deals", "2", env=env)
    assert again.returncode == 0 and "created 0 users, 0 clients, 0 deals, 0 payments" in again.stdout
    bad = _cli("seed", "--size", "huge", env=env)
    assert bad.returncode == 2 and "choose one of small, demo, large" in bad.stderr


def test_merge_takes_json_files_after_allure_as_reports(tmp_path: Path) -> None:
    from support.cli import CliError, merge_arguments

    assert merge_arguments(["s1/report.json"], ["s1/allure", "s2/allure", "s2/report.json"]) == (
        ["s1/report.json", "s2/report.json"], ["s1/allure", "s2/allure"])
    assert merge_arguments(["s1/report.json", "s2/report.json"], []) == (
        ["s1/report.json", "s2/report.json"], ["s1/allure-results", "s2/allure-results"])
    with pytest.raises(CliError, match="2 reports but 1 allure folders"):
        merge_arguments(["a.json", "b.json"], ["x"])
    folder_file = tmp_path / "results.txt"
    folder_file.write_text("")
    with pytest.raises(CliError, match="not files"):
        merge_arguments(["a.json"], [str(folder_file)])
