"""Per-worker databases, real commits and the reset after them, monitoring figures, budgets, assertions."""
from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections

from support.engine import PerformanceLimitExceeded, assert_performance_within_limits

from .conftest import EngineHarness, group_names

pytestmark = pytest.mark.django_db(transaction=True)


def leftover_clones() -> list[str]:
    """PostgreSQL: worker copies of the test database still present (SQLite in memory has none)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                       [connection.settings_dict["NAME"].replace("_", r"\_") + r"\_%"])
        return [row[0] for row in cursor.fetchall()]


def test_the_database_holds_exactly_what_it_held_before_the_run(engine: EngineHarness) -> None:
    Group.objects.create(name="existing")

    def rewrites(framework) -> None:
        Group.objects.all().delete()
        Group.objects.create(name="written-by-scenario")

    def commits_from_a_thread(framework) -> None:
        def work() -> None:
            Group.objects.create(name="committed-by-thread")
            connections.close_all()

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        assert Group.objects.filter(name="committed-by-thread").exists()

    engine.add("rewrites", rewrites)
    engine.add("commits", commits_from_a_thread)
    engine.add("fails_after_writing", lambda framework: Group.objects.create(name="x") and 1 / 0)
    report = engine.run(parallel=True, workers=2)
    assert report["summary"]["successful"] == 2, report["results"]
    assert group_names() == ["existing"]
    assert leftover_clones() == []


def test_scenarios_commit_for_real_and_the_next_one_starts_clean(engine: EngineHarness) -> None:
    """Production semantics: autocommit, a commit another connection sees at once; then the reset."""
    Group.objects.create(name="existing")

    def commits(framework) -> int:
        assert not connection.in_atomic_block and connection.get_autocommit(), "the scenario runs in a transaction"
        Group.objects.create(name="really-committed")
        Group.objects.filter(name="existing").update(name="renamed")
        seen: list[bool] = []

        def other_connection() -> None:
            seen.append(Group.objects.filter(name="really-committed").exists())
            connections.close_all()

        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join()
        assert seen == [True], "another connection does not see the commit"
        return Group.objects.get(name="really-committed").pk

    def checks(framework) -> int:
        assert group_names() == ["existing"], "saw the previous scenario's commits"
        return Group.objects.create(name="again").pk

    engine.add("commits", commits)
    engine.add("checks", checks, dependencies=["commits"])
    results = engine.by_name(engine.run())
    assert results["checks"]["status"] == "passed", results["checks"]["error"]
    assert results["commits"]["status"] == "passed", results["commits"]["error"]
    # Sequences are reset too: both scenarios got the same id, whatever ran before in the worker.
    first, second = (r.outcome for r in engine.framework.last_results)
    assert first == second


def test_a_failed_transaction_leaves_its_partial_writes_visible_to_the_scenario(engine: EngineHarness) -> None:
    """Without an outer transaction, a write made outside the service's atomic block stays: tests can see it."""
    def partial(framework) -> None:
        from django.db import transaction

        Group.objects.create(name="outside")
        try:
            with transaction.atomic():
                Group.objects.create(name="inside")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert group_names() == ["outside"]

    engine.add("partial", partial)
    results = engine.by_name(engine.run())
    assert results["partial"]["status"] == "passed", results["partial"]["error"]
    assert results["partial"]["metadata"]["performance_data"]["database_changes"] == {
        "auth.group": {"added": 1, "removed": 0}}


def test_rows_added_and_removed_per_model(engine: EngineHarness) -> None:
    Group.objects.create(name="old")

    def changes_rows(framework) -> None:
        Group.objects.filter(name="old").delete()
        Group.objects.bulk_create([Group(name="new-1"), Group(name="new-2")])

    engine.add("changes_rows", changes_rows)
    report = engine.run()
    changes = engine.by_name(report)["changes_rows"]["metadata"]["performance_data"]["database_changes"]
    assert changes == {"auth.group": {"added": 2, "removed": 1}}
    assert report["performance_analysis"]["database_growth"] == {"auth.group": 1}


def test_queries_are_counted_on_every_connection_including_a_threads_own(engine: EngineHarness) -> None:
    def queries(framework) -> None:
        for _ in range(3):
            list(Group.objects.filter(name="nobody"))

        def in_thread() -> None:
            assert connection.settings_dict["NAME"] != "unused"
            list(Group.objects.filter(name="thread-1"))
            list(Group.objects.filter(name="thread-2"))
            connections.close_all()

        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()

    engine.add("queries", queries)
    perf = engine.by_name(engine.run())["queries"]["metadata"]["performance_data"]
    assert perf["query_count"] == 5  # the monitor's own row counting is not included
    assert perf["query_time_ms"] > 0
    assert perf["repeated_queries"][0]["count"] == 5
    assert '"auth_group"."name" = ?' in perf["repeated_queries"][0]["sql"]


