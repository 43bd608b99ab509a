"""The engine is a room of its own: importing it loads neither Django nor the reports (it returns results; the
framework or the behave layer writes reports, and Django is used only by a suite that set it up)."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import support.engine

# Every module of the package, found on disk: a module added later is checked without editing this list.
ENGINE_MODULES = ["support.engine",
                  *(f"support.engine.{m.name}" for m in pkgutil.iter_modules(support.engine.__path__))]


def test_every_engine_module_is_checked() -> None:
    on_disk = {p.stem for p in Path(support.engine.__file__).parent.glob("*.py") if p.stem != "__init__"}
    assert {m.rsplit(".", 1)[1] for m in ENGINE_MODULES[1:]} == on_disk
    assert {"claims", "databases", "execution", "using_django", "workers"} <= on_disk


def test_importing_the_engine_imports_neither_django_nor_the_reports() -> None:
    code = ("import json, sys\n" + "".join(f"import {m}\n" for m in ENGINE_MODULES)
            + "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django'"
              " or m.startswith('support.reporting'))))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               env={"PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == []
