"""Run behave in a subprocess on a throw-away project built from fixtures/.

fixtures/basic holds the project skeleton (environment.py, behave.ini, steps/) and a small healthy suite;
every other fixtures/<case>/ folder holds only feature files, used instead of basic's features.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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

    def behave(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> BehaveRun:
        environ = child_env("behave", DJANGO_SETTINGS_MODULE="prs.settings", FIXTURE_STATE_DIR=str(self.path),
                            **(env or {}))
        completed = subprocess.run(
            [str(BEHAVE), "--no-color", *args], cwd=self.path, env=environ, capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL,
        )
        return BehaveRun(completed.returncode, completed.stdout + completed.stderr, self.path)


@pytest.fixture
def make_project(tmp_path: Path):
    def build(case: str = "basic") -> FixtureProject:
        basic = FIXTURES / "basic"
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
