"""The engine is a room of its own: importing it loads neither Django nor the reports (it returns results; the
framework or the behave layer writes reports, and Django is used only by a suite that set it up)."""
from __future__ import annotations

import ast
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


def _imports(module: str) -> set[str]:
    """Every support.* module `module` imports, at module level or inside a function."""
    path = Path(support.engine.__file__).parent / f"{module.removeprefix('support.engine.')}.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "support.engine":
            found |= {f"support.engine.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("support."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("support.")}
    return found


def test_the_inner_modules_know_the_protocol_not_the_framework_and_form_no_circle() -> None:
    graph = {module: _imports(module) for module in ENGINE_MODULES[1:]}
    assert [m for m, deps in graph.items() if "support.engine.framework" in deps] == []
    # Only the framework builds and writes reports (lazily, in run_all_scenarios).
    assert [m for m, deps in graph.items() if m != "support.engine.framework"
            and any(d.startswith("support.reporting") for d in deps)] == []
    assert "support.engine.protocol" in graph["support.engine.workers"] & graph["support.engine.execution"]

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import circle: {' -> '.join((*path, module))}"
        for dependency in graph.get(module, ()):
            visit(dependency, (*path, module))

    for module in graph:
        visit(module, ())
