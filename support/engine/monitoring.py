"""Cheap, always-on measurement of one scenario attempt (runs in the worker).

- `QueryCounter`: count and time of every SQL statement on every connection of the process, the ones
  threads open during the measurement included (`connection_created` reaches them), plus the repeated
  statements (normalized: literals and parameters replaced by `?`).
- `RssTracker`: RSS change and peak. Peak from the kernel's high-water mark (`VmHWM`, reset by writing 5
  to /proc/self/clear_refs) where available, else a psutil sampling thread every 10 ms.
- `ScenarioMonitor`: all of the above plus wall and CPU time, as one start/stop pair. Rows added/removed per
  model (`database_changes`) come from the database reset (`clean_state.py`), which knows the clean counts
  and which tables the attempt wrote.

Django is imported inside the functions: importing the engine must not need it.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import sysconfig
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

MB = 1024 * 1024
REPEATED_TOP_N = 5
REPEATED_CALLS_TOP_N = 10

# Phases in which the application serves the scenario (behave's When/Then steps; "unphased" when nobody sets
# one, e.g. a Python scenario). Given steps make test data and hooks set up: their queries are not the
# application's doing. Transaction control is never a repeated statement worth fixing.
SERVED_PHASES = frozenset({"unphased", "when", "then"})
_TRANSACTION_CONTROL = re.compile(r"^\s*(?:BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START\s|SET\s|END\b)", re.I)
_ENGINE_ROOT = str(Path(__file__).resolve().parents[1]) + "/"  # the framework's own package (support/)
_LIBRARY_ROOTS = tuple(sorted({str(Path(p).resolve()) + "/" for key in ("stdlib", "platstdlib", "purelib", "platlib")
                               if (p := sysconfig.get_paths().get(key))}))
TEST_CODE_MARKERS = ("/steps/", "/tests/", "/features/", "/environment.py")
_frame_kinds: dict[str, str] = {}  # filename -> "library" | "framework" | "test" | "application"


def _frame_kind(filename: str) -> str:
    kind = _frame_kinds.get(filename)
    if kind is None:
        path = filename if filename.startswith("<") else str(Path(filename).resolve())
        if path.startswith("<") or path.startswith(_LIBRARY_ROOTS) or "/site-packages/" in path:
            kind = "library"
        elif path.startswith(_ENGINE_ROOT):
            kind = "framework"
        elif any(marker in path for marker in TEST_CODE_MARKERS):
            kind = "test"
        else:
            kind = "application"
        _frame_kinds[filename] = kind
    return kind


def application_call_site(depth: int = 1) -> str | None:
    """`file:line` of the innermost frame outside libraries and the framework — the application code that
    issued the query — or None when that frame is test code (a step querying for itself)."""
    frame = sys._getframe(depth)
    while frame is not None:
        kind = _frame_kind(frame.f_code.co_filename)
        if kind == "application":
            return f"{_relative(frame.f_code.co_filename)}:{frame.f_lineno}"
        if kind == "test":
            return None
        frame = frame.f_back
    return None


def _relative(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename

_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_PARAM = re.compile(r"%s|%\(\w+\)s|\?")
_IN_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=8192)  # the same statements come back in every scenario
def normalize_sql(sql: str) -> str:
    """One shape per statement: literals and placeholders become ?, IN lists collapse to (?...)."""
    sql = _STRING.sub("?", sql)
    sql = _NUMBER.sub("?", sql)
    sql = _PARAM.sub("?", sql)
    sql = _IN_LIST.sub("(?...)", sql)
    return _SPACE.sub(" ", sql).strip()


class QueryCounter:
    """Counts SQL on every connection while active. Usable as a context manager; nests freely."""

    def __init__(self, on_query: Callable[[], None] | None = None) -> None:
        self._on_query = on_query  # e.g. the RSS tracker's throttled sample: no thread of its own
        self._stats: dict[str, list] = {}  # raw SQL -> [count, seconds]: one dict lookup per query
        self._lock = threading.Lock()
        self._wrapped: list[Any] = []  # connection wrappers we appended our hook to
        self.phase = "unphased"  # set by the behave hooks: setup, given, when, then, teardown
        # Statements run while the application serves a step: raw SQL -> times seen; the call site is looked
        # up (a frame walk) only from the second sighting on, the first being credited to that site.
        self._served: dict[str, int] = {}
        self._first_seconds: dict[str, float] = {}
        self._sites: dict[tuple[str, str], list] = {}  # (file:line, raw SQL) -> [count, seconds]

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            with self._lock:
                entry = self._stats.get(sql)
                if entry is None:
                    self._stats[sql] = [1, elapsed]
                else:
                    entry[0] += 1
                    entry[1] += elapsed
                if self.phase in SERVED_PHASES:
                    self._note_served(sql, elapsed)
            if self._on_query is not None:
                self._on_query()

    def _note_served(self, sql: str, elapsed: float) -> None:
        seen = self._served.get(sql)
        if seen is None:  # first sighting: no frame walk yet
            self._served[sql] = -1 if _TRANSACTION_CONTROL.match(sql) else 1
            self._first_seconds[sql] = elapsed
            return
        if seen < 0:  # transaction control
            return
        self._served[sql] = seen + 1
        site = application_call_site()
        if site is None:  # test code's own query
            return
        entry = self._sites.get((site, sql))
        if entry is None:
            first = self._first_seconds.pop(sql, None)
            entry = self._sites[(site, sql)] = [0, 0.0] if first is None else [1, first]
        entry[0] += 1
        entry[1] += elapsed

    def repeated_calls(self, top: int = REPEATED_CALLS_TOP_N) -> list[dict[str, Any]]:
        """Statements the application ran more than once from one call site while serving steps, by
        normalized shape, most frequent first: `{"site", "sql", "count", "time_ms"}`."""
        with self._lock:
            grouped: dict[tuple[str, str], list] = {}
            for (site, sql), (n, seconds) in self._sites.items():
                entry = grouped.setdefault((site, normalize_sql(sql)), [0, 0.0])
                entry[0] += n
                entry[1] += seconds
        ranked = sorted(grouped.items(), key=lambda item: -item[1][0])
        return [{"site": site, "sql": shape, "count": n, "time_ms": round(seconds * 1000, 2)}
                for (site, shape), (n, seconds) in ranked[:top] if n > 1]

    @property
    def count(self) -> int:
        with self._lock:
            return sum(entry[0] for entry in self._stats.values())

    @property
    def time_seconds(self) -> float:
        with self._lock:
            return sum(entry[1] for entry in self._stats.values())

    def _install(self, connection: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)
            self._wrapped.append(connection)

    def start(self) -> QueryCounter:
        from django.db import connections

        _listening(self)
        for conn in connections.all(initialized_only=True):  # this thread's; others arrive via the signal
            self._install(conn)
        return self

    def stop(self) -> QueryCounter:
        _active_counters.pop(id(self), None)
        for conn in self._wrapped:
            # A thread may still hold the connection: remove by identity, tolerate it being gone.
            conn.execute_wrappers[:] = [w for w in conn.execute_wrappers if w is not self]
        self._wrapped.clear()
        return self

    def __enter__(self) -> QueryCounter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def statements(self, limit: int) -> list[dict[str, Any]]:
        """Distinct statements in the order first seen, with their count and total time (for attachments)."""
        with self._lock:
            items = list(self._stats.items())[:limit]
        return [{"sql": sql, "count": n, "ms": round(seconds * 1000, 3)} for sql, (n, seconds) in items]

    @property
    def distinct(self) -> int:
        with self._lock:
            return len(self._stats)

    def repeated(self, top: int = REPEATED_TOP_N) -> list[dict[str, Any]]:
        """Statements run more than once, by normalized shape, most frequent first."""
        with self._lock:
            if len(self._stats) < 2 and all(n < 2 for n, _ in self._stats.values()):
                return []  # one statement, run once: nothing repeated (most short scenarios' case)
            shapes: Counter[str] = Counter()
            times: Counter[str] = Counter()
            for sql, (n, seconds) in self._stats.items():
                shape = normalize_sql(sql)
                shapes[shape] += n
                times[shape] += seconds
        return [
            {"sql": shape, "count": n, "time_ms": round(times[shape] * 1000, 2)}
            for shape, n in shapes.most_common(top) if n > 1
        ]


# The running counters, told of every connection opened while they run. One receiver per process, connected
# once: connecting and disconnecting a receiver per attempt cost more than the attempt's own counting.
_active_counters: dict[int, QueryCounter] = {}
_receiver_connected = False  # in this process or the one it was forked from: receivers are inherited


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    for counter in list(_active_counters.values()):  # a stopped counter has left the dict
        counter._install(connection)


def _listening(counter: QueryCounter) -> None:
    global _receiver_connected
    _active_counters[id(counter)] = counter
    if not _receiver_connected:
        from django.db.backends.signals import connection_created

        connection_created.connect(_on_connection_created, weak=False,
                                   dispatch_uid="support.engine.monitoring.query_counters")
        _receiver_connected = True


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _ProcFiles:
    """This process's /proc/self files, opened once per process (a forked worker opens its own: "self" is
    resolved at open). Opening a /proc file cost ten times reading it again, and RSS is read several times
    per scenario."""

    _by_pid: dict[int, _ProcFiles | None] = {}

    def __init__(self) -> None:
        self.statm = os.open("/proc/self/statm", os.O_RDONLY)
        self.status = os.open("/proc/self/status", os.O_RDONLY)
        try:
            self.clear_refs: int | None = os.open("/proc/self/clear_refs", os.O_WRONLY)
            os.write(self.clear_refs, b"5")
            self.hwm_resettable = self.rss_and_hwm()[1] is not None
        except OSError:
            self.clear_refs, self.hwm_resettable = None, False

    @classmethod
    def get(cls) -> _ProcFiles | None:
        pid = os.getpid()
        files = cls._by_pid.get(pid, False)
        if files is False:
            try:
                files = cls()
            except OSError:
                files = None  # no /proc: psutil, and a sampling thread for the peak
            cls._by_pid[pid] = files
        return files

    def rss(self) -> int:
        return int(os.pread(self.statm, 128, 0).split()[1]) * _PAGE_SIZE

    def reset_hwm(self) -> None:
        if self.clear_refs is not None:
            os.write(self.clear_refs, b"5")

    def rss_and_hwm(self) -> tuple[int | None, int | None]:
        """VmRSS and VmHWM in bytes, from one read of /proc/self/status (the two fields looked up, not every
        line split: this runs after every attempt)."""
        text = os.pread(self.status, 8192, 0)
        return _status_kb(text, b"\nVmRSS:"), _status_kb(text, b"\nVmHWM:")


def _status_kb(text: bytes, field: bytes) -> int | None:
    """The value of `field` (b"\\nVmRSS:") of a /proc status text, in bytes (the file says kB)."""
    start = text.find(field)
    if start < 0:
        return None
    start += len(field)
    end = text.find(b"\n", start)
    return int(text[start:end if end >= 0 else None].split()[0]) * 1024


_psutil_process: dict[int, psutil.Process] = {}


def rss_bytes() -> int:
    """This process's RSS: one read of /proc/self/statm (psutil's call costs several times that)."""
    files = _ProcFiles.get()
    if files is not None:
        with contextlib.suppress(OSError, IndexError, ValueError):
            return files.rss()
    pid = os.getpid()
    process = _psutil_process.get(pid)
    if process is None:
        process = _psutil_process[pid] = psutil.Process()
    return process.memory_info().rss


class RssTracker:
    """RSS at start/stop, the peak in between, and a short series of samples (memory over time).

    The peak comes from the kernel's high-water mark (VmHWM, reset per scenario), which misses nothing and
    costs nothing while the scenario runs. Samples are taken as the scenario works — `maybe_sample()`, called
    on every query, reads RSS at most every SAMPLE_SECONDS — rather than by a thread: a thread waking every
    few milliseconds made database-bound scenarios 40 % slower through GIL hand-offs. Where VmHWM cannot be
    reset, a slow sampling thread stands in for it. Past MAX_SAMPLES points every other one is dropped.
    """

    MAX_SAMPLES = 64
    SAMPLE_SECONDS = 0.01
    FALLBACK_THREAD_SECONDS = 0.05

    def __init__(self) -> None:
        self._files = _ProcFiles.get()
        self._use_hwm = self._files is not None and self._files.hwm_resettable
        self._sampler: threading.Thread | None = None
        self._stop_sampling = threading.Event()
        self._sampled_peak = 0
        self._samples: list[tuple[float, int]] = []
        self._started_at = 0.0
        self._last_sample = 0.0
        self.start_rss = 0

    def start(self) -> None:
        if self._use_hwm:
            self._files.reset_hwm()
        self.start_rss = rss_bytes()
        self._started_at = self._last_sample = time.perf_counter()
        self._sampled_peak = self.start_rss
        self._samples = [(0.0, self.start_rss)]
        if not self._use_hwm:
            self._stop_sampling.clear()
            self._sampler = threading.Thread(target=self._sample_periodically, name="rss-sampler", daemon=True)
            self._sampler.start()

    def maybe_sample(self) -> None:
        now = time.perf_counter()
        if now - self._last_sample >= self.SAMPLE_SECONDS:
            self._last_sample = now
            self._record(now, rss_bytes())

    def _sample_periodically(self) -> None:
        while not self._stop_sampling.wait(self.FALLBACK_THREAD_SECONDS):
            self._record(time.perf_counter(), rss_bytes())

    def _record(self, now: float, rss: int) -> None:
        self._sampled_peak = max(self._sampled_peak, rss)
        self._samples.append((now - self._started_at, rss))
        if len(self._samples) > 2 * self.MAX_SAMPLES:
            self._samples = self._samples[::2]

    def stop(self) -> tuple[int, int]:
        """(rss at stop, peak rss) in bytes."""
        end, hwm = self._files.rss_and_hwm() if self._use_hwm else (None, None)
        end = end if end is not None else rss_bytes()
        if self._sampler is not None:
            self._stop_sampling.set()
            self._sampler.join()
            self._sampler = None
        self._samples.append((time.perf_counter() - self._started_at, end))
        return end, max(self._sampled_peak, hwm or 0, end, self.start_rss)

    def samples_mb(self) -> list[list[float]]:
        """[[seconds since start, RSS in MB], ...] of the last measurement."""
        return [[round(t, 3), round(rss / MB, 2)] for t, rss in self._samples]


@dataclass
class ScenarioMonitor:
    """Wall, CPU, memory, queries and row changes for one attempt. `enabled=False` keeps only wall time."""

    enabled: bool = True
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rss = RssTracker() if self.enabled else None
        self._queries: QueryCounter | None = None
        self._wall = 0.0
        self._cpu = 0.0

    @property
    def queries(self) -> QueryCounter | None:
        """The attempt's query counter while it runs (None when monitoring is off)."""
        return self._queries

    def start(self) -> None:
        self.figures = {"monitoring": self.enabled}
        if self.enabled:
            self._rss.start()
            self._queries = QueryCounter(on_query=self._rss.maybe_sample).start()
        self._cpu = time.process_time()
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, Any]:
        """Stop measuring and return the figures (performance_data)."""
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        self.figures["wall_seconds"] = round(wall, 4)
        if not self.enabled:
            return self.figures
        end_rss, peak_rss = self._rss.stop()
        queries = self._queries.stop()
        self.figures.update(
            cpu_seconds=round(cpu, 4),
            memory_change_mb=round((end_rss - self._rss.start_rss) / MB, 3),
            peak_memory_mb=round(peak_rss / MB, 3),
            memory_samples=self._rss.samples_mb(),
            query_count=queries.count,
            query_time_ms=round(queries.time_seconds * 1000, 3),
            repeated_queries=queries.repeated(),
            repeated_calls=queries.repeated_calls(),
        )
        return self.figures
