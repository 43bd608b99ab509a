"""Worker results replayed onto the parent's parsed model, for behave's own formatters and reporters.

Workers send plain data (each step's status, duration and error). Here it is written back onto the parent's
Scenario and Step objects, then the formatters are called in the order behave's own run would call them, so
pretty output, JUnit and the summary look like a plain behave run. Results without step data (timed out,
blocked, a dead worker, a budget exceeded after the steps passed) get a status that tells what happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from behave.capture import Captured
from behave.formatter._registry import make_formatters
from behave.matchers import NoMatch
from behave.model import Feature, Rule, Scenario, Step
from behave.model_type import Status

from support.behave.registration import GherkinSuite
from support.behave.session import forget_shared_models, is_worker_formatter
from support.behave.summary import status_word

STEP_LOCATION = re.compile(r"\((?P<file>[^()\s]+\.feature):(?P<line>\d+)\)")


class ReplayedError(Exception):
    """Stands for the worker's exception (which does not cross processes) in reports that want one."""


def _exception(type_name: str | None, message: str) -> Exception:
    cls = type(type_name or "AssertionError", (ReplayedError,), {})
    return cls(message)


def _set_step(step: Step, status: Status, duration: float = 0.0, error: str | None = None,
              type_name: str | None = None) -> None:
    step.status = status
    step.duration = duration
    step.error_message = error
    step.exception = _exception(type_name, error) if error else None


def apply_result(scenario: Scenario, result: Any) -> None:
    """Write one engine result onto the parent's scenario."""
    word = status_word(result)
    outcome = result.outcome if isinstance(result.outcome, dict) else None
    outcome = outcome or _outcome_of_error(result)
    scenario.reset()
    if outcome and outcome.get("name"):
        scenario.name = outcome["name"]  # a hook in the worker renamed it: JUnit and the formatters follow
    for name, failed, stdout, stderr, log in (outcome or {}).get("captured_parts", ()):
        # behave's formatters print a failed scenario's captured stdout, stderr and log from here
        scenario.captured.add_captured(Captured(stdout, stderr, log, name=name, failed=failed))
    steps = list(scenario.all_steps)
    error = result.error or ""
    if outcome and len(outcome.get("steps", [])) == len(steps):
        for step, data in zip(steps, outcome["steps"], strict=True):
            name = data["status"] if data["status"] in Status.__members__ else "skipped"
            _set_step(step, Status[name], data.get("duration") or 0.0, data.get("error_message"),
                      data.get("exception_type"))
        if outcome.get("hook_failed") or (word == "error" and outcome.get("error_message")
                                          and not any(s.status.has_failed() for s in steps)):
            scenario.hook_failed = True
            scenario.error_message = outcome.get("error_message") or error
    elif word in ("skipped", "blocked"):
        for step in steps:
            _set_step(step, Status.skipped)
    elif word == "passed":
        for step in steps:
            _set_step(step, Status.passed)
    else:
        _mark_stopped_at(steps, _failing_line(error, scenario), word, _describe(result))
    if word in ("skipped", "blocked"):
        scenario.should_skip = True
        scenario.skip_reason = (result.skip_reason or (outcome or {}).get("skip_reason")
                                or (f"blocked by {result.blocked_by}" if result.blocked_by else word))
    scenario.clear_status()
    if word in ("failed", "error", "timed_out") and not scenario.status.has_failed():
        # The steps passed but the engine failed the scenario afterwards (a budget, a cleanup).
        last = steps[-1] if steps else None
        if last is not None:
            _set_step(last, Status.failed if word == "failed" else Status.error, last.duration,
                      _describe(result), "BudgetExceeded" if word == "failed" else None)
        else:
            scenario.hook_failed = True
            scenario.error_message = _describe(result)
        scenario.clear_status()


def _describe(result: Any) -> str:
    word = status_word(result)
    if word == "timed_out":
        limit = getattr(result, "timeout_seconds", None)
        return (f"scenario timed out after {limit:g} s: the worker was stopped (the step that hung is not known)"
                if limit else "timed out")
    return result.error or word


def _outcome_of_error(result: Any) -> dict[str, Any] | None:
    return None  # INTEGRATION POINT: filled when the engine carries the exception's outcome (see docs)


def _failing_line(error: str, scenario: Scenario) -> int | None:
    for match in STEP_LOCATION.finditer(error or ""):
        if match.group("file").endswith(scenario.filename.lstrip("./")) or scenario.filename.endswith(
                match.group("file").lstrip("./")):
            return int(match.group("line"))
    return None


