"""The seed's service-contract examples run as scripts (docs/examples/contract_*.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.child_processes import child_env

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("script", ["contract_definition.py", "contract_implementation_testing.py",
                                    "contract_running_service_tests.py", "contract_test_cases.py",
                                    "contract_standard_probes.py"])
def test_seed_example_runs(script):
    completed = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=EXAMPLES, capture_output=True,
                               text=True, timeout=120, env=child_env("contract_example"))
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
