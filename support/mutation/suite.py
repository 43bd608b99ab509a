"""The behave suite, loaded once in the campaign's process: hooks, steps, the framework and the scenarios.

The same pieces ``behave`` uses (``behave.ini``, ``environment.py``, the step modules, the framework class
named in the userdata, ``GherkinSuite``), minus the formatters: a mutant run writes no Allure or JUnit
files. Dependencies between scenarios (``@depends_on``) are ignored: every scenario builds its own data and
runs alone in its child.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SuiteError(ValueError):
    """The suite cannot be loaded or selected; the message names the problem."""


@dataclass
class LoadedSuite:
    framework: Any
    scenarios: dict[str, Any]  # name -> the engine's TestScenario
    files: list[str]  # the feature, step and environment files (a change invalidates a resumed run)
    texts: dict[str, str] = field(default_factory=dict)  # name -> its words (see similarity): the search's order


def load_suite(tags: str | None) -> LoadedSuite:
    from behave.runner_util import collect_feature_locations, parse_features
    from behave.tag_expression import make_tag_expression

    from support.behave import session
    from support.behave.framework_setting import FrameworkSettingError, build_framework
    from support.behave.registration import GherkinGraphError, GherkinSuite, to_test_scenario

    try:
        prepared = session._load_from_scratch()  # behave.ini, environment.py (Django), the step modules
    except Exception as error:  # behave's ConfigError, an environment.py or a step module that fails to import
        raise SuiteError(f"cannot load the behave suite from {Path.cwd()} (behave.ini, environment.py, steps/): "
                         f"{type(error).__name__}: {error}") from None
    config = prepared.config
    config.format, config.outputs, config.outfiles = [], [], []
    config.junit = False
    session.prepare(config, prepared.hooks, prepared.base_dir)
    locations = collect_feature_locations(list(config.paths or ["features"]))
    try:
        suite = GherkinSuite.from_features(parse_features(locations, language=config.lang))
    except GherkinGraphError as error:
        raise SuiteError(str(error)) from None
    try:
        expression = make_tag_expression(tags or "")
    except Exception as error:  # behave's TagExpressionError and friends
        raise SuiteError(f"--tags {tags!r}: {error}") from None
    try:
        framework = build_framework(config)
    except FrameworkSettingError as error:
        raise SuiteError(str(error)) from None
    scenarios: dict[str, Any] = {}
    texts: dict[str, str] = {}
    from behave.runner import the_step_registry

    from support.mutation.similarity import scenario_text

    for entry in suite.entries:
        if expression.check(entry.scenario.effective_tags):
            for step in entry.scenario.all_steps:  # matchers compile on first use: once here, not per child
                the_step_registry.find_match(step)
            scenario = to_test_scenario(entry)
            scenario.dependencies = []  # each scenario runs alone, on its own data
            scenarios[entry.name] = framework.register_scenario(scenario)
            texts[entry.name] = scenario_text(entry.scenario, entry.feature)
    if not scenarios:
        raise SuiteError(f"no scenario matches --tags {tags!r}" if tags else "the suite has no scenario")
    from support.mutation.warmup import warm_django

    warm_django()
    base = Path(prepared.base_dir)
    files = sorted({str(Path(e.scenario.filename)) for e in suite.entries}
                   | {str(p) for p in base.glob("steps/**/*.py")} | {str(base / "environment.py")})
    return LoadedSuite(framework, scenarios, files, texts)
