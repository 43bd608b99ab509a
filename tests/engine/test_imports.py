"""The engine is a room of its own: importing it loads neither Django nor the reports (it returns results; the
framework or the behave layer writes reports, and Django is used only by a suite that set it up)."""
from __future__ import annotations

import json
import subprocess
import sys

ENGINE_MODULES = ["support.engine", "support.engine.execution", "support.engine.workers", "support.engine.attempts",
                  "support.engine.framework", "support.engine.scheduling", "support.engine.registry",
                  "support.engine.scenario", "support.engine.stopping", "support.engine.sharding",
                  "support.engine.assertions", "support.engine.protocol", "support.engine.using_django"]


def test_importing_the_engine_imports_neither_django_nor_the_reports() -> None:
    code = ("import json, sys\n" + "".join(f"import {m}\n" for m in ENGINE_MODULES)
            + "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django'"
              " or m.startswith('support.reporting'))))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               env={"PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == []
