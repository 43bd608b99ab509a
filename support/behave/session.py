"""The behave session inside a worker process: hooks and steps loaded once, one scenario per call.

The parent (``support.behave.runner``) loads ``environment.py`` and the step modules to validate the suite,
then calls :func:`prepare`; forked workers inherit that state and only build their own behave runner, run
``before_all`` once, and then for every scenario: take its file's model (parsed once per worker, and announced
to the worker's formatters once, so the ``scenario.run`` wrappers Allure adds never pile up), run the feature
(and rule) hooks around it, and ``scenario.reset(); scenario.run(runner)``
(the outline row's values kept). Without a prepared parent (``run_all_scenarios()`` called from
Python, or a spawned worker) the session loads everything itself from ``behave.ini``.

The returned outcome is plain data (it crosses the process boundary): the scenario's status and every step's
status, duration and error message. A failed step raises :class:`GherkinStepFailed` (an AssertionError),
anything else that stops the scenario (hook error, undefined step, a step that crashed) raises
:class:`GherkinScenarioError`; both carry the outcome.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from behave.configuration import Configuration
from behave.formatter._registry import make_formatters
from behave.model import Feature, Rule, Scenario, ScenarioOutline
from behave.parser import parse_file

# behave's step decorators fill the registry bound when behave was imported (reset_runtime() replaces
# behave.step_registry.registry later, but not that binding): behave.runner.the_step_registry is that one.
from behave.runner import Context, Runner, the_step_registry
from behave.tag_expression import make_tag_expression

from support.behave import context_records
from support.engine.scenario import ScenarioSkipped

# Formatters that can only run where the scenario runs (they wrap scenario.run and write their own files).
WORKER_FORMATTER_MARKERS = ("allure",)


class GherkinStepFailed(AssertionError):
    """A step's assertion failed. ``outcome`` holds every step's result."""

    def __init__(self, message: str, outcome: dict[str, Any]) -> None:
        super().__init__(message, outcome)
        self.outcome = outcome

    def __str__(self) -> str:
        return str(self.args[0])


class GherkinScenarioError(RuntimeError):
    """The scenario could not run to an assertion: hook error, undefined step, crash, missing scenario.

    ``poisons_worker`` (a reason) tells the engine this worker's behave runner cannot run another scenario."""

    def __init__(self, message: str, outcome: dict[str, Any] | None = None, poisons_worker: str | None = None) -> None:
        super().__init__(message, outcome)
        self.outcome = outcome
        self.poisons_worker = poisons_worker

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Prepared:
    """What the parent loaded, inherited by forked workers.

    ``features``: the parent's parsed models by file name, for workers forked before the parent replays any
    result onto them (``forget_shared_models``): such a worker runs them instead of parsing every file again
    (a second parse was a sixth of a small scenario's cost). A worker forked later parses for itself."""

    config: Configuration
    hooks: dict[str, Callable[..., Any]]
    base_dir: str
    pid: int
    features: dict[str, Feature] = field(default_factory=dict)


_prepared: Prepared | None = None
_session: BehaveSession | None = None


def prepare(config: Configuration, hooks: dict[str, Callable[..., Any]], base_dir: str,
            features: Sequence[Feature] = ()) -> None:
    """Record the parent's loaded hooks, configuration and parsed features for the workers it is about to fork."""
    global _prepared
    _prepared = Prepared(config, hooks, base_dir, os.getpid(), {f.filename: f for f in features})
    # The fixed clock's library is imported by the hooks on first use: once here (≈0.5 s), not in every worker.
    with contextlib.suppress(ImportError):
        import time_machine  # noqa: F401


def forget_shared_models() -> None:
    """The parent is about to write results onto its models: workers forked from now on parse for themselves."""
    if _prepared is not None and _prepared.pid == os.getpid():
        _prepared.features = {}


def active() -> bool:
    """True inside a worker's behave session: the framework owns databases and isolation there."""
    return _session is not None and _session.pid == os.getpid()


def is_worker_formatter(name: str) -> bool:
    return any(marker in name.lower() for marker in WORKER_FORMATTER_MARKERS)


class BehaveSession:
    """One per worker process."""

    def __init__(self, prepared: Prepared | None) -> None:
        self.pid = os.getpid()
        if prepared is None:
            prepared = _load_from_scratch()
        config = copy.copy(prepared.config)
        # Selection happened in the parent; here every scenario handed to us must run.
        config.tag_expression = make_tag_expression("")
        config.name = None
        config.dry_run = False
        config.stop = False
        outputs = list(config.outputs or [])
        worker_formats = [
            (name, outputs[i] if i < len(outputs) else None)
            for i, name in enumerate(config.format or [])
            if is_worker_formatter(name)
        ]
        config.format = [n for n, _ in worker_formats]
        self.config = config
        self.runner = Runner(config)
        self.runner.base_dir = prepared.base_dir
        self.runner.hooks = prepared.hooks
        self.runner.step_registry = the_step_registry
        config.outputs = [o for _, o in worker_formats if o is not None]
        self.runner.formatters = make_formatters(config, config.outputs)
        context_records.install()  # a cheaper record of where each context attribute was set
        self.runner.context = Context(self.runner)
        self.before_all_error: str | None = None
        self.closed = False
        self.framework: Any = None
        self._parsed: dict[str, ParsedFeature] = {}  # each feature file parsed once per worker
        self._shared: dict[str, Feature] = dict(prepared.features)  # the parent's models, untouched at the fork

    def start(self) -> None:
        runner = self.runner
        raised: list[BaseException] = []
        original = runner.hooks.get("before_all")
        if original is not None:
            def before_all(context: Any) -> None:  # behave prints the error; the scenarios' reports say it too
                try:
                    original(context)
                except BaseException as error:
                    raised.append(error)
                    raise

            runner.hooks = {**runner.hooks, "before_all": before_all}
        try:
            runner.run_hook("before_all")
        finally:
            if original is not None:
                runner.hooks = {**runner.hooks, "before_all": original}
        if runner.aborted or runner.hook_failures:
            what = f": {type(raised[0]).__name__}: {raised[0]}" if raised else " (see the worker's output above)"
            self.before_all_error = f"HOOK-ERROR in before_all{what}{_own_database_hint(raised)}"

    def close(self) -> None:
        if self.closed or self.pid != os.getpid():
            return
        self.closed = True
        try:
            self.runner.run_hook("after_all")
            self.runner.context._do_remaining_cleanups()
        finally:
            for formatter in self.runner.formatters:
                formatter.close()

    def run(self, filename: str, line: int, framework: Any = None) -> dict[str, Any]:
        self.framework = framework
        if self.before_all_error:
            raise GherkinScenarioError(f"{filename}:{line}: {self.before_all_error}")
        parsed = self._parsed.get(filename)
        if parsed is None:
            shared = self._shared.get(filename)
            parsed = self._parsed[filename] = (ParsedFeature.of(shared) if shared is not None
                                               else ParsedFeature.parse(filename, self.config.lang))
        scenario = parsed.by_line.get(line)
        if scenario is None:
            raise GherkinScenarioError(f"{filename}:{line}: no scenario starts on this line")
        feature = parsed.feature
        runner, context = self.runner, self.runner.context
        runner.feature = feature
        for formatter in runner.formatters:
            formatter.uri(feature.filename)
            if not parsed.announced:
                formatter.feature(feature)
        parsed.announced = True
        containers = [feature] + ([scenario.parent] if isinstance(scenario.parent, Rule) else [])
        if isinstance(scenario.parent, ScenarioOutline) and isinstance(scenario.parent.parent, Rule):
            containers.append(scenario.parent.parent)
        opened: list[Feature | Rule] = []
        container_error: str | None = None
        try:
            for container in containers:
                _fresh(container)
                kind = container.type  # "feature" or "rule"
                context._push(layer=kind)
                opened.append(container)
                context.tags = set(container.tags)
                container._setup_context_for_run(context)
                runner.run_hook_tags_with_capture("before_tag", container.tags)
                runner.run_hook_with_capture(f"before_{kind}", container)
                if container.hook_failed or runner.aborted:
                    container_error = container.error_message or f"HOOK-ERROR in before_{kind}"
                    break
            if container_error is None:
                row = scenario._row  # reset() forgets an outline row's values; Allure needs them as parameters
                scenario.reset()
                scenario._row = row
                scenario.run(runner)
        finally:
            for container in reversed(opened):
                kind = container.type
                runner.run_hook_with_capture(f"after_{kind}", container)
                runner.run_hook_tags_with_capture("after_tag", container.tags)
                try:
                    context._pop()
                except Exception as error:  # a cleanup registered on the feature layer failed
                    container_error = container_error or f"CLEANUP-ERROR in {kind}: {error}"
                if container.hook_failed and container_error is None:
                    container_error = container.error_message or f"HOOK-ERROR in after_{kind}"
            for formatter in runner.formatters:
                formatter.eof()
        if runner.aborted:  # behave turned a KeyboardInterrupt from a step or hook into "abort the run"
            where = f"{scenario.filename}:{scenario.line}"
            raise GherkinScenarioError(f"{where}: the scenario raised KeyboardInterrupt (behave aborted its run)",
                                       describe(scenario, container_error),
                                       poisons_worker="the scenario raised KeyboardInterrupt")
        return judge(scenario, container_error)


