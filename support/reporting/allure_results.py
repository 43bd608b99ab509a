"""Allure results: one test per scenario and outline row, the same labels whoever writes the result.

Two writers produce `<uuid>-result.json` files in one folder:

- the workers' formatter (`support.reporting.allure_formatter`, named in behave.ini) for scenarios that ran;
- the parent (`write_allure_result`) for scenarios no worker could report: blocked, skipped, timed out, or
  whose worker died.

Both build the test's identity and labels with `behave_test_fields`, from behave's own parsed scenario, so
Allure sees a parent-written result as the same test a worker would have written: name, fullName, historyId
and testCaseId as allure-behave computes them, the outline row's parameters, feature / story / epic /
severity / tags, and the framework tags (`@scenario:`, `@depends_on:`, `@timeout:`, `@rule:` …) as labels
of their own rather than as tags. A timed-out result lists the steps its worker had run and the one it was
in when it was stopped (`StepProgress`, which the worker's formatter keeps on disk as it goes).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attr
from allure_commons.logger import AllureFileLogger
from allure_commons.mapping import labels_set, parse_tag
from allure_commons.model2 import Attachment, Label, Link, StatusDetails, TestResult, TestStepResult
from allure_commons.types import AttachmentType, LabelType, Severity
from allure_commons.utils import md5, platform_label, uuid4

from support.reporting.report_file import number, status_of

# Allure knows passed, failed, broken (could not run to an assertion) and skipped.
ALLURE_STATUS = {
    "passed": "passed", "failed": "failed", "error": "broken",
    "timed_out": "broken", "blocked": "skipped", "skipped": "skipped",
}
SCENARIO_LABEL = "scenario_name"  # our own label: the engine's scenario name (lets `merge` match results)
OUTLINE_ROW_SEPARATOR = " -- @"  # behave names outline rows "<outline> -- @1.2 <examples name>"


def framework_tag_names() -> tuple[str, ...]:
    from support.behave.tags import BARE_TAGS, VALUED_TAGS

    return VALUED_TAGS + BARE_TAGS


def tag_labels(tags: Iterable[str]) -> tuple[list[Label], list[Link]]:
    """Labels and links from Gherkin tags: framework tags as labels named after them, the rest as allure
    reads them (`@critical` a severity, `@allure.label.epic:X` an epic, `@core` a tag)."""
    framework = framework_tag_names()
    labels: list[Label] = []
    links: list[Link] = []
    for tag in tags:
        name, sep, value = str(tag).partition(":")
        if name in framework:
            labels.append(Label(name=name, value=value if sep else "yes"))
            continue
        parsed = parse_tag(str(tag))
        (links if isinstance(parsed, Link) else labels).append(parsed)
    return labels, links


def story_of(scenario: Any) -> str:
    """The scenario's title, an outline row's outline title (its rows are one story)."""
    return str(scenario.name).split(OUTLINE_ROW_SEPARATOR)[0].strip() or str(scenario.keyword)


def behave_test_fields(scenario: Any, engine_name: str | None = None) -> dict[str, Any]:
    """TestResult fields of a behave scenario: identity (as allure-behave computes it) and labels."""
    from allure_behave.utils import get_fullname, get_title_path, scenario_history_id, scenario_parameters

    feature = scenario.feature
    # Feature, rule and scenario tags (behave's effective_tags), feature first so the scenario's own win.
    tags = [*feature.tags, *(t for t in scenario.effective_tags if t not in feature.tags)]
    labels, links = tag_labels(tags)
    labels = labels_set([Label(name=LabelType.SEVERITY, value=Severity.NORMAL), *labels])
    labels += [
        Label(name=LabelType.FEATURE, value=feature.name),
        Label(name=LabelType.STORY, value=story_of(scenario)),
        Label(name=LabelType.FRAMEWORK, value="behave"),
        Label(name=LabelType.LANGUAGE, value=platform_label()),
    ]
    if engine_name:
        labels.append(Label(name=SCENARIO_LABEL, value=engine_name))
    full_name = get_fullname(scenario)
    return {
        "name": scenario.name or scenario.keyword,
        "fullName": full_name,
        "historyId": scenario_history_id(scenario),
        "testCaseId": md5(full_name),
        "titlePath": get_title_path(scenario),
        "description": "\n".join(scenario.description) or None,
        "parameters": scenario_parameters(scenario) or [],
        "labels": labels,
        "links": links,
    }


def engine_name_of(scenario: Any) -> str:
    """The engine's name for a Gherkin scenario: `<seed name>: <title>` (support.behave.registration)."""
    from support.behave.registration import seed_name_of

    return f"{seed_name_of(scenario.feature)}: {scenario.name.strip()}"


