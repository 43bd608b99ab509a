"""Markdown documentation of a contract set: one page per service and an index."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from support.contracts.contract import ServiceContract


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") or "—"


def contract_markdown(contract: ServiceContract) -> str:
    lines = [f"# {contract.service_name} — contract {contract.version}", ""]
    if contract.description:
        lines += [contract.description, ""]
    deps = ", ".join(f"[{d}]({d}.md)" for d in contract.dependencies) or "none"
    lines += [f"**Dependencies:** {deps}", "", "## Methods", ""]
    for method in contract.required_methods:
        spec = contract.methods.get(method)
        params = ", ".join(
            f"{p.name}{': ' + p.annotation if p.annotation else ''}{'' if p.required else ' = …'}"
            for p in spec.params) if spec else ", ".join(map(str, contract.expected_inputs.get(method, [])))
        lines += [f"### `{method}({params})`", ""]
        if spec and spec.doc:
            lines += [spec.doc, ""]
        optional = set(contract.optional_inputs.get(method, []))
        inputs = [f"{name} (optional)" if name in optional else name for name in contract.inputs_of(method)]
        lines += ["| | |", "| --- | --- |",
                  f"| inputs | {_cell(', '.join(inputs))} |",
                  f"| output | {_cell(contract.expected_outputs.get(method, ''))} |"]
        if contract.output_types.get(method):
            lines.append(f"| data on success | `{contract.output_types[method]}` |")
        budget = contract.budgets.get(method)
        if budget:
            limits = [f"{budget.max_ms} ms" if budget.max_ms is not None else "",
                      f"{budget.max_queries} queries" if budget.max_queries is not None else ""]
            lines.append(f"| budget | {_cell(', '.join(x for x in limits if x))} |")
        errors = [f"{c} → `{s.code}`" for c, s in contract.errors.items() if s.method == method]
        if errors:
            lines.append(f"| errors | {_cell('; '.join(errors))} |")
        lines.append("")
    lines += ["## Error conditions", "", "| condition | method | error code | meaning |", "| --- | --- | --- | --- |"]
    for condition in contract.error_conditions:
        spec = contract.errors.get(condition)
        lines.append(f"| {_cell(condition)} | {_cell(spec.method if spec else '')} | "
                     f"{_cell(spec.code if spec else '')} | {_cell(spec.description if spec else '')} |")
    lines.append("")
    return "\n".join(lines)


def write_contract_docs(contracts: Iterable[ServiceContract], folder: str | Path) -> list[Path]:
    """Write `<service>.md` per contract and `README.md` indexing them; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    contracts = sorted(contracts, key=lambda c: c.service_name)
    written = []
    for contract in contracts:
        path = folder / f"{contract.service_name}.md"
        path.write_text(contract_markdown(contract), encoding="utf-8")
        written.append(path)
    index = ["# Service contracts", "", "Generated from the services' Protocols; do not edit by hand. How they are "
             "checked: [checking.md](checking.md).", "",
             "| service | version | methods | dependencies |", "| --- | --- | --- | --- |"]
    index += [f"| [{c.service_name}]({c.service_name}.md) | {c.version} | {len(c.required_methods)} | "
              f"{_cell(', '.join(c.dependencies))} |" for c in contracts]
    readme = folder / "README.md"
    readme.write_text("\n".join(index) + "\n", encoding="utf-8")
    return [*written, readme]
