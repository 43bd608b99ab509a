"""The HTML report: self-contained, every scenario with status/attempts/error, charts, trend."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from support.reporting.history import load_history, record_run
from support.reporting.html_report import render_html, write_html_report

STATUSES = {"api_integration": "failed", "security_audit_trail": "timed_out",
            "cross_service_integration": "blocked", "performance_under_load": "skipped"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_nothing_is_loaded_from_anywhere(report_factory) -> None:
    html = render_html(report_factory(STATUSES))
    tags = parse(html).tags
    for tag, attrs in tags:
        for key in ("src", "href", "xlink:href", "data", "action"):
            assert key not in attrs, f"<{tag} {key}={attrs.get(key)!r}> loads something"
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in tags)
    assert [tag for tag, _ in tags].count("script") == 1  # the inline one: search, filters, sorting
    assert not re.search(r"url\(|@import|https?://|fetch\(|XMLHttpRequest", html), "refers to a remote resource"


def test_failures_come_first_with_their_steps(report_factory) -> None:
    report = report_factory(STATUSES)
    failed = next(r for r in report["results"] if r["scenario_name"] == "api_integration")
    failed["error"] = ("GherkinStepFailed: step failed: Then the deal is fully paid (features/x.feature:9)\n"
                       "ASSERT FAILED: expected 'paid', got 'partial' (/abs/support/behave/session.py:236)")
    failed["steps"] = [
        {"keyword": "Given", "name": "a deal worth 100", "status": "passed", "duration": 0.01},
        {"keyword": "Then", "name": "the deal is fully paid", "status": "failed", "duration": 0.02,
         "error_message": "ASSERT FAILED: expected 'paid', got 'partial'"},
    ]
    html = render_html(report)
    attention = html[html.index('id="failures"'):html.index('id="scenarios"')]
    assert attention.index("api_integration") < attention.index("security_audit_trail")  # failed, then timed out
    why = "Then the deal is fully paid (features/x.feature:9): expected &#39;paid&#39;, got &#39;partial&#39;"
    assert why in attention
    assert '<li class="failed">Then the deal is fully paid' in attention
    assert "ASSERT FAILED" not in html and "/abs/support" not in html
    assert "1 blocked" in html  # blocked ones are folded into one line, grouped by cause


def test_every_scenario_in_the_table_with_filters_and_escaping(report_factory) -> None:
    report = report_factory(STATUSES)
    report["results"][1]["error"] = "AssertionError: <b>not bold</b>\ntrace line"
    report["results"][0]["tags"] = ["core", "rule:PAY-01", "allure.label.epic:Sales"]
    html = render_html(report)
    table = html[html.index('id="scenarios"'):]
    rows = re.findall(r'<tr data-status="(\w+)"', table)
    assert len(rows) == len(report["results"])
    assert rows[0] == "failed" and rows[-1] == "skipped"  # what needs a person first
    for result in report["results"]:
        assert result["scenario_name"] in table
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html  # escaped
    assert '<option value="PAY-01">' in html and '<option value="core">' in html
    assert '<option value="api_integration">' in html  # features (seed names)
    assert "allure.label" not in table.split("</thead>")[1].split("data-text")[0]
    assert 'data-sort="2">2</td>' in table  # attempts of the flaky scenario
    assert "after 7 scenarios" in table  # cross_service_integration's dependencies, folded


def test_charts_show_the_highest_with_full_names_on_hover(report_factory) -> None:
    report = report_factory()
    long_name = "security_audit_trail: Each role may only do its own work with quite a long title -- @1.3"
    report["results"][0]["scenario_name"] = long_name
    report["results"][0]["duration_seconds"] = 99.0
    html = render_html(report)
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    titles = [re.search(r'aria-label="([^"]+)"', s).group(1) for s in svgs]
    assert titles[0] == "Duration: per scenario (colour = status)"
    assert titles[1] == "Queries: per scenario (dashed = budget, red = over)"
    assert titles[2].startswith("Memory (RSS) over time")
    assert f"<title>{long_name}</title>" in svgs[0] and "… @1.3" in svgs[0]  # the row stays readable
    queries = svgs[1]
    over = [r for r in report["results"] if r["metadata"]["performance_data"]["query_count"] > 60]
    assert over and queries.count('fill="#d64545"') == len(over)
    assert queries.count("budget 60") == len(report["results"])
    from support.reporting.html_report import MEMORY_LINES

    assert svgs[2].count("<polyline") == min(len(report["results"]), MEMORY_LINES)


def test_a_mutation_run_beside_the_report_is_shown(report_factory, tmp_path: Path) -> None:
    import json

    (tmp_path / "mutation").mkdir()
    (tmp_path / "mutation" / "mutation.json").write_text(json.dumps({
        "score": 87.5, "killed": 7, "survived": 1, "timeout": 0, "no_coverage": 0, "error": 0,
        "duration_seconds": 12.0, "mutants": [
            {"id": "prs.deals.services.x_over__mutmut_1", "file": "prs/deals/services.py", "line": 42,
             "operator": "comparison", "diff": "-    if paid > total:\n+    if paid >= total:", "status": "survived",
             "killed_by": [], "covered_by": ["financial_calculations_accuracy: A deal is never overpaid"]},
            {"id": "k", "file": "prs/deals/services.py", "line": 50, "operator": "number", "diff": "",
             "status": "killed", "killed_by": ["x"], "covered_by": ["x"]},
        ]}))
    html = write_html_report(report_factory(), tmp_path / "report.html", tmp_path / "history").read_text()
    section = html[html.index('id="mutation"'):]
    assert "87.5 %" in section and "prs/deals/services.py" in section and "1 surviving mutant" in section
    assert "if paid &gt;= total:" in section and "A deal is never overpaid" in section
    assert "x_over__mutmut_1" in section and "mutmut_1\"" not in section and 'class="add"' in section
    plain = write_html_report(report_factory(), tmp_path / "other" / "report.html").read_text()
    assert 'id="mutation"' not in plain


def test_memory_falls_back_to_growth_bars_without_samples(report_factory) -> None:
    report = report_factory()
    for result in report["results"]:
        del result["metadata"]["performance_data"]["memory_samples"]
    html = render_html(report)
    assert "Memory growth per scenario" in html and "<polyline" not in html.split("Trend")[0]


def test_trend_over_previous_runs_keeps_the_last_n(report_factory, tmp_path: Path) -> None:
    history = tmp_path / "history"
    for day in range(1, 8):
        report = report_factory({"api_integration": "failed"} if day % 2 else None)
        report["summary"]["start_time"] = f"2026-11-{day:02d}T10:00:00Z"
        record_run(report, history, keep=5)
        record_run(report, history, keep=5)  # re-rendering the same run does not add an entry
    runs = load_history(history)
    assert [r["start_time"][:10] for r in runs] == [f"2026-11-{d:02d}" for d in range(3, 8)]
    assert runs[-1]["failed"] == 1 and runs[-2]["failed"] == 0
    path = write_html_report(report_factory(), tmp_path / "report.html", history)
    assert "Trend over the last 5 runs" in path.read_text()