def _own_database_hint(raised: list[BaseException]) -> str:
    """A suite that sets up Django's test environment itself, run with `databases = runner` (or not recognised
    by `auto`): say what to set."""
    if raised and "setup_test_environment() was already called" in str(raised[0]):
        return (" — this suite sets up its own Django test database: set 'databases = suite' in "
                "[behave.userdata] (docs/runner.md)")
    return ""


@dataclass
class ParsedFeature:
    """A feature file's model, kept for the worker's life: parsing is most of a small scenario's cost.

    The worker's formatters (Allure's: ``WORKER_FORMATTER_MARKERS``) are told of the feature once per worker
    (``announced``), as behave tells them once per run: their ``feature()`` wraps every scenario's ``run`` (an
    instance attribute, reusable for every attempt). Announcing the feature before each scenario wrapped all of
    its scenarios again each time (and needed those wrappers removed first): per scenario, work in proportion
    to the size of its feature."""

    feature: Feature
    scenarios: list[Scenario]
    by_line: dict[int, Scenario]
    announced: bool = False

    @classmethod
    def parse(cls, filename: str, language: str | None) -> ParsedFeature:
        return cls.of(parse_file(filename, language=language))

    @classmethod
    def of(cls, feature: Feature | None) -> ParsedFeature:
        scenarios = list(feature.walk_scenarios()) if feature else []  # outline rows and rules' scenarios too
        by_line: dict[int, Scenario] = {}
        for scenario in scenarios:
            by_line.setdefault(scenario.line, scenario)
        return cls(feature, scenarios, by_line)


def _fresh(container: Feature | Rule) -> None:
    """What an earlier scenario's run left on a reused feature or rule (not its children: each is reset)."""
    container.captured.reset()
    container.exception = container.exc_traceback = container.error_message = None
    container.hook_failed = False


def find_scenario(feature: Feature, line: int) -> Scenario | None:
    for scenario in feature.walk_scenarios():
        if scenario.line == line and not isinstance(scenario, ScenarioOutline):
            return scenario
    return None


