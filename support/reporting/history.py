"""A compact summary per run in `reports/history/`, for the trend chart of the HTML report.

One small JSON file per run, named after the run's start time: re-rendering the same report
overwrites its own entry instead of adding a second one, and CI can carry the folder over
between runs as an artifact/cache. Only the newest `keep` entries are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.reporting.report_file import STATUSES, number, performance_of, status_of

DEFAULT_KEEP = 30


def summarize(report: Mapping[str, Any]) -> dict[str, Any]:
    summary = report.get("summary") or {}
    results = report.get("results") or []
    counts = {status: 0 for status in STATUSES}
    for result in results:
        counts[status_of(result)] = counts.get(status_of(result), 0) + 1
    perf = [performance_of(r) for r in results]
    return {
        "start_time": summary.get("start_time"),
        "end_time": summary.get("end_time"),
        "total": len(results),
        **counts,
        "flaky": sum(1 for r in results if r.get("flaky")),
        "success_rate": number(summary.get("success_rate")),
        "duration_seconds": round(number(summary.get("total_duration_seconds")), 3),
        "query_count": int(sum(number(p.get("query_count")) for p in perf)),
        "peak_memory_mb": round(max([number(p.get("peak_memory_mb")) for p in perf] or [0.0]), 1),
    }


def record_run(report: Mapping[str, Any], history_dir: str | Path, keep: int = DEFAULT_KEEP) -> Path:
    """Write this run's summary into `history_dir` and drop the oldest entries beyond `keep`."""
    folder = Path(history_dir)
    folder.mkdir(parents=True, exist_ok=True)
    entry = summarize(report)
    path = folder / f"run-{_slug(entry['start_time'] or entry['end_time'] or 'unknown')}.json"
    path.write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for stale in _entries(folder)[:-keep] if keep > 0 else []:
        stale.unlink()
    return path


def load_history(history_dir: str | Path) -> list[dict[str, Any]]:
    """Summaries oldest first; unreadable entries are skipped (a history must not break a report)."""
    runs = []
    for path in _entries(Path(history_dir)):
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return runs


def _entries(folder: Path) -> list[Path]:
    # ISO timestamps sort chronologically as text, so the file name order is the run order.
    return sorted(folder.glob("run-*.json")) if folder.is_dir() else []


def _slug(timestamp: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "", str(timestamp))[:32] or "unknown"
