"""Graph validation, tag selection, order and blocking — no processes, no database."""
from __future__ import annotations

import pytest

from support.engine import DuplicateScenarioError, ScenarioGraphError, ScenarioRegistry, Status, TestScenario
from support.engine.scheduling import ReadyQueue, longest_first, plan_run


def noop(framework: object) -> None:
    return None


def scenario(name: str, *deps: str, tags: tuple[str, ...] = ()) -> TestScenario:
    return TestScenario(name, f"{name} scenario", noop, dependencies=list(deps), tags=list(tags))


def test_duplicate_names_are_refused_with_the_name() -> None:
    registry = ScenarioRegistry()
    registry.register(scenario("a"))
    with pytest.raises(DuplicateScenarioError, match="'a' is already registered"):
        registry.register(scenario("a"))


def test_unknown_dependency_is_named() -> None:
    with pytest.raises(ScenarioGraphError, match="'b' depends on unknown 'ghost'"):
        plan_run([scenario("a"), scenario("b", "ghost")])


def test_cycle_is_reported_with_its_path() -> None:
    cycle = r"dependency cycle: (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c)"
    with pytest.raises(ScenarioGraphError, match=cycle):
        plan_run([scenario("a", "c"), scenario("b", "a"), scenario("c", "b"), scenario("d")])


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(ScenarioGraphError, match="a -> a"):
        plan_run([scenario("a", "a")])


def test_order_puts_dependencies_first_and_keeps_registration_order_otherwise() -> None:
    plan = plan_run([scenario("late", "base"), scenario("x"), scenario("base"), scenario("y")])
    assert plan.names == ["x", "base", "late", "y"]
    assert plan.pulled_in == frozenset()


def test_tag_selection_pulls_in_transitive_dependencies() -> None:
    plan = plan_run(
        [scenario("root"), scenario("mid", "root"), scenario("leaf", "mid", tags=("core",)),
         scenario("other", tags=("slow",))],
        tags=["core", "nothing"],
    )
    assert plan.names == ["root", "mid", "leaf"]
    assert plan.pulled_in == {"root", "mid"}


def test_a_selection_matching_nothing_is_an_error_listing_known_tags() -> None:
    with pytest.raises(ScenarioGraphError, match=r"tags \['nope'\]; known tags: \['core'\]"):
        plan_run([scenario("a", tags=("core",))], tags=["nope"])


def test_graph_errors_outside_the_selection_still_stop_the_run() -> None:
    with pytest.raises(ScenarioGraphError, match="ghost"):
        plan_run([scenario("a", tags=("core",)), scenario("b", "ghost")], tags=["core"])


def test_ready_queue_blocks_a_chain_behind_a_failure() -> None:
    queue = ReadyQueue(plan_run([scenario("a"), scenario("b", "a"), scenario("c", "b"), scenario("d")]))
    assert [s.name for s in queue.ready()] == ["a", "d"]
    queue.start("a")
    assert [s.name for s in queue.ready()] == ["d"]  # b waits for a
    assert queue.finish("a", Status.FAILED) == [("b", "a"), ("c", "b")]
    assert [s.name for s in queue.ready()] == ["d"]
    queue.start("d")
    assert queue.finish("d", Status.PASSED) == []
    assert queue.done


def test_ready_queue_releases_dependents_when_dependency_passes() -> None:
    queue = ReadyQueue(plan_run([scenario("a"), scenario("b", "a")]))
    queue.start("a")
    queue.finish("a", Status.PASSED)
    assert [s.name for s in queue.ready()] == ["b"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "non-empty"),
        ({"test_function": 3}, "test_function must be callable"),
        ({"timeout_seconds": 0}, "timeout_seconds must be > 0"),
        ({"retry_attempts": -1}, "retry_attempts must be an int from 0 to 100"),
        ({"retry_attempts": 101}, "retry_attempts must be an int from 0 to 100"),
        ({"timeout_seconds": 9999999}, "timeout_seconds must be > 0 and at most 86400"),
        ({"tags": "core"}, "tags must be a list of strings"),
        ({"dependencies": [1]}, "dependencies must be a list of strings"),
        ({"budgets": {"max_querys": 3}}, r"unknown budget key\(s\) \['max_querys'\]"),
        ({"skip_condition": True}, "skip_condition must be callable"),
    ],
)
def test_bad_scenarios_are_refused_clearly(kwargs: dict, message: str) -> None:
    fields = {"name": "s", "description": "d", "test_function": noop, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        TestScenario(**fields)


def test_max_attempts_is_one_plus_retries() -> None:
    assert TestScenario("s", "d", noop).max_attempts == 4
    assert TestScenario("s", "d", noop, retry_attempts=0).max_attempts == 1


def test_longest_first_starts_the_long_chains_and_keeps_the_rest_in_order() -> None:
    names = [f"s{i}" for i in range(8)]
    plan = plan_run([*(scenario(n) for n in names), scenario("head"), scenario("tail", "head"),
                     scenario("long"), scenario("unknown")])
    durations = {**dict.fromkeys(names, 1.0), "head": 0.5, "tail": 9.0, "long": 5.0}
    # One worker's share is (8 + 0.5 + 9 + 5 + 1) / 2 s: chains of 1 % of it (0.1175 s) or more go first,
    # longest first (head's chain is 9.5 s: its dependent tail). With every chain long, all are by length.
    order = [s.name for s in longest_first(plan.order, durations, workers=2)]
    assert order == ["head", "tail", "long", *names, "unknown"]  # unknown: the median, 1.0, registered last
    assert [s.name for s in longest_first(plan.order, {})] == plan.names  # nothing known: the plan's order


def test_longest_first_leaves_short_scenarios_in_plan_order() -> None:
    names = [f"s{i:03d}" for i in range(300)]
    plan = plan_run([scenario(n) for n in names])
    durations = {**{n: 1.0 + (i % 7) / 100 for i, n in enumerate(names)}, "s250": 40.0}
    order = [s.name for s in longest_first(plan.order, durations, workers=2)]
    assert order == ["s250", *(n for n in names if n != "s250")]  # only the outlier moves


def test_ready_queue_offers_scenarios_in_the_given_order_and_still_blocks() -> None:
    plan = plan_run([scenario("a"), scenario("b", "a"), scenario("c")])
    queue = ReadyQueue(plan, longest_first(plan.order, {"a": 1.0, "b": 1.0, "c": 5.0}))
    assert [s.name for s in queue.ready()] == ["c", "a"]
    queue.start("c")
    queue.start("a")
    assert queue.finish("a", Status.FAILED) == [("b", "a")]
    queue.finish("c", Status.PASSED)
    assert queue.done
