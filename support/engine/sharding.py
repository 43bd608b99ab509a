"""Split a suite into N shards for N CI machines.

Pure functions, no I/O: given scenario names, their dependencies and (optionally) durations from
the last report, every scenario is *owned* by exactly one shard. A shard also *runs* the transitive
dependencies of what it owns (they are "pulled in"), but only the owning shard counts them, so the
merged reports of all shards equal one unsharded run.

Assignment is greedy longest-first: scenarios in order of decreasing duration (name breaks ties),
each to the shard whose run time grows least counting the dependencies it would have to pull in.
Nothing depends on input order or hashing, so every CI machine computes the same plan.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_DURATION_SECONDS = 1.0
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardingError(ValueError):
    """A shard spec or a dependency graph that cannot be sharded."""


@dataclass(frozen=True)
class ShardPlan:
    index: int  # 1-based, as written in `-D shard=K/N`
    total: int
    owned: tuple[str, ...]  # counted in this shard's report
    pulled_in: tuple[str, ...]  # run here only because an owned scenario depends on them
    run: tuple[str, ...]  # owned + pulled_in, dependencies before dependents
    estimated_seconds: float  # sum of durations of `run`

    def counts(self, name: str) -> bool:
        return name in self.owned

    def report_field(self) -> dict[str, object]:
        """What a shard's JSON report should carry as `shard`, so `merge` knows who owns what."""
        return {"index": self.index, "total": self.total, "owned": list(self.owned),
                "pulled_in": list(self.pulled_in)}


def parse_shard_spec(text: str) -> tuple[int, int]:
    """`"2/3"` -> `(2, 3)`; K is 1-based and 1 <= K <= N."""
    match = _SPEC.match(text or "")
    if not match:
        raise ShardingError(f"shard spec {text!r} is not K/N (for example shard=2/3)")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise ShardingError(f"shard spec {text!r}: need 1 <= K <= N and N >= 1")
    return index, total


def durations_from_report(report: Mapping | None) -> dict[str, float]:
    """Durations per scenario from a JSON report (ours: `results[].scenario_name/duration_seconds`)."""
    if not report:
        return {}
    durations: dict[str, float] = {}
    for result in report.get("results", []):
        name, seconds = result.get("scenario_name"), result.get("duration_seconds")
        if name and isinstance(seconds, int | float) and seconds >= 0:
            durations[name] = float(seconds)
    return durations


def plan_shards(
    dependencies: Mapping[str, Sequence[str]],
    total: int,
    durations: Mapping[str, float] | None = None,
) -> list[ShardPlan]:
    """All N shard plans. `dependencies` maps every scenario name to the names it depends on."""
    if total < 1:
        raise ShardingError(f"number of shards must be >= 1, got {total}")
    closure = _dependency_closure(dependencies)
    cost = expected_costs(dependencies, durations or {})

    run_sets: list[set[str]] = [set() for _ in range(total)]
    loads = [0.0] * total
    owners: dict[str, int] = {}
    for name in sorted(dependencies, key=lambda n: (-cost[n], n)):
        needed = {name} | closure[name]
        best = min(
            range(total),
            key=lambda s: (loads[s] + _total(cost, needed - run_sets[s]), s),
        )
        owners[name] = best
        loads[best] += _total(cost, needed - run_sets[best])
        run_sets[best] |= needed

    order = topological_order(dependencies)
    plans = []
    for shard in range(total):
        run = tuple(n for n in order if n in run_sets[shard])
        owned = tuple(n for n in run if owners[n] == shard)
        pulled = tuple(n for n in run if owners[n] != shard)
        plans.append(ShardPlan(shard + 1, total, owned, pulled, run, round(loads[shard], 6)))
    return plans


def _total(cost: Mapping[str, float], names: Iterable[str]) -> float:
    # fsum is exact, so the total does not depend on the order a set yields its names in — which changes
    # with each process's string-hash seed. A plain sum() made CI machines disagree on near-ties.
    return math.fsum(cost[n] for n in names)


def select_shard(
    dependencies: Mapping[str, Sequence[str]],
    index: int,
    total: int,
    durations: Mapping[str, float] | None = None,
) -> ShardPlan:
    """Shard `index` (1-based) of `total`."""
    if not 1 <= index <= total:
        raise ShardingError(f"shard {index}/{total}: need 1 <= K <= N")
    return plan_shards(dependencies, total, durations)[index - 1]


def expected_costs(dependencies: Mapping[str, Sequence[str]], durations: Mapping[str, float]) -> dict[str, float]:
    """Each scenario's expected seconds: its last duration; one new since the last report gets the median of
    the known ones (a fair guess that keeps a suite with no history balanced by count). Sharding and the
    workers' start order (scheduling.longest_first) guess alike."""
    known = [float(durations[n]) for n in dependencies if n in durations]
    default = statistics.median(known) if known else DEFAULT_DURATION_SECONDS
    return {n: float(durations.get(n, default)) for n in dependencies}


def _dependency_closure(dependencies: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    unknown = sorted(
        f"{name} -> {dep}" for name, deps in dependencies.items() for dep in deps if dep not in dependencies
    )
    if unknown:
        raise ShardingError(f"unknown dependencies: {', '.join(unknown)}")
    closure: dict[str, set[str]] = {}
    for name in dependencies:
        seen: set[str] = set()
        stack = list(dependencies[name])
        while stack:
            dep = stack.pop()
            if dep not in seen and dep != name:
                seen.add(dep)
                stack.extend(dependencies[dep])
        closure[name] = seen
    return closure


def topological_order(dependencies: Mapping[str, Sequence[str]]) -> list[str]:
    """Dependencies first, names alphabetical where the graph leaves a choice; raises on a cycle."""
    remaining = {name: set(deps) for name, deps in dependencies.items()}
    order: list[str] = []
    while remaining:
        ready = sorted(n for n, deps in remaining.items() if not deps)
        if not ready:
            raise ShardingError(f"dependency cycle among: {', '.join(sorted(remaining))}")
        for name in ready:
            del remaining[name]
        for deps in remaining.values():
            deps.difference_update(ready)
        order.extend(ready)
    return order


def dependencies_of(scenarios: Iterable) -> dict[str, list[str]]:
    """`{name: dependencies}` from objects with `.name` and `.dependencies` (TestScenario, ScenarioInfo)."""
    return {s.name: list(s.dependencies) for s in scenarios}
