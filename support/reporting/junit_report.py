"""JUnit XML (`reports/junit.xml`): the Ant/Jenkins schema GitHub, GitLab and Jenkins all read.

One `<testsuite>` per feature file (from `source`), or per first tag for Python scenarios.
failed -> `<failure>`, error and timed_out -> `<error>`, blocked and skipped -> `<skipped>`. Messages read
`Then … (features/x.feature:6): expected 3, got 2` (no framework paths or prefixes, see failure_text); each
testcase carries `attempts`, `flaky` and one `rule` per `@rule:ID` as properties.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from support.reporting.failure_text import clean_error, headline
from support.reporting.report_file import number, status_of

PYTHON_SUITE = "python"


def suite_name(result: Mapping[str, Any]) -> str:
    source = result.get("source")
    if source:
        return str(source).rsplit(":", 1)[0]
    tags = result.get("tags") or []
    return f"{PYTHON_SUITE}.{tags[0]}" if tags else PYTHON_SUITE


def build_junit(report: Mapping[str, Any], name: str | None = None) -> ET.Element:
    results: Sequence[Mapping] = report.get("results") or []
    summary = report.get("summary") or {}
    name = name or str(summary.get("product") or "acceptance")  # the runner's `product` setting
    groups: dict[str, list[Mapping]] = {}
    for result in results:
        groups.setdefault(suite_name(result), []).append(result)

    root = ET.Element("testsuites", name=name)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    for group, members in groups.items():
        suite = ET.SubElement(root, "testsuite", name=group)
        if summary.get("start_time"):
            suite.set("timestamp", str(summary["start_time"]).removesuffix("Z"))
        counts = dict.fromkeys(totals, 0)
        suite_time = 0.0
        for result in members:
            counts["tests"] += 1
            seconds = number(result.get("duration_seconds"))
            suite_time += seconds
            kind = _add_testcase(suite, group, result, seconds)
            if kind:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{suite_time:.3f}")
        total_time += suite_time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    return root


def write_junit_report(report: Mapping[str, Any], path: str | Path = "reports/junit.xml") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(build_junit(report))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def _add_testcase(suite: ET.Element, group: str, result: Mapping, seconds: float) -> str | None:
    """Append the testcase; return the suite counter it adds to (failures/errors/skipped) or None."""
    classname = group.removesuffix(".feature").replace("/", ".")
    case = ET.SubElement(suite, "testcase", name=str(result["scenario_name"]), classname=classname,
                         time=f"{seconds:.3f}")
    if result.get("source"):
        file, _, line = str(result["source"]).rpartition(":")
        case.set("file", file)
        case.set("line", line)
    status = status_of(result)
    _add_properties(case, result)
    error = clean_error(result.get("error"))
    first_line = headline(result.get("error"))
    kind = None
    if status == "failed":
        ET.SubElement(case, "failure", message=first_line or "failed", type="AssertionError").text = error
        kind = "failures"
    elif status in ("error", "timed_out"):
        default = "timed out" if status == "timed_out" else "error"
        element = ET.SubElement(case, "error", message=first_line or default,
                                type="Timeout" if status == "timed_out" else "Error")
        element.text = error
        kind = "errors"
    elif status == "blocked":
        ET.SubElement(case, "skipped", message=f"blocked by {result.get('blocked_by') or 'a dependency'}")
        kind = "skipped"
    elif status == "skipped":
        ET.SubElement(case, "skipped", message=str(result.get("skip_reason") or "skipped"))
        kind = "skipped"
    attempts = int(number(result.get("attempts"), 1))
    if attempts > 1 or result.get("flaky"):
        flaky = " (flaky: passed after failing)" if result.get("flaky") else ""
        ET.SubElement(case, "system-out").text = f"attempts: {attempts}{flaky}"
    return kind


def rule_ids(result: Mapping) -> list[str]:
    """The rules of docs/rules.md the scenario guards (its `@rule:ID` tags)."""
    return [str(t).removeprefix("rule:") for t in result.get("tags") or [] if str(t).startswith("rule:")]


def _add_properties(case: ET.Element, result: Mapping) -> None:
    """Per-testcase properties (read by Jenkins, GitLab and the JUnit publishers): flaky, attempts, rules."""
    properties = [("attempts", str(int(number(result.get("attempts"), 1))))]
    if result.get("flaky"):
        properties.append(("flaky", "true"))
    properties += [("rule", rule) for rule in rule_ids(result)]
    if properties:
        element = ET.SubElement(case, "properties")
        for name, value in properties:
            ET.SubElement(element, "property", name=name, value=value)
