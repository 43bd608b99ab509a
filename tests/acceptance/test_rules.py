"""The rules catalogue: @rule tags validated against docs/rules.md, and `prs-acceptance rules [--check]`."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.behave.rules import CatalogueError, load_catalogue, parse_catalogue, scenarios_by_rule, unguarded
from support.behave.tags import TagError, parse_tags, parse_today
from support.cli import main

CATALOGUE = """\
## Payments (PAY)
| id | rule | where |
| --- | --- | --- |
| PAY-01 | Pay once. | here |
| PAY-02 | ~~Old rule.~~ *retired* | there |
"""


def test_catalogue_rows_areas_and_retired_rules():
    catalogue = parse_catalogue(CATALOGUE, Path("rules.md"))
    assert list(catalogue.rules) == ["PAY-01", "PAY-02"]
    assert catalogue.rules["PAY-01"].area == "Payments (PAY)"
    assert catalogue.rules["PAY-01"].line == 4
    assert [rule.id for rule in catalogue.active] == ["PAY-01"]
    by_rule = scenarios_by_rule(catalogue, [("a.feature:3", ["PAY-01"])])
    assert by_rule == {"PAY-01": ["a.feature:3"], "PAY-02": []}
    assert unguarded(catalogue, by_rule) == []


def test_a_rule_defined_twice_names_both_lines():
    with pytest.raises(CatalogueError, match=r"rules.md:6: rule PAY-01 is already defined at line 4"):
        parse_catalogue(CATALOGUE + "| PAY-01 | Again. | x |\n", Path("rules.md"))


def test_the_repository_catalogue_parses_with_every_area():
    areas = {rule.id.split("-")[0] for rule in load_catalogue().rules.values()}
    assert {"SEC", "CLI", "DEAL", "PAY", "COM", "NOT", "AUD", "TRX", "API"} <= areas


def test_rule_tags_are_validated_and_kept_as_labels():
    tags = parse_tags(["rule:PAY-02", "rule:SEC-04"], "f.feature", 2)
    assert tags.rules == ("PAY-02", "SEC-04")
    assert "rule:PAY-02" in tags.labels
    with pytest.raises(TagError, match=r"^f.feature:9: invalid tag @rule:PAY-99: unknown rule PAY-99"):
        parse_tags(["rule:PAY-99"], "f.feature", 9)
    with pytest.raises(TagError, match=r"expected @rule:<AREA-NN>"):
        parse_tags(["rule:pay7"], "f.feature", 9)


def test_today_tags():
    assert parse_tags(["today:2028-02-29"], "f", 1).today == "2028-02-29"
    assert parse_today("2028-02-29").isoformat() == "2028-02-29T10:00:00+00:00"
    assert parse_today("2026-12-31T23:59:30").isoformat() == "2026-12-31T23:59:30+00:00"
    for bad in ("2027-02-29", "tomorrow", "2026-12-31T23:59+02:00"):
        with pytest.raises(TagError, match="expected @today:YYYY-MM-DD"):
            parse_tags([f"today:{bad}"], "f", 1)


def test_rules_check_names_each_rule_without_a_scenario(tmp_path, capsys):
    feature = tmp_path / "one.feature"
    feature.write_text("Feature: One\n  @rule:PAY-02\n  Scenario: S\n    Given a step\n")
    assert main(["rules", str(feature), "--check"]) == 1
    captured = capsys.readouterr()
    assert "PAY-01 has no scenario" in captured.err
    assert "PAY-02 has no scenario" not in captured.err
    assert main(["rules", str(feature)]) == 0
    assert f"{len(load_catalogue().active) - 1} without a scenario" in capsys.readouterr().out
