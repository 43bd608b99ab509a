"""A live progress line with ETA for parallel runs (rich.progress), fed one result at a time.

    with RunProgress(total=len(plan)) as progress:
        ...
        progress.on_start("api_integration")           # optional: shows what is running
        progress.on_result("api_integration", "passed", 1.8)

The ETA comes from rich's completion rate. When stdout is not a terminal (CI logs), rich prints
nothing live; `on_result` then prints one plain line per finished scenario instead.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "blocked": "yellow",
                "skipped": "dim", "timed_out": "red3"}


class RunProgress:
    def __init__(self, total: int, console: Console | None = None, description: str = "scenarios") -> None:
        self.total = total
        self.console = console or Console(stderr=True)
        self.counts: Counter[str] = Counter()
        self.running: list[str] = []
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[running]}"),
            console=self.console, transient=False,
        )
        self._task = self._progress.add_task(description, total=total, counts="", running="")

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def on_start(self, name: str) -> None:
        self.running.append(name)
        self._refresh()

    def on_result(self, name: str, status: str, duration_seconds: float | None = None) -> None:
        if name in self.running:
            self.running.remove(name)
        self.counts[status] += 1
        if not self.console.is_terminal:
            seconds = f" in {duration_seconds:.2f} s" if duration_seconds is not None else ""
            self.console.print(f"[{self.completed}/{self.total}] {name}: {status}{seconds}", highlight=False)
        self._progress.advance(self._task)
        self._refresh()

    @property
    def completed(self) -> int:
        return sum(self.counts.values())

    @property
    def eta_seconds(self) -> float | None:
        return self._progress.tasks[0].time_remaining

    def _refresh(self) -> None:
        counts = " ".join(f"[{STATUS_STYLE.get(s, 'white')}]{n} {s}[/]" for s, n in sorted(self.counts.items()))
        running = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
        self._progress.update(self._task, counts=counts, running=running)