def build_allure_result(result: Mapping[str, Any], feature_name: str | None = None, title: str | None = None,
                        scenario: Any = None, progress: Mapping[str, Any] | None = None) -> TestResult:
    """An allure TestResult for one of our report's results.

    With `scenario` (behave's parsed scenario) the result is the very test a worker would have written;
    without one (Python scenarios, or a report alone) it is named from `feature_name`/`title`/`source`.
    """
    name = str(result["scenario_name"])
    status = status_of(result)
    stop = int(time.time() * 1000)
    start = stop - int(number(result.get("duration_seconds")) * 1000)
    if scenario is not None:
        fields = behave_test_fields(scenario, name)
    else:
        title = title or name
        feature = feature_name or _feature_from_source(result.get("source")) or "Python scenarios"
        labels, links = tag_labels(result.get("tags") or [])
        labels = labels_set([Label(name=LabelType.SEVERITY, value=Severity.NORMAL), *labels])
        labels += [Label(name=LabelType.FEATURE, value=feature), Label(name=LabelType.STORY, value=title),
                   Label(name=SCENARIO_LABEL, value=name), Label(name=LabelType.FRAMEWORK, value="prs-acceptance"),
                   Label(name=LabelType.LANGUAGE, value=platform_label())]
        fields = {"name": title, "fullName": f"{feature}: {title}", "historyId": md5(feature, title),
                  "testCaseId": md5(f"{feature}: {title}"), "labels": labels, "links": links,
                  "titlePath": [p for p in str(result.get("source") or "").rsplit(":", 1)[0].split("/")[:-1] if p]
                  or None}
    test = TestResult(uuid=uuid4(), status=ALLURE_STATUS[status], start=start, stop=stop,
                      statusDetails=_details(result, status, progress), **fields)
    test.steps = _steps(progress, status, start, stop)
    return test


def write_allure_result(results_dir: str | Path, result: Mapping[str, Any], feature_name: str | None = None,
                        title: str | None = None, scenario: Any = None) -> Path:
    """Write one result file (plus the scenario's figures as a JSON attachment); return the result path.

    For a scenario a worker was running (timed out, worker died), the steps it got through come from the
    worker's progress file, which is consumed here."""
    stopped = scenario is not None and status_of(result) in ("timed_out", "error")  # a worker was running it
    progress = StepProgress.take(results_dir, f"{scenario.filename}:{scenario.line}") if stopped else None
    logger = AllureFileLogger(str(results_dir))
    test = build_allure_result(result, feature_name, title, scenario, progress)
    figures = {k: result.get(k) for k in ("status", "attempts", "error", "blocked_by", "skip_reason", "budgets")}
    figures["performance_data"] = (result.get("metadata") or {}).get("performance_data")
    source = f"{uuid4()}-attachment.json"
    logger.report_attached_data(json.dumps(figures, indent=2, default=str).encode(), source)
    test.attachments.append(Attachment(name="scenario figures", source=source, type=AttachmentType.JSON.mime_type))
    return _write_result(Path(results_dir), test)


def _write_result(results_dir: Path, test: TestResult) -> Path:
    """Named after the result's own uuid and written atomically (temp file + rename): workers' Allure formatters
    write into the same folder at the same time, so nothing here may look at what else appeared there."""
    path = results_dir / f"{test.uuid}-result.json"
    data = attr.asdict(test, filter=lambda _, value: value or value is False)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return path


