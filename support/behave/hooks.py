"""What ``environment.py`` delegates to.

Two ways behave runs:

* **Under the framework's runner** (``behave``, ``behave -j N`` with our ``behave.ini``): the engine owns the
  test databases, the per-scenario isolation (the worker's database reset to its clean state after every
  scenario), timeouts, retries, skip conditions and monitoring. The hooks here only give steps
  ``context.framework`` and record what steps did for Allure.
* **Under behave's plain runner** (``behave --runner behave.runner:Runner``): nothing else sets up Django's
  test database, so ``before_all`` creates it; scenarios commit for real as under the engine, and after each
  one the tables it wrote are reset to their clean state (the engine's own reset); ``@skip_if`` is honoured.
  Dependencies, timeouts and retries need the framework's runner.
* **Both ways**, every scenario runs on a fixed clock (``support.behave.clock``): its ``@today:`` date, else the
  run's default; ``context.clock.shift(timedelta)`` lets time pass inside a scenario.

Steps record into the context, and ``after_scenario`` attaches it to Allure:
``record_http_exchange(context, ...)`` for HTTP requests and responses; SQL statements are captured
automatically on every connection; resource figures (wall, CPU, RSS) are measured around each scenario.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from support.behave import session
from support.behave.clock import default_today, scenario_instant, start_clock
from support.behave.framework_setting import build_framework
from support.engine.monitoring import QueryCounter, rss_bytes

MAX_RECORDED_QUERIES = 500  # distinct statements in an Allure attachment, not an archive


@dataclass
class ScenarioRecord:
    """What a scenario did, for the attachments. Queries are the engine's own count under our runner."""

    queries: QueryCounter
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.process_time)
    rss_started: int = 0
    http: list[dict[str, Any]] = field(default_factory=list)


def _rss() -> int:
    try:
        return rss_bytes()
    except Exception:
        return 0


def record_http_exchange(context: Any, method: str, path: str, status: int, request_body: Any = None,
                         response_body: Any = None, headers: dict[str, str] | None = None) -> None:
    """Steps call this for each HTTP request they make; it ends up as an Allure attachment."""
    record: ScenarioRecord | None = getattr(context, "record", None)
    if record is None:
        return
    record.http.append({
        "request": {"method": method, "path": path, "headers": headers or {}, "body": _jsonable(request_body)},
        "response": {"status": status, "body": _jsonable(response_body)},
    })


def record_response(context: Any, response: Any, request_body: Any = None) -> None:
    """Convenience for Django/DRF test responses (``APIClient`` / ``Client``)."""
    request = getattr(response, "request", {}) or {}
    body: Any = getattr(response, "data", None)
    if body is None:
        content = getattr(response, "content", b"")
        body = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    record_http_exchange(context, str(request.get("REQUEST_METHOD", "?")), str(request.get("PATH_INFO", "?")),
                         int(getattr(response, "status_code", 0)), request_body, body)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


# -- the framework object for steps ---------------------------------------------------------------------------

def framework_object(context: Any) -> Any:
    """The worker's framework (under our runner), or, under plain behave, one built from the configuration."""
    current = session.current_framework()
    if current is not None:
        return current
    if getattr(context, "plain_framework", None) is None:
        context.plain_framework = build_framework(context.config)
    return context.plain_framework


# -- plain-behave database handling (the framework runner does this itself) ----------------------------------

@dataclass
class PlainBehaveDatabase:
    old_names: Any = None

    def setup(self) -> None:
        from django.test.utils import setup_databases, setup_test_environment

        from support.engine.databases import worker_isolation

        setup_test_environment()
        self.old_names = setup_databases(verbosity=0, interactive=False, keepdb=False)
        worker_isolation()  # the clean state: the freshly migrated test database

    def teardown(self) -> None:
        from django.test.utils import teardown_databases, teardown_test_environment

        if self.old_names is not None:
            teardown_databases(self.old_names, verbosity=0)
        teardown_test_environment()

    @staticmethod
    def end_scenario() -> None:
        """Put back the tables the scenario wrote (it committed for real, as in production)."""
        from support.engine.databases import worker_isolation

        isolation = worker_isolation()
        isolation.reset(isolation.take_writes())


