"""The fixed clock: a known instant per scenario, wall clock only (monotonic time stays real)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from support.behave.clock import DEFAULT_TODAY, ClockSettingError, default_today, scenario_instant, start_clock


def test_default_and_tagged_instants():
    assert default_today({}).isoformat() == f"{DEFAULT_TODAY}T10:00:00+00:00"
    assert default_today({"today": "2028-02-29"}).date() == dt.date(2028, 2, 29)
    assert scenario_instant("2026-12-31T23:59:00", {"today": "2028-02-29"}).isoformat() == "2026-12-31T23:59:00+00:00"
    with pytest.raises(ClockSettingError, match="'today = someday'"):
        default_today({"today": "someday"})


def test_the_wall_clock_moves_and_monotonic_time_does_not():
    from django.utils import timezone

    monotonic_before = time.monotonic()
    coordinates, stop = start_clock(dt.datetime(2028, 2, 29, 10, tzinfo=dt.UTC))
    try:
        assert timezone.localdate() == dt.date(2028, 2, 29)
        assert dt.date.today() == dt.date(2028, 2, 29)
        coordinates.shift(dt.timedelta(days=1))
        assert timezone.now().date() == dt.date(2028, 3, 1)
        assert 0 <= time.monotonic() - monotonic_before < 60  # timeouts and durations stay real
    finally:
        stop()
    assert dt.date.today() != dt.date(2028, 3, 1)


@pytest.mark.parametrize("runner", ["behave.runner:Runner", "support.behave.runner:FrameworkRunner"])
def test_behave_and_allure_measure_real_time_while_the_scenario_clock_travels(make_project, runner):
    """A step shifts the scenario's clock by 5 hours: behave's "Took", its JUnit times and Allure's start/stop
    stay those of the real few seconds (they once said "Took 300min")."""
    import json
    import re
    from xml.etree import ElementTree

    project = make_project("clock")
    started = time.time()
    run = project.behave("-f", "plain", "--runner", runner)
    finished = time.time()
    assert run.returncode == 0, run.output
    took = re.search(r"Took (\d+)min ([\d.]+)s", run.output)
    assert took and int(took.group(1)) == 0, run.output
    cases = list(ElementTree.parse(project.path / "reports" / "junit" / "TESTS-clock.xml").getroot().iter("testcase"))
    assert len(cases) == 1 and float(cases[0].get("time")) < 60
    results = [json.loads(p.read_text()) for p in (project.path / "reports" / "allure-results").glob("*-result.json")]
    assert len(results) == 1
    assert started * 1000 - 1000 <= results[0]["start"] <= results[0]["stop"] <= finished * 1000 + 1000