def _mark_stopped_at(steps: Sequence[Step], line: int | None, word: str, message: str) -> None:
    """Steps before the failing one passed, it failed, the rest did not run (unknown line: the first)."""
    index = next((i for i, s in enumerate(steps) if s.line == line), 0)
    status = Status.failed if word == "failed" else Status.error
    for i, step in enumerate(steps):
        if i < index:
            _set_step(step, Status.passed)
        elif i == index:
            _set_step(step, status, 0.0, message, "AssertionError" if word == "failed" else None)
        else:
            _set_step(step, Status.skipped)


class Replayer:
    """Feeds results, as they arrive, to the parent's formatters; reporters at the end."""

    def __init__(self, runner: Any, suite: GherkinSuite, features: Sequence[Feature],
                 matches: dict[tuple[str, str], Any] | None = None) -> None:
        self.runner = runner
        self.by_name = suite.by_name()
        self.features = list(features)
        config = runner.config
        outputs = list(config.outputs or [])
        pairs = [(name, outputs[i] if i < len(outputs) else None) for i, name in enumerate(config.format or [])]
        parent_pairs = [(n, o) for n, o in pairs if not is_worker_formatter(n)]
        saved = config.format
        config.format = [n for n, _ in parent_pairs]
        try:
            self.formatters = make_formatters(config, [o for _, o in parent_pairs if o is not None])
        finally:
            config.format = saved
        runner.formatters = self.formatters
        self.open_feature: Feature | None = None
        self.open_rule: Rule | None = None
        self.replayed: set[str] = set()
        # Step matching is most of a replay's cost: (step type, text) -> match, the runner's own (its
        # undefined-step check matched every selected step already), shared.
        self._matches: dict[tuple[str, str], Any] = matches if matches is not None else {}

    def replay(self, result: Any) -> None:
        forget_shared_models()  # workers forked from now on must not inherit replayed statuses
        entry = self.by_name.get(result.scenario_name)
        if entry is None:
            return
        apply_result(entry.scenario, result)
        self.replayed.add(entry.name)
        self._open(entry.feature)
        self._open_rule(entry.scenario)
        scenario = entry.scenario
        registry = self.runner.step_registry_or_default()
        for formatter in self.formatters:
            formatter.scenario(scenario)
        for step in scenario.all_steps:
            for formatter in self.formatters:
                formatter.step(step)
        for step in scenario.all_steps:
            key = (step.step_type, step.name)  # what behave matches on: the same text, the same match
            match = self._matches.get(key)
            if match is None:  # a step outside the checked selection (a dependency's, say)
                match = self._matches[key] = registry.find_match(step) or NoMatch()
            for formatter in self.formatters:
                formatter.match(match)
                formatter.result(step)

    def _open(self, feature: Feature) -> None:
        if feature is self.open_feature:
            return
        self._close_feature()
        self.open_feature = feature
        for formatter in self.formatters:
            formatter.uri(feature.filename)
            formatter.feature(feature)
            if feature.background:
                formatter.background(feature.background)

    def _open_rule(self, scenario: Scenario) -> None:
        """``Rule:`` lines, as behave prints them, when the scenario (or its outline) sits in a rule."""
        parent = scenario.parent
        rule = parent if isinstance(parent, Rule) else getattr(parent, "parent", None)
        if not isinstance(rule, Rule) or rule is self.open_rule:
            return
        self.open_rule = rule
        for formatter in self.formatters:
            if hasattr(formatter, "rule"):
                formatter.rule(rule)

    def _close_feature(self) -> None:
        if self.open_feature is not None:
            for formatter in self.formatters:
                formatter.eof()
        self.open_feature = None
        self.open_rule = None

    def finish(self, selected: set[str], ran: bool = True) -> None:
        """Close the formatters; hand every touched feature to the reporters (JUnit, summary) — unless nothing
        ran at all (an unreachable database): then the last run's JUnit files stay as they were."""
        self._close_feature()
        replayed = {id(self.by_name[name].scenario) for name in self.replayed}
        for feature in self.features:
            for scenario in feature.walk_scenarios():
                if id(scenario) not in replayed and scenario.status == Status.untested:
                    scenario.mark_skipped()  # not selected (or never reported): behave shows it skipped
            feature.clear_status()
            for reporter in self.runner.config.reporters if ran else ():
                reporter.feature(feature)
        for formatter in self.formatters:
            formatter.close()
        for reporter in self.runner.config.reporters if ran else ():
            reporter.end()
