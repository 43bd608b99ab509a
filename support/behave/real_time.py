"""behave's and Allure's clocks stay real while a scenario's fixed clock travels.

time-machine moves ``time.time()`` for the whole process (it patches the C function), so a step that shifts the
scenario's clock by hours would make behave measure an hours-long step — the summary's "Took", the JUnit times
and Allure's start/stop timestamps all read it. The modules that measure the run get a ``time`` of their own
whose ``time()`` is the real wall clock (time-machine's escape hatch); everything else (PRS's code, Django's
``timezone.now``, the steps) still sees the scenario's clock.
"""
from __future__ import annotations

import importlib
import sys
import time
from types import ModuleType
from typing import Any

# module -> attribute holding the time module (or time.time itself) it measures with
MEASURING = {"behave.model": "time", "behave.reporter.summary": "time_now", "allure_commons.utils": "time"}


def real_time() -> float:
    hatch = _travelling_hatch()
    return hatch.time.time() if hatch is not None else time.time()


def real_time_ns() -> int:
    hatch = _travelling_hatch()
    return hatch.time.time_ns() if hatch is not None else time.time_ns()


def _travelling_hatch() -> Any:
    """time-machine's escape hatch while it travels (it refuses to answer otherwise), else None."""
    hatch = getattr(sys.modules.get("time_machine"), "escape_hatch", None)
    return hatch if hatch is not None and hatch.is_travelling() else None


class RealTimeModule(ModuleType):
    """The ``time`` module, except that ``time()`` and ``time_ns()`` never travel."""

    def __init__(self) -> None:
        super().__init__("time")

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    time = staticmethod(real_time)
    time_ns = staticmethod(real_time_ns)


def keep_measurements_real() -> None:
    """Point behave's and Allure's clocks at the real time (idempotent; modules not installed are left out)."""
    for module_name, attribute in MEASURING.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        current = getattr(module, attribute, None)
        if current is time:
            setattr(module, attribute, RealTimeModule())
        elif current is time.time:
            setattr(module, attribute, real_time)
