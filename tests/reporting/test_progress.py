"""The live progress display: counts, what runs, an ETA, and plain lines off a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from support.reporting.progress import RunProgress


def test_progress_counts_results_and_prints_plain_lines_off_a_terminal() -> None:
    out = io.StringIO()
    with RunProgress(total=3, console=Console(file=out, force_terminal=False, width=120)) as progress:
        progress.on_start("a")
        progress.on_start("b")
        assert progress.running == ["a", "b"]
        progress.on_result("a", "passed", 1.25)
        progress.on_result("b", "failed", 0.5)
        assert progress.completed == 2 and progress.running == []
        assert progress.counts == {"passed": 1, "failed": 1}
    text = out.getvalue()
    assert "[1/3] a: passed in 1.25 s" in text and "[2/3] b: failed in 0.50 s" in text
    assert progress.eta_seconds is None or progress.eta_seconds >= 0
