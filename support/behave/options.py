"""The runner's settings from behave's userdata (``[behave.userdata]`` in behave.ini, or ``-D key=value``), read
once into one validated `RunnerOptions`. A key the runner does not know is an error naming it — a typo such as
``-D report=`` (for ``reports``) must not be silently ignored. A suite whose own steps read userdata of their
own declares those keys: ``suite_userdata = browser, base_url``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FRAMEWORK = "support.engine.framework:IntegrationFramework"
CHOICES = {"progress": ("auto", "yes", "no"), "keep_allure_results": ("no", "yes"), "monitoring": ("on", "off"),
           "databases": ("auto", "runner", "suite"), "databases_cache": ("yes", "no")}


class OptionsError(ValueError):
    """A userdata key the runner does not know, or a value it cannot use; the message names the key."""


@dataclass(frozen=True)
class RunnerOptions:
    framework: str = DEFAULT_FRAMEWORK  # module:Class of the framework the scenarios are registered in
    reports: str = "reports"  # folder of report.json, report.html, junit.xml, rerun.txt (and Allure, JUnit dirs)
    shard: str | None = None  # K/N: run one of N dependency-closed shards
    durations: str | None = None  # report whose timings balance the shards (default: <reports>/report.json)
    progress: str = "auto"  # live progress bar: auto (parallel runs on a terminal), yes, no
    keep_allure_results: str = "no"  # yes: keep the last run's Allure results
    monitoring: str = "on"  # off: the benchmark's bare baseline (hooks)
    today: str | None = None  # the fixed clock's default day (support.behave.clock validates it)
    title: str = "Acceptance run"  # report title (HTML)
    product: str = "acceptance"  # product name (JUnit suite name, Allure framework label)
    suite_userdata: tuple[str, ...] = field(default=())  # keys the suite's own steps read
    # Who creates the Django test databases: runner, suite (its own before_all does), auto (suite when
    # environment.py calls Django's setup_databases / create_test_db; support.behave.suite_databases)
    databases: str = "auto"
    # yes: the migrated test database is copied from a template cached under the hash of its migrations (and
    # everything else it is made of) instead of migrating every run; no (or PRS_DATABASES_CACHE=no): migrate
    databases_cache: str = "yes"

    @classmethod
    def from_userdata(cls, userdata: Mapping[str, Any]) -> RunnerOptions:
        suite_keys = tuple(k.strip() for k in str(userdata.get("suite_userdata", "")).split(",") if k.strip())
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(userdata) - known - set(suite_keys))
        if unknown:
            raise OptionsError(
                f"unknown userdata key {unknown[0]!r} (behave.ini [behave.userdata] or -D {unknown[0]}=): the runner "
                f"knows {', '.join(sorted(known))}; a key the suite's own steps read goes in "
                f"'suite_userdata = {unknown[0]}'")
        values: dict[str, Any] = {k: str(v).strip() for k, v in userdata.items() if k in known}
        for key, allowed in CHOICES.items():
            if key in values and values[key] not in allowed:
                raise OptionsError(f"userdata {key} = {values[key]!r}: expected one of {', '.join(allowed)}")
        for key in ("framework", "reports", "title", "product"):
            if key in values and not values[key]:
                raise OptionsError(f"userdata {key} is empty")
        if "framework" in values and ":" not in values["framework"]:
            raise OptionsError(f"userdata framework = {values['framework']!r}: expected module:Class")
        values["suite_userdata"] = suite_keys
        return cls(**values)
