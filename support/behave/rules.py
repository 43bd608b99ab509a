"""The rules catalogue (docs/rules.md) and which scenarios guard each rule (``@rule:ID`` tags).

A rule is a Markdown table row whose first cell is its id (``PAY-07``); the catalogue is parsed once per
process. A struck-through (``~~…~~``) rule is retired: its id stays reserved, but nothing needs to guard it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

RULE_ID_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{2,3}$")
_ROW = re.compile(r"^\|\s*([A-Z]{2,5}-\d{2,3})\s*\|\s*(.*?)\s*\|")
_AREA = re.compile(r"^##\s+(.+?)\s*$")
# The repository's catalogue: support/behave/rules.py -> <root>/docs/rules.md
DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


class CatalogueError(ValueError):
    """The catalogue cannot be read, or names an id twice; the message names file:line."""


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    area: str
    line: int
    retired: bool = False


@dataclass(frozen=True)
class Catalogue:
    path: Path
    rules: Mapping[str, Rule]

    @property
    def active(self) -> list[Rule]:
        return [rule for rule in self.rules.values() if not rule.retired]


def parse_catalogue(text: str, path: Path) -> Catalogue:
    rules: dict[str, Rule] = {}
    area = ""
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _AREA.match(line)
        if heading:
            area = heading.group(1)
            continue
        row = _ROW.match(line)
        if not row:
            continue
        rule_id, body = row.groups()
        if rule_id in rules:
            raise CatalogueError(f"{path}:{number}: rule {rule_id} is already defined at line {rules[rule_id].line}")
        retired = body.startswith("~~")
        rules[rule_id] = Rule(rule_id, body.strip("~ "), area, number, retired)
    return Catalogue(path, rules)


@functools.cache
def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(f"cannot read the rules catalogue {path}: {error.strerror}") from None
    return parse_catalogue(text, Path(path))


def check_rule_id(rule_id: str) -> str | None:
    """Why ``rule_id`` is not a usable rule id, or None when it names a rule of the catalogue."""
    if not RULE_ID_PATTERN.match(rule_id):
        return "expected @rule:<AREA-NN>, e.g. @rule:PAY-07"
    try:
        catalogue = load_catalogue()
    except CatalogueError as error:
        return str(error)
    if rule_id not in catalogue.rules:
        return f"unknown rule {rule_id} (not in {catalogue.path.name})"
    return None


def scenarios_by_rule(catalogue: Catalogue, guarded: Iterable[tuple[str, Iterable[str]]]) -> dict[str, list[str]]:
    """Each rule of the catalogue (in its order) with the scenarios, given as (location, rule ids), guarding it."""
    result: dict[str, list[str]] = {rule_id: [] for rule_id in catalogue.rules}
    for location, rule_ids in guarded:
        for rule_id in rule_ids:
            result.setdefault(rule_id, []).append(location)
    return result


def unguarded(catalogue: Catalogue, by_rule: Mapping[str, list[str]]) -> list[Rule]:
    return [rule for rule in catalogue.active if not by_rule.get(rule.id)]
