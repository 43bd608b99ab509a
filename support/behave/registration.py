"""Gherkin scenarios as framework scenarios.

Parsing runs no user code (``behave.runner_util.parse_features``). Every concrete scenario (an outline row
counts as one) becomes a ``TestScenario`` whose ``test_function`` is a picklable ``GherkinScenario(file, line)``
that runs that one scenario inside the worker's behave session.

Dependencies are written with seed names: ``@depends_on:complete_sales_workflow`` makes a scenario depend on
every scenario of the feature tagged ``@scenario:complete_sales_workflow`` (a feature without that tag is
named after its file). Unknown names and cycles are found here, before anything runs, and reported with the
file:line of the offending tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from behave.model import Feature, Scenario, ScenarioOutline

from support.behave.tags import FrameworkTags, TagError, TagLevel, parse_levels, tag_location
from support.engine.scheduling import with_dependencies

# Gherkin scenarios retry only when asked to (@retry:N): a deterministic failure is not worth more runs.
DEFAULT_RETRY_ATTEMPTS = 0
DEFAULT_TIMEOUT_SECONDS = 300.0


class GherkinGraphError(ValueError):
    """An unknown dependency, a cycle or a bad framework tag in the feature files."""


@dataclass(frozen=True)
class GherkinScenario:
    """The test_function of a Gherkin scenario: picklable, resolved in the worker by file and line."""

    filename: str
    line: int

    def __call__(self, framework: Any = None) -> dict[str, Any]:
        from support.behave.session import run_gherkin_scenario

        return run_gherkin_scenario(self.filename, self.line, framework)

    @staticmethod
    def prepare_worker() -> None:
        """Called by each worker before its first scenario: the behave session starts (``before_all``)."""
        from support.behave.session import current_session

        current_session()

    @property
    def location(self) -> str:
        return f"{self.filename}:{self.line}"

    def __str__(self) -> str:
        return self.location


@dataclass
class ScenarioEntry:
    """One concrete Gherkin scenario with its framework settings (the parent's parsed model)."""

    name: str
    seed: str
    scenario: Scenario
    feature: Feature
    tags: FrameworkTags
    dependencies: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.scenario.filename}:{self.scenario.line}"

    @property
    def behave_tags(self) -> list[str]:
        """Tags as they appear in the report: the plain tags, inherited ones included, sorted."""
        return sorted(self.tags.labels)


def seed_name_of(feature: Feature) -> str:
    for tag in feature.tags:
        if str(tag).startswith("scenario:"):
            return str(tag).partition(":")[2]
    return Path(feature.filename).stem


def _levels(scenario: Scenario) -> list[TagLevel]:
    """Tag levels from the feature down to the scenario (outline rows: outline, then the row with examples)."""
    chain: list[Any] = []
    node: Any = scenario
    while node is not None:
        chain.append(node)
        node = getattr(node, "parent", None)
    return [
        TagLevel(tuple(node.tags), node.filename, node.line, feature_level=isinstance(node, Feature))
        for node in reversed(chain)
    ]


def scenario_framework_tags(scenario: Scenario) -> FrameworkTags:
    """The framework tags of one scenario, inherited ones included."""
    return parse_levels(_levels(scenario))


def _concrete_scenarios(feature: Feature) -> list[Scenario]:
    return [s for s in feature.walk_scenarios() if not isinstance(s, ScenarioOutline)]


def _unique_name(base: str, scenario: Scenario, taken: set[str]) -> str:
    name = base if base not in taken else f"{base} (line {scenario.line})"
    taken.add(name)
    return name