def describe(scenario: Scenario, container_error: str | None = None) -> dict[str, Any]:
    steps = []
    for step in scenario.all_steps:
        exception = getattr(step, "exception", None)
        steps.append({
            "keyword": step.keyword,
            "name": step.name,
            "line": step.line,
            "status": step.status.name,
            "duration": float(step.duration or 0.0),
            "error_message": step.error_message or None,
            "exception_type": type(exception).__name__ if exception is not None else None,
        })
    # What behave captured (it keeps it for a failed scenario only), part by part, for the parent's formatters.
    parts = [(part.name, part.failed, part.stdout, part.stderr, part.log)
             for part in getattr(scenario.captured, "captures", ())]
    return {
        "name": scenario.name,  # as the hooks left it: a rename in before_scenario reaches the reports
        "location": f"{scenario.filename}:{scenario.line}",
        "status": scenario.status.name,
        "hook_failed": bool(scenario.hook_failed),
        "error_message": container_error or scenario.error_message or None,
        "skip_reason": scenario.skip_reason,
        "duration": float(scenario.duration or 0.0),
        "steps": steps,
        "captured_parts": parts,
    }


def judge(scenario: Scenario, container_error: str | None = None) -> dict[str, Any]:
    """The outcome, or the exception that tells the engine the scenario failed / could not run."""
    outcome = describe(scenario, container_error)
    where = outcome["location"]
    if container_error:
        raise GherkinScenarioError(f"{where}: {container_error}", outcome)
    status = outcome["status"]
    if status == "passed":
        return outcome
    if status == "skipped":  # scenario.skip() in a hook or a step, behave's active tags: skipped, as in behave
        raise ScenarioSkipped(scenario.skip_reason or "skipped at run time", outcome)
    bad = next((s for s in outcome["steps"] if s["status"] not in ("passed", "skipped", "untested")), None)
    if bad is not None:
        step_text = f"{bad['keyword']} {bad['name']} ({scenario.filename}:{bad['line']})"
        if bad["status"] == "failed":
            raise GherkinStepFailed(f"step failed: {step_text}\n{bad['error_message'] or ''}".rstrip(), outcome)
        if bad["status"] == "undefined":
            raise GherkinScenarioError(f"undefined step: {step_text}", outcome)
        raise GherkinScenarioError(
            f"step {bad['status']}: {step_text}\n{bad['error_message'] or ''}".rstrip(), outcome
        )
    message = outcome["error_message"] or f"scenario ended with status {status}"
    raise GherkinScenarioError(f"{where}: {message}", outcome)


def _load_from_scratch() -> Prepared:
    """No parent prepared this process: read behave.ini, load environment.py and the steps ourselves."""
    config = Configuration(command_args=[], load_config=True)
    runner = Runner(config)
    runner.path_manager.__enter__()  # keep the base dir importable for the life of the worker
    runner.setup_paths()
    runner.load_hooks()
    if not any(the_step_registry.steps.values()):  # a process imports the step modules only once
        runner.load_step_definitions()
    return Prepared(config, runner.hooks, runner.base_dir, os.getpid())


def current_session() -> BehaveSession:
    """This process's session, started on first use."""
    global _session
    if _session is None or _session.pid != os.getpid():
        inherited = _prepared
        _session = BehaveSession(inherited)
        _session.start()
        atexit.register(_session.close)
    return _session


def close_session() -> None:
    """Run after_all and close the worker's formatters (workers call this before they exit)."""
    if _session is not None and _session.pid == os.getpid():
        _session.close()


def run_gherkin_scenario(filename: str, line: int, framework: Any = None) -> dict[str, Any]:
    return current_session().run(filename, line, framework)


def current_framework() -> Any:
    """The framework object handed to the running scenario's test_function (None outside a worker)."""
    return _session.framework if active() and _session is not None else None


__all__ = [
    "BehaveSession",
    "GherkinScenarioError",
    "GherkinStepFailed",
    "active",
    "close_session",
    "current_framework",
    "current_session",
    "prepare",
    "run_gherkin_scenario",
]