def _plain(context: Any) -> PlainBehaveDatabase | None:
    return getattr(context, "plain_database", None)


# -- the hooks ---------------------------------------------------------------------------------------------------

def before_all(context: Any) -> None:
    default_today(context.config.userdata)  # a bad -D today= stops the run here, not in every scenario
    if not session.active():
        context.plain_database = PlainBehaveDatabase()
        context.plain_database.setup()
        # Set on the root layer, so it outlives each scenario's layer: one framework object for the run.
        context.plain_framework = build_framework(context.config)


def after_all(context: Any) -> None:
    plain = _plain(context)
    if plain is not None:
        plain.teardown()


def before_scenario(context: Any, scenario: Any) -> None:
    from support.behave.registration import scenario_framework_tags

    plain = _plain(context)
    if plain is not None:  # the first cleanup added runs last: after every other cleanup of the scenario
        context.add_cleanup(plain.end_scenario)

    tags = scenario_framework_tags(scenario)
    # The fixed clock first: everything the scenario does, its Given data included, happens on its day.
    context.clock, stop_clock = start_clock(scenario_instant(tags.today, context.config.userdata))
    context.add_cleanup(stop_clock)
    context.framework = framework_object(context)
    if context.config.userdata.get("monitoring", "on") != "off":  # off: the benchmark's bare baseline
        context.record = ScenarioRecord(queries=_query_counter(context), rss_started=_rss())
        context.record.queries.phase = "setup"
    if plain is None:
        return
    why = tags.skip_condition() if tags.skip_condition else None
    if why:
        scenario.skip(why)


def before_step(context: Any, step: Any) -> None:
    """The query counter learns the step's phase: only When/Then queries can earn a recommendation."""
    record: ScenarioRecord | None = getattr(context, "record", None)
    if record is not None:
        record.queries.phase = step.step_type  # "given", "when" or "then" ("And" takes its predecessor's)


def after_scenario(context: Any, scenario: Any) -> None:
    record: ScenarioRecord | None = getattr(context, "record", None)
    if record is not None:
        record.queries.phase = "teardown"
        if not _allure_formats(context.config):
            return  # the attachments are for Allure only
        # allure-behave 2.16 never starts a test for a scenario inside a Rule: nothing to attach to then.
        with contextlib.suppress(KeyError):
            _attach(record, scenario)


def _allure_formats(config: Any) -> bool:
    return any("allure" in str(name).lower() for name in (getattr(config, "format", None) or ()))


def _query_counter(context: Any) -> QueryCounter:
    """The running attempt's counter (the engine's monitor, under our runner), else one for this scenario."""
    monitor = getattr(context.framework, "current_monitor", None)
    if monitor is not None and monitor.queries is not None:
        return monitor.queries
    counter = QueryCounter().start()
    context.add_cleanup(counter.stop)
    return counter


def _attach(record: ScenarioRecord, scenario: Any) -> None:
    try:
        import allure
    except ImportError:
        return
    figures = {
        "wall_seconds": round(time.perf_counter() - record.started, 4),
        "cpu_seconds": round(time.process_time() - record.cpu_started, 4),
        "rss_change_mb": round((_rss() - record.rss_started) / 2**20, 2),
        "query_count": record.queries.count,
        "status": getattr(scenario.status, "name", str(scenario.status)),
        "pid": os.getpid(),
    }
    allure.attach(json.dumps(figures, indent=2), name="resources",
                  attachment_type=allure.attachment_type.JSON)
    statements = record.queries.statements(MAX_RECORDED_QUERIES)
    if statements:
        text = "\n".join(f"{q['count']:>5} × {q['ms']:>9.3f} ms  {q['sql']}" for q in statements)
        if record.queries.distinct > len(statements):
            text += f"\n… {record.queries.distinct - len(statements)} more distinct statements"
        allure.attach(text, name=f"queries ({record.queries.count})", attachment_type=allure.attachment_type.TEXT)
    for index, exchange in enumerate(record.http, start=1):
        request = exchange["request"]
        allure.attach(json.dumps(exchange, indent=2, default=str),
                      name=f"HTTP {index}: {request['method']} {request['path']} → {exchange['response']['status']}",
                      attachment_type=allure.attachment_type.JSON)
