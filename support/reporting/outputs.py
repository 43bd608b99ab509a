"""Everything a finished run leaves in `reports/`, written from the JSON report in one call."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.reporting.history import record_run
from support.reporting.html_report import write_html_report
from support.reporting.junit_report import write_junit_report
from support.reporting.rerun import write_rerun_file


def write_outputs(report: Mapping[str, Any], out_dir: str | Path = "reports", *, write_json: bool = True,
                  record_history: bool = True) -> dict[str, Path]:
    """report.json (unless the caller wrote it), history entry, report.html, junit.xml, rerun.txt."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if write_json:
        from support.reporting.json_report import write_report

        written["json"] = write_report(dict(report), out / "report.json")
    if record_history:
        written["history"] = record_run(report, out / "history")
    written["html"] = write_html_report(report, out / "report.html", out / "history")
    written["junit"] = write_junit_report(report, out / "junit.xml")
    written["rerun"] = write_rerun_file(report, out / "rerun.txt")
    return written
