"""Run reports. `json_report` builds and writes the JSON report every other format starts from;
`report_file` reads one back, saying what is wrong with a file that is not one."""
from support.reporting.json_report import build_report, write_report
from support.reporting.report_file import ReportError, load_report

__all__ = ["ReportError", "build_report", "load_report", "write_report"]
