"""Sharding: deterministic, every scenario owned exactly once, dependency-closed, balanced."""

from __future__ import annotations

import random

import pytest

from support.engine.sharding import (
    ShardingError,
    durations_from_report,
    parse_shard_spec,
    plan_shards,
    select_shard,
)


def random_graph(rng: random.Random, size: int) -> tuple[dict[str, list[str]], dict[str, float]]:
    names = [f"s{i:03d}" for i in range(size)]
    graph = {n: sorted(rng.sample(names[:i], k=min(i, rng.choice([0, 0, 0, 1, 2])))) for i, n in enumerate(names)}
    return graph, {n: round(rng.uniform(0.1, 10), 2) for n in names}


def closure(graph: dict[str, list[str]], name: str) -> set[str]:
    seen, stack = set(), list(graph[name])
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(graph[dep])
    return seen


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("total", [1, 2, 3, 5])
def test_every_scenario_owned_by_exactly_one_shard_and_shards_are_dependency_closed(seed: int, total: int) -> None:
    graph, durations = random_graph(random.Random(seed), 40)
    plans = plan_shards(graph, total, durations)
    owned = [name for plan in plans for name in plan.owned]
    assert sorted(owned) == sorted(graph)  # exactly once
    for plan in plans:
        run = set(plan.run)
        assert run == set(plan.owned) | set(plan.pulled_in)
        assert not set(plan.owned) & set(plan.pulled_in)
        for name in plan.owned:
            assert closure(graph, name) <= run, f"shard {plan.index} runs {name} without its dependencies"
        position = {n: i for i, n in enumerate(plan.run)}
        for name in plan.run:
            assert all(position[d] < position[name] for d in graph[name]), "dependencies must come first"


def test_plan_does_not_depend_on_input_order() -> None:
    graph, durations = random_graph(random.Random(3), 30)
    reversed_graph = dict(reversed(list(graph.items())))
    shuffled = dict(sorted(durations.items(), key=lambda kv: kv[1]))
    assert plan_shards(graph, 3, durations) == plan_shards(reversed_graph, 3, shuffled)
    assert [select_shard(graph, k, 3, durations) for k in (1, 2, 3)] == plan_shards(graph, 3, durations)


def test_independent_scenarios_are_balanced_by_duration() -> None:
    rng = random.Random(11)
    graph = {f"s{i}": [] for i in range(60)}
    durations = {n: rng.uniform(0.5, 8) for n in graph}
    loads = [p.estimated_seconds for p in plan_shards(graph, 4, durations)]
    # greedy longest-first: no shard ends more than one (largest) scenario past the lightest
    assert max(loads) - min(loads) <= max(durations.values())
    assert max(loads) <= sum(durations.values()) / 4 + max(durations.values())


def test_balance_uses_durations_not_counts() -> None:
    graph = {"slow": [], **{f"quick{i}": [] for i in range(6)}}
    durations = {"slow": 60.0, **{f"quick{i}": 1.0 for i in range(6)}}
    first, second = plan_shards(graph, 2, durations)
    assert {first.owned, second.owned} == {("slow",), tuple(sorted(f"quick{i}" for i in range(6)))}


def test_chain_is_kept_together_rather_than_rerun_everywhere() -> None:
    graph = {"base": [], "a": ["base"], "b": ["base"], "other": []}
    plans = plan_shards(graph, 2, {"base": 10, "a": 1, "b": 1, "other": 12})
    pulled = [n for p in plans for n in p.pulled_in]
    assert pulled == [], f"base should not be pulled into a second shard: {plans}"


def test_pulled_in_dependency_counted_in_its_own_shard_only() -> None:
    graph = {"base": [], "x": ["base"], "y": ["base"]}
    plans = plan_shards(graph, 3, {"base": 1, "x": 5, "y": 5})
    owners = [p.index for p in plans if "base" in p.owned]
    runners = [p.index for p in plans if "base" in p.run]
    assert len(owners) == 1 and len(runners) >= 2
    assert all(p.counts("base") == (p.index in owners) for p in plans)
    assert plans[0].report_field()["owned"] == list(plans[0].owned)


def test_unknown_dependency_and_cycle_are_named() -> None:
    with pytest.raises(ShardingError, match="a -> ghost"):
        plan_shards({"a": ["ghost"]}, 2)
    with pytest.raises(ShardingError, match="cycle among: a, b"):
        plan_shards({"a": ["b"], "b": ["a"], "c": []}, 2)


@pytest.mark.parametrize("spec", ["", "3", "0/3", "4/3", "1/0", "a/b", "1/-2"])
def test_bad_shard_spec_is_named(spec: str) -> None:
    with pytest.raises(ShardingError, match="shard spec"):
        parse_shard_spec(spec)


def test_shard_spec_and_durations_from_report(report_factory) -> None:
    assert parse_shard_spec(" 2 / 3 ") == (2, 3)
    report = report_factory()
    durations = durations_from_report(report)
    assert durations["api_integration"] == report["results"][1]["duration_seconds"]
    assert durations_from_report(None) == {}


def test_new_scenarios_get_the_median_of_known_durations() -> None:
    graph = {"known_a": [], "known_b": [], "known_c": [], "new": []}
    plans = plan_shards(graph, 1, {"known_a": 1.0, "known_b": 3.0, "known_c": 9.0})
    assert plans[0].estimated_seconds == pytest.approx(1 + 3 + 9 + 3)


def test_plan_is_the_same_in_every_process_whatever_the_hash_seed() -> None:
    """CI machines compute their shard independently: string-hash randomisation must not change the plan."""
    import subprocess
    import sys

    script = (
        "import random, json\n"
        "from support.engine.sharding import plan_shards\n"
        "rng = random.Random(7)\n"
        "deps = {f's{i:03d}': [] for i in range(90)}\n"
        "deps.update({f'late{i}': sorted(deps) for i in range(10)})  # like a feature depending on all others\n"
        "durations = {n: round(rng.uniform(0.001, 0.2), 3) for n in deps}\n"
        "print(json.dumps([p.owned for p in plan_shards(deps, 3, durations)]))\n"
    )
    plans = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout
        for seed in range(10)
    }
    assert len(plans) == 1
