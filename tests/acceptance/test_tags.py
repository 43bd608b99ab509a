"""Framework tags: values, inheritance, and errors that name the tag and where it is."""

from __future__ import annotations

import pytest
from behave.parser import parse_feature

from support.behave.registration import GherkinGraphError, GherkinSuite
from support.behave.tags import SkipIf, TagError, TagLevel, parse_levels, parse_tags

FEATURE = """\
@scenario:alpha @timeout:30 @core @skip_if:CI
Feature: Alpha
  @timeout:5 @retry:2 @max_queries:50 @max_duration:1.5 @max_memory_mb:64 @depends_on:beta
  Scenario Outline: Rows <n>
    Given a number <n>

    @retry:1 @slow
    Examples:
      | n |
      | 1 |
"""

BETA = """\
@scenario:beta
Feature: Beta
  Scenario: One
    Given a number 1
  Scenario: Two
    Given a number 2
"""


def test_every_framework_tag_and_inheritance():
    alpha = parse_feature(FEATURE, filename="features/alpha.feature")
    beta = parse_feature(BETA, filename="features/beta.feature")
    suite = GherkinSuite.from_features([alpha, beta])
    entry = next(e for e in suite.entries if e.seed == "alpha")
    tags = entry.tags
    assert tags.seed_name == "alpha"
    assert tags.timeout_seconds == 5.0  # the scenario's own tag beats the feature's
    assert tags.retry_attempts == 1  # the Examples' tag beats the outline's
    assert tags.budgets == {"max_queries": 50, "max_duration_seconds": 1.5, "max_memory_increase_mb": 64.0}
    assert tags.skip_if == (SkipIf("CI"),)
    assert set(entry.behave_tags) == {"core", "slow"}
    assert entry.dependencies == ["beta: One", "beta: Two"]
    assert entry.location == "features/alpha.feature:10"


def test_skip_if_with_and_without_value():
    assert SkipIf("CI").reason({"CI": "true"}) == "CI is set"
    assert SkipIf("CI").reason({"CI": ""}) is None
    assert SkipIf("DB", "sqlite").reason({"DB": "sqlite"}) == "DB=sqlite"
    assert SkipIf("DB", "sqlite").reason({"DB": "postgres"}) is None


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("timeout:0", "expected a positive number, got '0'"),
        ("retry:-1", "expected a whole number ≥ 1, got '-1'"),
        ("max_queries:many", "expected a whole number ≥ 0, got 'many'"),
        ("depends_on", "@depends_on needs a value"),
        ("skip_if:1BAD", "expected @skip_if:ENVVAR or @skip_if:ENVVAR=value"),
        ("timout:3", "did you mean @timeout:3?"),
        ("depends-on:x", "did you mean @depends_on:x?"),
        ("Retry:2", "did you mean @retry:2?"),
        ("max_querys:9", "did you mean @max_queries:9?"),
        ("timeout:9999999", "expected a positive number at most 86400 seconds, got '9999999'"),
        ("max_duration:100000", "at most 86400 seconds"),
        ("retry:101", "expected a whole number ≥ 1 at most 100, got '101'"),
    ],
)
def test_bad_tags_name_the_tag_and_the_place(tag, message):
    with pytest.raises(TagError) as error:
        parse_tags([tag], "features/x.feature", 7)
    assert str(error.value).startswith(f"features/x.feature:7: invalid tag @{tag}: ")
    assert message in str(error.value)


def test_seed_name_only_on_the_feature_line():
    with pytest.raises(TagError, match="belongs on the Feature line"):
        parse_levels([TagLevel(["scenario:x"], "f.feature", 3, feature_level=False)])


def test_allure_tags_with_colons_are_labels():
    assert parse_tags(["allure.label.epic:Sales"]).labels == ("allure.label.epic:Sales",)


@pytest.mark.parametrize("tag", ["author:john.doe", "jira:ABC-1", "owner:payments-team", "role:admin", "skip:x",
                                 "issue:42", "wip", "slow"])
def test_any_other_tag_passes_through_to_behave_and_allure(tag):
    assert parse_tags([tag]).labels == (tag,)


def test_the_largest_documented_values_are_accepted():
    tags = parse_tags(["timeout:86400", "retry:100", "max_duration:86400"])
    assert (tags.timeout_seconds, tags.retry_attempts, tags.max_duration_seconds) == (86400, 100, 86400)


def test_self_dependency_is_a_cycle():
    feature = parse_feature("@scenario:x\nFeature: X\n  @depends_on:x\n  Scenario: S\n    Given a number 1\n",
                            filename="features/x.feature")
    with pytest.raises(GherkinGraphError, match=r"dependency cycle: x \(features/x.feature:3\) -> x"):
        GherkinSuite.from_features([feature])


def test_selection_pulls_in_dependencies():
    from behave.tag_expression import make_tag_expression

    alpha = parse_feature(FEATURE.replace("@skip_if:CI", ""), filename="features/alpha.feature")
    beta = parse_feature(BETA, filename="features/beta.feature")
    suite = GherkinSuite.from_features([alpha, beta])
    entries, pulled = suite.select(make_tag_expression("@slow"))
    assert [e.name for e in entries] == ["alpha: Rows 1 -- @1.1", "beta: One", "beta: Two"]
    assert pulled == {"beta: One", "beta: Two"}
