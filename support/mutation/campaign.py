"""A mutation-testing run of the behave suite, start to end.

1. Mutants of the target files (mutmut's engine, cached per file) and the ``mutants/`` copy, first on sys.path.
2. Django, the behave session (hooks, steps), the framework and the test database: set up once, here.
3. Baseline: every selected scenario once, in forked children with coverage (several scenarios per child,
   one dynamic context per scenario; see batching): which scenarios pass on the code as written, how long
   each takes, which lines each runs.
4. Mutants: each in a forked child that activates it and runs only the scenarios that execute its line —
   in the order of ``_order`` (its last run's killer, its line's and function's killers, then the scenarios
   sharing its line's words in turn with those that kill most per second) — up to the first red one. A child
   past its time limit (from the scenarios' clean durations) is killed: ``timeout``.
5. ``DIR/mutation.json``. Every finished mutant is appended to ``DIR/state/results.jsonl`` at once, so a run
   stopped at any point continues where it stopped when started again with the same inputs.
"""
from __future__ import annotations

import hashlib
import itertools
import signal
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from support.mutation import batching, coverage_map, warmup, workspace
from support.mutation.child import GREEN, ChildJob
from support.mutation.config import MutateConfig, load_config, resolve_targets
from support.mutation.hints import KillerHints
from support.mutation.mutants import Mutant
from support.mutation.pool import ChildPool, Finished
from support.mutation.progress import PhaseProgress
from support.mutation.results import RESULT_FILE, RunState, shard_of, summarize, write_json
from support.mutation.similarity import ScenarioIndex, mutant_query

KILLERS_REMEMBERED = 20  # per function and per line: trying them costs little next to a long search
LOOKAHEAD = 50  # how far down the queue a mutant of another function is looked for
# After the baseline the parent runs the slowest scenarios once (see warmup): those above this many times
# the median duration, at most this many of them.
WARM_UP_SLOWER_THAN_MEDIAN = 10.0
WARM_UP_MOST = 5


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: what finished is saved; the same command continues."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted after {done} of {total} mutants; run the same command again to continue")


@dataclass
class Options:
    paths: list[str] = field(default_factory=list)
    jobs: int = 1
    tags: str | None = None
    out: Path = Path("reports/mutation")
    shard: tuple[int, int] | None = None
    root: Path = field(default_factory=Path.cwd)


@dataclass
class Baseline:
    scenarios: dict[str, dict[str, Any]]  # name -> {"status", "seconds", "error"}
    covering: dict[str, list[str]]  # mutant id -> scenario names (green in the baseline only)
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"scenarios": self.scenarios, "covering": self.covering, "seconds": self.seconds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Baseline:
        return cls(data["scenarios"], data["covering"], data.get("seconds", 0.0))


def _fingerprint(modules: list[Any], suite_files: list[str], scenario_names: list[str]) -> str:
    """What the saved state depends on: sources, suite, selection, generator. Not the shard: shards of one
    run may share a folder (and its baseline); each result is per mutant."""
    import mutmut

    digest = hashlib.sha256(f"{workspace.CACHE_VERSION}\0{getattr(mutmut, '__version__', '?')}\0".encode())
    for module in modules:
        digest.update(f"{module.file}\0{module.source_hash}\0".encode())
    for path in suite_files:
        try:
            digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
        except OSError:
            digest.update(path.encode())
    digest.update("\0".join(sorted(scenario_names)).encode())
    return digest.hexdigest()[:32]