class StepProgress:
    """Which steps a worker has run in its current scenario, on disk, so a parent that has to stop the worker
    can still say where it was. One small file per worker process, beside (not in) the results folder:
    rewritten when a step starts, removed when the scenario ends."""

    def __init__(self, results_dir: str | Path) -> None:
        self.path = self.folder(results_dir) / f"worker-{os.getpid()}.json"
        self.location = ""
        self.steps: list[dict[str, Any]] = []
        self._fd: int | None = None  # the file, open while a scenario runs
        self._size = 0

    @staticmethod
    def folder(results_dir: str | Path) -> Path:
        results = Path(results_dir)
        return results.parent / f".{results.name}-progress"

    def start_scenario(self, location: str) -> None:
        self.location, self.steps = location, []

    def start_step(self, keyword: str, name: str) -> None:
        self.steps.append({"name": f"{keyword} {name}", "status": "running", "start": int(time.time() * 1000)})
        self._save()

    def finish_step(self, status: str, message: str | None = None) -> None:
        if self.steps:
            step = self.steps[-1]
            step.update(status=status, stop=int(time.time() * 1000), message=message)

    def end_scenario(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd, self._size = None, 0
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _save(self) -> None:
        """One pwrite per step (a rename per step cost about 1 ms on an overlay file system). The text is padded
        with blanks to the previous length, which JSON ignores, so no truncation is needed; a worker is only read
        after it was killed, and SIGKILL never splits a small write: the file holds a whole state."""
        data = json.dumps({"location": self.location, "steps": self.steps}).encode("utf-8")
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            self._size = 0
        data = data.ljust(self._size)
        os.pwrite(self._fd, data, 0)
        self._size = len(data)

    @classmethod
    def take(cls, results_dir: str | Path, location: str) -> dict[str, Any] | None:
        """The progress a stopped worker left for the scenario at `location` (file:line), removing it."""
        folder = cls.folder(results_dir)
        if not folder.is_dir():
            return None
        for path in folder.glob("worker-*.json"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if data.get("location") == location:
                path.unlink(missing_ok=True)
                return data
        return None


def allure_result_names(data: Mapping[str, Any]) -> set[str]:
    """Names an Allure result file may stand for: our label, the test name, a `scenario` label/tag (+ title)."""
    title = str(data.get("name") or "").strip()  # behave leaves a trailing blank on outline rows
    names = {title}
    for label in data.get("labels") or []:
        value = str(label.get("value") or "")
        if label.get("name") == SCENARIO_LABEL:
            names.add(value)
        elif label.get("name") == "scenario" or (label.get("name") == LabelType.TAG and value.startswith("scenario:")):
            seed = value.removeprefix("scenario:")
            names |= {seed, f"{seed}: {title}"}  # the acceptance suite names scenarios "<seed>: <title>"
    return names - {""}


def copy_allure_results(sources: Iterable[tuple[Path, set[str]]], target: str | Path) -> int:
    """Copy shard result folders into one, leaving out results of the given scenario names per folder
    (scenarios a shard only pulled in: their owner shard reports them). Returns result files copied."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for folder, excluded in sources:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith("-result.json"):
                data = json.loads(path.read_text(encoding="utf-8"))
                if allure_result_names(data) & excluded:
                    continue
                copied += 1
            if path.is_file():
                shutil.copy2(path, target / path.name)
    return copied


def _steps(progress: Mapping[str, Any] | None, status: str, start: int, stop: int) -> list[TestStepResult]:
    """The steps a stopped worker had run; the one it was in is broken ("stopped here")."""
    steps = []
    for step in (progress or {}).get("steps") or []:
        running = step.get("status") == "running"
        details = None
        if running:
            why = "timed out" if status == "timed_out" else "its worker stopped"
            details = StatusDetails(message=f"the scenario {why} in this step")
        elif step.get("message"):
            details = StatusDetails(message=str(step["message"]))
        steps.append(TestStepResult(
            name=str(step.get("name")), status="broken" if running else str(step.get("status") or "unknown"),
            start=int(step.get("start") or start), stop=stop if running else int(step.get("stop") or stop),
            statusDetails=details))
    return steps


def _details(result: Mapping[str, Any], status: str, progress: Mapping[str, Any] | None = None) -> StatusDetails | None:
    error = str(result.get("error") or "")
    message, _, trace = error.partition("\n")
    if status == "blocked":
        message = f"blocked by {result.get('blocked_by') or 'a dependency that did not pass'}"
    elif status == "skipped":
        message = str(result.get("skip_reason") or "skipped")
    elif status == "timed_out":
        message = message or "timed out"
        hung = [s["name"] for s in (progress or {}).get("steps") or [] if s.get("status") == "running"]
        if hung:
            message += f" — stopped in step: {hung[-1]}"
    elif status == "error":
        message = message or "error"
    if not message:
        return StatusDetails(flaky=True) if result.get("flaky") else None
    return StatusDetails(message=message, trace=trace or None, flaky=bool(result.get("flaky")) or None)


def _feature_from_source(source: Any) -> str | None:
    return Path(str(source).rsplit(":", 1)[0]).stem if source else None

