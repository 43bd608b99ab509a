"""Public behave suites nobody here wrote: plain behave, our runner sequentially and with -j 2 give every scenario
the same status (see SOURCES.md). None of them has a database: the runner must neither need nor import Django."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree
from pathlib import Path

import pytest

PEERS = Path(__file__).parent
SUITES = sorted(p.name for p in PEERS.iterdir() if (p / "features").is_dir())
BEHAVE = Path(sys.executable).with_name("behave")
PLAIN = "behave.runner:Runner"
OURS = "support.behave.runner:FrameworkRunner"


def run(project: Path, runner: str, *args: str) -> dict[str, str]:
    """Every scenario's status from behave's own JUnit reporter: {"<file>.<feature> / <scenario>": status}.

    (behave's JSON formatter leaves the status of some scenarios inside a Rule empty; its JUnit files do not.)"""
    (project / "behave.ini").write_text(f"[behave]\npaths = features\nrunner = {runner}\n")
    junit = project / "junit"
    shutil.rmtree(junit, ignore_errors=True)
    environ = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    environ["PYTHONPROFILEIMPORTTIME"] = "1"  # every module imported, by the run and its workers, on stderr
    completed = subprocess.run([str(BEHAVE), "--no-color", "-f", "progress", "--junit", "--junit-directory",
                                str(junit), *args], cwd=project, env=environ, capture_output=True, text=True,
                               timeout=180, stdin=subprocess.DEVNULL)
    output = completed.stdout + completed.stderr
    assert completed.returncode in (0, 1), output
    assert "Traceback" not in output, output
    django = re.findall(r"^import time:.*\|\s+(django(?:\.\S+)?)$", completed.stderr, re.MULTILINE)
    assert django == [], f"a suite without a database imported Django: {django[:5]}"
    statuses = {}
    for path in sorted(junit.glob("*.xml")):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            statuses[f"{case.get('classname')} / {case.get('name')}"] = case.get("status")
    return statuses


@pytest.mark.parametrize("suite", SUITES)
def test_a_peer_suite_gets_the_same_statuses_as_under_plain_behave(suite: str, tmp_path: Path) -> None:
    project = tmp_path / suite
    shutil.copytree(PEERS / suite, project)
    expected = run(project, PLAIN)
    assert expected, f"{suite}: plain behave found no scenario"
    assert run(project, OURS) == expected
    assert run(project, OURS, "-j", "2") == expected
    report = json.loads((project / "reports" / "report.json").read_text())
    assert len(report["results"]) == len(expected)


def test_at_least_three_peer_suites_each_with_its_licence() -> None:
    assert len(SUITES) >= 3
    for suite in SUITES:
        assert (PEERS / suite / "LICENSE").is_file(), suite
