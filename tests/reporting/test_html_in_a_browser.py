"""report.html in a real headless Chromium (Debian's, driven by Playwright; nothing downloads a browser):
the search, the filters, the status cards and the sorting work, and the page makes no request."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from support.reporting.html_report import write_html_report

STATUSES = {"api_integration": "failed", "security_audit_trail": "timed_out",
            "cross_service_integration": "blocked", "performance_under_load": "skipped"}
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    """PRS_CHROMIUM, else Debian's chromium (or a Chrome a CI image ships)."""
    wanted = os.environ.get("PRS_CHROMIUM")
    if wanted:
        return wanted
    return next((path for path in map(shutil.which, CANDIDATES) if path), None)


@pytest.fixture(scope="module")
def page():
    executable = _browser()
    if executable is None:
        pytest.skip("no chromium here: `apt-get install -y chromium` (.ci/run does it) or set PRS_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is pinned in the dev extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


def _visible_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#scenarios tbody tr:not(.hidden)", "rows => rows.map(r => r.cells[0].innerText.split('\\n')[0])")


def test_search_filters_cards_and_sorting(page, report_factory, tmp_path: Path) -> None:
    report = report_factory(STATUSES)
    report["results"][0]["tags"] = ["core", "rule:PAY-01"]
    report["results"][1]["steps"] = [{"keyword": "When", "name": "the auditor opens the trail", "status": "passed"}]
    path = write_html_report(report, tmp_path / "report.html", tmp_path / "history")
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    total = len(report["results"])
    assert len(_visible_rows(page)) == total
    assert page.inner_text("#shown") == f"{total} of {total} scenarios"
    assert page.locator("#failures").is_visible()
    assert _visible_rows(page)[0] == "api_integration"  # failures first

    page.fill("#search", "auditor opens")  # a step's words find its scenario
    assert _visible_rows(page) == [report["results"][1]["scenario_name"]]
    page.fill("#search", "")

    page.select_option("#filter-status", "not_passed")
    assert sorted(_visible_rows(page)) == sorted(n for n, s in STATUSES.items() if s != "skipped")
    page.select_option("#filter-status", "")
    page.select_option("#filter-rule", "PAY-01")
    assert _visible_rows(page) == [report["results"][0]["scenario_name"]]
    page.select_option("#filter-rule", "")
    page.select_option("#filter-feature", "multi_user_concurrent")
    assert _visible_rows(page) == ["multi_user_concurrent"]
    page.select_option("#filter-feature", "")

    page.click('.card[data-status="timed_out"]')  # a status card filters too
    assert _visible_rows(page) == ["security_audit_trail"]
    page.click('.card[data-status="timed_out"]')
    assert len(_visible_rows(page)) == total

    page.click('th[data-key="duration"]')
    durations = [r["duration_seconds"] for r in report["results"]]
    by_name = {r["scenario_name"]: r["duration_seconds"] for r in report["results"]}
    assert [by_name[n] for n in _visible_rows(page)] == sorted(durations)
    page.click('th[data-key="duration"]')
    assert [by_name[n] for n in _visible_rows(page)] == sorted(durations, reverse=True)

    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
