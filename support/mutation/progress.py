"""A progress bar with ETA on stderr, refreshed by hand.

rich's auto-refresh runs a thread; a thread that holds a lock when the parent forks a child would leave that
lock held forever in the child, so the campaign refreshes explicitly, after each event. Off a terminal (CI
logs) one plain line is printed every ``every`` mutants instead.
"""
from __future__ import annotations

from collections import Counter
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

STYLE = {"killed": "green", "timeout": "green", "survived": "red", "no_coverage": "yellow", "error": "magenta",
         "passed": "green", "failed": "red"}


class PhaseProgress:
    def __init__(self, description: str, total: int, console: Console | None = None, every: int = 50) -> None:
        self.console = console or Console(stderr=True, soft_wrap=True)
        self.total = total
        self.every = every
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.description = description
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, auto_refresh=False, transient=False,
        )
        self._task = self._progress.add_task(description, total=total, counts="")

    def __enter__(self) -> PhaseProgress:
        if self.console.is_terminal:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.console.is_terminal:
            self._progress.refresh()
            self._progress.stop()

    def advance(self, status: str, amount: int = 1) -> None:
        self.done += amount
        self.counts[status] += amount
        counts = " ".join(f"[{STYLE.get(k, 'white')}]{k} {v}[/]" for k, v in sorted(self.counts.items()))
        self._progress.update(self._task, advance=amount, counts=counts)
        if self.console.is_terminal:
            self._progress.refresh()
        elif self.done == self.total or self.done % self.every == 0:
            plain = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
            self.console.print(f"{self.description}: {self.done}/{self.total} ({plain})", highlight=False)