def test_resource_figures_are_reported(engine: EngineHarness) -> None:
    def allocates(framework) -> bytes:
        block = bytearray(60 * 1024 * 1024)
        for i in range(0, len(block), 4096):
            block[i] = 1
        deadline = time.process_time() + 0.1
        while time.process_time() < deadline:
            pass
        return b"ok"

    engine.add("allocates", allocates)
    perf = engine.by_name(engine.run())["allocates"]["metadata"]["performance_data"]
    assert perf["cpu_seconds"] >= 0.1
    assert perf["peak_memory_mb"] - 60 >= perf["memory_change_mb"] - 1  # the 60 MB block came and went
    assert perf["wall_seconds"] >= 0.1


def test_a_query_budget_fails_the_scenario_with_figures_and_repeated_sql(engine: EngineHarness) -> None:
    def n_plus_one(framework) -> None:
        for i in range(12):
            Group.objects.filter(pk=i).exists()

    engine.add("n_plus_one", n_plus_one, budgets={"max_queries": 5})
    engine.add("within_budget", lambda framework: Group.objects.exists(), budgets={"max_queries": 5})
    report = engine.run()
    results = engine.by_name(report)
    assert results["n_plus_one"]["status"] == "failed"
    expected = "budget exceeded: 12 queries > max_queries 5 (repeated: 12x SELECT"
    assert results["n_plus_one"]["error"].startswith(expected)
    assert results["within_budget"]["status"] == "passed"
    # The loop is test code here, not an application's: no recommendation (see the call-site test).
    assert report["recommendations"] == []


def test_repeated_statements_are_counted_by_application_call_site_and_phase(tmp_path, monkeypatch) -> None:
    """Only queries the application makes while a step is served (When/Then, or no phase at all) count, by the
    application's own file:line; transaction control and test code's own queries never do."""
    import importlib
    import sys

    from django.db import connection, transaction

    from support.engine.monitoring import QueryCounter

    (tmp_path / "shop_app.py").write_text(
        "from django.contrib.auth.models import Group\n\n\n"
        "def load(pk):\n    return Group.objects.filter(pk=pk).exists()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    shop = importlib.import_module("shop_app")
    try:
        counter = QueryCounter().start()
        counter.phase = "given"
        for i in range(7):
            shop.load(i)  # test data time: not the application serving a step
        counter.phase = "when"
        for i in range(6):
            shop.load(i)
            with transaction.atomic():  # SAVEPOINT / RELEASE: transaction control
                pass
        for i in range(3):
            Group.objects.filter(pk=i).exists()  # a test's own query (this file is under tests/)
        counter.stop()
    finally:
        sys.modules.pop("shop_app", None)
    calls = counter.repeated_calls()
    assert [(c["site"].rsplit("/", 1)[-1], c["count"]) for c in calls] == [("shop_app.py:5", 6)], calls
    assert connection.vendor  # the statements really ran



def test_monitoring_can_be_switched_off(engine: EngineHarness) -> None:
    engine.framework.monitoring = False
    engine.add("quiet", lambda framework: Group.objects.exists())
    perf = engine.by_name(engine.run())["quiet"]["metadata"]["performance_data"]
    assert perf["monitoring"] is False
    assert "query_count" not in perf


def test_assert_performance_within_limits_passes_and_fails_with_figures() -> None:
    with assert_performance_within_limits(max_duration_seconds=5, max_queries=3) as figures:
        Group.objects.exists()
    assert figures["query_count"] == 1

    with (pytest.raises(PerformanceLimitExceeded) as caught,
          assert_performance_within_limits(max_queries=2, max_duration_seconds=0.01)):
        for i in range(4):
            Group.objects.filter(pk=i).exists()
        time.sleep(0.02)
    message = str(caught.value)
    assert "4 queries > max_queries 2 (repeated: 4x SELECT" in message
    assert "> max_duration_seconds 0.01" in message

    memory = r"memory increase \d+\.\d MB > max_memory_increase_mb 1"
    with pytest.raises(PerformanceLimitExceeded, match=memory), assert_performance_within_limits(
        max_memory_increase_mb=1
    ):
        kept = bytearray(30 * 1024 * 1024)
        kept[::4096] = b"\1" * len(kept[::4096])
    del kept


def test_assert_performance_within_limits_inside_a_scenario(engine: EngineHarness) -> None:
    def slow_block(framework) -> None:
        with framework.assert_performance_within_limits(max_duration_seconds=0.05):
            time.sleep(0.2)

    engine.add("slow_block", slow_block)
    result = engine.by_name(engine.run())["slow_block"]
    assert result["status"] == "failed"
    assert "PerformanceLimitExceeded: performance limits exceeded: duration 0.2" in result["error"]


def test_bad_limits_are_refused() -> None:
    with (pytest.raises(ValueError, match="max_queries must be a number >= 0, got 'ten'"),
          assert_performance_within_limits(max_queries="ten")):
        pass
