"""The parent side of a run: dispatch scenarios to workers, enforce timeouts, retry, block, report.

- A scenario is dispatched as soon as its dependencies passed and a worker is idle (retries first, then
  ready scenarios in plan order, so one worker means strict order; several workers start the long ones first
  when the framework knows the last run's durations, `scheduling.longest_first`).
- Timeout: the parent waits on the workers' pipes and process sentinels with the nearest deadline; past
  it, the worker's process group is SIGKILLed, the attempt is `timed_out` (not retried) and a new worker
  on a fresh database copy takes its place. A worker that dies costs only its current attempt (`error`,
  retried like any error).
- cleanup_function after a timeout or a death: run as the first job of an idle (fresh) worker, on clean
  data, within min(timeout, 60 s); its error, if any, lands in the result's metadata.cleanup_errors.
- A worker that says it can no longer be trusted after an attempt (see `workers`) is killed and replaced.
- Ctrl-C, SIGTERM, SIGHUP (`stopping.interruptions`) / any engine failure: workers are killed, in-flight
  attempts reported `error`, the cleanup functions of those run in one fresh worker (bounded), databases torn
  down; `execute` returns what ran with the interruption, and the caller writes the report and re-raises.
  A second signal kills everything at once and exits. The run's `Reaper` kills the workers if this process
  itself is killed.

Nothing here builds or writes a report: `execute` returns a `RunRecord` (results in plan order, times, how
it ended) and the framework turns it into one.
"""
from __future__ import annotations

import contextlib
import itertools
import math
import select
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from support.engine.attempts import AttemptOutcome
from support.engine.protocol import FrameworkProtocol
from support.engine.scenario import Status, TestResult, TestScenario
from support.engine.scheduling import Plan, ReadyQueue, longest_first, plan_run
from support.engine.stopping import Reaper, RunInterrupted, interruptions
from support.engine.using_django import test_databases
from support.engine.workers import Job, Worker

STARTUP_SECONDS = 120.0
CLEANUP_SECONDS_MAX = 60.0
INTERRUPT_CLEANUP_SECONDS = 10.0  # after an interruption, all cleanups together get this long
ESCALATION_DROP_SECONDS = 3.0  # after a second signal, dropping the test databases gets this long
RETRYABLE = (Status.FAILED, Status.ERROR)


class WorkerStartError(RuntimeError):
    """A worker could not start (its database copy or the framework's worker_started hook failed)."""


@dataclass
class _Progress:
    scenario: TestScenario
    attempts: int = 0
    duration: float = 0.0
    errors: list[str] = field(default_factory=list)
    last: AttemptOutcome | None = None


@dataclass
class RunRecord:
    """What a run gave: its results in plan order, and how it ended (`interruption` is None for a full run)."""

    results: list[TestResult]
    start_time: datetime
    end_time: datetime
    parallel: bool
    workers: int
    tags: list[str] | None
    interruption: BaseException | None = None

    @property
    def interrupted(self) -> bool:
        return self.interruption is not None

    @property
    def interruption_reason(self) -> str | None:
        return _reason(self.interruption) if self.interruption is not None else None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RunInterrupted):
        return f"interrupted ({exc.signal_name})"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)"
    return f"run aborted ({type(exc).__name__}: {exc})"


def _readable(conn: Any) -> bool:
    """`conn.poll()` without its cost: multiprocessing builds a selector object for every poll, twice per result."""
    try:
        return bool(select.select([conn], [], [], 0)[0])
    except (OSError, ValueError):  # closed: let recv() say so
        return True


