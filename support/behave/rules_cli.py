"""`prs-acceptance rules [--check]`: each rule of the catalogue with the scenarios that guard it."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from support.behave.rules import load_catalogue, scenarios_by_rule, unguarded


def rules_command(suite: Any, *, check: bool, console: Console, errors: Console) -> int:
    """Prints the table (or, with check, only the unguarded rules); 1 when check finds a rule unguarded."""
    catalogue = load_catalogue()
    by_rule = scenarios_by_rule(catalogue, ((entry.location, entry.tags.rules) for entry in suite.entries))
    missing = unguarded(catalogue, by_rule)
    if not check:
        table = Table(title=f"{len(catalogue.active)} rules, {len(missing)} without a scenario")
        for column in ("rule", "area", "scenarios", "rule text"):
            table.add_column(column, overflow="fold")
        for rule_id, locations in by_rule.items():
            rule = catalogue.rules[rule_id]
            shown = "\n".join(locations) if locations else ("[dim]retired[/]" if rule.retired else "[red]none[/]")
            table.add_row(rule_id, rule.area, shown, rule.text)
        console.print(table)
        return 0
    for rule in missing:
        errors.print(f"{catalogue.path.name}:{rule.line}: {rule.id} has no scenario ({rule.text})",
                     highlight=False, markup=False)
    guarded = len(catalogue.active) - len(missing)
    console.print(f"rules: {guarded} of {len(catalogue.active)} guarded by a scenario")
    return 1 if missing else 0