class Campaign:
    def __init__(self, options: Options, console: Console | None = None,
                 on_event: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.options = options
        self.console = console or Console(stderr=True, soft_wrap=True)
        self.on_event = on_event
        self.config: MutateConfig = load_config(options.root)
        self.killers: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=KILLERS_REMEMBERED))
        self.line_killers: dict[tuple[str, int], deque[str]] = defaultdict(lambda: deque(maxlen=KILLERS_REMEMBERED))
        self.file_kills: dict[str, Counter[str]] = defaultdict(Counter)
        self.all_kills: Counter[str] = Counter()
        self.hints = KillerHints(options.out)  # last run's killers, kept across code changes
        self.index: ScenarioIndex | None = None  # the scenarios' words, once the suite is loaded
        self.stopping = False

    def _install_stop_signals(self) -> dict[int, Any]:
        """Ctrl-C, SIGTERM (a cancelled CI job) and SIGHUP set a flag the loops check: what finished is kept.

        A flag, not an exception: KeyboardInterrupt raised inside fork's bookkeeping would be swallowed.
        """

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        return {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    def _check_stop(self) -> None:
        if self.stopping:
            raise KeyboardInterrupt

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    # --- the run --------------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        options = self.options
        out = options.out.resolve()
        targets = resolve_targets(self.config, options.paths or None)
        t0 = time.monotonic()
        modules = workspace.generate(options.root, targets, out / "cache", jobs=options.jobs)
        space = workspace.build(options.root, out / "mutants", modules)
        all_mutants = space.mutants
        self.say(f"mutants: {len(all_mutants)} in {len(targets)} files ({time.monotonic() - t0:.1f} s)")
        space.activate()
        from support.mutation.suite import load_suite

        suite = load_suite(options.tags)
        self.index = ScenarioIndex(suite.texts)
        from django.db import connections

        vendor = connections["default"].vendor
        elsewhere = [m for m in all_mutants if m.only_on and vendor not in m.only_on]
        if elsewhere:
            self.say(f"not run on {vendor}: {len(elsewhere)} mutants of lines marked '# mutate: only on "
                     f"{', '.join(sorted({v for m in elsewhere for v in m.only_on}))}'")
            all_mutants = [m for m in all_mutants if not m.only_on or vendor in m.only_on]
        ids = [m.id for m in all_mutants]
        if options.shard:
            ids = shard_of(ids, *options.shard)
            self.say(f"shard {options.shard[0]}/{options.shard[1]}: {len(ids)} mutants")
        chosen = set(ids)
        mutants = [m for m in all_mutants if m.id in chosen]
        state = RunState(out / "state", _fingerprint(modules, suite.files, list(suite.scenarios)))

        from support.engine.databases import TestDatabases

        databases = TestDatabases()
        try:
            databases.prepare()
        except Exception as error:  # an unreachable database server, a failing migration
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ValueError(f"cannot create the test database: {type(error).__name__}: {first}") from None
        connections.close_all()
        pool = ChildPool(max(1, options.jobs), suite.framework, suite.scenarios, claim=databases.claim)
        previous = self._install_stop_signals()
        try:
            baseline = self._baseline(state, pool, suite, space, all_mutants)
            self._warm_up_slowest(pool, suite, baseline)
            records, resumed = self._mutants(state, pool, suite, mutants, baseline)
        except KeyboardInterrupt:
            state.add_elapsed(time.monotonic() - started)
            raise Interrupted(len(state.load_results()), len(mutants)) from None
        finally:
            pool.kill_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            databases.teardown()
        failing = {n: s for n, s in baseline.scenarios.items() if s["status"] not in GREEN}
        by_id = {m.id: m for m in mutants}
        entries = []
        for mutant_id in ids:
            mutant, record = by_id[mutant_id], records[mutant_id]
            entries.append({
                "id": mutant.id, "file": mutant.file, "line": mutant.line, "operator": mutant.operator,
                "diff": mutant.diff, "status": record["status"], "killed_by": record.get("killed_by"),
                "covered_by": baseline.covering.get(mutant.id, []), "function": mutant.function,
                "seconds": record.get("seconds", 0.0), "detail": record.get("detail", ""),
            })
        extra = {
            "targets": targets, "scenarios": len(suite.scenarios), "jobs": options.jobs, "tags": options.tags,
            "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
            "all_mutants": len(all_mutants),  # of every shard together: merge checks none is missing
            "database": vendor, "not_run_on_this_database": sorted(m.id for m in elsewhere),
            "resumed_mutants": resumed, "baseline_seconds": round(baseline.seconds, 2),
            "baseline_failures": {n: s.get("error", "") for n, s in failing.items()},
        }
        # An interrupted and resumed run reports the time of all its sessions.
        result = summarize(entries, state.add_elapsed(time.monotonic() - started), extra)
        write_json(out / RESULT_FILE, result)
        return result

    # --- baseline: statuses, durations, coverage --------------------------------------------------------------

    def _baseline(self, state: RunState, pool: ChildPool, suite: Any, space: workspace.Workspace,
                  mutants: list[Mutant]) -> Baseline:
        saved = state.load_baseline()
        if saved is not None:
            self.say("baseline: reused from the interrupted run")
            return Baseline.from_dict(saved)
        started = time.monotonic()
        data_file = state.folder / "coverage" / "data"
        data_file.parent.mkdir(parents=True, exist_ok=True)
        include = tuple(str(space.mutated_path(m.file).resolve()) for m in space.modules)
        names = sorted(suite.scenarios)
        scenarios = state.load_baseline_runs()  # an interrupted baseline keeps what it measured
        queue = deque(n for n in names if n not in scenarios)
        if scenarios:
            self.say(f"baseline: resuming, {len(scenarios)} of {len(names)} scenarios already measured")
        else:
            for stale in data_file.parent.glob("data*"):
                stale.unlink()
        warmup.warm_up(suite.framework, [suite.scenarios[names[0]]], pool.claim)  # the baseline judges it
        batches: dict[str, tuple[str, ...]] = {}  # several scenarios per child (see batching)
        numbers = itertools.count(1)
        with PhaseProgress("baseline (coverage)", len(queue), self.console) as progress:
            while queue or pool.running:
                while queue and pool.free > 0:
                    batch = tuple(queue.popleft() for _ in range(min(len(queue),
                                                                     batching.batch_size(len(queue), pool.size))))
                    key = f"baseline-{next(numbers)}"
                    batches[key] = batch
                    job = ChildJob(batch, None, str(data_file), include, True, report_imports=True,
                                   end_when_unfit=True)
                    pool.submit(key, job, lambda n: float(suite.scenarios[n].timeout_seconds))
                self._check_stop()
                for finished in pool.wait(lambda: self.stopping):
                    warmup.import_modules(finished.imports)  # later forks inherit them
                    settled = batching.settle(batches.pop(finished.key), finished)
                    for name, info in settled.recorded.items():
                        scenarios[name] = info
                        state.append_baseline_run(name, info)
                        progress.advance("passed" if info["status"] in GREEN else "failed")
                    queue.extendleft(reversed(settled.again))
        green = {n for n, s in scenarios.items() if s["status"] in GREEN}
        for name, info in sorted(scenarios.items()):
            if name not in green:
                self.say(f"[yellow]baseline: '{name}' is {info['status']} on the code as written; it cannot "
                         f"kill mutants[/]\n  {info['error'].splitlines()[0] if info['error'] else ''}")
        data = coverage_map.combine(data_file)
        covering: dict[str, list[str]] = {}
        by_file: dict[str, list[Mutant]] = defaultdict(list)
        for mutant in mutants:
            by_file[mutant.file].append(mutant)
        for module in space.modules:
            if module.file not in by_file:
                continue
            source = (space.root / module.file).read_text("utf-8")
            lines = coverage_map.original_line_contexts(data, module, space.mutated_path(module.file), source)
            for mutant_id, names_ in coverage_map.covering_scenarios(by_file[module.file], lines, source).items():
                covering[mutant_id] = sorted(names_ & green)
        baseline = Baseline(scenarios, covering, time.monotonic() - started)
        state.save_baseline(baseline.to_dict())
        return baseline

    def _warm_up_slowest(self, pool: ChildPool, suite: Any, baseline: Baseline) -> None:
        green = sorted(((s["seconds"], n) for n, s in baseline.scenarios.items()
                        if s["status"] in GREEN and n in suite.scenarios), reverse=True)
        if not green:
            return
        median = green[len(green) // 2][0]
        slowest = [n for seconds, n in green[:WARM_UP_MOST] if seconds > WARM_UP_SLOWER_THAN_MEDIAN * median]
        if not slowest:
            return
        started = time.monotonic()
        warmup.warm_up(suite.framework, [suite.scenarios[n] for n in slowest], pool.claim)  # children judge them
        self.say(f"warm-up: the {len(slowest)} slowest scenarios ran once here ({time.monotonic() - started:.1f} s)")

    # --- mutants ----------------------------------------------------------------------------------------------

    def _order(self, mutant: Mutant, covering: list[str], baseline: Baseline) -> tuple[str, ...]:
        """Who killed this mutant in the last run, this line's, then this function's other mutants; then, taking
        turns, the scenarios whose text shares the line's words (rarest words first, per square root of a
        second) and those that killed most per second in this file, then anywhere (a scenario that checks
        much catches much), then fastest first."""
        remembered = [self.hints.get(mutant), *self.line_killers[(mutant.file, mutant.line)],
                      *self.killers[mutant.function]]
        killers = list(dict.fromkeys(k for k in remembered if k in covering))
        kills = self.file_kills[mutant.file]

        def seconds(name: str) -> float:
            return max(float(baseline.scenarios[name]["seconds"]), 0.01)

        def key(name: str) -> tuple[float, float, float, str]:
            # Per second: a slow scenario that kills much in this file must not go first for every mutant of it
            # when a quick one kills as well.
            return -kills[name] / seconds(name), -self.all_kills[name] / seconds(name), seconds(name), name

        rest = sorted((n for n in covering if n not in killers), key=key)
        if self.index is None:
            return tuple(dict.fromkeys([*killers, *rest]))
        # Taking turns: the words find the one outline row about this field or the one scenario about this
        # provider hundreds of places down the kill-rate ranking, and the ranking finds what words miss
        # (a default currency, an audit record). The square root: a slow scenario on topic still goes early.
        scores = self.index.scores(mutant_query(mutant), rest)
        similar = sorted((n for n in rest if scores[n] > 0), key=lambda n: (-scores[n] / seconds(n) ** 0.5, n))
        turns = [n for pair in itertools.zip_longest(similar, rest) for n in pair if n is not None]
        return tuple(dict.fromkeys([*killers, *turns]))

    def _next(self, queue: deque[Mutant], searching: set[str]) -> Mutant:
        """The next mutant, but not a second one of a function whose killers are still unknown while the first
        is searching for them: it would pay the same long search instead of starting with the answer."""
        for index, mutant in enumerate(queue):
            if index >= LOOKAHEAD:
                break
            if mutant.function not in searching or self.killers.get(mutant.function) or self.hints.get(mutant):
                del queue[index]
                return mutant
        return queue.popleft()

    def _remember_killer(self, mutant: Mutant, scenario: str) -> None:
        self.hints.remember(mutant, scenario)
        self.killers[mutant.function].appendleft(scenario)
        self.line_killers[(mutant.file, mutant.line)].appendleft(scenario)
        self.file_kills[mutant.file][scenario] += 1
        self.all_kills[scenario] += 1

    def _limit(self, baseline: Baseline) -> Callable[[str], float]:
        factor, margin = self.config.timeout_factor, self.config.timeout_margin_seconds

        def limit(name: str) -> float:
            # Added, not max(): a busy machine slows every scenario by about the same amount, and a scenario of
            # 1.5 s given 4.5 s timed out on a loaded machine (a "kill" no mutant earned).
            return margin + factor * float(baseline.scenarios[name]["seconds"])

        return limit

    def _mutants(self, state: RunState, pool: ChildPool, suite: Any, mutants: list[Mutant],
                 baseline: Baseline) -> tuple[dict[str, dict[str, Any]], int]:
        records = {k: v for k, v in state.load_results().items() if k in {m.id for m in mutants}}
        resumed = len(records)
        if resumed:
            self.say(f"resuming: {resumed} of {len(mutants)} mutants already done")
        by_id = {m.id: m for m in mutants}
        for record in records.values():
            if record.get("killed_by") and record["status"] == "killed":
                self._remember_killer(by_id[record["id"]], record["killed_by"])
        queue: deque[Mutant] = deque()
        for mutant in mutants:
            if mutant.id in records:
                continue
            if not baseline.covering.get(mutant.id):
                record = {"id": mutant.id, "function": mutant.function, "status": "no_coverage", "killed_by": None}
                state.append(record)
                records[mutant.id] = record
            else:
                queue.append(mutant)
        limit = self._limit(baseline)
        todo = len(queue)
        self.say(f"mutants to run: {todo} (no coverage: "
                 f"{sum(1 for r in records.values() if r['status'] == 'no_coverage')}, already done: {resumed})")
        try:
            with PhaseProgress("mutants", todo, self.console) as progress:
                while queue or pool.running:
                    while queue and pool.free > 0:
                        mutant = self._next(queue, {by_id[r.key].function for r in pool.running})
                        order = self._order(mutant, baseline.covering[mutant.id], baseline)
                        pool.submit(mutant.id, ChildJob(order, mutant.id), limit)
                    self._check_stop()
                    for finished in pool.wait(lambda: self.stopping):
                        record = self._judge(by_id[finished.key], finished)
                        state.append(record)
                        records[finished.key] = record
                        if record.get("killed_by") and record["status"] == "killed":
                            self._remember_killer(by_id[finished.key], record["killed_by"])
                        progress.advance(record["status"])
                        if self.on_event:
                            self.on_event("mutant", record)
        except KeyboardInterrupt:
            pool.kill_all()
            raise
        return records, resumed

    @staticmethod
    def _judge(mutant: Mutant, finished: Finished) -> dict[str, Any]:
        record: dict[str, Any] = {"id": mutant.id, "function": mutant.function, "killed_by": None,
                                  "seconds": round(finished.seconds, 3), "scenarios_run": len(finished.runs)}
        red = next((r for r in finished.runs if r.status not in GREEN), None)
        if red is not None:
            record.update(status="killed", killed_by=red.name, detail=red.error.splitlines()[0] if red.error else "")
        elif finished.ending == "completed":
            record.update(status="survived")
        elif finished.ending == "timeout" and finished.at_scenario:
            record.update(status="timeout", killed_by=finished.at_scenario, detail=finished.message)
        elif finished.ending == "died" and finished.at_scenario:
            record.update(status="killed", killed_by=finished.at_scenario, detail=f"process died: {finished.message}")
        else:  # the child never got to a scenario: nothing says anything about this mutant
            record.update(status="error", detail=finished.message[-2000:])
        return record


def run_campaign(options: Options, console: Console | None = None) -> dict[str, Any]:
    return Campaign(options, console).run()
