"""A fixed clock for every scenario: results never depend on the day the suite runs.

Each scenario starts at a known instant: its ``@today:DATE`` tag (feature or scenario; the scenario wins), else
the run's default (``-D today=DATE`` or behave.ini's userdata, else ``DEFAULT_TODAY``). time-machine moves the
wall clock (``time.time``, ``datetime.now``, ``date.today``, Django's ``timezone.now``) and lets it tick on from
there; it leaves ``time.monotonic`` and ``time.perf_counter`` alone, so timeouts, durations and budgets
measured with them stay real. behave's and Allure's own measurements (step durations, "Took", JUnit times,
Allure start/stop) read the real wall clock (``support.behave.real_time``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from support.behave.real_time import keep_measurements_real
from support.behave.tags import parse_today

DEFAULT_TODAY = "2026-06-15"
USERDATA_KEY = "today"


class ClockSettingError(ValueError):
    """``-D today=`` (or behave.ini's ``today``) is not a date; the message names the setting."""


def default_today(userdata: Mapping[str, Any]) -> dt.datetime:
    value = str(userdata.get(USERDATA_KEY) or DEFAULT_TODAY)
    try:
        return parse_today(value)
    except ValueError:
        raise ClockSettingError(
            f"'today = {value}' (behave.ini [behave.userdata] or -D today=): expected YYYY-MM-DD or "
            f"YYYY-MM-DDTHH:MM[:SS] (UTC)"
        ) from None


def scenario_instant(tag_value: str | None, userdata: Mapping[str, Any]) -> dt.datetime:
    return parse_today(tag_value) if tag_value else default_today(userdata)


def start_clock(instant: dt.datetime) -> tuple[Any, Callable[[], None]]:
    """Moves the wall clock to ``instant`` (ticking from there). Returns time-machine's coordinates (steps
    ``shift()`` them to let time pass) and the function that puts the clock back."""
    try:
        import time_machine
    except ImportError:  # a pinned dev dependency; nothing is downloaded at run time
        raise ClockSettingError(
            "the fixed clock needs time-machine (pinned in pyproject's dev extra): pip install -e '.[dev]'"
        ) from None
    keep_measurements_real()
    traveller = time_machine.travel(instant, tick=True)
    return traveller.start(), traveller.stop
