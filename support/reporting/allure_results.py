"""Allure results written by the parent process for scenarios no worker reported itself.

The Allure formatter runs inside the workers; a scenario that timed out, was blocked, or whose
worker died never reaches it, so the parent writes its result here with allure-python-commons'
own model and file writer (the same JSON allure-behave writes). For a Gherkin scenario, passing
the feature name and the scenario's title gives the same `historyId` allure-behave computes, so
Allure shows this result as another attempt of the same test.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attr
from allure_commons.logger import AllureFileLogger
from allure_commons.mapping import parse_tag
from allure_commons.model2 import Attachment, Label, Link, StatusDetails, TestResult
from allure_commons.types import AttachmentType, LabelType
from allure_commons.utils import md5, platform_label, uuid4

from support.reporting.report_file import number, status_of

# Allure knows passed, failed, broken (could not run to an assertion) and skipped.
ALLURE_STATUS = {
    "passed": "passed", "failed": "failed", "error": "broken",
    "timed_out": "broken", "blocked": "skipped", "skipped": "skipped",
}
SCENARIO_LABEL = "scenario_name"  # our own label: lets `merge` tell which scenario a result file is


def build_allure_result(result: Mapping[str, Any], feature_name: str | None = None,
                        title: str | None = None) -> TestResult:
    """An allure TestResult for one of our report's results."""
    name = str(result["scenario_name"])
    title = title or name
    feature = feature_name or _feature_from_source(result.get("source")) or "Python scenarios"
    status = status_of(result)
    stop = int(time.time() * 1000)
    start = stop - int(number(result.get("duration_seconds")) * 1000)
    labels: list[Label] = [Label(name=LabelType.FEATURE, value=feature), Label(name=SCENARIO_LABEL, value=name),
                           Label(name=LabelType.FRAMEWORK, value="prs-acceptance"),
                           Label(name=LabelType.LANGUAGE, value=platform_label())]
    links: list[Link] = []
    for tag in result.get("tags") or []:
        parsed = parse_tag(str(tag))
        (links if isinstance(parsed, Link) else labels).append(parsed)
    test = TestResult(
        uuid=uuid4(), name=title, fullName=f"{feature}: {title}", historyId=md5(feature, title),
        testCaseId=md5(f"{feature}: {title}"), status=ALLURE_STATUS[status], labels=labels, links=links,
        start=start, stop=stop, statusDetails=_details(result, status),
        titlePath=[p for p in str(result.get("source") or "").rsplit(":", 1)[0].split("/")[:-1] if p] or None,
    )
    return test


def write_allure_result(results_dir: str | Path, result: Mapping[str, Any], feature_name: str | None = None,
                        title: str | None = None) -> Path:
    """Write one result file (plus the scenario's figures as a JSON attachment); return the result path."""
    logger = AllureFileLogger(str(results_dir))
    test = build_allure_result(result, feature_name, title)
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


def allure_result_names(data: Mapping[str, Any]) -> set[str]:
    """Names an Allure result file may stand for: our label, the test name, a `@scenario:` tag (+ title)."""
    title = str(data.get("name") or "").strip()  # behave leaves a trailing blank on outline rows
    names = {title}
    for label in data.get("labels") or []:
        value = str(label.get("value") or "")
        if label.get("name") == SCENARIO_LABEL:
            names.add(value)
        elif label.get("name") == LabelType.TAG and value.startswith("scenario:"):
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


def _details(result: Mapping[str, Any], status: str) -> StatusDetails | None:
    error = str(result.get("error") or "")
    message, _, trace = error.partition("\n")
    if status == "blocked":
        message = f"blocked by {result.get('blocked_by') or 'a dependency that did not pass'}"
    elif status == "skipped":
        message = str(result.get("skip_reason") or "skipped")
    elif status == "timed_out":
        message = message or "timed out"
    elif status == "error":
        message = message or "error"
    if not message:
        return StatusDetails(flaky=True) if result.get("flaky") else None
    return StatusDetails(message=message, trace=trace or None, flaky=bool(result.get("flaky")) or None)


def _feature_from_source(source: Any) -> str | None:
    return Path(str(source).rsplit(":", 1)[0]).stem if source else None
