"""Run reports. `json_report` builds/writes/loads the JSON report every other format starts from."""
from support.reporting.json_report import build_report, load_report, write_report

__all__ = ["build_report", "load_report", "write_report"]
