"""``behave`` and ``behave -j N`` on the framework's engine.

Named in ``behave.ini`` (``runner = framework`` + ``[behave.runners]``). One run, in this order:

1. parse the feature files (a malformed one stops behave here with file and line, as usual);
2. read the framework tags and the dependency graph: bad tags, unknown dependencies and cycles are reported
   with file:line before anything runs;
3. select by behave's tag expression (and ``--name``), widened to the dependencies; ``-D shard=K/N`` keeps
   one shard;
4. load ``environment.py`` and the steps; undefined steps among the selected scenarios stop the run;
5. run the selection on the engine's forked workers (``-j N``; one worker otherwise), replaying every result
   onto this process's parsed model so behave's own formatters (pretty) and reporters (JUnit, summary)
   print and write as if behave had run it; Allure runs in the workers;
6. write ``reports/report.json`` (the engine) and ``reports/rerun.txt``, and print, last,
   ``acceptance: N passed, N failed[, N skipped]``. Exit status 1 when anything failed, errored or timed out.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from behave.formatter._registry import make_formatters
from behave.matchers import NoMatch
from behave.model import Feature, Scenario
from behave.runner import Context, Runner, the_step_registry
from behave.runner_util import collect_feature_locations, parse_features, print_undefined_step_snippets

from support.behave import session
from support.behave.clock import ClockSettingError, default_today
from support.behave.framework_setting import FrameworkSettingError, build_framework
from support.behave.options import OptionsError, RunnerOptions
from support.behave.registration import GherkinGraphError, GherkinSuite, ScenarioEntry, to_test_scenario
from support.behave.replay import Replayer
from support.behave.suite_databases import database_owner
from support.behave.summary import closing_line, count_statuses, run_notes, status_word
from support.engine.scenario import Status
from support.engine.stopping import exit_code_of
from support.reporting.allure_results import write_allure_result

REPORTS_DIR = "reports"  # -D reports=DIR puts this run's reports (and Allure results) elsewhere, e.g. per shard
# Results the workers' Allure formatter cannot have written.
PARENT_REPORTED = frozenset({Status.BLOCKED, Status.TIMED_OUT, Status.ERROR, Status.SKIPPED})


def _move_outputs(config: Any, folder: Path) -> None:
    """Allure results and JUnit files of this run go under `folder` too."""
    from behave.formatter.base import StreamOpener

    formats = list(config.format or [])
    for i, name in enumerate(formats):
        if "allure" in name.lower() and i < len(config.outputs or []):
            config.outputs[i] = StreamOpener(str(folder / "allure-results"))
            if i < len(config.outfiles or []):
                config.outfiles[i] = str(folder / "allure-results")
    if getattr(config, "junit_directory", None):
        config.junit_directory = str(folder / "junit")


def database_problem(error: BaseException) -> str | None:
    """What is wrong with the database settings or the server, if `error` says so (without importing Django
    for a suite that never did)."""
    if "django" not in sys.modules:
        return None
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connection
    from django.db.utils import OperationalError

    if isinstance(error, ImproperlyConfigured):
        return f"ImproperlyConfigured: {error}"
    if not isinstance(error, OperationalError):
        return None
    settings = connection.settings_dict
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 'default port'}/{settings.get('NAME')}"
    first_line = (str(error).strip().splitlines() or [""])[0]
    return f"DatabaseError: cannot reach the {connection.vendor} database {where} (DATABASE_URL): {first_line}"


def live_progress(wanted: str, jobs: int, total: int) -> Any:
    """A live bar with ETA on the terminal (stderr) for parallel runs; `-D progress=yes|no` forces it."""
    if wanted == "no" or (wanted == "auto" and (jobs < 2 or not sys.stderr.isatty())):
        return None
    from support.reporting.progress import RunProgress

    return RunProgress(total)


def _allure_result_file(path: Path) -> bool:
    return path.is_file() and ("-result.json" in path.name or "-container.json" in path.name
                               or "-attachment" in path.name)


def clear_allure_results(folder: str) -> subprocess.Popen[bytes] | None:
    """The last run's Allure results go; anything else in the folder stays. The folder is renamed away at once
    and the other files moved back; the old results are deleted by a child process while the run goes on
    (deleting a thousand files just written could block the start of the run for seconds while the file
    system flushed them). Returns that process: wait for it before exiting."""
    path = Path(folder)
    if not path.is_dir():
        return None
    trash = path.with_name(f".{path.name}.old-{os.getpid()}")
    try:
        os.rename(path, trash)
    except OSError:  # e.g. a mount point: delete in place
        for old in path.iterdir():
            if _allure_result_file(old):
                old.unlink()
        return None
    path.mkdir()
    for kept in trash.iterdir():
        if not _allure_result_file(kept):
            os.rename(kept, path / kept.name)
    rm = shutil.which("rm")  # starts in a millisecond; a Python interpreter costs tens of them
    command = ([rm, "-rf", "--", str(trash)] if rm else
               [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(trash)])
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def allure_results_dir(config: Any) -> str | None:
    """Where the configured Allure formatter writes, if one is configured."""
    for name, outfile in zip(config.format or [], config.outfiles or [], strict=False):
        if "allure" in name.lower():
            return outfile
    return None


def _worker_told_allure(result: Any) -> bool:
    """Whether the worker's Allure formatter already wrote this result (as failed or broken, or as the very status
    the engine gives). Not when the steps passed and the engine failed the scenario afterwards (its worker had to
    be replaced), nor when the worker never got to say anything."""
    outcome = result.outcome if isinstance(result.outcome, dict) else None
    if outcome is None:
        return False
    return outcome.get("status") not in ("passed", "skipped") or outcome.get("status") == status_word(result)


class FrameworkRunner(Runner):
    """behave's Runner with the framework's engine underneath (sequential and ``-j N``)."""

    def __init__(self, config: Any, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self.options_error: OptionsError | None = None
        try:
            self.options = RunnerOptions.from_userdata(config.userdata)
        except OptionsError as error:  # reported by run_with_paths, as every setting error is
            self.options, self.options_error = RunnerOptions(), error
        self.reports_dir = Path(self.options.reports)
        self.report_path = self.reports_dir / "report.json"
        self.shard_plan: Any = None
        self._durations_read: dict[Path, dict[str, float] | None] = {}  # report path -> durations (or None)
        # Each step text's match (NoMatch when undefined), found once by the undefined-step check and reused by
        # the replay.
        self.step_matches: dict[tuple[str, str], Any] = {}
        if self.reports_dir != Path(REPORTS_DIR):
            _move_outputs(config, self.reports_dir)

    def run_with_paths(self) -> bool:
        self.context = Context(self)
        try:
            if self.options_error is not None:
                raise RunStopped(f"OptionsError: {self.options_error}", "bad framework setting")
            return self._run()
        except RunStopped as stop:
            print(str(stop), flush=True)
            print(f"acceptance: not run — {stop.summary}", flush=True)
            return True

    # -- the stages ------------------------------------------------------------------------------------------

    def _run(self) -> bool:
        requested = self._parse_requested()
        suite = self._build_suite(requested)
        entries, pulled_in = self._select(suite, requested)
        self._check_something_selected(entries, requested)
        entries, not_counted = self._apply_shard(entries, pulled_in)
        self._load_hooks()
        self.load_step_definitions()
        self._check_undefined_steps(entries)
        if self.config.dry_run:
            self.formatters = make_formatters(self.config, self.config.outputs)
            return self.run_model(requested)
        # What is loaded by now (parsed features, Django, the steps) lives as long as the run. Frozen, the cyclic
        # GC stops walking it in every full collection (≈ 50 ms each with 1,500 scenarios: one while the last
        # run's report is read, others while this one is built), and forked workers do not copy its pages by
        # touching their GC headers. Unfrozen afterwards, for a caller that runs behave again in this process.
        gc.freeze()
        try:
            return self._execute(suite, requested, entries, pulled_in, not_counted)
        finally:
            gc.unfreeze()

    def _load_hooks(self) -> None:
        """environment.py: its own error (a setting that does not parse, say) is the message, not a traceback."""
        try:
            self.load_hooks()
        except Exception as error:
            where = os.path.join(self.base_dir or ".", "environment.py")
            raise RunStopped(f"{type(error).__name__} while loading {where}: {error}",
                             "environment.py failed") from None

    def _parse_requested(self) -> list[Feature]:
        locations = [loc for loc in self.feature_locations() if not self.config.exclude(loc)]
        return parse_features(locations, language=self.config.lang)

    def _build_suite(self, requested: Sequence[Feature]) -> GherkinSuite:
        """Requested features plus every feature beside them: dependencies may live in files not asked for."""
        known = {os.path.normpath(f.filename) for f in requested}
        folders = sorted({os.path.dirname(f.filename) or "." for f in requested})
        others = [
            loc for loc in collect_feature_locations(folders, strict=False)
            if os.path.normpath(loc.filename) not in known and not self.config.exclude(loc)
        ]
        extra = parse_features(others, language=self.config.lang) if others else []
        try:
            return GherkinSuite.from_features([*requested, *extra])
        except GherkinGraphError as error:
            raise RunStopped(f"FrameworkTagError:\n{error}", "bad framework tags or dependencies") from None

    def _select(self, suite: GherkinSuite, requested: Sequence[Feature]) -> tuple[list[ScenarioEntry], set[str]]:
        requested_ids = {id(f) for f in requested}

        def chosen_by_location_and_name(scenario: Scenario) -> bool:
            if id(scenario.feature) not in requested_ids or scenario.should_skip:
                return False  # not asked for, or excluded by a file:line selection
            return not self.config.name or bool(self.config.name_re.search(scenario.name))

        return suite.select(self.config.tag_expression, chosen_by_location_and_name)

    def _check_something_selected(self, entries: list[ScenarioEntry], requested: Sequence[Feature]) -> None:
        """A --tags or --name that matches no scenario is a mistake (a typo, v1 syntax read as v2), not a green
        run of nothing; the last run's reports stay."""
        if entries or not requested:
            return
        given = [" ".join(f"--tags={t!r}" for t in self.config.tags or []),
                 " ".join(f"--name={n!r}" for n in self.config.name or [])]
        chosen = " and ".join(g for g in given if g) or "the locations given"
        total = sum(len(f.walk_scenarios()) for f in requested)
        raise RunStopped(f"NoScenarioSelected: {chosen} matches none of the {total} scenarios of the requested "
                         "features (tag expressions use and/or/not: --tags=\"@a or @b\")", "no scenario selected")

    def _apply_shard(self, entries: list[ScenarioEntry], pulled_in: set[str]) -> tuple[list[ScenarioEntry], set[str]]:
        """``-D shard=K/N``: this shard's scenarios plus what they need; returns (entries, names not counted)."""
        spec = self.options.shard
        if not spec:
            return entries, set()
        from support.engine.sharding import (
            ShardingError,
            dependencies_of,
            parse_shard_spec,
            select_shard,
        )

        try:
            index, total = parse_shard_spec(spec)
            # Balanced on the last full run's timings: every shard reads the same file (not its own -D reports
            # folder), so all agree on the split.
            durations = self._last_durations(Path(self.options.durations or f"{REPORTS_DIR}/report.json"))
            plan = select_shard(dependencies_of(entries), index, total, durations or {})
        except ShardingError as error:
            raise RunStopped(f"ShardError: -D shard={spec}: {error}", "bad shard") from None
        keep = set(plan.run)
        self.shard_plan = plan
        print(f"shard {index}/{total}: {len(plan.owned)} scenarios, {len(plan.pulled_in)} pulled in", flush=True)
        return [e for e in entries if e.name in keep], set(plan.pulled_in) | (pulled_in - set(plan.owned))

    def _check_undefined_steps(self, entries: Iterable[ScenarioEntry]) -> None:
        undefined = []
        registry = self.step_registry_or_default()
        for entry in entries:
            for step in entry.scenario.all_steps:
                key = (step.step_type, step.name)  # what behave matches on: the same text, the same match
                if key not in self.step_matches:
                    self.step_matches[key] = registry.find_match(step) or NoMatch()
                if isinstance(self.step_matches[key], NoMatch):
                    undefined.append(step)
        if not undefined:
            return
        unique = {(s.filename, s.line): s for s in undefined}
        lines = [f"{s.filename}:{s.line}: undefined step: {s.keyword} {s.name}" for s in unique.values()]
        print_undefined_step_snippets(list(unique.values()), stream=sys.stdout, colored=False)
        raise RunStopped("UndefinedStepError:\n" + "\n".join(lines), f"{len(unique)} undefined step(s)")

    def step_registry_or_default(self) -> Any:
        if self.step_registry is None:
            self.step_registry = the_step_registry  # the registry behave's step decorators fill
        return self.step_registry

    def _execute(self, suite: GherkinSuite, requested: Sequence[Feature], entries: list[ScenarioEntry],
                 pulled_in: set[str], not_counted: set[str]) -> bool:
        jobs = max(1, int(getattr(self.config, "jobs", 1) or 1))
        session.prepare(self.config, self.hooks, self.base_dir, suite.features)
        try:
            framework = build_framework(self.config, self.options.framework)
            default_today(self.config.userdata)
        except (FrameworkSettingError, ClockSettingError) as error:
            raise RunStopped(f"{type(error).__name__}: {error}", "bad framework setting") from None
        for entry in entries:
            framework.register_scenario(to_test_scenario(entry))

        replayer = Replayer(self, suite, [f for f in suite.features if any(e.feature is f for e in entries)],
                            matches=self.step_matches)
        results: list[Any] = []

        by_name = {e.name: e for e in entries}
        allure_dir = allure_results_dir(self.config)

        cleaners: list[subprocess.Popen[bytes]] = []

        def on_start() -> None:  # the databases are ready: this run will report, so the last one's results go
            if allure_dir and self.options.keep_allure_results != "yes":
                # A fresh run's results only; old ones would show as retries.
                cleaners.extend(c for c in [clear_allure_results(allure_dir)] if c is not None)

        progress = live_progress(self.options.progress, jobs, len(entries))
        framework.report_labels = {"title": self.options.title, "product": self.options.product}
        framework.database_owner = database_owner(self.options.databases, self.hooks)
        from support.engine.database_cache import cache_enabled  # the engine's Django parts load lazily

        framework.databases_cache = cache_enabled(self.options.databases_cache)  # "yes": the environment decides
        if jobs > 1:
            framework.expected_durations = self._last_durations(
                Path(self.options.durations) if self.options.durations else self.report_path)

        def on_result(result: Any) -> None:
            results.append(result)
            replayer.replay(result)
            if progress is not None:
                progress.on_result(result.scenario_name, str(result.status), result.duration_seconds)
            if allure_dir and result.status in PARENT_REPORTED and not _worker_told_allure(result):
                # Never ran, its worker was stopped before the Allure formatter could finish, or the engine's
                # verdict came after the formatter's (the worker had to be replaced): say it here. A second
                # result for a scenario is an Allure retry; the later one, this, is the one Allure shows.
                entry = by_name[result.scenario_name]
                write_allure_result(allure_dir, result.to_dict(), scenario=entry.scenario)

        interruption: KeyboardInterrupt | None = None
        try:
            with progress or contextlib.nullcontext():
                framework.run_all_scenarios(
                    tags=None, parallel=jobs > 1, workers=jobs, report_path=self.report_path, on_result=on_result,
                    pulled_in=pulled_in | not_counted, on_start=on_start,
                )
        except Exception as error:  # scenario failures never get here: the database itself is out of reach
            problem = database_problem(error)
            if problem is None:
                raise
            raise RunStopped(problem, "database unreachable") from None
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: the report of what ran is written
            interruption = stop
        finally:
            replayer.finish(selected={e.name for e in entries}, ran=framework.last_report is not None)
            self._write_outputs(framework.last_report)  # None: nothing ran, the last run's reports stay
            for cleaner in cleaners:
                cleaner.wait()
        counted = [r for r in results if r.scenario_name not in not_counted]
        counts = count_statuses(counted)
        notes = run_notes(counted)
        if notes:
            print("\n".join(notes))
        print(closing_line(counts, interruption), flush=True)
        if interruption is not None:
            raise SystemExit(exit_code_of(interruption))
        missing = len(entries) - len(results)
        # A blocked scenario did not pass: in a shard its failing dependency belongs to another shard's count,
        # so the block alone must fail this one.
        blocked = counts.by_status.get("blocked", 0)
        return counts.failed > 0 or blocked > 0 or missing > 0 or self.aborted

    def _last_durations(self, path: Path) -> dict[str, float] | None:
        """Each scenario's duration in the report at `path` (the last run's), read once per run even when the
        shard and the workers' start order both ask; None without a readable report (timings are only a
        hint)."""
        from support.engine.sharding import durations_from_report
        from support.reporting.report_file import ReportError, load_report

        if path not in self._durations_read:
            try:
                self._durations_read[path] = durations_from_report(load_report(path)) if path.is_file() else None
            except (OSError, ReportError):
                self._durations_read[path] = None
        return self._durations_read[path]

    def _write_outputs(self, report: dict[str, Any] | None) -> None:
        """HTML, JUnit, rerun file and history beside report.json (an interrupted run has only report.json)."""
        try:
            from support.reporting.outputs import write_outputs

            if report is None:
                return
            if self.shard_plan is not None:  # merge needs to know which scenarios this shard owns
                report["shard"] = self.shard_plan.report_field()
            write_outputs(report, self.reports_dir, write_json=self.shard_plan is not None)
        except Exception as error:  # the extra outputs must never hide the run's own result
            print(f"WARNING: could not write the reports beside {self.report_path}: {error}", flush=True)


class RunStopped(Exception):
    """Something known before any scenario runs is wrong: print it and exit 1."""

    def __init__(self, message: str, summary: str) -> None:
        super().__init__(message)
        self.summary = summary
