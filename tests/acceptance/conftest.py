"""Run behave in a subprocess on a throw-away project built from fixtures/.

fixtures/basic holds the project skeleton (environment.py, behave.ini, steps/) and a small healthy suite;
every other fixtures/<case>/ folder holds only feature files, used instead of basic's features.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.child_processes import child_env

FIXTURES = Path(__file__).parent / "fixtures"
BEHAVE = Path(sys.executable).with_name("behave")


@dataclass
class BehaveRun:
    returncode: int
    output: str
    project: Path

    @property
    def last_line(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else ""


@dataclass
class FixtureProject:
    path: Path

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        return child_env("behave", DJANGO_SETTINGS_MODULE="support.prs.settings", FIXTURE_STATE_DIR=str(self.path),
                         **(env or {}))

    def start(self, *args: str, env: dict[str, str] | None = None) -> psutil.Popen:
        """behave in the background (stdout and stderr together), for tests that signal or kill it.

        Its SIGINT is reset to the default: under a backgrounded pytest it would inherit SIGINT ignored.
        ``.db_suffix`` is the PRS_TEST_DB_SUFFIX it was given."""
        environ = self.environment(env)
        process = psutil.Popen([str(BEHAVE), "--no-color", *args], cwd=self.path, env=environ,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        process.db_suffix = environ["PRS_TEST_DB_SUFFIX"]
        return process

    def behave(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> BehaveRun:
        environ = self.environment(env)
        completed = subprocess.run(
            [str(BEHAVE), "--no-color", *args], cwd=self.path, env=environ, capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL,
        )
        return BehaveRun(completed.returncode, completed.stdout + completed.stderr, self.path)


@pytest.fixture
def make_project(tmp_path: Path):
    base = tmp_path

    def build(case: str = "basic", folder: str = "") -> FixtureProject:
        """The project in tmp_path, or in tmp_path/<folder> for a test that needs two."""
        basic = FIXTURES / "basic"
        tmp_path = base / folder if folder else base
        tmp_path.mkdir(exist_ok=True)
        shutil.copy(basic / "environment.py", tmp_path / "environment.py")
        shutil.copy(basic / "behave.ini", tmp_path / "behave.ini")
        shutil.copytree(basic / "steps", tmp_path / "steps")
        shutil.copytree(FIXTURES / case, tmp_path / "features", ignore=shutil.ignore_patterns("steps", "*.py",
                                                                                                "*.ini"))
        if case == "basic":
            shutil.rmtree(tmp_path / "features")
            shutil.copytree(basic / "features", tmp_path / "features")
        return FixtureProject(tmp_path)

    return build
