"""`reports/rerun.txt`: the scenarios to run again, as `behave @reports/rerun.txt` reads them.

behave resolves the lines of an @-file relative to the file's own folder, so a file in
`reports/` holds `../features/x.feature:12`; behave normalises that back to `features/x.feature:12`.
Python scenarios (no feature file) cannot be rerun by behave and are listed as comments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.reporting.report_file import NOT_PASSED, status_of


def rerun_lines(report: Mapping[str, Any], rerun_dir: str | Path = "reports", base: str | Path = ".") -> list[str]:
    lines, python_only = [], []
    for result in report.get("results") or []:
        if status_of(result) not in NOT_PASSED:
            continue
        source = result.get("source")
        if not source:
            python_only.append(f"# {result['scenario_name']} ({status_of(result)}, a Python scenario)")
            continue
        file, _, line = str(source).rpartition(":")
        location = os.path.relpath(Path(base, file).resolve(), Path(rerun_dir).resolve())
        entry = f"{Path(location).as_posix()}:{line}"
        if entry not in lines:
            lines.append(entry)
    return lines + python_only


def write_rerun_file(report: Mapping[str, Any], path: str | Path = "reports/rerun.txt",
                     base: str | Path = ".") -> Path:
    """Always written (empty when all passed) so a stale list from an earlier run never survives."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = rerun_lines(report, path.parent, base)
    header = "# behave @" + path.as_posix() + " reruns these (paths relative to this file)\n"
    path.write_text(header + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path