class _Poller:
    """One `select.poll` object for the whole run, its registrations changed only when the watched file
    descriptors change. `multiprocessing.connection.wait` builds and fills a new selector on every call, a
    noticeable part of this process's work per result when scenarios are short."""

    def __init__(self) -> None:
        self._poll = select.poll()
        self._registered: set[int] = set()

    def wait(self, fds: Iterable[int], timeout: float) -> list[int]:
        """The readable (or hung-up) descriptors among `fds`, waiting at most `timeout` seconds."""
        wanted = set(fds)
        if wanted != self._registered:
            for fd in self._registered - wanted:
                self._poll.unregister(fd)  # poll forgets the number only: safe even if it was closed
            for fd in wanted - self._registered:
                self._poll.register(fd, select.POLLIN)
            self._registered = wanted
        # In milliseconds, rounded up: a deadline must not come back a millisecond early and spin.
        return [fd for fd, _ in self._poll.poll(math.ceil(timeout * 1000))]


class Executor:
    def __init__(self, framework: FrameworkProtocol, plan: Plan, size: int,
                 on_result: Callable[[TestResult], None] | None = None, databases: Any = None) -> None:
        self.framework = framework
        self.plan = plan
        self.size = size
        self.on_result = on_result
        # Several workers start the long scenarios first when the last run's durations are known (the
        # framework's `expected_durations`); one worker keeps the plan's strict order. Results are reported
        # in plan order either way.
        durations = getattr(framework, "expected_durations", None) if size > 1 else None
        self.queue = ReadyQueue(plan, longest_first(plan.order, durations, size) if durations else None)
        owner = getattr(framework, "database_owner", "runner")
        cache = getattr(framework, "databases_cache", None)
        self.databases = databases if databases is not None else test_databases(owner, cache)
        self.reaper = Reaper()
        self.workers: list[Worker] = []
        self.progress: dict[str, _Progress] = {}
        self.results: dict[str, TestResult] = {}
        self.retry: list[str] = []
        self.pending_cleanups: list[str] = []
        self._unreported: list[TestResult] = []  # finished, not yet handed to on_result (see run)
        self._index = itertools.count(1)
        self.poller = _Poller()

    # --- main loop --------------------------------------------------------------------------
    def start(self) -> None:
        """Test databases and the reaper; an unreachable database raises here, before anything ran."""
        self.databases.prepare()
        self.reaper.start()

    def run(self) -> None:
        for _ in range(self.size):
            self._spawn()
        while not self.queue.done or self.pending_cleanups or any(w.job for w in self.workers):
            self._dispatch()
            if not any(w.job for w in self.workers):
                raise RuntimeError(f"scheduler stalled with pending scenarios {self.queue.pending}")
            # Reporting (behave's formatters, the progress bar) after the workers have their next jobs: this
            # process's work overlaps theirs instead of adding to it.
            self.report_finished()
            self._wait()
        self.report_finished()

    def report_finished(self) -> None:
        """Hand the results finished since the last call to on_result, in the order they finished."""
        while self._unreported:
            result = self._unreported.pop(0)
            if self.on_result is not None:
                self.on_result(result)

    def _spawn(self) -> Worker:
        copy = self.databases.new_worker_database()
        worker = Worker(next(self._index), copy, self.reaper)
        inherited = [w.conn for w in self.workers if w.conn is not None]
        self.workers.append(worker)  # first: an interruption during start must still find and kill it
        worker.start(self.framework, inherited, deadline=time.monotonic() + STARTUP_SECONDS)
        return worker

    def _retire(self, worker: Worker, kill: bool) -> None:
        ahead = worker.next_job
        if ahead is not None:  # sent ahead, never started: it goes back, first in line, not as an attempt
            self.progress[ahead.name].attempts -= 1
            self.retry.insert(0, ahead.name)
        worker.kill() if kill else worker.stop()
        self.workers.remove(worker)
        self.databases.discard(worker.database)

    def _dispatch(self) -> None:
        for worker in [w for w in self.workers if w.idle]:
            now = time.monotonic()
            if self.pending_cleanups:
                name = self.pending_cleanups.pop(0)
                limit = min(self.progress[name].scenario.timeout_seconds, CLEANUP_SECONDS_MAX)
                worker.send(("cleanup", name), Job("cleanup", name, 0, now + limit))
                continue
            if not self._next_attempt(worker, worker.send):
                return
        self._prefetch()

    def _prefetch(self) -> None:
        """Every running worker gets its next ready scenario now, queued behind the current one, so it never
        waits for this process between scenarios. Not while retries or cleanups wait (they go first), not on a
        worker that is starting or cleaning up, only the next scenario in plan order (one worker keeps strict
        order), and with several workers not near the end of the run, where a scenario queued behind a long one
        could wait while another worker idles. A failure's retry follows the scenario sent ahead."""
        if self.size > 1 and self.queue.pending_count < 2 * self.size:
            return
        for worker in self.workers:
            if self.retry or self.pending_cleanups:
                return
            job = worker.job
            if (job is not None and job.kind == "run" and worker.next_job is None
                    and not self._next_attempt(worker, worker.send_ahead, in_order=True)):
                return

    def _next_attempt(self, worker: Worker, send: Callable[[tuple, Job], None], in_order: bool = False) -> bool:
        """Send the next retry or ready scenario with `send`; False when there is none (`in_order`: when the
        next scenario in plan order is not ready yet, there is none)."""
        if self.retry:
            name = self.retry.pop(0)
        else:
            first = self.queue.first_if_ready() if in_order else self.queue.next_ready()
            if first is None:
                return False
            name = first.name
            self.queue.start(name)
            self.progress[name] = _Progress(first)
        progress = self.progress[name]
        progress.attempts += 1
        now = time.monotonic()
        send(("run", name, progress.attempts),
             Job("run", name, progress.attempts, now + progress.scenario.timeout_seconds))
        return True

    def _wait(self) -> None:
        busy = [w for w in self.workers if w.job]
        nearest = min(w.job.deadline for w in busy)
        watched: dict[int, Worker] = {w.conn.fileno(): w for w in busy}
        watched.update({w.process.sentinel: w for w in self.workers})
        ready = self.poller.wait(watched, timeout=max(0.0, nearest - time.monotonic()))
        serviced: set[int] = set()
        for fd in ready:
            worker = watched[fd]
            if id(worker) not in serviced and worker in self.workers:
                serviced.add(id(worker))
                self._service(worker)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.job and now >= worker.job.deadline and worker in self.workers:
                if id(worker) not in serviced and _readable(worker.conn):
                    self._service(worker)  # the answer arrived at the deadline: take it
                if worker in self.workers and worker.job and now >= worker.job.deadline:
                    self._on_timeout(worker)

    def _service(self, worker: Worker) -> None:
        try:
            while worker in self.workers and _readable(worker.conn):
                self._handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            worker.process.join(5)
        if worker in self.workers and not worker.process.is_alive():
            self._on_death(worker)

    def _handle(self, worker: Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "fatal":
            raise WorkerStartError(message[1])
        if kind == "result" and message[3]:
            worker.job = None  # unusable: it runs nothing more; what was sent ahead goes back (`_retire`)
        else:
            worker.answered()
        if kind == "result":
            self._on_attempt(worker, message[1], message[2], message[3])
        elif kind == "cleaned" and message[2]:
            self._cleanup_failed(message[1], message[2])

    # --- outcomes ---------------------------------------------------------------------------
    def _account(self, name: str, outcome: AttemptOutcome) -> None:
        """Book one attempt: queue a retry if allowed, else finish the scenario."""
        progress = self.progress[name]
        progress.duration += outcome.duration_seconds
        progress.last = outcome
        if outcome.status in RETRYABLE and progress.attempts < progress.scenario.max_attempts:
            progress.errors.append(outcome.error or str(outcome.status))
            self.retry.append(name)
        else:
            self._finish(name, outcome.status)

    def _on_attempt(self, worker: Worker, name: str, outcome: AttemptOutcome, unusable: str | None) -> None:
        if unusable:  # first: a retry of this scenario must not land on this worker
            self._retire(worker, kill=True)
            self._spawn()
        self._account(name, outcome)

    def _on_timeout(self, worker: Worker) -> None:
        job = worker.job
        self._retire(worker, kill=True)
        if job.kind == "start":
            raise WorkerStartError(f"worker {worker.index} did not start within {STARTUP_SECONDS:g} s")
        self._spawn()
        if job.kind == "cleanup":
            self._cleanup_failed(job.name, "cleanup_function timed out; its worker was killed")
            return
        scenario = self.progress[job.name].scenario
        self._lost_attempt(job, AttemptOutcome(
            Status.TIMED_OUT, time.monotonic() - job.started,
            f"timed out after {scenario.timeout_seconds:g} s (attempt {job.attempt}); worker process killed"))

    def _on_death(self, worker: Worker) -> None:
        job = worker.job
        message = worker.death_message()
        self._retire(worker, kill=True)
        if job is not None and job.kind == "start":
            raise WorkerStartError(f"worker {worker.index} {message} during start-up")
        self._spawn()
        if job is None:
            return
        if job.kind == "cleanup":
            self._cleanup_failed(job.name, f"cleanup_function: {message}")
            return
        self._lost_attempt(job, AttemptOutcome(Status.ERROR, time.monotonic() - job.started,
                                               f"{message} (attempt {job.attempt})"))

    def _lost_attempt(self, job: Job, outcome: AttemptOutcome) -> None:
        """An attempt whose worker was killed or died: no rollback ran there, so run cleanup elsewhere."""
        if self.progress[job.name].scenario.cleanup_function is not None:
            self.pending_cleanups.append(job.name)
        self._account(job.name, outcome)

    def _cleanup_failed(self, name: str, error: str) -> None:
        target = self.results.get(name)
        if target is not None:
            target.metadata.setdefault("cleanup_errors", []).append(error)
        else:  # a retry is still coming; keep it with the attempts
            self.progress[name].errors.append(error)

    def _finish(self, name: str, status: Status, *, block_dependents: bool = True) -> None:
        progress = self.progress[name]
        last = progress.last or AttemptOutcome(status)
        scenario = progress.scenario
        self._record(self._result(scenario, status, progress.attempts, last, progress))
        if not block_dependents:
            return
        for blocked, by in self.queue.finish(name, status):
            blocked_scenario = next(s for s in self.plan.order if s.name == blocked)
            self._record(self._result(blocked_scenario, Status.BLOCKED, 0, AttemptOutcome(
                Status.BLOCKED, error=f"blocked: dependency {by!r} did not pass"), None, blocked_by=by))

    def _result(self, scenario: TestScenario, status: Status, attempts: int, last: AttemptOutcome,
                progress: _Progress | None, blocked_by: str | None = None) -> TestResult:
        return TestResult(
            scenario_name=scenario.name,
            status=status,
            attempts=attempts,
            flaky=status == Status.PASSED and attempts > 1,
            duration_seconds=round(progress.duration if progress else 0.0, 4),
            error=None if status in (Status.PASSED, Status.SKIPPED) else last.error,
            tags=list(scenario.tags),
            dependencies=list(scenario.dependencies),
            pulled_in=scenario.name in self.plan.pulled_in,
            blocked_by=blocked_by,
            skip_reason=last.skip_reason,
            description=scenario.description,
            source=scenario.source,
            timeout_seconds=scenario.timeout_seconds,
            metadata={
                "performance_data": last.performance_data,
                "attempt_errors": list(progress.errors) if progress else [],
                "cleanup_errors": list(last.cleanup_errors),
                "budgets": dict(scenario.budgets),
                "traceback": last.traceback,
            },
            outcome=last.outcome,
        )

    def _record(self, result: TestResult) -> None:
        self.results[result.scenario_name] = result
        self._unreported.append(result)

    # --- the end ----------------------------------------------------------------------------
    def shutdown(self, reason: str | None) -> None:
        """Stop every worker; after an interruption also account for and clean up in-flight attempts."""
        in_flight = [w.job for w in self.workers if w.job and w.job.kind == "run"]
        leftover_cleanups = [w.job.name for w in self.workers if w.job and w.job.kind == "cleanup"]
        for worker in list(self.workers):
            self._retire(worker, kill=reason is not None or worker.job is not None)
        try:
            for job in in_flight:
                progress = self.progress[job.name]
                progress.last = AttemptOutcome(Status.ERROR, error=f"{reason} during attempt {job.attempt}")
                self._finish(job.name, Status.ERROR, block_dependents=False)
            needing = [j.name for j in in_flight if self.progress[j.name].scenario.cleanup_function]
            needing += leftover_cleanups + self.pending_cleanups
            if needing and reason is not None:
                self._cleanup_now(needing)
        finally:
            self.databases.teardown()

    def _cleanup_now(self, names: list[str]) -> None:
        # Someone asked the run to stop: everything here together gets INTERRUPT_CLEANUP_SECONDS, never more.
        deadline = time.monotonic() + INTERRUPT_CLEANUP_SECONDS
        worker = self._spawn()
        try:
            if not worker.conn.poll(INTERRUPT_CLEANUP_SECONDS) or worker.conn.recv()[0] != "ready":
                for name in dict.fromkeys(names):
                    self._cleanup_failed(name, "no worker started for cleanup_function after the interruption")
                return
            for name in dict.fromkeys(names):
                worker.conn.send(("cleanup", name))
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    self._cleanup_failed(name, "cleanup_function timed out after the interruption")
                    return
                error = worker.conn.recv()[2]
                if error:
                    self._cleanup_failed(name, error)
        except (EOFError, OSError) as exc:
            for name in names:
                self._cleanup_failed(name, f"cleanup worker failed: {exc}")
        finally:
            worker.job = None
            self._retire(worker, kill=True)

    def escalate(self, signum: int) -> None:
        """A second signal: kill every worker now, give the databases a few seconds to go, never more."""
        for worker in list(self.workers):
            worker.signal_group()

        def drop() -> None:
            with contextlib.suppress(BaseException):
                self.databases.teardown()

        dropper = threading.Thread(target=drop, name="drop-test-databases", daemon=True)
        dropper.start()
        dropper.join(ESCALATION_DROP_SECONDS)

    def close(self) -> None:
        self.reaper.stop()

    def ordered_results(self) -> list[TestResult]:
        return [self.results[s.name] for s in self.plan.order if s.name in self.results]


def execute(
    framework: FrameworkProtocol,
    *,
    tags: Any,
    parallel: bool,
    workers: int,
    on_result: Callable[[TestResult], None] | None,
    pulled_in: Iterable[str] = (),
    on_start: Callable[[], None] | None = None,
) -> RunRecord:
    """Run the selection. Graph errors and an unreachable database raise before anything runs; after that,
    an interruption or an engine failure ends the run early and comes back in `RunRecord.interruption`."""
    plan = plan_run(framework.registry, tags)  # graph errors before anything runs
    if pulled_in:  # a caller that selected by itself (the behave runner) says what it pulled in
        plan = replace(plan, pulled_in=plan.pulled_in | frozenset(pulled_in))
    start = datetime.now(UTC)
    tags_field = list(plan.tags) if plan.tags else None
    if not plan.order:
        return RunRecord([], start, datetime.now(UTC), parallel, 1, tags_field)
    executor = Executor(framework, plan, max(1, min(workers, len(plan.order))), on_result)
    interruption: BaseException | None = None
    with interruptions(executor.escalate):
        try:
            executor.start()
            if on_start is not None:
                on_start()
        except BaseException:
            executor.close()
            executor.databases.teardown()
            raise
        try:
            executor.run()
        except BaseException as exc:  # Ctrl-C, a signal, or the engine itself failed: report what ran
            interruption = exc
        finally:
            try:
                executor.shutdown(_reason(interruption) if interruption is not None else None)
            finally:
                try:
                    executor.report_finished()  # what finished before (or at) the interruption
                finally:
                    executor.close()
    return RunRecord(executor.ordered_results(), start, datetime.now(UTC), parallel, executor.size, tags_field,
                     interruption)