@dataclass
class GherkinSuite:
    """Every concrete scenario of the parsed features, with dependencies resolved to scenario names."""

    features: list[Feature]
    entries: list[ScenarioEntry]

    @classmethod
    def from_features(cls, features: Sequence[Feature]) -> GherkinSuite:
        errors: list[str] = []
        seeds: dict[str, Feature] = {}
        for feature in features:
            seed = seed_name_of(feature)
            if seed in seeds:
                errors.append(
                    f"{feature.filename}:{feature.line}: seed name '{seed}' is also used by "
                    f"{seeds[seed].filename}:{seeds[seed].line}"
                )
            seeds.setdefault(seed, feature)

        entries: list[ScenarioEntry] = []
        taken: set[str] = set()
        for feature in features:
            seed = seed_name_of(feature)
            for scenario in _concrete_scenarios(feature):
                try:
                    tags = scenario_framework_tags(scenario)
                except TagError as error:
                    errors.append(str(error))
                    continue
                name = _unique_name(f"{seed}: {scenario.name.strip()}", scenario, taken)
                entries.append(ScenarioEntry(name, seed, scenario, feature, tags))

        members: dict[str, list[str]] = {}
        for entry in entries:
            members.setdefault(entry.seed, []).append(entry.name)
        edges: dict[str, dict[str, str]] = {}  # seed -> {depended seed: file:line of the tag}
        for entry in entries:
            for dep in entry.tags.depends_on:
                where = _depends_on_location(entry.scenario, dep)
                if dep not in seeds:
                    known = ", ".join(sorted(seeds)) or "none"
                    errors.append(f"{where}: unknown dependency @depends_on:{dep} (known seed names: {known})")
                    continue
                edges.setdefault(entry.seed, {}).setdefault(dep, where)
                entry.dependencies.extend(n for n in members.get(dep, []) if n not in entry.dependencies)
        errors.extend(_cycles(edges))
        if errors:
            raise GherkinGraphError("\n".join(dict.fromkeys(errors)))
        return cls(list(features), entries)

    def by_location(self) -> dict[tuple[str, int], ScenarioEntry]:
        return {(e.scenario.filename, e.scenario.line): e for e in self.entries}

    def by_name(self) -> dict[str, ScenarioEntry]:
        return {e.name: e for e in self.entries}

    def select(self, tag_expression: Any, name_filter: Any = None) -> tuple[list[ScenarioEntry], set[str]]:
        """Entries chosen by behave's tag expression (and --name), widened to what they depend on.

        Returns the entries in file order and the names that were only pulled in as dependencies.
        """
        chosen = {
            e.name
            for e in self.entries
            if tag_expression.check(e.scenario.effective_tags)
            and (name_filter is None or name_filter(e.scenario))
        }
        closed = with_dependencies(chosen, {name: e.dependencies for name, e in self.by_name().items()})
        return [e for e in self.entries if e.name in closed], closed - chosen


def _depends_on_location(scenario: Scenario, dep: str) -> str:
    for level in reversed(_levels(scenario)):
        for tag in level.tags:
            if str(tag) == f"depends_on:{dep}":
                return tag_location(level.filename, tag, level.line)
    return f"{scenario.filename}:{scenario.line}"


def _cycles(edges: dict[str, dict[str, str]]) -> list[str]:
    """Each dependency cycle between features, as 'a (file:line) -> b (file:line) -> a'."""
    found: list[str] = []
    seen_cycles: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(edges.get(node, {})):
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    hops = " -> ".join(f"{a} ({edges[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False))
                    found.append(f"dependency cycle: {hops} -> {dep}")
            elif dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def to_test_scenario(entry: ScenarioEntry) -> Any:
    """The engine's TestScenario for one Gherkin scenario."""
    from support.engine.scenario import TestScenario

    tags = entry.tags
    return TestScenario(
        name=entry.name,
        description=f"{entry.feature.name}: {entry.scenario.name}",
        test_function=GherkinScenario(entry.scenario.filename, entry.scenario.line),
        dependencies=list(entry.dependencies),
        timeout_seconds=tags.timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
        retry_attempts=tags.retry_attempts if tags.retry_attempts is not None else DEFAULT_RETRY_ATTEMPTS,
        skip_condition=tags.skip_condition,
        tags=entry.behave_tags,
        budgets=tags.budgets,
        source=entry.location,
    )


def register_gherkin_scenarios(framework: Any, paths: Sequence[str] = ("features",)) -> list[Any]:
    """Register every Gherkin scenario under ``paths`` into ``framework`` (for ``run_all_scenarios()``)."""
    from behave.runner_util import collect_feature_locations, parse_features

    suite = GherkinSuite.from_features(parse_features(collect_feature_locations(list(paths))))
    return [framework.register_scenario(to_test_scenario(entry)) for entry in suite.entries]
