"""A contract set as a committed JSON file, and the comparison of that file with the current code (for CI)."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from support.contracts.contract import ServiceContract
from support.contracts.evolution import BREAKING, Change, ContractComparison, compare_contracts

FORMAT = "service-contracts/1"


def contracts_document(contracts: Iterable[ServiceContract]) -> dict[str, Any]:
    return {"format": FORMAT,
            "contracts": {c.service_name: c.to_dict() for c in sorted(contracts, key=lambda c: c.service_name)}}


def export_contract_set(contracts: Iterable[ServiceContract], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contracts_document(contracts), indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def load_contract_set(path: str | Path) -> dict[str, ServiceContract]:
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: contract file not found (export it first)") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"{path}: not a contract file (format {found!r}, expected {FORMAT!r})")
    return {name: ServiceContract.from_dict(data, where=f"{path}: contracts.{name}")
            for name, data in document.get("contracts", {}).items()}


def compare_contract_sets(committed: dict[str, ServiceContract],
                          current: dict[str, ServiceContract]) -> tuple[list[ContractComparison], list[str]]:
    """Per-service comparisons, and problems: a removed service, or a version bump too small for its changes."""
    comparisons: list[ContractComparison] = []
    problems: list[str] = []
    for name in sorted(committed.keys() | current.keys()):
        if name not in current:
            problems.append(f"{name}: service removed (breaking)")
            comparisons.append(ContractComparison(name, committed[name].version, "-",
                                                  [Change(BREAKING, "service removed")]))
        elif name not in committed:
            comparisons.append(ContractComparison(name, "-", current[name].version))
        else:
            comparison = compare_contracts(committed[name], current[name])
            comparisons.append(comparison)
            problems += comparison.problems()
    return comparisons, problems


def compare_with_file(current: Iterable[ServiceContract], path: str | Path,
                      out: Callable[[str], Any] = print) -> int:
    """Exit code for CI: 0 when the code's contracts match the committed file or every change has the
    version bump it needs; 1 otherwise; 2 when the file cannot be read. Prints what changed."""
    try:
        committed = load_contract_set(path)
    except ValueError as exc:
        out(f"contracts: {exc}")
        return 2
    comparisons, problems = compare_contract_sets(committed, {c.service_name: c for c in current})
    for comparison in comparisons:
        if comparison.old_version == "-":
            out(f"{comparison.service_name}: new service {comparison.new_version} (info)")
            continue
        if comparison.new_version == "-":
            out(f"{comparison.service_name} {comparison.old_version}: removed (breaking)")
            continue
        if not comparison.changes:
            continue
        out(f"{comparison.service_name} {comparison.old_version} -> {comparison.new_version} "
            f"(needs {comparison.required_bump}, got {comparison.actual_bump}):")
        for change in comparison.changes:
            out(f"  {change}")
    for problem in problems:
        out(f"contracts: FAIL {problem}")
    changed = sum(1 for c in comparisons if c.changes)
    out(f"contracts: {len(comparisons)} services, {changed} changed, {len(problems)} problems "
        f"(compared with {path})")
    if problems:
        out("contracts: re-export the file after bumping the versions named above")
    return 1 if problems else 0


def main_compare(current: Iterable[ServiceContract], path: str | Path) -> None:  # pragma: no cover - CLI glue
    sys.exit(compare_with_file(current, path))
