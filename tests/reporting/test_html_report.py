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
    assert not any(tag in ("script", "link", "iframe", "img", "object", "embed") for tag, _ in tags)
    assert not re.search(r"url\(|@import|https?://", html), "CSS or text refers to a remote resource"


def test_every_scenario_with_status_attempts_and_error(report_factory) -> None:
    report = report_factory(STATUSES)
    report["results"][1]["error"] = "AssertionError: <b>not bold</b>\ntrace line"
    html = render_html(report)
    for result in report["results"]:
        assert result["scenario_name"] in html
    assert html.count('class="badge"') >= len(report["results"])
    assert ">failed</span>" in html and ">timed_out</span>" in html and ">blocked</span>" in html
    assert "blocked by complete_sales_workflow" in html and "PRS_SKIP_LOAD" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html  # escaped
    assert re.search(r"<td class=num>2</td>", html), "attempts of the flaky scenario"


def test_charts_durations_memory_queries_and_budgets(report_factory) -> None:
    report = report_factory()
    html = render_html(report)
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    titles = [re.search(r'aria-label="([^"]+)"', s).group(1) for s in svgs]
    assert titles[0] == "Duration per scenario (colour = status)"
    assert titles[1].startswith("Memory (RSS) over time")
    assert titles[2] == "Queries per scenario (dashed = budget, red = over)"
    memory = svgs[1]
    from support.reporting.html_report import MEMORY_LINES

    assert memory.count("<polyline") == min(len(report["results"]), MEMORY_LINES)
    grew_most = max(report["results"], key=lambda r: r["metadata"]["performance_data"]["memory_change_mb"])
    assert grew_most["scenario_name"][:20] in memory
    queries = svgs[2]
    over = [r for r in report["results"] if r["metadata"]["performance_data"]["query_count"] > 60]
    assert over and queries.count('fill="#d64545"') == len(over)
    assert queries.count("budget 60") == len(report["results"])


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
